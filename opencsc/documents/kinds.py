"""The document types, one registry (ADR 0013): what each document completes and how.

A practice document is tied to one statutory record (an assessment, a strategy discussion, a conference, a plan, a
core group, a review...), one document per record: the record keeps the dates, codes and clocks; the document holds
what was written. For each type, its `DocumentKind` names

- the record it completes: the model, and the field of `PracticeDocument` that links the two (`record_field`);
- how a document is started from that record: which of the child's records can take one now (`startable`), and
  why a given record cannot (`start_problem`);
- which statutory fields its questions may fill (`statutory`: for each field, the kind of answer it needs and the
  casework service that writes it, whose refusals land on the question), and when: on submission or on
  authorisation (`fills_on`). A field the record already fixed at the event (a conference's decision) is checked,
  not overwritten: the document and the record never disagree;
- what happens to the record when the document is submitted (`on_submit`) and authorised (`on_authorise`, given
  the day of authorisation: the date the clocks and returns use where the document is the statutory step, as the
  child and family assessment is, Working Together to Safeguard Children 2023, chapter 2);
- what the record already knows, to pre-fill (`carried_forward`): the worker edits rather than retypes.

Adding a type is adding a `DocumentKind` here, a `DocumentType` choice, a nullable one-to-one field on
`PracticeDocument` if its record is new, and a shipped template (shipped_templates.py and a data migration).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, QuerySet

from opencsc.casework import protection
from opencsc.casework.models import Assessment, ChronologyCategory
from opencsc.documents.models import (
    DocumentStatus,
    DocumentType,
    PracticeDocument,
    QuestionKind,
    StatutoryField,
)

SUBMIT = "submit"
AUTHORISE = "authorise"

Writer = Callable[[object, Model, object], Model]


@dataclass(frozen=True)
class StatutoryFill:
    """A statutory field a question may fill: the kind of answer it needs and the service that writes it (taking
    the actor, the record and the answer, returning the record as saved)."""

    kind: str
    write: Writer


@dataclass(frozen=True)
class DocumentKind:
    document_type: str
    name: str  # in a sentence: "the {name} was authorised"
    short_name: str  # the record in a refusal: "This {short_name} was changed by someone else"
    record_field: str
    record_model: type[Model]
    chronology_category: str
    startable: Callable[[object], QuerySet]
    start_problem: Callable[[Model], str | None]
    describe: Callable[[Model], str]
    carried_forward: Callable[[Model], dict] = lambda record: {}
    statutory: dict[str, StatutoryFill] = field(default_factory=dict)
    fills_on: str = SUBMIT
    on_submit: Callable[[object, Model, dt.date], None] | None = None
    on_authorise: Callable[[object, Model, dt.date], None] | None = None
    applies: Callable[[Model], bool] = lambda record: True

    @property
    def title(self) -> str:
        return self.name[0].upper() + self.name[1:]


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def latest_answers(child, document_types, *, authorised_only: bool = True, **links) -> dict:
    """The answers of the child's latest document of these types (authorised, unless asked otherwise), narrowed by
    `links` (for example core_group__plan=plan), or {} if there is none: what a new document carries forward."""
    documents = PracticeDocument.objects.filter(child=child, document_type__in=document_types, **links)
    if authorised_only:
        documents = documents.filter(status=DocumentStatus.AUTHORISED)
    latest = documents.order_by("-created_at", "-id").first()
    return dict(latest.answers) if latest else {}


def carry(source: dict, *keys: str, into: dict | None = None, rename: dict | None = None) -> dict:
    """The answers `keys` of `source` that were answered, under their own keys or `rename`d ones."""
    into = {} if into is None else into
    rename = rename or {}
    for key in keys:
        value = source.get(key)
        if value not in (None, "", []):
            into[rename.get(key, key)] = value
    return into


# The child and family assessment -------------------------------------------------------------------------------


def _assessment_problem(assessment: Assessment) -> str | None:
    if not assessment.is_open:
        return "This assessment is finished: its document cannot be started now"
    return None


def _assessment_carried_forward(assessment: Assessment) -> dict:
    """The family and its history from the child's last authorised assessment; the date the child was seen from
    this one."""
    answers = carry(
        latest_answers(assessment.child, [DocumentType.CHILD_AND_FAMILY_ASSESSMENT]), "family_environment"
    )
    if assessment.child_seen_on:
        answers["child_seen_on"] = assessment.child_seen_on.isoformat()
    return answers


def _assessment_submitted(actor, assessment: Assessment, day: dt.date) -> None:
    if assessment.completed_on is None:
        protection.assessment_submit(actor=actor, assessment=assessment, completed_on=day)


def _assessment_authorised(actor, assessment: Assessment, day: dt.date) -> None:
    protection.assessment_authorise(actor=actor, assessment=assessment, authorised_on=day)


CHILD_AND_FAMILY_ASSESSMENT = DocumentKind(
    document_type=DocumentType.CHILD_AND_FAMILY_ASSESSMENT,
    name="child and family assessment",
    short_name="assessment",
    record_field="assessment",
    record_model=Assessment,
    chronology_category=ChronologyCategory.ASSESSMENT,
    startable=lambda child: child.assessments.filter(authorised_on__isnull=True, closed_on__isnull=True),
    start_problem=_assessment_problem,
    describe=lambda assessment: f"Assessment started {_day(assessment.started_on)}",
    carried_forward=_assessment_carried_forward,
    statutory={
        StatutoryField.CHILD_SEEN_ON: StatutoryFill(
            QuestionKind.DATE,
            lambda actor, assessment, value: protection.assessment_record_child_seen(
                actor=actor, assessment=assessment, seen_on=value
            ),
        ),
        StatutoryField.FACTORS: StatutoryFill(
            QuestionKind.FACTORS,
            lambda actor, assessment, value: protection.assessment_record_factors(
                actor=actor, assessment=assessment, factors=value
            ),
        ),
        StatutoryField.OUTCOME: StatutoryFill(
            QuestionKind.OUTCOME,
            lambda actor, assessment, value: protection.assessment_record_outcome(
                actor=actor, assessment=assessment, outcome=value
            ),
        ),
    },
    fills_on=SUBMIT,
    on_submit=_assessment_submitted,
    on_authorise=_assessment_authorised,
)


KINDS: dict[str, DocumentKind] = {kind.document_type: kind for kind in (CHILD_AND_FAMILY_ASSESSMENT,)}


def kind_of(document_type: str) -> DocumentKind:
    return KINDS[document_type]


def statutory_kinds() -> dict[str, str]:
    """Every statutory field a question may fill, with the kind of answer it needs."""
    return {name: fill.kind for kind in KINDS.values() for name, fill in kind.statutory.items()}


def kind_for_record(record: Model, document_type: str | None = None) -> DocumentKind:
    """The type of document that completes `record` (the one named, which must fit the record)."""
    candidates = [
        kind for kind in KINDS.values() if isinstance(record, kind.record_model) and kind.applies(record)
    ]
    if document_type is not None:
        candidates = [kind for kind in candidates if kind.document_type == document_type]
    if not candidates:
        raise ValueError(f"No document type completes {record!r}")
    return candidates[0]


def record_of(document: PracticeDocument) -> Model:
    return getattr(document, kind_of(document.document_type).record_field)


def record_fields() -> list[str]:
    return sorted({kind.record_field for kind in KINDS.values()})
