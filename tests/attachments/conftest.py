"""A north team's child with a worker and a manager, a restricted child nobody here is named on, and a fresh
folder for the attachments storage per test (so "nothing stored" can be checked on disk)."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencsc.accounts.models import Role
from opencsc.attachments.models import Attachment
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ChronologyEntry
from opencsc.people import services as people_services
from opencsc.people.models import Child

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx(*, macros: bool = False) -> bytes:
    parts = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    if macros:
        parts["word/vbaProject.bin"] = b"macro"
    return zipped(parts)


def odt() -> bytes:
    return zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def file_store(settings, tmp_path) -> Path:
    folder = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def stored_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Attachment, AuditEvent, ChronologyEntry)}


@pytest.fixture
def world(teams, make_user):
    north = teams["north"]
    worker = make_user(Role.SOCIAL_WORKER, north, first_name="Ama", last_name="Osei")
    child = people_services.child_create(
        actor=worker,
        team=north,
        first_name="Ella",
        last_name="Filed",
        date_of_birth=dt.date(2016, 2, 3),
        sex="F",
    )
    hidden = people_services.child_create(
        actor=worker,
        team=north,
        first_name="Rowan",
        last_name="Hidden",
        date_of_birth=dt.date(2014, 7, 9),
        sex="M",
    )
    Child.objects.filter(pk=hidden.pk).update(is_restricted=True)
    hidden.refresh_from_db()
    return type(
        "World",
        (),
        {
            "worker": worker,
            "manager": make_user(Role.TEAM_MANAGER, north),
            "auditor": make_user(Role.AUDITOR, None),
            "elsewhere": make_user(Role.SOCIAL_WORKER, teams["south"]),
            "child": child,
            "hidden": hidden,
        },
    )
