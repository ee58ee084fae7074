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

The looked-after documents (Care Planning, Placement and Case Review (England) Regulations 2010): the care plan
(regs 4-5, Schedule 1) completes the episode that began the period of care, and may be started while that period
runs; the placement plan (reg 9, Schedule 2) completes the episode that began the child's current placement, and its
authorisation agrees the plan on that day (`placement_plans.placement_plan_agree`), which stops the 5-working-day
clock, unless the plan for that placement was already agreed; the pathway plan (regs 42-43 and Schedule 8; Care
Leavers (England) Regulations 2010 regs 5-6) completes each pathway plan review of a young person from 16, the
first being the plan itself, and carries the last authorised plan's needs assessment forward to be reviewed.

Adding a type is adding a `DocumentKind` here, a `DocumentType` choice, a nullable one-to-one field on
`PracticeDocument` if its record is new, and a shipped template (shipped_templates.py and a data migration).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone

from opencsc.casework import protection
from opencsc.casework.models import (
    Allocation,
    Assessment,
    CategoryOfAbuse,
    ChildInNeedPlan,
    ChildInNeedReview,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChronologyCategory,
    ConferenceKind,
    CoreGroupMeeting,
    Section47Enquiry,
    Section47Outcome,
    StrategyDiscussion,
)
from opencsc.core.dates import long_date
from opencsc.documents.models import (
    DocumentStatus,
    DocumentType,
    PracticeDocument,
    QuestionKind,
    StatutoryField,
)
from opencsc.looked_after import placement_plans
from opencsc.looked_after.codes import PLACEMENT_CHANGING_REASONS, SHORT_BREAK_STATUSES
from opencsc.looked_after.iro import current_iro_assignment
from opencsc.looked_after.models import Episode, PathwayPlanReview, PlacementPlanAgreement
from opencsc.looked_after.selectors import current_placement

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
    child_of: Callable[[Model], object] = lambda record: record.child

    @property
    def title(self) -> str:
        return self.name[0].upper() + self.name[1:]


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
    describe=lambda assessment: f"Assessment started {long_date(assessment.started_on)}",
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


# Child protection and child in need (Working Together to Safeguard Children 2023, chapter 4) -------------------

CFA_TYPES = [DocumentType.CHILD_AND_FAMILY_ASSESSMENT]


def _agrees(what: str, read: Callable[[Model], object], words: Callable[[object], str]) -> Writer:
    """A statutory field the record fixed at the event: the document's answer must agree with it (the record is
    corrected on its own page, so the two never disagree)."""

    def check(actor, record, value):
        recorded = read(record)
        if value is not None and value != recorded:
            raise ValidationError(
                f"The {what} is recorded as {words(recorded)}: answer the same, or correct the record first"
            )
        return record

    return check


def _yes_no(value) -> str:
    return {True: "yes", False: "no"}.get(value, "not recorded")


def _category(value) -> str:
    return f"'{CategoryOfAbuse(value).label}'" if value else "no category"


def _allocated_worker_name(child) -> str:
    allocation = (
        Allocation.objects.filter(child=child, ended_on__isnull=True).select_related("worker").first()
    )
    return allocation.worker.display_name if allocation else ""


def _strategy_carried_forward(discussion: StrategyDiscussion) -> dict:
    answers = carry(
        latest_answers(discussion.child, CFA_TYPES), "analysis", rename={"analysis": "known_history"}
    )
    answers["section_47_agreed"] = discussion.section_47_agreed
    if discussion.summary:
        answers["information_shared"] = discussion.summary
    return answers


def _enquiry_carried_forward(enquiry: Section47Enquiry) -> dict:
    answers = carry(
        latest_answers(enquiry.child, CFA_TYPES), "analysis", rename={"analysis": "known_history"}
    )
    if enquiry.strategy_discussion_id:
        strategy = latest_answers(
            enquiry.child,
            [DocumentType.STRATEGY_DISCUSSION],
            strategy_discussion=enquiry.strategy_discussion_id,
        )
        carry(strategy, "safety_actions", into=answers)
    if enquiry.outcome:
        answers["outcome"] = enquiry.outcome
    return answers


