"""Reading CIN census XML files (one or several years) into the domain model.

What matches what, so that importing the same file twice changes nothing and several years merge:
- a child by LAchildID; an existing record keeps what it has and only gains what it lacks (a UPN, a birth date
  once born, a sex other than U, an ethnicity other than NOBT, a death date, disability codes);
- a referral (CINdetails) by child and CINreferralDate; assessments, S47 enquiries, CIN and CP plans by child
  and start date; an initial conference by child and date; a CP review by plan and date;
- a value the file gives replaces the one held (a closure, an authorisation, an end date); a value the file
  leaves out is left alone, because one year's census leaves out what happened after its 31 March.
Files are applied oldest census first, whatever order they are named in.

Refusals:
- a file that cannot be parsed, or is not a CIN census (no <Message>, <Header> year or <Children>), is refused
  whole, with the line and reason; other files are still read;
- a child whose record breaks a rule (a code not in the DfE list, a date that is not YYYY-MM-DD, a UPN with the
  wrong check letter, a model constraint) is skipped whole, with its line and reason, and the rest of the file
  is imported. Each child is written in its own savepoint, so a skipped child leaves nothing half-written.
Each child changed gets one audit event, verb "import.cin", with no actor (the system) unless one is given.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from opencsc.audit.services import audit_event_record
from opencsc.casework.models import (
    Assessment,
    AssessmentFactor,
    CategoryOfAbuse,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    Section47Enquiry,
)
from opencsc.core.codes import (
    Disability,
    Ethnicity,
    PrimaryNeed,
    ReasonForClosure,
    ReferralSource,
    Sex,
    UPNUnknownReason,
)
from opencsc.frontdoor.models import Decision, Referral
from opencsc.people.identifiers import name_key
from opencsc.people.models import Child, ChildDisability
from opencsc.people.services import _check_child_rules
from opencsc.returns.cin.validate import CensusFileError, parse_census
from opencsc.returns.registry import ImportProblem, ImportReport

TRUE, FALSE = {"true", "1"}, {"false", "0"}
GENDER_CURRENT = {"1": "M", "2": "F", "0": "U", "9": "U"}


class RecordError(ValueError):
    def __init__(self, reason: str, line: int | None):
        super().__init__(reason)
        self.reason, self.line = reason, line


@dataclass
class _Assessment:
    started_on: dt.date
    reviewed_on: dt.date | None
    authorised_on: dt.date | None
    factors: list[str] | None


@dataclass
class _S47:
    started_on: dt.date
    icpc_on: dt.date | None
    not_required: bool


@dataclass
class _CPPlan:
    started_on: dt.date
    ended_on: dt.date | None
    initial_category: str
    latest_category: str
    previous_plans: int
    reviews: list[dt.date]


@dataclass
class _Episode:
    referral_date: dt.date
    source: str
    primary_need: str | None
    closed_on: dt.date | None
    closure_reason: str | None
    icpc_on: dt.date | None
    is_nfa: bool
    assessments: list[_Assessment] = field(default_factory=list)
    cin_plans: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    section_47s: list[_S47] = field(default_factory=list)
    cp_plans: list[_CPPlan] = field(default_factory=list)


@dataclass
class _Child:
    line: int | None
    la_child_id: str
    details: dict
    disabilities: list[str]
    episodes: list[_Episode]


class _Reader:
    """Turns one <Child> element into plain values, refusing the first thing that breaks a rule."""

    def __init__(self, element):
        self.element = element

    def fail(self, reason: str, at=None):
        raise RecordError(reason, (at if at is not None else self.element).sourceline)

    def text(self, block, name: str, *, required: bool = False) -> str | None:
        found = block.find(name) if block is not None else None
        value = (found.text or "").strip() if found is not None else ""
        if not value:
            if required:
                self.fail(f"{name} is missing", block)
            return None
        return value

    def date(self, block, name: str, *, required: bool = False) -> dt.date | None:
        value = self.text(block, name, required=required)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{name} '{value}' is not a date in the form YYYY-MM-DD", block.find(name))

    def code(self, block, name: str, allowed, *, required: bool = False) -> str | None:
        value = self.text(block, name, required=required)
        if value is not None and value not in allowed:
            self.fail(f"{name} '{value}' is not a code in the DfE list", block.find(name))
        return value

    def flag(self, block, name: str) -> bool:
        value = self.text(block, name, required=True).lower()
        if value not in TRUE | FALSE:
            self.fail(f"{name} '{value}' must be true, false, 1 or 0", block.find(name))
        return value in TRUE

    def sex(self, ids) -> str:
        """Sex (M/F/U) from 2024-25 on; GenderCurrent (0 not known, 1 male, 2 female, 9 not specified) before."""
        if ids.find("Sex") is not None or ids.find("GenderCurrent") is None:
            return self.code(ids, "Sex", Sex.values, required=True)
        gender = self.code(ids, "GenderCurrent", GENDER_CURRENT, required=True)
        return GENDER_CURRENT[gender]

    def child(self) -> _Child:
        element = self.element
        ids = element.find("ChildIdentifiers")
        if ids is None:
            self.fail("ChildIdentifiers is missing")
        la_child_id = self.text(ids, "LAchildID", required=True)
        if len(la_child_id) > 20:
            self.fail(f"LAchildID '{la_child_id}' is longer than 20 characters", ids)
        details = {
            "upn": self.text(ids, "UPN") or "",
            "former_upn": self.text(ids, "FormerUPN") or "",
            "upn_unknown_reason": self.code(ids, "UPNunknown", UPNUnknownReason.values) or "",
            "date_of_birth": self.date(ids, "PersonBirthDate"),
            "expected_date_of_birth": self.date(ids, "ExpectedPersonBirthDate"),
            "sex": self.sex(ids),
            "date_of_death": self.date(ids, "PersonDeathDate"),
        }
        if details["upn"] and details["upn_unknown_reason"]:
            details["upn_unknown_reason"] = ""
        characteristics = element.find("ChildCharacteristics")
        details["ethnicity"] = self.code(characteristics, "Ethnicity", Ethnicity.values) or Ethnicity.NOBT
        disabilities = []
        for disability in element.iterfind("ChildCharacteristics/Disabilities/Disability"):
            code = (disability.text or "").strip()
            if code not in Disability.values:
                self.fail(f"Disability '{code}' is not a code in the DfE list", disability)
            if code not in disabilities:
                disabilities.append(code)
        if "NONE" in disabilities and len(disabilities) > 1:
            self.fail("Disability NONE is given with other disability codes")
        try:
            _check_child_rules(details, dt.date.today())
        except ValidationError as error:
            self.fail(
                "; ".join(f"{name}: {' '.join(problems)}" for name, problems in error.message_dict.items())
            )
        return _Child(
            element.sourceline,
            la_child_id,
            details,
            disabilities,
            [self.episode(d) for d in element.iterfind("CINdetails")],
        )

    def episode(self, block) -> _Episode:
        episode = _Episode(
            referral_date=self.date(block, "CINreferralDate", required=True),
            source=self.code(block, "ReferralSource", ReferralSource.values, required=True),
            primary_need=self.code(block, "PrimaryNeedCode", PrimaryNeed.values),
            closed_on=self.date(block, "CINclosureDate"),
            closure_reason=self.code(block, "ReasonForClosure", ReasonForClosure.values),
            icpc_on=self.date(block, "DateOfInitialCPC"),
            is_nfa=self.flag(block, "ReferralNFA"),
        )
        if episode.closed_on and episode.closed_on < episode.referral_date:
            self.fail("CINclosureDate is before CINreferralDate", block)
        for assessment in block.iterfind("Assessments"):
            factors = [(f.text or "").strip() for f in assessment.iterfind("FactorsIdentifiedAtAssessment/*")]
            for factor in factors:
                if factor not in AssessmentFactor.values:
                    self.fail(f"AssessmentFactors '{factor}' is not a code in the DfE list", assessment)
            row = _Assessment(
                started_on=self.date(assessment, "AssessmentActualStartDate", required=True),
                reviewed_on=self.date(assessment, "AssessmentInternalReviewDate"),
                authorised_on=self.date(assessment, "AssessmentAuthorisationDate"),
                factors=factors or None,
            )
            if row.authorised_on and row.authorised_on < row.started_on:
                self.fail("AssessmentAuthorisationDate is before AssessmentActualStartDate", assessment)
            episode.assessments.append(row)
        for plan in block.iterfind("CINPlanDates"):
            started = self.date(plan, "CINPlanStartDate", required=True)
            ended = self.date(plan, "CINPlanEndDate")
            if ended and ended < started:
                self.fail("CINPlanEndDate is before CINPlanStartDate", plan)
            episode.cin_plans.append((started, ended))
        for enquiry in block.iterfind("Section47"):
            not_required = self.text(enquiry, "ICPCnotRequired")
            if not_required is not None and not_required.lower() not in TRUE | FALSE:
                self.fail(f"ICPCnotRequired '{not_required}' must be true, false, 1 or 0", enquiry)
            row = _S47(
                started_on=self.date(enquiry, "S47ActualStartDate", required=True),
                icpc_on=self.date(enquiry, "DateOfInitialCPC"),
                not_required=(not_required or "").lower() in TRUE,
            )
            if row.icpc_on and row.icpc_on < row.started_on:
                self.fail("DateOfInitialCPC is before S47ActualStartDate", enquiry)
            episode.section_47s.append(row)
        for plan in block.iterfind("ChildProtectionPlans"):
            previous = self.text(plan, "NumberOfPreviousCPP", required=True)
            if not previous.isdigit():
                self.fail(f"NumberOfPreviousCPP '{previous}' is not a whole number", plan)
            row = _CPPlan(
                started_on=self.date(plan, "CPPstartDate", required=True),
                ended_on=self.date(plan, "CPPendDate"),
                initial_category=self.code(
                    plan, "InitialCategoryOfAbuse", CategoryOfAbuse.values, required=True
                ),
                latest_category=self.code(
                    plan, "LatestCategoryOfAbuse", CategoryOfAbuse.values, required=True
                ),
                previous_plans=int(previous),
                reviews=[],
            )
            if row.ended_on and row.ended_on < row.started_on:
                self.fail("CPPendDate is before CPPstartDate", plan)
            for review in plan.iterfind("Reviews/CPPreviewDate"):
                try:
                    row.reviews.append(dt.date.fromisoformat((review.text or "").strip()))
                except ValueError:
                    self.fail(f"CPPreviewDate '{review.text}' is not a date in the form YYYY-MM-DD", review)
            episode.cp_plans.append(row)
        return episode


class _Writer:
    """Writes one child's census record, counting what it creates and changes."""

    def __init__(self):
        self.counts = (
            ImportReport()
        )  # only its counts: merged into the file's report once the child is written
        self.changes: list[str] = []
        # A child created by this writer has no rows yet but the ones it writes: they are looked up here, not
        # in the database (half the queries of an import into an empty database).
        self.new_child = False
        self.written: dict[tuple, object] = {}

    def find(self, model, lookup: dict):
        """The first row matching `lookup` (all equalities)."""
        if not self.new_child:
            return model.objects.filter(**lookup).order_by("pk").first()
        return self.written.get(self._key(model, lookup))

    @staticmethod
    def _key(model, lookup: dict) -> tuple:
        return (model, tuple(sorted((name, getattr(value, "pk", value)) for name, value in lookup.items())))

    def upsert(self, model, lookup: dict, values: dict, *, create_only: dict | None = None):
        """The row matching `lookup`, created with `values` (and `create_only`) or brought up to `values`;
        a None in `values` leaves the held value alone."""
        values = {name: value for name, value in values.items() if value is not None}
        # Fields and codes are checked here; related rows were just read or written in this transaction, and
        # uniqueness and check constraints are the database's own (an IntegrityError skips the child), so none of
        # them costs a query per row.
        related = [field.name for field in model._meta.concrete_fields if field.is_relation]
        row = self.find(model, lookup)
        label = model._meta.verbose_name
        if row is None:
            row = model(**lookup, **values, **(create_only or {}))
            row.full_clean(exclude=related, validate_unique=False, validate_constraints=False)
            row.save()
            self.written.setdefault(self._key(model, lookup), row)
            self.counts.count(f"{label} created")
            self.changes.append(f"{label} created")
            return row
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        if changed:
            for name in changed:
                setattr(row, name, values[name])
            row.full_clean(exclude=related, validate_unique=False, validate_constraints=False)
            row.save()
            self.counts.count(f"{label} updated")
            self.changes.append(f"{label} updated ({', '.join(changed)})")
        return row

    def child(self, record: _Child) -> Child:
        details = record.details
        child = Child.objects.filter(la_child_id=record.la_child_id).first()
        if child is None:
            child = Child(
                la_child_id=record.la_child_id,
                first_name="Unknown",
                last_name=record.la_child_id,
                first_name_key=name_key("Unknown"),
                last_name_key=name_key(record.la_child_id),
                **details,
            )
            child.full_clean(validate_unique=False, validate_constraints=False)
            child.save()
            self.new_child = True
            self.counts.count("child created")
            self.changes.append("child created")
        else:
            gained = {}
            for name in ("upn", "former_upn", "date_of_birth", "expected_date_of_birth", "date_of_death"):
                if details[name] and not getattr(child, name):
                    gained[name] = details[name]
            if (
                details["upn_unknown_reason"]
                and not child.upn
                and not child.upn_unknown_reason
                and not gained.get("upn")
            ):
                gained["upn_unknown_reason"] = details["upn_unknown_reason"]
            if gained.get("upn"):
                gained["upn_unknown_reason"] = ""
            if child.sex == Sex.UNKNOWN and details["sex"] != Sex.UNKNOWN:
                gained["sex"] = details["sex"]
            if child.ethnicity == Ethnicity.NOBT and details["ethnicity"] != Ethnicity.NOBT:
                gained["ethnicity"] = details["ethnicity"]
            if gained:
                for name, value in gained.items():
                    setattr(child, name, value)
                child.full_clean(validate_unique=False, validate_constraints=False)
                child.save()
                self.counts.count("child updated")
                self.changes.append(f"child updated ({', '.join(sorted(gained))})")
        held = set() if self.new_child else set(child.disabilities.values_list("code", flat=True))
        # NONE is what the census says for a child with no disability recorded: nothing to add.
        wanted = [code for code in record.disabilities if code not in held and code != "NONE"]
        if wanted:
            if "NONE" in held:
                child.disabilities.filter(code="NONE").delete()
            ChildDisability.objects.bulk_create([ChildDisability(child=child, code=code) for code in wanted])
            self.counts.count("disability added", len(wanted))
            self.changes.append(f"disabilities added ({', '.join(wanted)})")
        for episode in record.episodes:
            self.episode(child, episode)
        return child

    def episode(self, child: Child, episode: _Episode) -> None:
        referral = self.upsert(
            Referral,
            {"child": child, "referral_date": episode.referral_date},
            {
                "source": episode.source,
                "primary_need": episode.primary_need,
                "is_nfa": episode.is_nfa,
                "closed_on": episode.closed_on,
                "closure_reason": episode.closure_reason if episode.closed_on else None,
            },
            create_only={
                "route": Decision.STRATEGY_DISCUSSION if episode.section_47s else Decision.ASSESSMENT,
            },
        )
        for a in episode.assessments:
            self.upsert(
                Assessment,
                {"child": child, "started_on": a.started_on},
                {
                    "referral": referral,
                    "completed_on": a.reviewed_on,
                    "authorised_on": a.authorised_on,
                    "factors": a.factors if a.authorised_on else None,
                },
            )
        for started, ended in episode.cin_plans:
            self.upsert(
                ChildInNeedPlan,
                {"child": child, "started_on": started},
                {"referral": referral, "ended_on": ended},
            )
        plan_days = {plan.started_on: plan for plan in episode.cp_plans}
        conferences = {}
        for s in episode.section_47s:
            # The census has no completion date for an enquiry: a new one that led to a conference is taken as
            # complete on the conference day, so that it does not show as open work; a held one is left alone.
            enquiry = self.upsert(
                Section47Enquiry,
                {"child": child, "started_on": s.started_on},
                {"referral": referral, "icpc_not_required": s.not_required},
                create_only={"completed_on": s.icpc_on},
            )
            if s.icpc_on:
                conferences[s.icpc_on] = self._initial_conference(child, s.icpc_on, enquiry, plan_days)
        if episode.icpc_on and episode.icpc_on not in conferences:
            conferences[episode.icpc_on] = self._initial_conference(child, episode.icpc_on, None, plan_days)
        for p in episode.cp_plans:
            conference = conferences.get(p.started_on) or self.find(
                ChildProtectionConference,
                {"child": child, "kind": ConferenceKind.INITIAL, "held_on": p.started_on},
            )
            plan = self.upsert(
                ChildProtectionPlan,
                {"child": child, "started_on": p.started_on},
                {
                    "referral": referral,
                    "initial_conference": conference,
                    "ended_on": p.ended_on,
                    "initial_category": p.initial_category,
                    "latest_category": p.latest_category,
                    "previous_plans": p.previous_plans,
                },
            )
            for held_on in p.reviews:
                self.upsert(
                    ChildProtectionConference,
                    {"child": child, "kind": ConferenceKind.REVIEW, "plan": plan, "held_on": held_on},
                    {},
                    create_only={"plan_decided": plan.ended_on != held_on, "category": plan.latest_category},
                )

    def _initial_conference(self, child, held_on, enquiry, plan_days) -> ChildProtectionConference:
        lookup = {"child": child, "kind": ConferenceKind.INITIAL, "held_on": held_on}
        existing = self.find(ChildProtectionConference, lookup)
        plan = plan_days.get(held_on)
        values = {"section_47": enquiry} if enquiry is not None or existing is None else {}
        return self.upsert(
            ChildProtectionConference,
            lookup,
            values,
            create_only={"plan_decided": plan is not None, "category": plan.initial_category if plan else ""},
        )


