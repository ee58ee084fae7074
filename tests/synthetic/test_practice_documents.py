"""The synthetic authority's practice documents: each passes the checks the document services apply, agrees with
the record it completes, follows the services' life (versions, returns, authorisation on the record's date), and
adding them changes nothing else a seed produces (they draw from a random stream of their own)."""

import datetime as dt
from collections import Counter

import pytest
from django.db.models import F

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import Allocation, ChronologyEntry
from opencsc.core.working_days import authority_calendar
from opencsc.documents import kinds
from opencsc.documents.answers import from_json
from opencsc.documents.models import (
    DocumentReview,
    DocumentStatus,
    DocumentType,
    DocumentVersion,
    PracticeDocument,
    ReviewDecision,
    StatutoryField,
)
from opencsc.documents.services import (
    _checked_answers,
    _missing_answers,
    document_authorise,
    document_save_draft,
    document_start,
    document_submit,
)
from opencsc.synthetic import generator
from opencsc.synthetic.documents import GENERATED_TYPES
from tests.synthetic.test_generate import TODAY, generate, snapshot

DOCUMENT_TABLES = {"documents.PracticeDocument", "documents.DocumentVersion", "documents.DocumentReview"}


def _without_documents(tables: dict) -> dict:
    tables = {label: rows for label, rows in tables.items() if label not in DOCUMENT_TABLES}
    tables["casework.ChronologyEntry"] = [
        row for row in tables["casework.ChronologyEntry"] if not row["source_key"].startswith("document-")
    ]
    return tables


@pytest.mark.django_db
def test_documents_change_nothing_else_a_seed_produces(monkeypatch):
    generate(seed=7)
    with_documents = snapshot()
    assert with_documents["documents.PracticeDocument"], "the generated authority has no documents"
    monkeypatch.setattr(generator, "write_practice_documents", lambda sim, workforce: 0)
    generate(seed=7, replace=True)
    assert not PracticeDocument.objects.exists()
    assert _without_documents(snapshot()) == _without_documents(with_documents)


def _recorded(record, field: str):
    """What the statutory record holds for a field a question fills, as the answer would give it."""
    return {
        StatutoryField.CHILD_SEEN_ON: lambda: getattr(record, "child_seen_on", None),
        StatutoryField.FACTORS: lambda: getattr(record, "factors", None),
        StatutoryField.OUTCOME: lambda: getattr(record, "outcome", None),
        StatutoryField.SECTION_47_AGREED: lambda: record.section_47_agreed,
        StatutoryField.SECTION_47_OUTCOME: lambda: record.outcome or None,
        StatutoryField.PLAN_DECIDED: lambda: record.plan_decided,
        StatutoryField.CATEGORY: lambda: record.category or None,
        StatutoryField.CHAIR: lambda: record.chair,
    }[field]()


def _filled_by_now(document: PracticeDocument) -> bool:
    """Has the document reached the step at which its type fills the statutory record?"""
    if document.status == DocumentStatus.AUTHORISED:
        return True
    kind = kinds.kind_of(document.document_type)
    return kind.fills_on == kinds.SUBMIT and document.status != DocumentStatus.DRAFT


@pytest.mark.django_db
def test_every_document_passes_the_services_checks_and_agrees_with_its_record():
    generate(seed=7)
    documents = list(PracticeDocument.objects.select_related("template", "child"))
    assert {d.document_type for d in documents} == set(GENERATED_TYPES)
    for document in documents:
        questions = document.template.questions()
        answers = {
            q.key: from_json(q, document.answers[q.key]) for q in questions if q.key in document.answers
        }
        assert _checked_answers(document, answers) == document.answers, document.pk
        if document.status != DocumentStatus.DRAFT:
            assert _missing_answers(document) == {}, (document.pk, document.document_type)
        record = kinds.record_of(document)
        assert kinds.kind_of(document.document_type).child_of(record) == document.child
        if _filled_by_now(document):
            for question in questions:
                if question.statutory_field:
                    answer = answers.get(question.key)
                    assert answer == _recorded(record, question.statutory_field), (document.pk, question.key)
        texts = [v for v in document.answers.values() if isinstance(v, str) and len(v) > 80]
        born = document.child.date_of_birth
        if document.status != DocumentStatus.DRAFT and born and born < record_day(document):
            assert any(document.child.first_name in text for text in texts), document.pk


def record_day(document: PracticeDocument) -> dt.date:
    record = kinds.record_of(document)
    for name in ("held_on", "started_on", "reviewed_on"):
        if day := getattr(record, name, None):
            return day
    raise AssertionError(f"no date on {record!r}")