def _complete_enquiry(actor, enquiry: Section47Enquiry, outcome) -> Section47Enquiry:
    """The findings' outcome on the enquiry, on the day the document is authorised. 'Conference needed' leaves the
    enquiry to conclude at its conference (initial_conference_record, on the conference's date); the
    15-working-day clock runs until the conference either way (enquiries_awaiting_conference)."""
    if enquiry.completed_on is not None:
        return _agrees("enquiry's outcome", lambda e: e.outcome, lambda v: f"'{Section47Outcome(v).label}'")(
            actor, enquiry, outcome
        )
    if outcome == Section47Outcome.CONCERNS_SUBSTANTIATED_ICPC:
        return enquiry
    return protection.section_47_complete(
        actor=actor, enquiry=enquiry, completed_on=timezone.localdate(), outcome=outcome
    )


def _conference_carried_forward(conference: ChildProtectionConference) -> dict:
    answers = {"plan_decided": conference.plan_decided, "category": conference.category or None}
    if conference.chair:
        answers["chair"] = conference.chair
    if worker := _allocated_worker_name(conference.child):
        answers["lead_social_worker"] = worker
    if conference.kind == ConferenceKind.INITIAL and conference.section_47_id:
        enquiry = latest_answers(
            conference.child, [DocumentType.SECTION_47_ENQUIRY], section_47=conference.section_47_id
        )
        carry(enquiry, "findings", into=answers, rename={"findings": "enquiry_findings"})
    if conference.kind == ConferenceKind.REVIEW and conference.plan_id:
        answers["progress"] = _plan_progress(conference.plan)
        carry(_plan_answers(conference.plan), "core_group_members", into=answers)
    return {key: value for key, value in answers.items() if value is not None}


def _conference_statutory() -> dict[str, StatutoryFill]:
    return {
        StatutoryField.PLAN_DECIDED: StatutoryFill(
            QuestionKind.YES_NO, _agrees("conference's decision on a plan", lambda c: c.plan_decided, _yes_no)
        ),
        StatutoryField.CATEGORY: StatutoryFill(
            QuestionKind.CATEGORY, _agrees("category of abuse", lambda c: c.category or None, _category)
        ),
        StatutoryField.CHAIR: StatutoryFill(
            QuestionKind.SHORT_TEXT,
            lambda actor, conference, value: protection.conference_record_chair(
                actor=actor, conference=conference, chair=value
            ),
        ),
    }


def _plan_answers(plan: ChildProtectionPlan) -> dict:
    """The protection plan's document, or the outline plan of the conference that made it."""
    answers = latest_answers(plan.child, [DocumentType.CHILD_PROTECTION_PLAN], protection_plan=plan)
    if answers:
        return answers
    if plan.initial_conference_id is None:
        return {}
    outline = latest_answers(
        plan.child, [DocumentType.INITIAL_CONFERENCE], conference=plan.initial_conference_id
    )
    return carry(
        outline,
        "outline_outcomes",
        "outline_actions",
        "core_group_members",
        rename={"outline_outcomes": "outcomes", "outline_actions": "actions"},
    )


def _progress_rows(rows: list[dict]) -> list[dict]:
    """Each action with its progress still to judge at this meeting."""
    return [{key: row[key] for key in ("what", "who", "by") if key in row} for row in rows]


def _plan_progress(plan: ChildProtectionPlan) -> list[dict]:
    """The actions as the last core group left them, or as the plan set them."""
    last = latest_answers(plan.child, [DocumentType.CORE_GROUP_MEETING], core_group__plan=plan)
    return _progress_rows(last.get("progress") or _plan_answers(plan).get("actions") or [])


def _protection_plan_carried_forward(plan: ChildProtectionPlan) -> dict:
    return carry(_plan_answers(plan), "outcomes", "actions", "contingency", "core_group_members")


def _core_group_carried_forward(meeting: CoreGroupMeeting) -> dict:
    members = _plan_answers(meeting.plan).get("core_group_members") or []
    answers = {"attendance": [{k: v for k, v in row.items() if k != "attendance"} for row in members]}
    answers["progress"] = _plan_progress(meeting.plan)
    return {key: value for key, value in answers.items() if value}


