"""Issue 13's uploads, in the browser: a social worker attaches a court order to a child's record, sees it listed
on the record and the files page and downloads it (the download on the access log); a renamed program and a file
over the limit are refused with the field named, the description kept and nothing stored; a worker of another
team who types the download's address is refused, and the refusal is logged."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.attachments.models import Attachment
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.people import services as people_services
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

ORDER = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(500)


@pytest.fixture
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


def _stored(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _attach(page, *, description: str, name: str, content: bytes) -> None:
    page.select_option("#id_category", "court")
    page.fill("#id_description", description)
    page.set_input_files(
        "#id_attachment_file", {"name": name, "mimeType": "application/pdf", "buffer": content}
    )
    page.click("button:has-text('Attach the file')")


def test_attach_list_download_and_refusals(live_user, signed_in_page, file_store, settings):
    team = Team.objects.create(name="Assessment West", kind=TeamKind.ASSESSMENT)
    worker = live_user(Role.SOCIAL_WORKER, team, first_name="Ama", last_name="Osei")
    stranger = live_user(
        Role.SOCIAL_WORKER, Team.objects.create(name="Assessment East", kind=TeamKind.ASSESSMENT)
    )
    child = people_services.child_create(
        actor=worker,
        team=team,
        first_name="Sam",
        last_name="Brook",
        date_of_birth=dt.date(2018, 4, 9),
        sex="M",
    )

    page = signed_in_page(worker)
    page.goto(f"/children/{child.pk}/")
    page.click("text=Attach a file")

    # A program renamed .pdf: refused on the field, the description kept, nothing stored.
    _attach(page, description="Interim care order, 3 March", name="Order.pdf", content=PROGRAM)
    expect(page.locator(".govuk-error-summary")).to_contain_text("The file is called .pdf but is not a PDF")
    expect(page.locator("#id_description")).to_have_value("Interim care order, 3 March")
    assert not Attachment.objects.exists() and _stored(file_store) == []

    # Over the limit: stopped while it is read, refused on the field, nothing stored.
    settings.ATTACHMENT_MAX_MB = 0.001  # about 1 KB
    _attach(page, description="Interim care order, 3 March", name="Order.pdf", content=ORDER + bytes(5_000))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The file is too large: a file can be at most"
    )
    expect(page.locator("#id_description")).to_have_value("Interim care order, 3 March")
    assert not Attachment.objects.exists() and _stored(file_store) == []
    settings.ATTACHMENT_MAX_MB = 20

    _attach(page, description="Interim care order, 3 March", name="Order.pdf", content=ORDER)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("File attached")
    expect(page.locator("[data-testid='attachments']")).to_contain_text("Order.pdf")
    expect(page.locator("[data-testid='attachments']")).to_contain_text("Interim care order, 3 March")
    attachment = Attachment.objects.get()
    assert len(_stored(file_store)) == 1
    screenshot(page, "attachments-listed")

    page.goto(f"/children/{child.pk}/")
    expect(page.locator("[data-testid='recent-files']")).to_contain_text("Order.pdf")
    with page.expect_download() as download:
        page.click("[data-testid='recent-files'] >> text=Order.pdf")
    assert download.value.suggested_filename == "Order.pdf"
    assert Path(download.value.path()).read_bytes() == ORDER
    path = f"/files/{attachment.pk}/download/"
    assert (
        RecordAccess.objects.filter(user=worker, child=child, kind=AccessKind.EXPORT, path=path).count() == 1
    )

    other = signed_in_page(stranger)
    answer = other.goto(path)
    assert answer.status == 403
    assert "Sam" not in other.content() and "Order.pdf" not in other.content()
    assert (
        RecordAccess.objects.filter(user=stranger, child=child, kind=AccessKind.REFUSED, path=path).count()
        == 1
    )
