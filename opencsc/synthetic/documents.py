"""Practice documents for the synthetic authority: the written record behind each generated assessment, strategy
discussion, section 47 enquiry, conference, plan, core group and child in need review, and each looked-after
child's care plan, placement plan and pathway plan (issue 13, point 7).

Each record gets the document its type takes (documents/kinds.py), in the template version published now, with
answers made offline from phrase banks (document_phrases.py) that agree with the record: the child's name and
age, the family, the factors and outcome of the assessment, the category of abuse, the conference's decision and
chair, the plan's actions (with owners and dates) carried from the conference to the plan, and judged at each core
group, review conference and child in need review.

A document's life follows the services (documents/services.py) and the record's own dates:
- it is started on the day of the event (an assessment or enquiry on its first day), saved as a draft once or
  twice (some of those versions gather autosaves), submitted and authorised by the worker's team manager;
- a child and family assessment is submitted on the day the assessment was completed and authorised on the day
  the assessment was authorised, by the manager who authorised it: the document is the statutory step
  (Working Together to Safeguard Children 2023, chapter 2), so its date and the record's are the same. A section
  47 enquiry's document is authorised on the day the enquiry concluded (before the conference, when one is
  needed). A placement plan is authorised the day the placement's plan was agreed (Care Planning, Placement and
  Case Review (England) Regulations 2010, reg 9), a draft while a placement without one lasts. Other documents
  are authorised on the day of the meeting, plan or period of care, RETURNED_SHARE after the manager
  returned them once with a comment the worker answered, LATE_SHARE weeks late;
- anything that would happen after the last generated day has not happened: the newest documents are still
  drafts, with the manager, or returned, as are the documents of assessments and enquiries still going.

Every step keeps a DocumentVersion, writes the audit event the service writes and, where the service writes one,
the chronology line in the service's own words. Documents are written after everything else, from a random
stream of their own (`"<seed>-documents"`), and read only what is already written, so they change nothing else a
seed produces. A thousand children at a time, the documents are written with bulk_create (their ids are needed) and
the rest with insert_rows (rows.py), a third of the time bulk_create takes.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from opencsc.accounts.models import User
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import (
    Allocation,
    Assessment,
    ChildInNeedPlan,
    ChildInNeedReview,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChronologyEntry,
    ConferenceKind,
    CoreGroupMeeting,
    Section47Enquiry,
    Section47Outcome,
    StrategyDiscussion,
)
from opencsc.documents import chronology_lines as lines
from opencsc.documents import kinds
from opencsc.documents.models import (
    DocumentReview,
    DocumentStatus,
    DocumentType,
    DocumentVersion,
    PracticeDocument,
    ReviewDecision,
)
from opencsc.documents.services import (
    AUTOSAVED,
    DRAFT_SAVED,
    RESUBMITTED,
    STARTED,
    SUBMITTED,
    authorised_event,
    published_template,
    returned_event,
)
from opencsc.looked_after.codes import PLACEMENT_CHANGING_REASONS, SHORT_BREAK_STATUSES
from opencsc.looked_after.models import Episode, IroAssignment, PathwayPlanReview, PlacementPlanAgreement
from opencsc.people.models import Child, Relationship, RelationshipType
from opencsc.synthetic.context import Simulation
from opencsc.synthetic.document_phrases import (
    ChildFacts,
    Facts,
    Relative,
    answers_for,
    authorise_comment,
    return_comment,
)
from opencsc.synthetic.rows import insert_rows
from opencsc.synthetic.timestamps import at

CHILDREN_PER_CHUNK = 1_000
RETURNED_SHARE = 0.15
LATE_SHARE = 0.08
LATE_WORKING_DAYS = (12, 35)
# Documents of the last weeks are often still being written: the worker takes this many working days.
RECENT_DAYS = 21
RECENT_WRITING_DAYS = (2, 15)
FAMILY_ROLES = {
    RelationshipType.MOTHER: "mother",
    RelationshipType.FATHER: "father",
    RelationshipType.STEP_PARENT: "step-parent",
    RelationshipType.GRANDPARENT: "grandmother",
}
# The order records of one day are written in: a plan after the conference that made it.
ORDER = {
    DocumentType.CHILD_AND_FAMILY_ASSESSMENT: 3,
    DocumentType.STRATEGY_DISCUSSION: 0,
    DocumentType.SECTION_47_ENQUIRY: 1,
    DocumentType.INITIAL_CONFERENCE: 2,
    DocumentType.CHILD_PROTECTION_PLAN: 4,
    DocumentType.CORE_GROUP_MEETING: 5,
    DocumentType.REVIEW_CONFERENCE: 6,
    DocumentType.CHILD_IN_NEED_PLAN: 7,
    DocumentType.CHILD_IN_NEED_REVIEW: 8,
    DocumentType.CARE_PLAN: 9,
    DocumentType.PLACEMENT_PLAN: 10,
    DocumentType.PATHWAY_PLAN: 11,
}
GENERATED_TYPES = tuple(ORDER)
# A reviewed document's analysis gains the worker's answer to the manager's comment, in the first of these.
REVISED_KEYS = ("analysis", "findings", "decision_reasons", "outcomes", "needs", "information_shared")


@dataclass
class Step:
    event: str
    status: str
    moment: dt.datetime
    actor: User
    answers: dict
    autosaves: int = 0
    review: tuple[str, str] | None = None  # (decision, comment)


@dataclass
class Written:
    """A document to write: the row, and its steps so far."""

    document: PracticeDocument
    kind: kinds.DocumentKind
    steps: list[Step] = field(default_factory=list)


@dataclass
class Record:
    """A generated record that takes a document, with what its document needs to know."""

    document_type: str
    row: object
    day: dt.date  # the event: the document is started then
    done_on: dt.date | None  # when the record says its document was authorised (None: not yet)
    submitted_on: dt.date | None = None  # when the record says it was submitted (an assessment's)
    author_id: int | None = None
    manager_id: int | None = None
    fixed: bool = False  # the record's dates are the document's (no lateness, no return after them)
    iro_id: int | None = None  # a care plan's: the child's independent reviewing officer for that period


class DocumentWriter:
    def __init__(self, sim: Simulation, workforce):
        self.sim = sim
        self.rng = random.Random(f"{sim.seed}-documents")
        self.calendar = sim.calendar
        self.managers = dict(workforce.managers)
        self.users: dict[int, User] = {}
        self.templates = {}
        for document_type in kinds.KINDS:
            template = published_template(document_type)
            if template is not None:
                self.templates[document_type] = (template, template.questions())
        self.counts = defaultdict(int)

    # Loading ---------------------------------------------------------------------------------------------

    def write(self) -> int:
        children = list(_children_with_records())
        for start in range(0, len(children), CHILDREN_PER_CHUNK):
            self._write_chunk(children[start : start + CHILDREN_PER_CHUNK])
        for what, how_many in self.counts.items():
            self.sim.count(what, how_many)
        return self.counts["practice documents"]

    def _user(self, pk: int | None) -> User | None:
        if pk is None:
            return None
        if pk not in self.users:
            self.users.update({user.pk: user for user in User.objects.filter(pk=pk)})
        return self.users.get(pk)

    def _write_chunk(self, child_ids: list[int]) -> None:
        facts = _child_facts(child_ids)
        allocations = _allocations(child_ids)
        self.users.update(
            {
                user.pk: user
                for user in User.objects.filter(
                    pk__in={a[0] for rows in allocations.values() for a in rows} - set(self.users)
                )
            }
        )
        records = _records(child_ids)
        children = Child.objects.only("pk").in_bulk(child_ids)
        written: list[Written] = []
        for child_id in child_ids:
            state = ChildState(records.get(child_id, []))
            for record in sorted(records.get(child_id, []), key=lambda r: (r.day, ORDER[r.document_type])):
                if record.document_type not in self.templates:
                    continue
                made = self._document(
                    facts[child_id], children[child_id], record, allocations.get(child_id, []), state
                )
                if made is not None:
                    written.append(made)
        self._save(written)

    # One document --------------------------------------------------------------------------------------------

    def _people(self, record: Record, allocations) -> tuple[User | None, User | None]:
        """The document's author (the record's worker, or the child's worker that day or last before it) and the
        manager who authorises it (the record's, or the author's team manager then)."""
        held = [a for a in allocations if a[2] <= record.day and (a[3] is None or record.day <= a[3])]
        earlier = held or [a for a in allocations if a[2] <= record.day] or allocations
        author_id = record.author_id or (earlier[-1][0] if earlier else None)
        author = self._user(author_id)
        if author is None:
            return None, None
        teams = [team for worker, team, *_ in earlier if worker == author.pk]
        manager = self._user(record.manager_id) or self.managers.get(teams[-1] if teams else author.team_id)
        return author, (manager if manager is not None and manager.pk != author.pk else None)

    def _document(
        self, known: ChildFacts, child: Child, record: Record, allocations, state
    ) -> Written | None:
        author, manager = self._people(record, allocations)
        if author is None or manager is None:
            return None
        template, questions = self.templates[record.document_type]
        facts = state.facts_for(record, known, author, manager)
        if record.iro_id and (iro := self._user(record.iro_id)):
            facts.iro = iro.display_name
        answers = answers_for(questions, facts, self.rng)
        state.remember(record, facts, answers)
        document = PracticeDocument(
            document_type=record.document_type,
            template=template,
            child=child,
            author=author,
            **{kinds.kind_of(record.document_type).record_field: record.row},
        )
        made = Written(document, kinds.kind_of(record.document_type))
        self._plan_life(made, record, questions, answers, facts, author, manager)
        return made

    def _plan_life(self, made: Written, record: Record, questions, answers, facts, author, manager) -> None:
        """The document's steps, from its start to its authorisation; those after the last day have not
        happened."""
        rng, last_day = self.rng, self.sim.last_day
        first_submit, authorise_on = self._dates(record)
        returned = rng.random() < RETURNED_SHARE
        if returned and not record.fixed:
            authorise_on = self._working_days(authorise_on, rng.randint(2, 6))
        end = min(d for d in (first_submit, last_day) if d is not None)
        steps = made.steps
        keys = [q.key for q in questions if q.key in answers]
        moment = at(record.day, rng.randint(9, 15), rng.choice((0, 10, 25, 40)))
        steps.append(Step(STARTED, DocumentStatus.DRAFT, moment, author, _first(answers, keys, 0.2)))
        for share in sorted(rng.sample((0.45, 0.7, 0.9), rng.randint(1, 2))):
            day = _day_between(rng, record.day, end)
            moment = _after(moment, at(day, rng.randint(10, 17), rng.choice((5, 20, 35, 50))))
            autosaves = rng.randint(3, 25) if rng.random() < 0.5 else 0
            event = AUTOSAVED if autosaves else DRAFT_SAVED
            steps.append(
                Step(event, DocumentStatus.DRAFT, moment, author, _first(answers, keys, share), autosaves)
            )
        if first_submit is None or first_submit > last_day:
            return
        moment = _after(moment, at(first_submit, rng.randint(14, 17), rng.choice((0, 30))))
        if returned:
            comment, reply = return_comment(facts, rng)
            steps.append(Step(SUBMITTED, DocumentStatus.SUBMITTED, moment, author, answers))
            day = _day_between(rng, first_submit, min(authorise_on or last_day, last_day))
            moment = _after(moment, at(day, rng.randint(9, 12), rng.choice((0, 30))))
            steps.append(
                Step(
                    returned_event(manager),
                    DocumentStatus.RETURNED,
                    moment,
                    manager,
                    answers,
                    review=(ReviewDecision.RETURNED, comment),
                )
            )
            revised = _revised(answers, reply)
            resubmit_on = (
                authorise_on if authorise_on is not None else self._working_days(day, rng.randint(1, 4))
            )
            if resubmit_on > last_day:
                return
            moment = _after(moment, at(resubmit_on, 13, rng.choice((0, 30))))
            steps.append(Step(RESUBMITTED, DocumentStatus.SUBMITTED, moment, author, revised))
            answers = revised
        else:
            steps.append(Step(SUBMITTED, DocumentStatus.SUBMITTED, moment, author, answers))
        if authorise_on is None or authorise_on > last_day:
            return
        moment = _after(moment, at(authorise_on, rng.randint(15, 18), rng.choice((0, 15, 45))))
        review = (ReviewDecision.AUTHORISED, authorise_comment(rng))
        steps.append(
            Step(
                authorised_event(manager), DocumentStatus.AUTHORISED, moment, manager, answers, review=review
            )
        )

    def _dates(self, record: Record) -> tuple[dt.date | None, dt.date | None]:
        """When the document is submitted and authorised: the record's dates where they are the document's;
        otherwise the day of the event, or later for a late document (the worker's writing, the manager's
        reading, or both) and for many of the last weeks' documents, still being written."""
        if record.fixed:
            return record.submitted_on, record.done_on
        rng, due = self.rng, record.done_on
        if rng.random() < LATE_SHARE:
            authorise_on = self._working_days(due, rng.randint(*LATE_WORKING_DAYS))
            submit_on = rng.choice((self._working_days(due, rng.randint(1, 3)), authorise_on))
            return submit_on, authorise_on
        if (self.sim.last_day - due).days < RECENT_DAYS and rng.random() < 0.5:
            submit_on = self._working_days(due, rng.randint(*RECENT_WRITING_DAYS))
            return submit_on, self._working_days(submit_on, rng.randint(1, 8))
        return due, due

    def _working_days(self, day: dt.date, count: int) -> dt.date:
        return self.calendar.add_working_days(day, count)

    # Saving --------------------------------------------------------------------------------------------------

    def _save(self, written: list[Written]) -> None:
        written = [made for made in written if made.steps]
        for made in written:
            last = made.steps[-1]
            document = made.document
            document.answers, document.status, document.version = last.answers, last.status, len(made.steps)
            document.created_at, document.updated_at = made.steps[0].moment, last.moment
            submissions = [s.moment for s in made.steps if s.status == DocumentStatus.SUBMITTED]
            document.submitted_at = submissions[-1] if submissions else None
            if last.status == DocumentStatus.AUTHORISED:
                document.authorised_on, document.authorised_by = last.moment.date(), last.actor
        PracticeDocument.objects.bulk_create([made.document for made in written], batch_size=1000)
        versions, reviews, events, entries = [], [], [], []
        for made in written:
            for number, step in enumerate(made.steps, start=1):
                versions.append(_version(made.document, number, step))
                events.append(_event(made, step))
                if step.review:
                    reviews.append(_review(made.document, number, step))
                if entry := _line(made, number, step):
                    entries.append(entry)
        for model, rows in ((DocumentVersion, versions), (DocumentReview, reviews), (AuditEvent, events)):
            insert_rows(model, rows)
        insert_rows(ChronologyEntry, entries)
        self.counts["practice documents"] += len(written)
        self.counts["document versions"] += len(versions)
        self.counts["chronology entries"] += len(entries)


