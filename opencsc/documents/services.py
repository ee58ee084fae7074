"""Writes for practice documents (the templates' are in template_services.py).

A document's life: started from the statutory record it completes (in the template version published now, with
what the record already knows carried forward) → drafts saved over several sittings → submitted → returned with
the manager's comments → revised and submitted again → authorised, after which it is locked. Every save keeps a
DocumentVersion (the autosaves of one sitting gather in one: document_autosave); a save made from a stale version
number is refused (the text the user typed stays on their form).
The statutory fields its questions name are filled through the casework services on submission or on
authorisation, as its type says (kinds.py); authorising a child and family assessment's document authorises the
assessment on that day, so the 45-working-day clock, the KPIs and the CIN census read the same dates and codes as
before.

Each service: one transaction, the permission check, the rules (refusals name the question), the audit event and,
for the steps a reader of the file needs, the chronology line.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.audit.changes import record_change
from opencsc.audit.services import audit_event_record
from opencsc.casework import protection
from opencsc.core.dates import long_date
from opencsc.core.errors import ConcurrentEditError
from opencsc.documents import chronology_lines as lines
from opencsc.documents import kinds
from opencsc.documents.answers import answer_problem, from_json, is_blank, submit_problem, to_json
from opencsc.documents.models import (
    DocumentReview,
    DocumentStatus,
    DocumentTemplate,
    DocumentVersion,
    PracticeDocument,
    ReviewDecision,
)

AUTHORISING_ROLES = protection.AUTHORISING_ROLES
COMMENT_MAX_CHARACTERS = 10_000
# The autosaves of one sitting gather in one version of the history: a pause this long starts a new version,
# and so does writing on for longer than a sitting.
AUTOSAVE_PAUSE = dt.timedelta(minutes=10)
AUTOSAVE_SITTING = dt.timedelta(minutes=30)
WROTE_IT_YOURSELF = "another manager returns or authorises it"
NOT_A_MANAGER = "Only a team manager, head of service or director can return or authorise a document"


# The steps of a document's history, as its versions name them (the synthetic authority writes the same).
STARTED = "Started"
DRAFT_SAVED = "Draft saved"
AUTOSAVED = "Autosaved while writing"
SUBMITTED = "Submitted for authorisation"
RESUBMITTED = "Revised and submitted again"


def returned_event(manager) -> str:
    return f"Returned by {manager.display_name}"


def authorised_event(manager) -> str:
    return f"Authorised by {manager.display_name}"


def published_template(document_type: str) -> DocumentTemplate | None:
    """The version new documents of this type are written in: the latest published one."""
    return (
        DocumentTemplate.objects.filter(document_type=document_type, published_at__isnull=False)
        .order_by("-version")
        .first()
    )


# Documents ------------------------------------------------------------------------------------------------


def _require_change(actor, child) -> None:
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot write documents for this child")


def _kind(document: PracticeDocument) -> kinds.DocumentKind:
    return kinds.kind_of(document.document_type)


def _lock(actor, document: PracticeDocument, expected_version: int | None) -> PracticeDocument:
    _require_change(actor, document.child)
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (the record).
    document = PracticeDocument.objects.select_for_update().get(pk=document.pk)
    if expected_version is not None and expected_version != document.version:
        raise ConcurrentEditError(_kind(document).short_name)
    return document


def _keep_version(actor, document: PracticeDocument, event: str, first_autosave_at=None) -> None:
    document.version += 1
    document.save()
    DocumentVersion.objects.create(
        document=document,
        number=document.version,
        answers=document.answers,
        status=document.status,
        event=event,
        saved_by=actor,
        autosaves=1 if first_autosave_at else 0,
        first_saved_at=first_autosave_at,
    )


@transaction.atomic
def document_start(
    *, actor, record: Model | None = None, document_type: str | None = None, assessment=None
) -> PracticeDocument:
    """Begin the document that completes `record` (an assessment in progress, a strategy discussion, a
    conference, a plan, a core group, a review: kinds.py), in the version of its template published today, with
    what the record already knows carried forward. `assessment=` is the child and family assessment's record."""
    record = assessment if record is None else record
    kind = kinds.kind_for_record(record, document_type)
    child = kind.child_of(record)
    _require_change(actor, child)
    record = kind.record_model.objects.select_for_update().get(pk=record.pk)
    if problem := kind.start_problem(record):
        raise ValidationError({kind.record_field: problem})
    if PracticeDocument.objects.filter(**{kind.record_field: record}).exists():
        raise ValidationError(
            {kind.record_field: f"This {kind.short_name} already has its document: open it to continue"}
        )
    template = published_template(kind.document_type)
    if template is None:
        raise ValidationError({kind.record_field: f"No {kind.name} template is published"})
    document = PracticeDocument.objects.create(
        document_type=kind.document_type,
        template=template,
        child=child,
        author=actor,
        answers=kind.carried_forward(record),
        version=0,
        **{kind.record_field: record},
    )
    _keep_version(actor, document, STARTED)
    record_change(
        actor=actor,
        verb="document.started",
        target=document,
        child=document.child,
        payload={"template": template.version, "type": kind.document_type},
        chronology=lines.document_started(document, timezone.localdate()),
    )
    return document