def _cin_plan_answers(plan: ChildInNeedPlan) -> dict:
    return latest_answers(plan.child, [DocumentType.CHILD_IN_NEED_PLAN], cin_plan=plan)


def _cin_plan_carried_forward(plan: ChildInNeedPlan) -> dict:
    return carry(latest_answers(plan.child, CFA_TYPES), "analysis", rename={"analysis": "needs"})


def _cin_review_carried_forward(review: ChildInNeedReview) -> dict:
    last = latest_answers(
        review.plan.child, [DocumentType.CHILD_IN_NEED_REVIEW], cin_review__plan=review.plan
    )
    rows = last.get("progress") or _cin_plan_answers(review.plan).get("actions") or []
    return {"progress": _progress_rows(rows)} if rows else {}


def _plan_problem(plan) -> str | None:
    return (
        f"This plan ended on {long_date(plan.ended_on)}: its document cannot be started now"
        if plan.ended_on
        else None
    )


def _held(what: str) -> Callable[[Model], str]:
    return lambda record: f"{what} held {long_date(record.held_on)}"


STRATEGY_DISCUSSION = DocumentKind(
    document_type=DocumentType.STRATEGY_DISCUSSION,
    name="strategy discussion record",
    short_name="strategy discussion record",
    record_field="strategy_discussion",
    record_model=StrategyDiscussion,
    chronology_category=ChronologyCategory.PROTECTION,
    startable=lambda child: child.strategy_discussions.all(),
    start_problem=lambda record: None,
    describe=_held("Strategy discussion"),
    carried_forward=_strategy_carried_forward,
    statutory={
        StatutoryField.SECTION_47_AGREED: StatutoryFill(
            QuestionKind.YES_NO,
            _agrees("decision on a section 47 enquiry", lambda d: d.section_47_agreed, _yes_no),
        )
    },
)
SECTION_47_ENQUIRY = DocumentKind(
    document_type=DocumentType.SECTION_47_ENQUIRY,
    name="section 47 enquiry",
    short_name="section 47 enquiry record",
    record_field="section_47",
    record_model=Section47Enquiry,
    chronology_category=ChronologyCategory.PROTECTION,
    startable=lambda child: child.section_47s.all(),
    start_problem=lambda record: None,
    describe=lambda enquiry: f"Section 47 enquiry started {long_date(enquiry.started_on)}",
    carried_forward=_enquiry_carried_forward,
    statutory={
        StatutoryField.SECTION_47_OUTCOME: StatutoryFill(QuestionKind.SECTION_47_OUTCOME, _complete_enquiry)
    },
    fills_on=AUTHORISE,
)
INITIAL_CONFERENCE = DocumentKind(
    document_type=DocumentType.INITIAL_CONFERENCE,
    name="initial child protection conference record",
    short_name="conference record",
    record_field="conference",
    record_model=ChildProtectionConference,
    chronology_category=ChronologyCategory.PROTECTION,
    startable=lambda child: child.conferences.filter(kind=ConferenceKind.INITIAL),
    start_problem=lambda record: None,
    describe=_held("Initial conference"),
    carried_forward=_conference_carried_forward,
    statutory=_conference_statutory(),
    applies=lambda conference: conference.kind == ConferenceKind.INITIAL,
)
REVIEW_CONFERENCE = DocumentKind(
    document_type=DocumentType.REVIEW_CONFERENCE,
    name="review child protection conference record",
    short_name="conference record",
    record_field="conference",
    record_model=ChildProtectionConference,
    chronology_category=ChronologyCategory.PROTECTION,
    startable=lambda child: child.conferences.filter(kind=ConferenceKind.REVIEW),
    start_problem=lambda record: None,
    describe=_held("Review conference"),
    carried_forward=_conference_carried_forward,
    statutory=_conference_statutory(),
    applies=lambda conference: conference.kind == ConferenceKind.REVIEW,
)
CHILD_PROTECTION_PLAN = DocumentKind(
    document_type=DocumentType.CHILD_PROTECTION_PLAN,
    name="child protection plan",
    short_name="plan",
    record_field="protection_plan",
    record_model=ChildProtectionPlan,
    chronology_category=ChronologyCategory.PROTECTION,
    startable=lambda child: child.protection_plans.filter(ended_on__isnull=True),
    start_problem=_plan_problem,
    describe=lambda plan: f"Child protection plan from {long_date(plan.started_on)}",
    carried_forward=_protection_plan_carried_forward,
)
CORE_GROUP_MEETING = DocumentKind(
    document_type=DocumentType.CORE_GROUP_MEETING,
    name="core group meeting record",
    short_name="core group record",
    record_field="core_group",
    record_model=CoreGroupMeeting,
    chronology_category=ChronologyCategory.PROTECTION,
    startable=lambda child: CoreGroupMeeting.objects.filter(plan__child=child).select_related("plan"),
    start_problem=lambda record: None,
    describe=_held("Core group"),
    carried_forward=_core_group_carried_forward,
    child_of=lambda meeting: meeting.plan.child,
)
CHILD_IN_NEED_PLAN = DocumentKind(
    document_type=DocumentType.CHILD_IN_NEED_PLAN,
    name="child in need plan",
    short_name="plan",
    record_field="cin_plan",
    record_model=ChildInNeedPlan,
    chronology_category=ChronologyCategory.OTHER,
    startable=lambda child: child.cin_plans.filter(ended_on__isnull=True),
    start_problem=_plan_problem,
    describe=lambda plan: f"Child in need plan from {long_date(plan.started_on)}",
    carried_forward=_cin_plan_carried_forward,
)
CHILD_IN_NEED_REVIEW = DocumentKind(
    document_type=DocumentType.CHILD_IN_NEED_REVIEW,
    name="child in need review record",
    short_name="review record",
    record_field="cin_review",
    record_model=ChildInNeedReview,
    chronology_category=ChronologyCategory.OTHER,
    startable=lambda child: ChildInNeedReview.objects.filter(plan__child=child).select_related("plan"),
    start_problem=lambda record: None,
    describe=_held("Child in need review"),
    carried_forward=_cin_review_carried_forward,
    child_of=lambda review: review.plan.child,
)


