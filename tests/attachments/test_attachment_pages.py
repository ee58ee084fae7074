"""The file pages: attaching through the form (and its refusals, with what was typed kept and nothing stored),
the lists on the child's record and a document's page, downloads (logged, as an attachment with a safe type) and
refusals by direct address (logged against the child)."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from opencsc.attachments import services
from opencsc.attachments.models import Attachment
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.casework import protection
from opencsc.documents import services as document_services
from opencsc.documents.models import PracticeDocument
from opencsc.documents.shipped_templates import load_shipped_templates
from opencsc.frontdoor.models import Referral
from opencsc.people.models import ChildAccessGrant
from tests.attachments.conftest import EXE, PDF, counts, stored_files, upload


def _form(name: str, content: bytes, **fields) -> dict:
    """The form as a browser sends it: the typed fields first, the file last."""
    return {
        "category": "court",
        "description": "Interim care order",
        **fields,
        "attachment_file": upload(name, content),
    }


def _errors(response) -> list[str]:
    return [html.unescape(e) for e in re.findall(r'<a href="#[^"]*">([^<]*)</a>', response.content.decode())]


def _add(world, child=None, actor=None) -> Attachment:
    return services.attachment_add(
        actor=actor or world.worker,
        child=child or world.child,
        category="court",
        description="Interim care order",
        upload=upload("Order.pdf", PDF),
    )


def test_a_file_attached_on_the_page_is_listed_on_the_record_and_the_files_page(
    world, client_for, file_store
):
    worker = client_for(world.worker)
    answer = worker.post(reverse("attachments:child_upload", args=[world.child.pk]), _form("Order.pdf", PDF))
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "attachments:child_files", args=[world.child.pk]
    )
    attachment = Attachment.objects.get(child=world.child)
    for page in ("people:detail", "attachments:child_files"):
        content = worker.get(reverse(page, args=[world.child.pk])).content.decode()
        assert reverse("attachments:download", args=[attachment.pk]) in content, page
        assert "Order.pdf" in content
    assert len(stored_files(file_store)) == 1


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("order.pdf", EXE, "The file is called .pdf but is not a PDF"),
        ("order.pdf", b"", "The file is empty"),
    ],
)
def test_a_refused_file_is_named_on_the_form_keeps_the_typing_and_stores_nothing(
    world, client_for, file_store, name, content, words
):
    before = counts()
    answer = client_for(world.worker).post(
        reverse("attachments:child_upload", args=[world.child.pk]), _form(name, content)
    )
    assert answer.status_code == 200
    assert any(words in error for error in _errors(answer)), _errors(answer)
    assert 'href="#id_attachment_file"' in answer.content.decode()
    assert 'value="Interim care order"' in answer.content.decode()
    assert counts() == before and stored_files(file_store) == []


def test_a_file_over_the_limit_is_stopped_while_it_is_read_and_nothing_is_stored(
    world, client_for, file_store, settings
):
    settings.ATTACHMENT_MAX_MB = 0.01  # about 10 KB
    before = counts()
    answer = client_for(world.worker).post(
        reverse("attachments:child_upload", args=[world.child.pk]), _form("big.pdf", PDF + bytes(20_000))
    )
    assert answer.status_code == 200
    assert "The file is too large: a file can be at most 0.01 MB" in _errors(answer)
    assert 'value="Interim care order"' in answer.content.decode()
    assert counts() == before and stored_files(file_store) == []


def test_a_download_is_an_attachment_with_a_safe_type_and_is_logged(world, client_for):
    attachment = _add(world)
    path = reverse("attachments:download", args=[attachment.pk])
    answer = client_for(world.auditor).get(path)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == PDF
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == 'attachment; filename="Order.pdf"'
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer["Content-Security-Policy"]
    logged = RecordAccess.objects.filter(user=world.auditor, child=world.child, path=path)
    assert [access.kind for access in logged] == [AccessKind.EXPORT]


def test_a_restricted_childs_file_is_refused_by_direct_address_and_the_refusal_logged(
    world, client_for, make_user
):
    named = make_user("team_manager", world.worker.team)
    ChildAccessGrant.objects.create(child=world.hidden, user=named, granted_by=world.worker)
    attachment = _add(world, child=world.hidden, actor=named)
    for user in (world.worker, world.manager, world.auditor):
        for name in ("attachments:download", "attachments:remove"):
            path = reverse(name, args=[attachment.pk])
            answer = client_for(user).get(path)
            assert answer.status_code == 403, (user, name)
            assert "Rowan" not in answer.content.decode() and "Order.pdf" not in answer.content.decode()
            assert (
                RecordAccess.objects.filter(
                    user=user, child=world.hidden, kind=AccessKind.REFUSED, path=path
                ).count()
                == 1
            )
        assert not RecordAccess.objects.filter(user=user, child=world.hidden, kind=AccessKind.EXPORT).exists()
    assert client_for(named).get(reverse("attachments:download", args=[attachment.pk])).status_code == 200


def test_another_teams_worker_is_refused_and_a_reader_cannot_remove(world, client_for):
    attachment = _add(world)
    download = reverse("attachments:download", args=[attachment.pk])
    assert client_for(world.elsewhere).get(download).status_code == 403
    assert (
        RecordAccess.objects.filter(user=world.elsewhere, kind=AccessKind.REFUSED, path=download).count() == 1
    )
    remove = reverse("attachments:remove", args=[attachment.pk])
    assert client_for(world.auditor).post(remove, {"reason": "Mine now"}).status_code == 403
    assert RecordAccess.objects.filter(user=world.auditor, kind=AccessKind.REFUSED, path=remove).count() == 1
    attachment.refresh_from_db()
    assert not attachment.is_removed


def test_a_removed_file_is_no_longer_served(world, client_for, django_capture_on_commit_callbacks):
    attachment = _add(world)
    manager = client_for(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        answer = manager.post(reverse("attachments:remove", args=[attachment.pk]), {"reason": "Wrong child"})
    assert answer.status_code == 302
    path = reverse("attachments:download", args=[attachment.pk])
    assert manager.get(path).status_code == 404
    assert not RecordAccess.objects.filter(path=path, kind=AccessKind.EXPORT).exists()
    page = manager.get(reverse("attachments:child_files", args=[world.child.pk])).content.decode()
    assert "Removed" in page and "Wrong child" in page


def test_sending_the_form_twice_attaches_the_file_once(world, client_for):
    worker = client_for(world.worker)
    url = reverse("attachments:child_upload", args=[world.child.pk])
    token = re.search(r'name="form_token" value="([^"]+)"', worker.get(url).content.decode()).group(1)
    first = worker.post(url, {**_form("Order.pdf", PDF), "form_token": token})
    second = worker.post(url, {**_form("Order.pdf", PDF), "form_token": token})
    assert first.status_code == second.status_code == 302
    assert Attachment.objects.filter(child=world.child).count() == 1


@pytest.fixture
def document(world):
    load_shipped_templates()
    referral = Referral.objects.create(
        child=world.child,
        referral_date=timezone.localdate() - dt.timedelta(days=7),
        source="3A",
        route="assessment",
        team=world.worker.team,
    )
    assessment = protection.assessment_start(
        actor=world.worker, child=world.child, referral=referral, started_on=referral.referral_date
    )
    return document_services.document_start(actor=world.worker, assessment=assessment)


def test_a_file_attached_to_a_document_is_listed_on_its_page(world, client_for, document):
    worker = client_for(world.worker)
    url = reverse("attachments:document_upload", args=[document.pk])
    answer = worker.post(
        url, _form("GP letter.pdf", PDF, category="health", description="Letter from the GP")
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("documents:detail", args=[document.pk])
    attachment = Attachment.objects.get()
    assert attachment.document == document and attachment.child == world.child
    page = worker.get(answer["Location"]).content.decode()
    assert "GP letter.pdf" in page and "Letter from the GP" in page
    line = world.child.chronology.get(source_key=f"attachment-{attachment.pk}")
    assert line.summary.startswith("File attached to the child and family assessment: Health record")


def test_an_authorised_document_takes_no_more_files(world, client_for, document, file_store):
    PracticeDocument.objects.filter(pk=document.pk).update(
        status="authorised", authorised_on=timezone.localdate()
    )
    before = counts()
    answer = client_for(world.worker).post(
        reverse("attachments:document_upload", args=[document.pk]), _form("late.pdf", PDF)
    )
    assert "This document is authorised and locked" in html.unescape(answer.content.decode())
    assert counts() == before and stored_files(file_store) == []
    assert (
        "attach-to-document"
        not in client_for(world.worker).get(reverse("documents:detail", args=[document.pk])).content.decode()
    )