def _checked_answers(document: PracticeDocument, answers: dict) -> dict:
    """The answers merged over what the document holds, as JSON; a problem with any is refused by question."""
    errors: dict = {}
    merged = dict(document.answers)
    for question in document.template.questions():
        if question.key not in answers:
            continue
        value = answers[question.key]
        if problem := answer_problem(question, value):
            errors[question.key] = problem
        else:
            merged[question.key] = None if is_blank(value) else to_json(value, question.kind)
    if errors:
        raise ValidationError(errors)
    return merged


def _refuse_unless_editable(document: PracticeDocument) -> None:
    what = _kind(document).short_name
    if document.status == DocumentStatus.AUTHORISED:
        raise ValidationError(
            f"This {what} was authorised on {long_date(document.authorised_on)}: it is locked"
        )
    if document.status == DocumentStatus.SUBMITTED:
        raise ValidationError(f"This {what} is with the manager for authorisation: it cannot be changed now")


@transaction.atomic
def document_save_draft(
    *, actor, document: PracticeDocument, answers: dict, expected_version: int
) -> PracticeDocument:
    """Keep what has been written so far (nothing is required in a draft)."""
    document = _lock(actor, document, expected_version)
    _refuse_unless_editable(document)
    document.answers = _checked_answers(document, answers)
    _keep_version(actor, document, DRAFT_SAVED)
    audit_event_record(actor=actor, verb="document.saved", target=document, child=document.child)
    return document


def _same_sitting(last: DocumentVersion | None, actor, document: PracticeDocument, now) -> bool:
    """Does this autosave belong to the version `last` keeps: the same writer's autosaves, in the same status,
    without a pause of AUTOSAVE_PAUSE and within AUTOSAVE_SITTING of the first of them?"""
    return (
        last is not None
        and last.autosaves > 0
        and last.saved_by_id == actor.pk
        and last.status == document.status
        and now - last.saved_at < AUTOSAVE_PAUSE
        and now - last.first_saved_at < AUTOSAVE_SITTING
    )


@transaction.atomic
def document_autosave(
    *, actor, document: PracticeDocument, answers: dict, expected_version: int
) -> PracticeDocument:
    """Keep what is being typed, a moment after the writer pauses. Every autosave counts as a save (so a page
    opened before it is stale), but the autosaves of one sitting gather in one version of the history, kept up to
    date with each of them, and in one audit event: a new version (and event) starts after a pause of
    AUTOSAVE_PAUSE, after AUTOSAVE_SITTING, or after any other save."""
    document = _lock(actor, document, expected_version)
    _refuse_unless_editable(document)
    document.answers = _checked_answers(document, answers)
    now = timezone.now()
    last = document.versions.order_by("-number").first()
    if not _same_sitting(last, actor, document, now):
        _keep_version(actor, document, AUTOSAVED, first_autosave_at=now)
        audit_event_record(actor=actor, verb="document.autosaved", target=document, child=document.child)
        return document
    document.version += 1
    document.save()
    last.number, last.answers, last.saved_at = document.version, document.answers, now
    last.autosaves += 1
    last.save(update_fields=["number", "answers", "saved_at", "autosaves"])
    return document


def _missing_answers(document: PracticeDocument) -> dict:
    missing = {}
    for question in document.template.questions():
        value = document.answers.get(question.key)
        if question.required and is_blank(value):
            missing[question.key] = f"Answer '{question.label}' before submitting"
        elif problem := submit_problem(question, value):
            missing[question.key] = problem
    return missing


def _fill_statutory_record(actor, document: PracticeDocument) -> Model:
    """Write the statutory fields the questions name through the casework services; their refusals land on the
    question. Returns the record as the services left it."""
    kind = _kind(document)
    record = kinds.record_of(document)
    for question in document.template.questions():
        if not question.statutory_field:
            continue
        value = from_json(question, document.answers.get(question.key))
        try:
            record = kind.statutory[question.statutory_field].write(actor, record, value)
        except ValidationError as refused:
            raise ValidationError({question.key: refused.messages}) from refused
    return record