# Children looked after (Care Planning, Placement and Case Review (England) Regulations 2010) ---------------------


def _care_period_end(episode: Episode) -> dt.date | None:
    """The day the period of care that `episode` began ended (an episode ending with a reason other than X1), or
    None while it runs."""
    episodes = list(Episode.objects.filter(child_id=episode.child_id).order_by("started_on", "id"))
    for later in episodes[[e.pk for e in episodes].index(episode.pk) :]:
        if later.ended_on is not None and later.reason_ceased not in ("", "X1"):
            return later.ended_on
    return None


def _care_period_problem(episode: Episode) -> str | None:
    if (ended := _care_period_end(episode)) is not None:
        return f"This period of care ended on {long_date(ended)}: its care plan cannot be started now"
    return None


def _current_iro_name(child) -> str:
    assignment = current_iro_assignment(child)
    return assignment.iro.display_name if assignment else ""


def _care_plan_carried_forward(episode: Episode) -> dict:
    """The child's last authorised care plan (the plan for permanence and how each need is met, to revise), the
    needs the last assessment found, and the child's IRO."""
    answers = carry(
        latest_answers(episode.child, [DocumentType.CARE_PLAN]),
        "permanence_plan",
        "health",
        "education",
        "emotional_development",
        "identity",
        "family_time",
    )
    carry(latest_answers(episode.child, CFA_TYPES), "analysis", into=answers, rename={"analysis": "needs"})
    if iro_name := _current_iro_name(episode.child):
        answers["iro"] = iro_name
    return answers


def _current_placement_episode(child) -> Episode | None:
    """The episode that began the child's current placement (not a short break), or None."""
    placement = current_placement(list(Episode.objects.filter(child=child).order_by("started_on", "id")))
    if placement is None or placement.last.legal_status in SHORT_BREAK_STATUSES:
        return None
    return placement.first


def _current_placement_only(child) -> QuerySet:
    episode = _current_placement_episode(child)
    return Episode.objects.filter(pk=episode.pk) if episode else Episode.objects.none()


def _placement_problem(episode: Episode) -> str | None:
    current = _current_placement_episode(episode.child)
    if current is None or current.pk != episode.pk:
        return f"The placement from {long_date(episode.started_on)} has ended: its plan cannot be written or agreed now"
    return None


