"""Which files may be attached, decided by what the file holds, not by its name.

A file is accepted only if its extension is one of ALLOWED and its first bytes (and, for the zip-based office
formats, its parts) are those of that type: an .exe renamed .pdf starts "MZ", not "%PDF-", and is refused. The
content type served with a download is the one of the type found here, never the one the browser sent.

- PDF: starts "%PDF-".
- Word (.docx) and Excel (.xlsx): a zip holding [Content_Types].xml and word/document.xml (xl/workbook.xml).
  A macro project (vbaProject.bin) is refused: macros run code on the reader's computer.
- OpenDocument text (.odt) and spreadsheet (.ods): a zip whose "mimetype" part names the type.
- JPEG, PNG, TIFF (scanned letters), by their signatures.
- Plain text (.txt): UTF-8 with no control characters other than tab, line and page breaks.

Older binary Office files (.doc, .xls, .msg) share one container with many other kinds of file and may carry
macros; the refusal asks for the file saved as PDF or in a newer format instead.
"""

import zipfile
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile

HEAD_BYTES = 64 * 1024
TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r", "\f"}


@dataclass(frozen=True)
class FileType:
    name: str  # in a sentence: "is not a PDF"
    content_type: str


PDF = FileType("a PDF", "application/pdf")
DOCX = FileType("a Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("an Excel spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODT = FileType("an OpenDocument text document", "application/vnd.oasis.opendocument.text")
ODS = FileType("an OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet")
JPEG = FileType("a JPEG image", "image/jpeg")
PNG = FileType("a PNG image", "image/png")
TIFF = FileType("a TIFF image", "image/tiff")
TEXT = FileType("plain text", "text/plain; charset=utf-8")

ALLOWED = {
    "pdf": PDF,
    "docx": DOCX,
    "xlsx": XLSX,
    "odt": ODT,
    "ods": ODS,
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": PNG,
    "tif": TIFF,
    "tiff": TIFF,
    "txt": TEXT,
}
ALLOWED_IN_WORDS = "PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT, ODS), JPEG, PNG, TIFF or plain text"
OLD_OFFICE = {"doc", "xls", "ppt", "msg", "rtf"}


class FileRefused(Exception):
    """Why a file cannot be attached, in words for the person who chose it."""


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def _starts(head: bytes, *signatures: bytes) -> bool:
    return any(head.startswith(signature) for signature in signatures)


def _zip_parts(upload: UploadedFile) -> zipfile.ZipFile | None:
    upload.seek(0)
    try:
        return zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, EOFError):
        return None


def _ooxml_matches(upload: UploadedFile, main_part: str, macro_part: str) -> bool:
    parts = _zip_parts(upload)
    if parts is None:
        return False
    names = set(parts.namelist())
    if macro_part in names:
        raise FileRefused(
            "The file contains macros, which could harm the computers that open it: save it without them"
        )
    return "[Content_Types].xml" in names and main_part in names


def _opendocument_matches(upload: UploadedFile, mimetype: str) -> bool:
    parts = _zip_parts(upload)
    if parts is None or "mimetype" not in parts.namelist():
        return False
    with parts.open("mimetype") as part:
        return part.read(200).strip() == mimetype.encode()


def _is_text(head: bytes, complete: bool) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The head may end inside a character: only the last three bytes may be cut short.
        if complete or error.start < len(head) - 3:
            return False
        text = head[: error.start].decode("utf-8")
    return not any(ord(c) < 32 and c not in TEXT_CONTROLS_ALLOWED for c in text)


def _content_matches(file_type: FileType, upload: UploadedFile, head: bytes) -> bool:
    if file_type is PDF:
        return _starts(head, b"%PDF-")
    if file_type is JPEG:
        return _starts(head, b"\xff\xd8\xff")
    if file_type is PNG:
        return _starts(head, b"\x89PNG\r\n\x1a\n")
    if file_type is TIFF:
        return _starts(head, b"II*\x00", b"MM\x00*")
    if file_type is DOCX:
        return _starts(head, b"PK\x03\x04") and _ooxml_matches(
            upload, "word/document.xml", "word/vbaProject.bin"
        )
    if file_type is XLSX:
        return _starts(head, b"PK\x03\x04") and _ooxml_matches(upload, "xl/workbook.xml", "xl/vbaProject.bin")
    if file_type in (ODT, ODS):
        return _starts(head, b"PK\x03\x04") and _opendocument_matches(upload, file_type.content_type)
    return _is_text(head, complete=upload.size <= len(head))


def identify(upload: UploadedFile, *, name: str) -> FileType:
    """The type of an uploaded file, or FileRefused saying why it cannot be attached."""
    extension = extension_of(name)
    file_type = ALLOWED.get(extension)
    if file_type is None:
        if extension in OLD_OFFICE:
            raise FileRefused(
                f"A .{extension} file cannot be attached: save it as PDF, or as a Word (DOCX) or Excel (XLSX) file"
            )
        kind = f"A .{extension} file" if extension else "A file without an extension (like .pdf)"
        raise FileRefused(f"{kind} cannot be attached: the file must be {ALLOWED_IN_WORDS}")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    try:
        matches = _content_matches(file_type, upload, head)
    finally:
        upload.seek(0)
    if not matches:
        raise FileRefused(
            f"The file is called .{extension} but is not {file_type.name}: it may be damaged, or "
            f"another kind of file renamed. Attach the file itself, as {ALLOWED_IN_WORDS}"
        )
    return file_type
