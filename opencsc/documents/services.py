"""Writes for practice documents and their templates.

A document's life: started (from the template version published now) → drafts saved over several sittings →
submitted → returned with the manager's comments → revised and submitted again → authorised, after which it is
locked. Every save keeps a DocumentVersion; a save made from a stale version number is refused (the text the user
typed stays on their form). Submitting fills the statutory record from the questions that name a statutory field,
through the casework services, and authorising the document authorises the assessment on that day, so the
45-working-day clock, the KPIs and the CIN census read the same dates and codes as before.

Each service: one transaction, the permission check, the rules (refusals name the question), the audit event and,
for the steps a reader of the file needs, the chronology line.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.accounts.models import Role
from opencsc.audit.services import audit_event_record
from opencsc.casework import protection
from opencsc.casework.chronology import chronology_record_event
from opencsc.casework.models import Assessment, ChronologyCategory
from opencsc.core.errors import ConcurrentEditError
from opencsc.documents.answers import answer_problem, from_json, is_blank, to_json
from opencsc.documents.models import (
    STATUTORY_KINDS,
    DocumentReview,
    DocumentStatus,
    DocumentTemplate,
    DocumentType,
    DocumentVersion,
    PracticeDocument,
    QuestionKind,
    ReviewDecision,
    StatutoryField,
    TemplateQuestion,
    TemplateSection,
)

AUTHORISING_ROLES = protection.AUTHORISING_ROLES
TEMPLATE_ROLES = {Role.ADMINISTRATOR}
COMMENT_MAX_CHARACTERS = 10_000
WROTE_IT_YOURSELF = "You wrote this assessment: another manager returns or authorises it"
ASSESSMENT = DocumentType.CHILD_AND_FAMILY_ASSESSMENT
STATUTORY_SERVICES = {
    StatutoryField.CHILD_SEEN_ON: lambda actor, assessment, value: protection.assessment_record_child_seen(
        actor=actor, assessment=assessment, seen_on=value
    ),
    StatutoryField.FACTORS: lambda actor, assessment, value: protection.assessment_record_factors(
        actor=actor, assessment=assessment, factors=value
    ),
    StatutoryField.OUTCOME: lambda actor, assessment, value: protection.assessment_record_outcome(
        actor=actor, assessment=assessment, outcome=value
    ),
}


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


# Templates ------------------------------------------------------------------------------------------------


def published_template(document_type: str) -> DocumentTemplate | None:
    """The version new documents of this type are written in: the latest published one."""
    return (
        DocumentTemplate.objects.filter(document_type=document_type, published_at__isnull=False)
        .order_by("-version")
        .first()
    )


def _require_template_role(actor) -> None:
    if actor.role not in TEMPLATE_ROLES:
        raise PermissionDenied("Only a system administrator can change the document templates")


def _require_draft_template(template: DocumentTemplate) -> DocumentTemplate:
    template = DocumentTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_published:
        raise ValidationError(
            {"template": f"{template} is published and never changes: make a new version to change it"}
        )
    return template


@transaction.atomic
def template_new_version(*, actor, document_type: str) -> DocumentTemplate:
    """A draft copy of the latest published version, numbered one higher, for the administrator to change."""
    _require_template_role(actor)
    base = published_template(document_type)
    if base is None:
        raise ValidationError({"document_type": "There is no published template of this type to start from"})
    latest = DocumentTemplate.objects.filter(document_type=document_type).order_by("-version").first()
    if not latest.is_published:
        raise ValidationError(
            {"document_type": f"Version {latest.version} is still a draft: publish or finish it first"}
        )
    template = DocumentTemplate.objects.create(
        document_type=document_type,
        version=latest.version + 1,
        title=base.title,
        introduction=base.introduction,
    )
    for section in base.sections.prefetch_related("questions"):
        copy = TemplateSection.objects.create(
            template=template,
            position=section.position,
            key=section.key,
            title=section.title,
            help_text=section.help_text,
        )
        for question in section.questions.all():
            question.pk = None
            question.section = copy
            question.save()
    audit_event_record(actor=actor, verb="template.drafted", target=template, payload={"from": base.version})
    return template


@transaction.atomic
def template_question_add(
    *,
    actor,
    section: TemplateSection,
    key: str,
    label: str,
    kind: str = QuestionKind.TEXT,
    help_text: str = "",
    required: bool = False,
) -> TemplateQuestion:
    _require_template_role(actor)
    template = _require_draft_template(section.template)
    errors: dict = {}
    if not label.strip():
        errors["label"] = "Enter the question"
    if kind not in QuestionKind.values:
        errors["kind"] = "Choose what kind of answer the question takes"
    if TemplateQuestion.objects.filter(section__template=template, key=key).exists():
        errors["key"] = f"The template already has a question with the key '{key}'"
    if errors:
        raise ValidationError(errors)
    question = TemplateQuestion.objects.create(
        section=section,
        position=(section.questions.count() + 1),
        key=key,
        label=label.strip(),
        kind=kind,
        help_text=help_text,
        required=required,
    )
    audit_event_record(actor=actor, verb="template.question_added", target=template, payload={"key": key})
    return question


@transaction.atomic
def template_question_remove(*, actor, question: TemplateQuestion) -> None:
    _require_template_role(actor)
    template = _require_draft_template(question.section.template)
    if question.statutory_field:
        raise ValidationError(
            {
                "question": f"'{question.label}' fills the statutory record "
                f"({question.get_statutory_field_display()}): it cannot be removed"
            }
        )
    question.delete()
    audit_event_record(
        actor=actor, verb="template.question_removed", target=template, payload={"key": question.key}
    )


def _statutory_fields(template: DocumentTemplate) -> set[str]:
    return {q.statutory_field for q in template.questions() if q.statutory_field}


@transaction.atomic
def template_publish(*, actor, template: DocumentTemplate) -> DocumentTemplate:
    """Publish a draft version: from now on new documents use it, and it never changes. Refused if it lost a
    statutory question the version before it had, or a statutory question asks for the wrong kind of answer."""
    _require_template_role(actor)
    template = _require_draft_template(template)
    previous = published_template(template.document_type)
    missing = _statutory_fields(previous) - _statutory_fields(template) if previous else set()
    if missing:
        names = ", ".join(StatutoryField(field).label for field in sorted(missing))
        raise ValidationError({"template": f"Statutory questions cannot be removed: put back {names}"})
    wrong = [
        q for q in template.questions() if q.statutory_field and STATUTORY_KINDS[q.statutory_field] != q.kind
    ]
    if wrong:
        raise ValidationError(
            {"template": f"'{wrong[0].label}' must take a {wrong[0].get_kind_display()} answer"}
        )
    template.published_at = timezone.now()
    template.published_by = actor
    DocumentTemplate.objects.filter(pk=template.pk).update(
        published_at=template.published_at, published_by=actor
    )
    audit_event_record(
        actor=actor, verb="template.published", target=template, payload={"version": template.version}
    )
    return template


# Documents ------------------------------------------------------------------------------------------------


def _require_change(actor, child) -> None:
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot write documents for this child")


def _lock(actor, document: PracticeDocument, expected_version: int | None) -> PracticeDocument:
    _require_change(actor, document.child)
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (the assessment).
    document = PracticeDocument.objects.select_for_update().get(pk=document.pk)
    if expected_version is not None and expected_version != document.version:
        raise ConcurrentEditError("assessment")
    return document


def _keep_version(actor, document: PracticeDocument, event: str) -> None:
    document.version += 1
    document.save()
    DocumentVersion.objects.create(
        document=document,
        number=document.version,
        answers=document.answers,
        status=document.status,
        event=event,
        saved_by=actor,
    )


def _chronology(
    actor, document: PracticeDocument, summary: str, step: str, *, significant: bool = True
) -> None:
    chronology_record_event(
        child=document.child,
        occurred_on=timezone.localdate(),
        category=ChronologyCategory.ASSESSMENT,
        summary=summary,
        source_key=f"document-{document.pk}-{step}-{document.version}",
        significant=significant,
        actor=actor,
    )


@transaction.atomic
def document_start(*, actor, assessment: Assessment) -> PracticeDocument:
    """Begin the written child and family assessment for an assessment in progress, in the version of the
    template published today."""
    _require_change(actor, assessment.child)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_open:
        raise ValidationError(
            {"assessment": "This assessment is finished: its document cannot be started now"}
        )
    if PracticeDocument.objects.filter(assessment=assessment).exists():
        raise ValidationError({"assessment": "This assessment already has its document: open it to continue"})
    template = published_template(ASSESSMENT)
    if template is None:
        raise ValidationError({"assessment": "No child and family assessment template is published"})
    answers = {}
    if assessment.child_seen_on:
        answers["child_seen_on"] = assessment.child_seen_on.isoformat()
    document = PracticeDocument.objects.create(
        document_type=ASSESSMENT,
        template=template,
        child=assessment.child,
        assessment=assessment,
        author=actor,
        answers=answers,
        version=0,
    )
    _keep_version(actor, document, "Started")
    audit_event_record(
        actor=actor,
        verb="document.started",
        target=document,
        child=document.child,
        payload={"template": template.version},
    )
    _chronology(
        actor, document, "Writing of the child and family assessment begun", "started", significant=False
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
        merged[question.key] = None if is_blank(value) else to_json(value)
    if errors:
        raise ValidationError(errors)
    return merged


def _refuse_unless_editable(document: PracticeDocument) -> None:
    if document.status == DocumentStatus.AUTHORISED:
        raise ValidationError(
            f"This assessment was authorised on {_day(document.authorised_on)}: it is locked"
        )
    if document.status == DocumentStatus.SUBMITTED:
        raise ValidationError(
            "This assessment is with the manager for authorisation: it cannot be changed now"
        )


@transaction.atomic
def document_save_draft(
    *, actor, document: PracticeDocument, answers: dict, expected_version: int
) -> PracticeDocument:
    """Keep what has been written so far (nothing is required in a draft)."""
    document = _lock(actor, document, expected_version)
    _refuse_unless_editable(document)
    document.answers = _checked_answers(document, answers)
    _keep_version(actor, document, "Draft saved")
    audit_event_record(actor=actor, verb="document.saved", target=document, child=document.child)
    return document


def _missing_answers(document: PracticeDocument) -> dict:
    return {
        q.key: f"Answer '{q.label}' before submitting"
        for q in document.template.questions()
        if q.required and is_blank(document.answers.get(q.key))
    }


def _fill_statutory_record(actor, document: PracticeDocument) -> None:
    """Write the statutory fields through the casework services; their refusals land on the question."""
    assessment = document.assessment
    for question in document.template.questions():
        if not question.statutory_field:
            continue
        value = from_json(question, document.answers.get(question.key))
        try:
            assessment = STATUTORY_SERVICES[question.statutory_field](actor, assessment, value)
        except ValidationError as refused:
            raise ValidationError({question.key: refused.messages}) from refused
    if assessment.completed_on is None:
        try:
            protection.assessment_submit(
                actor=actor, assessment=assessment, completed_on=timezone.localdate()
            )
        except ValidationError as refused:
            raise ValidationError(refused.messages) from refused


@transaction.atomic
def document_submit(
    *, actor, document: PracticeDocument, expected_version: int, answers: dict | None = None
) -> PracticeDocument:
    """Send the document for authorisation: every required question answered, the statutory record filled."""
    document = _lock(actor, document, expected_version)
    _refuse_unless_editable(document)
    if answers is not None:
        document.answers = _checked_answers(document, answers)
    if missing := _missing_answers(document):
        raise ValidationError(missing)
    resubmitted = document.status == DocumentStatus.RETURNED
    _fill_statutory_record(actor, document)
    document.status = DocumentStatus.SUBMITTED
    document.submitted_at = timezone.now()
    _keep_version(
        actor, document, "Revised and submitted again" if resubmitted else "Submitted for authorisation"
    )
    audit_event_record(actor=actor, verb="document.submitted", target=document, child=document.child)
    if resubmitted:
        summary = (
            f"Child and family assessment revised by {actor.display_name} and sent again for authorisation"
        )
        _chronology(actor, document, summary, "resubmitted")
    return document


def _lock_for_decision(actor, document: PracticeDocument, expected_version: int) -> PracticeDocument:
    if actor.role not in AUTHORISING_ROLES:
        raise PermissionDenied("Only a team manager, head of service or director can authorise an assessment")
    document = _lock(actor, document, expected_version)
    if document.author_id == actor.pk:
        raise ValidationError({"comment": WROTE_IT_YOURSELF})
    if document.status != DocumentStatus.SUBMITTED:
        raise ValidationError(
            {
                "comment": f"This assessment is not waiting for authorisation (it is {document.get_status_display().lower()})"
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
    _keep_version(actor, document, f"Returned by {actor.display_name}")
    DocumentReview.objects.create(
        document=document,
        decision=ReviewDecision.RETURNED,
        comment=comment,
        document_version=document.version,
        decided_by=actor,
        decided_on=timezone.localdate(),
    )
    audit_event_record(
        actor=actor,
        verb="document.returned",
        target=document,
        child=document.child,
        payload={"comment": comment},
    )
    summary = (
        f"Management oversight: {actor.display_name} returned the child and family assessment: {comment}"
    )
    _chronology(actor, document, summary, "returned")
    return document


@transaction.atomic
def document_authorise(
    *, actor, document: PracticeDocument, expected_version: int, comment: str = ""
) -> PracticeDocument:
    """Authorise the document, and with it the assessment on today's date (its clock stops today). Locked after."""
    document = _lock_for_decision(actor, document, expected_version)
    today = timezone.localdate()
    try:
        protection.assessment_authorise(actor=actor, assessment=document.assessment, authorised_on=today)
    except ValidationError as refused:
        raise ValidationError({"comment": refused.messages}) from refused
    document.status = DocumentStatus.AUTHORISED
    document.authorised_on = today
    document.authorised_by = actor
    _keep_version(actor, document, f"Authorised by {actor.display_name}")
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