def _placement_plan_carried_forward(episode: Episode) -> dict:
    """Where the child lives, and how the care plan meets their health, education and family time."""
    answers = carry(
        latest_answers(episode.child, [DocumentType.CARE_PLAN], authorised_only=False),
        "health",
        "education",
        "family_time",
    )
    carer = ", ".join(filter(None, (episode.carer_name, episode.get_placement_type_display())))
    if carer:
        answers["carer"] = carer
    return answers


def _placement_plan_authorised(actor, episode: Episode, day: dt.date) -> None:
    """Reg 9: the plan is agreed on the day it is authorised, which stops the placement plan clock. A plan already
    agreed for this placement (recorded on the care page before the document was written) keeps its date."""
    if problem := _placement_problem(episode):
        raise ValidationError(problem)
    if not PlacementPlanAgreement.objects.filter(
        child_id=episode.child_id, placement_started_on=episode.started_on
    ).exists():
        placement_plans.placement_plan_agree(actor=actor, child=episode.child, agreed_on=day)


PATHWAY_NEEDS = ("health", "education_employment", "relationships", "finance", "skills", "accommodation")


def _pathway_plan_carried_forward(review: PathwayPlanReview) -> dict:
    """The last authorised pathway plan's needs assessment, plan and personal adviser, to review."""
    return carry(
        latest_answers(review.child, [DocumentType.PATHWAY_PLAN]),
        *PATHWAY_NEEDS,
        "actions",
        "personal_adviser",
        "financial_support",
        "contingency",
    )


CARE_PLAN = DocumentKind(
    document_type=DocumentType.CARE_PLAN,
    name="care plan",
    short_name="care plan",
    record_field="care_period",
    record_model=Episode,
    chronology_category=ChronologyCategory.CARE,
    startable=lambda child: child.care_episodes.filter(reason_new_episode="S").exclude(
        legal_status__in=SHORT_BREAK_STATUSES
    ),
    start_problem=_care_period_problem,
    describe=lambda episode: f"Looked after from {long_date(episode.started_on)}",
    carried_forward=_care_plan_carried_forward,
    applies=lambda episode: (
        episode.reason_new_episode == "S" and episode.legal_status not in SHORT_BREAK_STATUSES
    ),
)
PLACEMENT_PLAN = DocumentKind(
    document_type=DocumentType.PLACEMENT_PLAN,
    name="placement plan",
    short_name="placement plan",
    record_field="placement",
    record_model=Episode,
    chronology_category=ChronologyCategory.CARE,
    startable=_current_placement_only,
    start_problem=_placement_problem,
    describe=lambda episode: (
        f"Placement from {long_date(episode.started_on)}"
        + (f" with {episode.carer_name}" if episode.carer_name else "")
    ),
    carried_forward=_placement_plan_carried_forward,
    on_authorise=_placement_plan_authorised,
    applies=lambda episode: episode.reason_new_episode in PLACEMENT_CHANGING_REASONS,
)
PATHWAY_PLAN = DocumentKind(
    document_type=DocumentType.PATHWAY_PLAN,
    name="pathway plan",
    short_name="pathway plan",
    record_field="pathway_plan",
    record_model=PathwayPlanReview,
    chronology_category=ChronologyCategory.CARE,
    startable=lambda child: child.pathway_plan_reviews.all(),
    start_problem=lambda record: None,
    describe=lambda review: f"Pathway plan of {long_date(review.reviewed_on)}",
    carried_forward=_pathway_plan_carried_forward,
)


KINDS: dict[str, DocumentKind] = {
    kind.document_type: kind
    for kind in (
        CHILD_AND_FAMILY_ASSESSMENT,
        STRATEGY_DISCUSSION,
        SECTION_47_ENQUIRY,
        INITIAL_CONFERENCE,
        REVIEW_CONFERENCE,
        CHILD_PROTECTION_PLAN,
        CORE_GROUP_MEETING,
        CHILD_IN_NEED_PLAN,
        CHILD_IN_NEED_REVIEW,
        CARE_PLAN,
        PLACEMENT_PLAN,
        PATHWAY_PLAN,
    )
}


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