class ChildState:
    """What one child's earlier documents said, so later ones carry it forward as the services do (kinds.py):
    the last assessment's analysis, the enquiry's findings, the plan's actions and core group, and each action's
    progress as the last meeting judged it."""

    def __init__(self, records: list[Record]):
        # The worries a strategy discussion or enquiry speaks of: those its referral's assessment found.
        self.by_referral = {
            r.row.referral_id: [code for code in r.row.factors if code != "21"]
            for r in records
            if r.document_type == DocumentType.CHILD_AND_FAMILY_ASSESSMENT and r.row.referral_id
        }
        self.factors: list[str] = []
        self.analysis = ""
        self.findings: dict[int, str] = {}  # by enquiry
        self.actions: dict[tuple[str, int], list[dict]] = {}  # by (plan kind, plan)
        self.progress: dict[tuple[str, int], list[dict]] = {}
        self.members: dict[int, list[dict]] = {}  # by protection plan

    def facts_for(self, record: Record, child: ChildFacts, author: User, manager: User) -> Facts:
        row, kind = record.row, record.document_type
        facts = Facts(
            child=child,
            day=record.day,
            document_type=kind,
            worker=author.display_name,
            manager=manager.display_name,
            factors=list(self.factors),
            findings=self.analysis,
        )
        if kind == DocumentType.CHILD_AND_FAMILY_ASSESSMENT:
            done = row.completed_on is not None
            facts.factors = [code for code in row.factors if code != "21"] if done else []
            facts.recorded_factors = list(row.factors) if done else []
            facts.outcome = row.outcome if done else ""
            facts.seen_on = row.child_seen_on
            facts.findings = ""
        elif kind == DocumentType.STRATEGY_DISCUSSION:
            facts.section_47_agreed = row.section_47_agreed
            facts.factors = self.by_referral.get(row.referral_id) or facts.factors
        elif kind == DocumentType.SECTION_47_ENQUIRY:
            facts.section_47_outcome = row.outcome
            facts.factors = self.by_referral.get(row.referral_id) or facts.factors
        elif kind in (DocumentType.INITIAL_CONFERENCE, DocumentType.REVIEW_CONFERENCE):
            facts.plan_decided, facts.category, facts.chair = row.plan_decided, row.category, row.chair
            if row.section_47_id in self.findings:
                facts.findings = self.findings[row.section_47_id]
            plan = ("cp", row.plan_id)
            facts.members = self.members.get(row.plan_id, [])
            facts.progress = self.progress.get(plan) or self.actions.get(plan, [])
        elif kind == DocumentType.CHILD_PROTECTION_PLAN:
            facts.actions = self.actions.get(("cp", row.pk), [])
            facts.members = self.members.get(row.pk, [])
            facts.category = row.latest_category
        elif kind == DocumentType.CORE_GROUP_MEETING:
            plan = ("cp", row.plan_id)
            facts.members = self.members.get(row.plan_id, [])
            facts.progress = self.progress.get(plan) or self.actions.get(plan, [])
        elif kind == DocumentType.PLACEMENT_PLAN:
            facts.placement = ", ".join(filter(None, (row.carer_name, row.get_placement_type_display())))
        elif kind == DocumentType.CHILD_IN_NEED_REVIEW:
            plan = ("cin", row.plan_id)
            facts.progress = self.progress.get(plan) or self.actions.get(plan, [])
        return facts

    def remember(self, record: Record, facts: Facts, answers: dict) -> None:
        row, kind = record.row, record.document_type
        if kind == DocumentType.CHILD_AND_FAMILY_ASSESSMENT and row.completed_on:
            self.factors = facts.factors
            self.analysis = answers.get("analysis", self.analysis)
        elif kind == DocumentType.SECTION_47_ENQUIRY:
            self.findings[row.pk] = answers.get("findings", "")
        elif kind == DocumentType.INITIAL_CONFERENCE and row.plan_id:
            self.actions[("cp", row.plan_id)] = answers.get("outline_actions", [])
            self.members[row.plan_id] = answers.get("core_group_members", [])
        elif kind == DocumentType.CHILD_PROTECTION_PLAN:
            self.actions[("cp", row.pk)] = answers.get("actions", [])
            self.members[row.pk] = answers.get("core_group_members", self.members.get(row.pk, []))
        elif kind in (DocumentType.CORE_GROUP_MEETING, DocumentType.REVIEW_CONFERENCE) and row.plan_id:
            self.progress[("cp", row.plan_id)] = answers.get("progress", [])
        elif kind == DocumentType.CHILD_IN_NEED_PLAN:
            self.actions[("cin", row.pk)] = answers.get("actions", [])
        elif kind == DocumentType.CHILD_IN_NEED_REVIEW:
            self.progress[("cin", row.plan_id)] = answers.get("progress", [])