@pytest.mark.django_db
def test_documents_follow_the_services_life_and_some_are_late_returned_or_unauthorised():
    generate(seed=7)
    last_day = TODAY - dt.timedelta(days=1)
    documents = PracticeDocument.objects.select_related("assessment", "section_47", "authorised_by")
    statuses = Counter(documents.values_list("status", flat=True))
    assert statuses[DocumentStatus.AUTHORISED] > 0.8 * sum(statuses.values())
    assert (
        statuses[DocumentStatus.DRAFT]
        and statuses[DocumentStatus.SUBMITTED] + statuses[DocumentStatus.RETURNED]
    )
    for document in documents:
        versions = list(document.versions.order_by("number"))
        assert [v.number for v in versions] == list(range(1, document.version + 1))
        assert versions[0].event == "Started" and versions[-1].status == document.status
        assert versions[-1].answers == document.answers
        assert all(a.saved_at < b.saved_at for a, b in zip(versions, versions[1:], strict=False))
        assert versions[-1].saved_at.date() <= last_day
        assert AuditEvent.objects.filter(
            object_type="PracticeDocument", object_id=str(document.pk)
        ).count() == len(versions)
        if document.status == DocumentStatus.AUTHORISED:
            assert document.authorised_by != document.author
            assert document.authorised_by.role == "team_manager"
        if document.assessment and document.status == DocumentStatus.AUTHORISED:
            assert document.authorised_on == document.assessment.authorised_on
            assert document.authorised_by == document.assessment.authorised_by
        if document.assessment and document.status == DocumentStatus.DRAFT:
            assert document.assessment.completed_on is None
        if document.section_47 and document.status == DocumentStatus.AUTHORISED:
            assert document.authorised_on <= document.section_47.completed_on
    returned = DocumentReview.objects.filter(decision=ReviewDecision.RETURNED)
    assert returned.exists()
    for review in returned.select_related("document", "decided_by"):
        line = ChronologyEntry.objects.get(
            source_key=f"document-{review.document_id}-returned-{review.document_version}"
        )
        assert review.comment in line.summary and review.decided_by.display_name in line.summary
    assert not DocumentVersion.objects.filter(first_saved_at__gt=F("saved_at")).exists()
    calendar = authority_calendar()
    late = [
        d
        for d in documents.filter(status=DocumentStatus.AUTHORISED, core_group__isnull=False)
        if d.authorised_on > calendar.add_working_days(d.core_group.held_on, 10)
    ]
    assert late, "no core group record was authorised late"


@pytest.mark.django_db
def test_the_plan_actions_are_carried_to_each_core_group():
    generate(seed=7)
    documents = PracticeDocument.objects.filter(document_type=DocumentType.CORE_GROUP_MEETING)
    assert documents.exists()
    for document in documents.select_related("core_group__plan"):
        plan = document.core_group.plan
        plan_document = PracticeDocument.objects.get(protection_plan=plan)
        actions = {row["what"] for row in plan_document.answers["actions"]}
        judged = {row["what"] for row in document.answers["progress"]}
        assert judged == actions, document.pk
        assert all(row["progress"] for row in document.answers["progress"])


@pytest.mark.django_db
def test_generated_answers_go_through_the_services():
    """For a document of each type the services can start again: the generated answers are saved, submitted and
    authorised through the services themselves, which fill or check the statutory record with them."""
    generate(seed=7)
    through = Counter()
    for document in PracticeDocument.objects.filter(status=DocumentStatus.AUTHORISED).order_by("pk"):
        kind = kinds.kind_of(document.document_type)
        record = kinds.record_of(document)
        if through[kind.document_type] or kind.start_problem(record) is not None:
            continue
        if not Allocation.objects.filter(
            child=document.child, worker=document.author, ended_on__isnull=True, worker__is_active=True
        ).exists():
            continue
        answers = document.answers
        author, manager = document.author, document.authorised_by
        document.versions.all().delete()
        document.reviews.all().delete()
        document.delete()
        again = document_start(actor=author, record=record)
        questions = again.template.questions()
        typed = {q.key: from_json(q, answers.get(q.key)) for q in questions}
        again = document_save_draft(
            actor=author, document=again, answers=typed, expected_version=again.version
        )
        again = document_submit(actor=author, document=again, expected_version=again.version)
        again = document_authorise(actor=manager, document=again, expected_version=again.version)
        kept = {key: value for key, value in again.answers.items() if value is not None}
        assert again.status == DocumentStatus.AUTHORISED and kept == answers
        through[kind.document_type] += 1
    assert len(through) >= 5, through
