"""What may be attached is decided by the file's content: the extension must be allowed and the content must be
of that type."""

import pytest

from opencsc.attachments.file_types import DOCX, ODT, PDF, PNG, TEXT, FileRefused, identify
from tests.attachments.conftest import EXE, docx, odt, upload, zipped
from tests.attachments.conftest import PDF as PDF_BYTES
from tests.attachments.conftest import PNG as PNG_BYTES


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("Court order.PDF", PDF_BYTES, PDF),
        ("report.docx", docx(), DOCX),
        ("minutes.odt", odt(), ODT),
        ("photo.png", PNG_BYTES, PNG),
        ("notes.txt", "Ella's teacher rang: all well. – café".encode(), TEXT),
    ],
)
def test_an_allowed_file_is_identified_by_its_content(name, content, expected):
    assert identify(upload(name, content), name=name) is expected


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("court order.pdf", EXE, "is called .pdf but is not a PDF:"),
        ("report.docx", zipped({"readme.txt": b"hello"}), "is not a Word document:"),
        ("report.docx", docx(macros=True), "contains macros"),
        ("minutes.odt", docx(), "is not an OpenDocument text document:"),
        ("photo.jpg", PNG_BYTES, "is not a JPEG image:"),
        ("notes.txt", b"text\x00with a nul", "is not plain text:"),
        ("notes.txt", "latin-1 caf\xe9".encode("latin-1"), "is not plain text:"),
        ("setup.exe", EXE, "A .exe file cannot be attached"),
        ("old letter.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "save it as PDF"),
        ("README", b"text", "A file without an extension"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_or_not_allowed_is_refused(name, content, words):
    with pytest.raises(FileRefused) as refused:
        identify(upload(name, content), name=name)
    assert words in str(refused.value)