# Reading the generated records ---------------------------------------------------------------------------------


def _children_with_records():
    """Every child with a record that takes a document, in order."""
    ids = set(Assessment.objects.values_list("child_id", flat=True))
    ids |= set(StrategyDiscussion.objects.values_list("child_id", flat=True))
    ids |= set(ChildInNeedPlan.objects.values_list("child_id", flat=True))
    ids |= set(Episode.objects.values_list("child_id", flat=True))
    ids |= set(PathwayPlanReview.objects.values_list("child_id", flat=True))
    return sorted(ids)


def _child_facts(child_ids: list[int]) -> dict[int, ChildFacts]:
    family = defaultdict(list)
    ties = (
        Relationship.objects.filter(
            child_id__in=child_ids, related_person__isnull=False, kind__in=list(FAMILY_ROLES)
        )
        .order_by("child_id", "pk")
        .values_list("child_id", "kind", "related_person__first_name", "lives_with_child")
    )
    for child_id, kind, first_name, lives_with in ties:
        family[child_id].append(Relative(FAMILY_ROLES[kind], first_name, lives_with))
    rows = Child.objects.filter(pk__in=child_ids).values_list(
        "pk", "first_name", "last_name", "sex", "date_of_birth"
    )
    return {pk: ChildFacts(first, last, sex, born, tuple(family[pk])) for pk, first, last, sex, born in rows}


