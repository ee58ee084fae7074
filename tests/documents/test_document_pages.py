"""The document pages: writing over several sittings keeps everything, a refused submission keeps what was typed
and names the question, the manager returns and authorises, a child the user may not open is refused and logged,
every view is on the access log, and the family's PDF downloads (logged) with the analysis in it."""

import html
import io

import pypdf
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.documents.models import DocumentStatus, PracticeDocument
from tests.documents.conftest import COMPLETE_ANSWERS, SEEN_ON

TOKEN = "t" * 32


def _posted(answers: dict, version: int, action: str) -> dict:
    data = {"version": version, "action": action}
    for key, value in answers.items():
        if key == "child_seen_on":
            data.update({f"{key}-day": value.day, f"{key}-month": value.month, f"{key}-year": value.year})
        elif key == "child_seen_alone":
            data[key] = "yes" if value else "no"
        else:
            data[key] = value
    return data


def _begin(world, client):
    answer = client.post(reverse("documents:start", args=[world.child.pk]))
    document = PracticeDocument.objects.get(child=world.child)
    assert answer.status_code == 302 and answer["Location"] == reverse("documents:edit", args=[document.pk])
    return document


def test_two_sittings_keep_everything_and_a_refused_submission_keeps_what_was_typed(world, client_for):
    worker = client_for(world.worker)
    document = _begin(world, worker)
    edit = reverse("documents:edit", args=[document.pk])
    first = {"who_was_seen": "Ella and her mother", "analysis": "A first thought about Ella."}
    assert worker.post(edit, _posted(first, 1, "draft")).status_code == 302
    page = worker.get(edit).content.decode()
    assert "A first thought about Ella." in page and "Ella and her mother" in page

    typed = {**first, "parents_views": "Her mother's words, typed in the second sitting"}
    refused = worker.post(edit, _posted(typed, 2, "submit"))
    page = html.unescape(refused.content.decode())
    assert refused.status_code == 200
    assert "Answer 'Parenting capacity' before submitting" in page
    assert "Her mother's words, typed in the second sitting" in page
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT and document.version == 2


def test_the_manager_returns_then_authorises_and_the_authorised_version_is_read_only(world, client_for):
    worker, manager = client_for(world.worker), client_for(world.manager)
    document = _begin(world, worker)
    edit = reverse("documents:edit", args=[document.pk])
    assert worker.post(edit, _posted(COMPLETE_ANSWERS, 1, "submit")).status_code == 302
    review = reverse("documents:review", args=[document.pk])
    refused = manager.post(review, {"version": 2, "comment": "", "action": "return"})
    assert "Enter your comments for the worker" in html.unescape(refused.content.decode())
    assert manager.post(review, {"version": 2, "comment": "Say more", "action": "return"}).status_code == 302
    assert "Say more" in worker.get(edit).content.decode()
    assert worker.post(edit, _posted(COMPLETE_ANSWERS, 3, "submit")).status_code == 302
    assert manager.post(review, {"version": 4, "comment": "", "action": "authorise"}).status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.AUTHORISED
    assert worker.get(edit)["Location"] == reverse("documents:detail", args=[document.pk])
    page = worker.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert "This version is locked" in page and COMPLETE_ANSWERS["analysis"] in page
    assert f"{SEEN_ON.day} {SEEN_ON:%B %Y}" in page


def test_a_social_worker_cannot_open_the_managers_review(world, client_for):
    worker = client_for(world.worker)
    document = _begin(world, worker)
    assert worker.get(reverse("documents:review", args=[document.pk])).status_code == 403


def test_a_child_the_user_may_not_open_is_refused_by_direct_address_and_logged(
    world, teams, make_user, client_for
):
    document = _begin(world, client_for(world.worker))
    stranger = client_for(make_user(Role.SOCIAL_WORKER, teams["south"]))
    for name in ("detail", "edit", "review", "pdf"):
        path = reverse(f"documents:{name}", args=[document.pk])
        answer = stranger.get(path)
        assert answer.status_code == 403
        assert "Ella" not in answer.content.decode()
        assert RecordAccess.objects.filter(child=world.child, kind=AccessKind.REFUSED, path=path).count() == 1


def test_every_view_is_on_the_access_log(world, client_for):
    worker = client_for(world.worker)
    document = _begin(world, worker)
    path = reverse("documents:detail", args=[document.pk])
    worker.get(path)
    worker.get(path)
    assert RecordAccess.objects.filter(child=world.child, kind=AccessKind.VIEW, path=path).count() == 2


def test_the_familys_pdf_downloads_with_the_analysis_and_is_logged(world, client_for):
    worker = client_for(world.worker)
    document = _begin(world, worker)
    worker.post(reverse("documents:edit", args=[document.pk]), _posted(COMPLETE_ANSWERS, 1, "draft"))
    path = reverse("documents:pdf", args=[document.pk])
    answer = worker.get(path)
    assert answer["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(answer.content)).pages)
    text = " ".join(text.split())
    assert "Child and family assessment for Ella Document" in text
    assert COMPLETE_ANSWERS["analysis"] in text
    assert "Neglect" in text and "16A" not in text  # factors in words, not codes
    assert "This is a draft" in text
    assert RecordAccess.objects.filter(child=world.child, kind=AccessKind.EXPORT, path=path).count() == 1
    assert AuditEvent.objects.filter(verb="document.downloaded", child=world.child).count() == 1


def test_starting_the_document_twice_with_one_form_makes_one(world, client_for):
    worker = client_for(world.worker)
    start = reverse("documents:start", args=[world.child.pk])
    first = worker.post(start, {"form_token": TOKEN})
    second = worker.post(start, {"form_token": TOKEN})
    assert PracticeDocument.objects.filter(child=world.child).count() == 1
    assert first["Location"] == second["Location"]


def test_a_save_from_a_page_opened_before_another_save_is_refused_and_keeps_the_typing(world, client_for):
    """Two tabs: the first saves; the second, opened before, saves from version 1 and is refused with its text."""
    worker = client_for(world.worker)
    document = _begin(world, worker)
    edit = reverse("documents:edit", args=[document.pk])
    worker.post(edit, _posted({"analysis": "Saved in the first tab"}, 1, "draft"))
    stale = worker.post(edit, _posted({"analysis": "Typed in the second tab"}, 1, "draft"))
    page = html.unescape(stale.content.decode())
    assert stale.status_code == 200
    assert "This assessment was changed by someone else after you opened it" in page
    assert "Typed in the second tab" in page
    document.refresh_from_db()
    assert document.answers["analysis"] == "Saved in the first tab" and document.version == 2