@dataclass
class _Census:
    path: Path
    root: object
    year: int


def _open(path: Path, report: ImportReport) -> _Census | None:
    try:
        root = parse_census(path)
    except CensusFileError as error:
        report.files_refused.append(ImportProblem(str(path), error.reason, error.line))
        return None
    if root.tag != "Message":
        report.files_refused.append(
            ImportProblem(str(path), f"the root element is <{root.tag}>, not <Message>", root.sourceline)
        )
        return None
    year = root.findtext("Header/CollectionDetails/Year")
    if not (year or "").strip().isdigit():
        report.files_refused.append(
            ImportProblem(str(path), "the Header has no CollectionDetails/Year", root.sourceline)
        )
        return None
    if root.find("Children") is None:
        report.files_refused.append(
            ImportProblem(str(path), "there is no <Children> element", root.sourceline)
        )
        return None
    return _Census(Path(path), root, int(year))


def import_cin_files(paths, actor=None) -> ImportReport:
    report = ImportReport()
    censuses = [census for path in paths if (census := _open(Path(path), report))]
    for census in sorted(censuses, key=lambda c: c.year):
        with transaction.atomic():
            _import_census(census, report, actor)
        report.files_read.append(str(census.path))
    return report


def _import_census(census: _Census, report: ImportReport, actor) -> None:
    for element in census.root.iterfind("Children/Child"):
        try:
            record = _Reader(element).child()
        except RecordError as error:
            la_child_id = (element.findtext("ChildIdentifiers/LAchildID") or "").strip()
            report.skipped.append(ImportProblem(str(census.path), error.reason, error.line, la_child_id))
            continue
        writer = _Writer()
        try:
            with transaction.atomic():
                child = writer.child(record)
                if writer.changes:
                    audit_event_record(
                        actor=actor,
                        verb="import.cin",
                        target=child,
                        child=child,
                        payload={"file": census.path.name, "year": census.year, "changes": writer.changes},
                    )
            for what, n in writer.counts.counts.items():
                report.count(what, n)
        except (ValidationError, IntegrityError) as error:
            reason = (
                "; ".join(f"{name}: {' '.join(problems)}" for name, problems in error.message_dict.items())
                if isinstance(error, ValidationError) and hasattr(error, "error_dict")
                else " ".join(getattr(error, "messages", [f"the database refused it: {error}"]))
            )
            report.skipped.append(ImportProblem(str(census.path), reason, record.line, record.la_child_id))