def _allocations(child_ids: list[int]) -> dict[int, list[tuple]]:
    found = defaultdict(list)
    rows = (
        Allocation.objects.filter(child_id__in=child_ids, worker__isnull=False)
        .order_by("child_id", "started_on", "pk")
        .values_list("child_id", "worker_id", "team_id", "started_on", "ended_on")
    )
    for child_id, *allocation in rows:
        found[child_id].append(tuple(allocation))
    return found


def _records(child_ids: list[int]) -> dict[int, list[Record]]:
    found = defaultdict(list)
    for assessment in Assessment.objects.filter(child_id__in=child_ids).order_by("pk"):
        found[assessment.child_id].append(
            Record(
                DocumentType.CHILD_AND_FAMILY_ASSESSMENT,
                assessment,
                assessment.started_on,
                assessment.authorised_on,
                submitted_on=assessment.completed_on,
                author_id=assessment.worker_id,
                manager_id=assessment.authorised_by_id,
                fixed=True,
            )
        )
    for discussion in StrategyDiscussion.objects.filter(child_id__in=child_ids).order_by("pk"):
        found[discussion.child_id].append(
            Record(
                DocumentType.STRATEGY_DISCUSSION,
                discussion,
                discussion.held_on,
                discussion.held_on,
                author_id=discussion.recorded_by_id,
            )
        )
    enquiries = Section47Enquiry.objects.filter(child_id__in=child_ids).select_related("strategy_discussion")
    for enquiry in enquiries.order_by("pk"):
        found[enquiry.child_id].append(_enquiry_record(enquiry))
    for conference in ChildProtectionConference.objects.filter(child_id__in=child_ids).order_by("pk"):
        kind = (
            DocumentType.INITIAL_CONFERENCE
            if conference.kind == ConferenceKind.INITIAL
            else DocumentType.REVIEW_CONFERENCE
        )
        found[conference.child_id].append(Record(kind, conference, conference.held_on, conference.held_on))
    for plan in ChildProtectionPlan.objects.filter(child_id__in=child_ids).order_by("pk"):
        found[plan.child_id].append(
            Record(DocumentType.CHILD_PROTECTION_PLAN, plan, plan.started_on, plan.started_on)
        )
    meetings = CoreGroupMeeting.objects.filter(plan__child_id__in=child_ids).select_related("plan")
    for meeting in meetings.order_by("pk"):
        found[meeting.plan.child_id].append(
            Record(DocumentType.CORE_GROUP_MEETING, meeting, meeting.held_on, meeting.held_on)
        )
    for plan in ChildInNeedPlan.objects.filter(child_id__in=child_ids).order_by("pk"):
        found[plan.child_id].append(
            Record(DocumentType.CHILD_IN_NEED_PLAN, plan, plan.started_on, plan.started_on)
        )
    _care_records(child_ids, found)
    reviews = ChildInNeedReview.objects.filter(plan__child_id__in=child_ids).select_related("plan")
    for review in reviews.order_by("pk"):
        found[review.plan.child_id].append(
            Record(DocumentType.CHILD_IN_NEED_REVIEW, review, review.held_on, review.held_on)
        )
    return found