def _complete_record(actor, document: PracticeDocument, phase: str, day: dt.date) -> None:
    """At submission or authorisation (`phase`): fill the statutory fields if the type fills them then, and run
    the type's own step on the record. A refusal of the step itself is about the whole document."""
    kind = _kind(document)
    record = _fill_statutory_record(actor, document) if kind.fills_on == phase else kinds.record_of(document)
    step = kind.on_submit if phase == kinds.SUBMIT else kind.on_authorise
    if step is None:
        return
    try:
        step(actor, record, day)
    except ValidationError as refused:
        raise ValidationError(refused.messages) from refused


@transaction.atomic
def document_submit(
    *, actor, document: PracticeDocument, expected_version: int, answers: dict | None = None
) -> PracticeDocument:
    """Send the document for authorisation: every required question answered, the statutory record filled (if
    its type fills it on submission)."""
    document = _lock(actor, document, expected_version)
    _refuse_unless_editable(document)
    if answers is not None:
        document.answers = _checked_answers(document, answers)
    if missing := _missing_answers(document):
        raise ValidationError(missing)
    resubmitted = document.status == DocumentStatus.RETURNED
    _complete_record(actor, document, kinds.SUBMIT, timezone.localdate())
    document.status = DocumentStatus.SUBMITTED
    document.submitted_at = timezone.now()
    _keep_version(actor, document, RESUBMITTED if resubmitted else SUBMITTED)
    record_change(
        actor=actor,
        verb="document.submitted",
        target=document,
        child=document.child,
        chronology=lines.document_resubmitted(document, timezone.localdate(), actor) if resubmitted else (),
    )
    return document


def _lock_for_decision(actor, document: PracticeDocument, expected_version: int) -> PracticeDocument:
    if actor.role not in AUTHORISING_ROLES:
        raise PermissionDenied(NOT_A_MANAGER)
    document = _lock(actor, document, expected_version)
    what = _kind(document).short_name
    if document.author_id == actor.pk:
        raise ValidationError({"comment": f"You wrote this {what}: {WROTE_IT_YOURSELF}"})
    if document.status != DocumentStatus.SUBMITTED:
        raise ValidationError(
            {
                "comment": f"This {what} is not waiting for authorisation "
                f"(it is {document.get_status_display().lower()})"
            }
        )
    return document


@transaction.atomic
def document_return(
    *, actor, document: PracticeDocument, comment: str, expected_version: int
) -> PracticeDocument:
    """Send a submitted document back to the worker with the manager's comments (management oversight)."""
    document = _lock_for_decision(actor, document, expected_version)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Enter your comments for the worker: what needs to change"})
    if len(comment) > COMMENT_MAX_CHARACTERS:
        raise ValidationError(
            {"comment": f"Too long: the most comments can hold is {COMMENT_MAX_CHARACTERS:,} characters"}
        )
    document.status = DocumentStatus.RETURNED
    _keep_version(actor, document, returned_event(actor))
    DocumentReview.objects.create(
        document=document,
        decision=ReviewDecision.RETURNED,
        comment=comment,
        document_version=document.version,
        decided_by=actor,
        decided_on=timezone.localdate(),
    )
    record_change(
        actor=actor,
        verb="document.returned",
        target=document,
        child=document.child,
        payload={"comment": comment},
        chronology=lines.document_returned(document, timezone.localdate(), actor, comment),
    )
    return document


@transaction.atomic
def document_authorise(
    *, actor, document: PracticeDocument, expected_version: int, comment: str = ""
) -> PracticeDocument:
    """Authorise the document today, and fill or complete its record as its type says (a child and family
    assessment is authorised on this date, so its clock stops today). Locked after."""
    document = _lock_for_decision(actor, document, expected_version)
    today = timezone.localdate()
    try:
        _complete_record(actor, document, kinds.AUTHORISE, today)
    except ValidationError as refused:
        raise ValidationError({"comment": refused.messages}) from refused
    document.status = DocumentStatus.AUTHORISED
    document.authorised_on = today
    document.authorised_by = actor
    _keep_version(actor, document, authorised_event(actor))
    DocumentReview.objects.create(
        document=document,
        decision=ReviewDecision.AUTHORISED,
        comment=(comment or "").strip()[:COMMENT_MAX_CHARACTERS],
        document_version=document.version,
        decided_by=actor,
        decided_on=today,
    )
    audit_event_record(actor=actor, verb="document.authorised", target=document, child=document.child)
    return document
