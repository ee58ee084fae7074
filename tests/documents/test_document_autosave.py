"""Autosave of a practice document: every autosave is a save (a page opened before it is stale), but the autosaves
of one sitting gather in one version of the history and one audit event; a pause, a long sitting or a save by hand
starts the next. The endpoint keeps the answers typed correctly and names the others."""

import datetime as dt
import html

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.core.errors import ConcurrentEditError
from opencsc.documents import services
from opencsc.documents.models import DocumentStatus, DocumentVersion, PracticeDocument
from tests.documents.conftest import COMPLETE_ANSWERS, TODAY


def _started(world) -> PracticeDocument:
    return services.document_start(actor=world.worker, assessment=world.assessment)


def _autosave(world, document, **answers) -> PracticeDocument:
    document = PracticeDocument.objects.get(pk=document.pk)
    return services.document_autosave(
        actor=world.worker, document=document, answers=answers, expected_version=document.version
    )


def _history(document) -> list[tuple]:
    return list(document.versions.order_by("number").values_list("number", "event", "autosaves"))


def test_the_autosaves_of_one_sitting_gather_in_one_version(world):
    document = _started(world)
    with time_machine.travel(TODAY, tick=False) as clock:
        for words in ("Ella", "Ella is", "Ella is safe"):
            clock.shift(dt.timedelta(seconds=30))
            document = _autosave(world, document, analysis=words)
    assert document.version == 4 and document.answers["analysis"] == "Ella is safe"
    assert _history(document) == [(1, "Started", 0), (4, "Autosaved while writing", 3)]
    kept = document.versions.get(number=4)
    assert kept.answers["analysis"] == "Ella is safe"
    assert kept.saved_at - kept.first_saved_at == dt.timedelta(seconds=60)
    assert AuditEvent.objects.filter(verb="document.autosaved").count() == 1


def test_a_pause_a_long_sitting_or_a_save_by_hand_starts_a_new_version(world):
    document = _started(world)
    with time_machine.travel(TODAY, tick=False) as clock:
        document = _autosave(world, document, analysis="First sitting")
        clock.shift(dt.timedelta(minutes=11))  # a pause longer than AUTOSAVE_PAUSE
        document = _autosave(world, document, analysis="Second sitting")
        for step in range(1, 5):  # writing on, a save every nine minutes, past AUTOSAVE_SITTING
            clock.shift(dt.timedelta(minutes=9))
            document = _autosave(world, document, analysis=f"Still writing, step {step}")
        document = services.document_save_draft(
            actor=world.worker,
            document=document,
            answers={"analysis": "By hand"},
            expected_version=document.version,
        )
        document = _autosave(world, document, analysis="After the save by hand")
    events = [(event, autosaves) for _, event, autosaves in _history(document)]
    assert events == [
        ("Started", 0),
        ("Autosaved while writing", 1),
        ("Autosaved while writing", 4),
        ("Autosaved while writing", 1),
        ("Draft saved", 0),
        ("Autosaved while writing", 1),
    ]
    assert document.version == 9
    assert AuditEvent.objects.filter(verb="document.autosaved").count() == 4


def test_an_autosave_from_a_stale_page_or_of_a_submitted_document_is_refused(world):
    document = _started(world)
    fresh = _autosave(world, document, analysis="From the first tab")
    stale = PracticeDocument.objects.get(pk=document.pk)
    before = (DocumentVersion.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ConcurrentEditError, match="changed by someone else"):
        services.document_autosave(
            actor=world.worker,
            document=stale,
            answers={"analysis": "From the second tab"},
            expected_version=1,
        )
    assert (DocumentVersion.objects.count(), AuditEvent.objects.count()) == before
    assert PracticeDocument.objects.get(pk=document.pk).answers["analysis"] == "From the first tab"

    submitted = services.document_submit(
        actor=world.worker, document=fresh, answers=COMPLETE_ANSWERS, expected_version=fresh.version
    )
    before = (DocumentVersion.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="with the manager for authorisation: it cannot be changed now"):
        _autosave(world, submitted, analysis="Too late")
    assert (DocumentVersion.objects.count(), AuditEvent.objects.count()) == before
    assert PracticeDocument.objects.get(pk=document.pk).status == DocumentStatus.SUBMITTED


def _form(version: int, **fields) -> dict:
    return {"version": version, **fields}


def test_the_endpoint_keeps_what_was_typed_correctly_and_names_the_rest(world, client_for):
    document = _started(world)
    client = client_for(world.worker)
    url = reverse("documents:autosave", args=[document.pk])
    answer = client.post(
        url,
        _form(
            1,
            analysis="Typed so far",
            **{"child_seen_on-day": "2", "child_seen_on-month": "4", "child_seen_on-year": ""},
        ),
    )
    assert answer.status_code == 200
    result = answer.json()
    assert result["saved"] is True and result["version"] == 2
    assert result["not_saved"] == ["Date the child was seen: Date the child was seen must include a year"]
    document.refresh_from_db()
    assert document.answers["analysis"] == "Typed so far" and document.answers.get("child_seen_on") is None

    stale = client.post(url, _form(1, analysis="From an old tab"))
    assert stale.status_code == 409 and stale.json()["saved"] is False
    assert "changed by someone else" in stale.json()["errors"][0]
    document.refresh_from_db()
    assert document.answers["analysis"] == "Typed so far" and document.version == 2

    broken = client.post(url, {"analysis": "No version"})
    assert broken.status_code == 400 and document.versions.count() == 2


def test_the_endpoint_refuses_and_logs_someone_who_may_not_change_the_child(
    world, client_for, make_user, teams
):
    document = _started(world)
    stranger = make_user(Role.SOCIAL_WORKER, teams["south"])
    answer = client_for(stranger).post(
        reverse("documents:autosave", args=[document.pk]), _form(1, analysis="Not mine")
    )
    assert answer.status_code == 403
    assert RecordAccess.objects.filter(user=stranger, child=world.child, kind=AccessKind.REFUSED).exists()
    document.refresh_from_db()
    assert document.version == 1 and "analysis" not in document.answers


def test_the_history_says_how_many_autosaves_a_version_gathers(world, client_for):
    document = _started(world)
    with time_machine.travel(TODAY, tick=False) as clock:
        for words in ("One", "One two"):
            clock.shift(dt.timedelta(seconds=20))
            document = _autosave(world, document, analysis=words)
    page = html.unescape(
        client_for(world.worker).get(reverse("documents:detail", args=[document.pk])).content.decode()
    )
    assert "Version 3: Autosaved while writing (2 autosaves from" in page