def _care_records(child_ids: list[int], found: dict) -> None:
    """A care plan for each period of care (not short breaks), a placement plan for each placement (authorised the
    day it was agreed, reg 9; one never agreed is a draft while the placement lasts), a pathway plan for each
    review of one."""
    agreed = {
        (child_id, started_on): agreed_on
        for child_id, started_on, agreed_on in PlacementPlanAgreement.objects.filter(
            child_id__in=child_ids
        ).values_list("child_id", "placement_started_on", "agreed_on")
    }
    iros = defaultdict(list)
    assignments = IroAssignment.objects.filter(child_id__in=child_ids).order_by("started_on", "pk")
    for child_id, started_on, iro_id in assignments.values_list("child_id", "started_on", "iro_id"):
        iros[child_id].append((started_on, iro_id))
    episodes = Episode.objects.filter(child_id__in=child_ids).exclude(legal_status__in=SHORT_BREAK_STATUSES)
    for episode in episodes.order_by("child_id", "started_on", "pk"):
        if episode.reason_new_episode == "S":
            iro = [
                iro_id for started_on, iro_id in iros[episode.child_id] if started_on >= episode.started_on
            ]
            plan = Record(DocumentType.CARE_PLAN, episode, episode.started_on, episode.started_on)
            plan.iro_id = iro[0] if iro else None
            found[episode.child_id].append(plan)
        if episode.reason_new_episode in PLACEMENT_CHANGING_REASONS:
            on = agreed.get((episode.child_id, episode.started_on))
            if on is None and episode.ended_on is not None:
                continue
            found[episode.child_id].append(
                Record(
                    DocumentType.PLACEMENT_PLAN,
                    episode,
                    min(episode.started_on, on or episode.started_on),
                    on,
                    submitted_on=on,
                    fixed=True,
                )
            )
    for review in PathwayPlanReview.objects.filter(child_id__in=child_ids).order_by("pk"):
        found[review.child_id].append(
            Record(DocumentType.PATHWAY_PLAN, review, review.reviewed_on, review.reviewed_on)
        )


def _enquiry_record(enquiry: Section47Enquiry) -> Record:
    """An enquiry's findings are authorised the day it concluded; one needing a conference concluded before the
    conference (the enquiry itself stays open until then), the findings written a few days before it."""
    done = enquiry.completed_on
    if done is not None and enquiry.outcome == Section47Outcome.CONCERNS_SUBSTANTIATED_ICPC:
        done = max(enquiry.started_on, done - dt.timedelta(days=3))
    author = enquiry.strategy_discussion.recorded_by_id if enquiry.strategy_discussion else None
    return Record(
        DocumentType.SECTION_47_ENQUIRY,
        enquiry,
        enquiry.started_on,
        done,
        submitted_on=done,
        author_id=author,
        fixed=True,
    )


# Rows ------------------------------------------------------------------------------------------------------


def _first(answers: dict, keys: list[str], share: float) -> dict:
    """The answers a draft had reached: the first `share` of the questions answered."""
    reached = keys[: max(1, round(len(keys) * share))]
    return {key: answers[key] for key in reached}


def _revised(answers: dict, reply: str) -> dict:
    revised = dict(answers)
    for key in REVISED_KEYS:
        if isinstance(revised.get(key), str):
            revised[key] = f"{revised[key]}\n\n{reply}"
            break
    return revised


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    span = (last - first).days
    return first if span <= 0 else first + dt.timedelta(days=rng.randint(0, span))


def _after(previous: dt.datetime, moment: dt.datetime) -> dt.datetime:
    """A moment after the previous step (steps on one day follow each other)."""
    return moment if moment > previous else previous + dt.timedelta(minutes=20)


def _version(document: PracticeDocument, number: int, step: Step) -> dict:
    first = step.moment - dt.timedelta(minutes=2 * step.autosaves) if step.autosaves else None
    return {
        "document_id": document.pk,
        "number": number,
        "answers": step.answers,
        "status": step.status,
        "event": step.event,
        "saved_by_id": step.actor.pk,
        "saved_at": step.moment,
        "autosaves": step.autosaves,
        "first_saved_at": first,
    }


def _review(document: PracticeDocument, number: int, step: Step) -> dict:
    decision, comment = step.review
    return {
        "document_id": document.pk,
        "decision": decision,
        "comment": comment,
        "document_version": number,
        "decided_by_id": step.actor.pk,
        "decided_on": step.moment.date(),
        "created_at": step.moment,
    }


VERBS = {
    STARTED: "document.started",
    DRAFT_SAVED: "document.saved",
    AUTOSAVED: "document.autosaved",
    SUBMITTED: "document.submitted",
    RESUBMITTED: "document.submitted",
}


def _event(made: Written, step: Step) -> dict:
    document = made.document
    verb = VERBS.get(step.event) or (
        "document.returned" if step.status == DocumentStatus.RETURNED else "document.authorised"
    )
    payload = {}
    if step.event == STARTED:
        payload = {"template": document.template.version, "type": document.document_type}
    elif verb == "document.returned":
        payload = {"comment": step.review[1]}
    return {
        "actor_id": step.actor.pk,
        "verb": verb,
        "object_type": "PracticeDocument",
        "object_id": str(document.pk),
        "child_id": document.child_id,
        "payload": payload,
        "at": step.moment,
    }


def _line(made: Written, number: int, step: Step):
    """The chronology line the service writes for this step, if it writes one, worded by the same function."""
    document, on = made.document, step.moment.date()
    document.version = number  # the line is keyed by the version the step made, as in the service
    if step.event == STARTED:
        line = lines.document_started(document, on)
    elif step.status == DocumentStatus.RETURNED:
        line = lines.document_returned(document, on, step.actor, step.review[1])
    elif step.event == RESUBMITTED:
        line = lines.document_resubmitted(document, on, step.actor)
    else:
        return None
    entry = line.entry(recorded_by=step.actor)
    entry.created_at = entry.updated_at = step.moment
    return entry


def write_practice_documents(sim: Simulation, workforce) -> int:
    return DocumentWriter(sim, workforce).write()
