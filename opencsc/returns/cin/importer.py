"""Reading CIN census XML files (one or several years) into the domain model.

What matches what, so that importing the same file twice changes nothing and several years merge:
- a child by LAchildID; an existing record keeps what it has and only gains what it lacks (a UPN, a birth date
  once born, a sex other than U, an ethnicity other than NOBT, a death date, disability codes);
- a referral (CINdetails) by child and CINreferralDate; assessments, S47 enquiries, CIN and CP plans by child
  and start date; an initial conference by child and date; a CP review by plan and date;
- a value the file gives replaces the one held (a closure, an authorisation, an end date); a value the file
  leaves out is left alone, because one year's census leaves out what happened after its 31 March.
Files are applied oldest census first, whatever order they are named in.

Every child is kept (see `opencsc.returns.flags`), each problem flagged on the data-quality worklist with its
rule, reason, file and line:
- a code outside the DfE list (referral source, need, closure reason, categories, factors, disability), a UPN
  with the wrong check letter, NONE beside other disability codes (the others are kept), an unborn child's
  sex other than U: stored as given where the column can hold it; a Sex or GenderCurrent outside the list is
  recorded as U;
- a date that is not YYYY-MM-DD, or in the future (an expected date of birth excepted): left blank; an end
  before its start (closure, authorisation, plan end, conference before its enquiry): left blank;
- a referral, assessment, enquiry or plan whose start date cannot be read is left out (flagged), as is one the
  database refuses (with what it holds); the child and the rest of the record are kept;
- an LAchildID longer than 20 characters is stored as its first 20. A <Child> with no LAchildID at all cannot
  be told apart from others: it is flagged and not stored.
Files in an XML namespace are read by their elements' local names; a header with no Year takes the year of its
ReferenceDate, and one with neither (flagged) the collection year of the latest date in the file that is not in
the future (of today if it has none). Only a file that cannot be parsed (a truncated file among them), or has
no <Message> or <Children>, is refused whole, with the line and reason; other files are still read. A UPN
given for a second LA child ID (in the file, or held for another child) is flagged; both children are kept.
Each file is imported in one transaction through the import framework (`opencsc.returns.importing`, ADR 0023):
the children it names and their records are read in bulk, each child mapped in memory and the file written
together; a file whose bulk write the database refuses is written again referral by referral in savepoints.
Its flags are saved as a run of the worklist in the same transaction.
Each child changed gets one audit event, verb "import.cin", with no actor (the system) unless one is given.
"""

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

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
from opencsc.people.identifiers import name_key, upn_problem
from opencsc.people.models import Child, ChildDisability
from opencsc.returns.cin.validate import CensusFileError, parse_census
from opencsc.returns.flags import ImportFlag, clean_keeping
from opencsc.returns.importing import (
    BatchImport,
    Counts,
    Identities,
    Progress,
    Store,
    hold_children,
    in_unit,
    refusal_reason,
)
from opencsc.returns.registry import ImportProblem, ImportReport

TRUE, FALSE = {"true", "1"}, {"false", "0"}


@functools.cache
def dfe_codes(choices) -> frozenset[str]:
    """The codes of a DfE list, once (`TextChoices.values` builds a new list at every call)."""
    return frozenset(choices.values)


CHECKED_CHILD_FIELDS = ["responsible_team", "sex", "ethnicity", "upn", "former_upn"]  # flagged by the reader
GENDER_CURRENT = {"1": "M", "2": "F", "0": "U", "9": "U"}


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
    line: int | None
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
    """Turns one <Child> element into plain values, flagging (not refusing) what breaks a rule: a value kept
    as given where it can be stored, left blank where it cannot."""

    def __init__(self, element, path: Path, flags: list, today: dt.date):
        self.element = element
        self.path = path
        self.flags = flags
        self.today = today
        ids = element.find("ChildIdentifiers")
        self.la_child_id = ((ids.findtext("LAchildID") if ids is not None else None) or "").strip()[:20]

    def flag(self, rule: str, reason: str, at=None, fields: str = "") -> None:
        line = (at if at is not None else self.element).sourceline
        self.flags.append(ImportFlag(rule, reason, str(self.path), line, self.la_child_id, fields))

    def text(self, block, name: str, *, required: bool = False) -> str | None:
        found = block.find(name) if block is not None else None
        value = (found.text or "").strip() if found is not None else ""
        if not value:
            if required:
                self.flag("IMPORT-REQUIRED", f"{name} is missing", block, f"{name}=(blank)")
            return None
        return value

    def date(self, block, name: str, *, required: bool = False, future: bool = False) -> dt.date | None:
        """The element's date; blank (flagged) when it is not YYYY-MM-DD, or in the future (unless `future`,
        as an expected date of birth is, or required: then kept as given)."""
        value = self.text(block, name, required=required)
        if value is None:
            return None
        at = block.find(name)
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.flag(
                "IMPORT-DATE", f"{name} '{value}' is not a date in the form YYYY-MM-DD", at, f"{name}={value}"
            )
            return None
        if day > self.today and not future:
            kept = "kept as given" if required else "left blank"
            self.flag("IMPORT-DATE-RANGE", f"{name} {value} is in the future: {kept}", at, f"{name}={value}")
            return day if required else None
        return day

    def code(self, block, name: str, allowed, *, required: bool = False) -> str | None:
        value = self.text(block, name, required=required)
        if value is not None and value not in allowed:
            self.flag(
                "IMPORT-CODE",
                f"{name} '{value}' is not a code in the DfE list",
                block.find(name),
                f"{name}={value}",
            )
        return value

    def yes_no(self, block, name: str, *, required: bool = False) -> bool:
        value = (self.text(block, name, required=required) or "").lower()
        if value and value not in TRUE | FALSE:
            self.flag(
                "IMPORT-CODE",
                f"{name} '{value}' must be true, false, 1 or 0: read as false",
                block.find(name),
                f"{name}={value}",
            )
        return value in TRUE

    def ordered(
        self, block, start: dt.date | None, end: dt.date | None, names: tuple[str, str]
    ) -> dt.date | None:
        """`end`, or None (flagged) when it is before `start`."""
        if start and end and end < start:
            self.flag(
                "IMPORT-DATE-ORDER",
                f"{names[1]} is before {names[0]}: left blank",
                block.find(names[1]),
                f"{names[0]}={start}; {names[1]}={end}",
            )
            return None
        return end

    def sex(self, ids) -> str:
        """Sex (M/F/U) from 2024-25 on; GenderCurrent (0 not known, 1 male, 2 female, 9 not specified) before.
        A value outside the list is recorded as U, not known."""
        if ids.find("Sex") is not None or ids.find("GenderCurrent") is None:
            name, codes = "Sex", {code: code for code in Sex.values}
        else:
            name, codes = "GenderCurrent", GENDER_CURRENT
        value = self.text(ids, name, required=True)
        if value is None:
            return Sex.UNKNOWN
        if value not in codes:
            self.flag(
                "IMPORT-CODE",
                f"{name} '{value}' is not a code in the DfE list: recorded as U",
                ids.find(name),
                f"{name}={value}",
            )
            return Sex.UNKNOWN
        return codes[value]

    def identifiers(self, ids) -> dict:
        details = {
            "upn": self.upn(ids, "UPN"),
            "former_upn": self.upn(ids, "FormerUPN"),
            "upn_unknown_reason": self.code(ids, "UPNunknown", dfe_codes(UPNUnknownReason)) or "",
            "date_of_birth": self.date(ids, "PersonBirthDate"),
            "expected_date_of_birth": self.date(ids, "ExpectedPersonBirthDate", future=True),
            "sex": self.sex(ids),
            "date_of_death": self.date(ids, "PersonDeathDate"),
        }
        if details["upn"] and details["upn_unknown_reason"]:
            details["upn_unknown_reason"] = ""
        born, died = details["date_of_birth"], details["date_of_death"]
        if born and died and died < born:
            self.flag(
                "IMPORT-DATE-ORDER",
                "PersonDeathDate is before PersonBirthDate: kept as given",
                ids,
                f"PersonBirthDate={born}; PersonDeathDate={died}",
            )
        if not (self.text(ids, "PersonBirthDate") or self.text(ids, "ExpectedPersonBirthDate")):
            self.flag("IMPORT-REQUIRED", "neither PersonBirthDate nor ExpectedPersonBirthDate is given", ids)
        elif not self.text(ids, "PersonBirthDate") and details["sex"] != Sex.UNKNOWN:
            self.flag(
                "IMPORT-CODE",
                f"Sex '{details['sex']}' is given for an unborn child (U expected): kept as given",
                ids,
                f"Sex={details['sex']}",
            )
        return details

    def upn(self, ids, name: str) -> str:
        value = self.text(ids, name) or ""
        if value and (problem := upn_problem(value)):
            fits = len(value) <= Child._meta.get_field("upn").max_length
            self.flag(
                "IMPORT-UPN",
                f"{name} '{value}': {problem}: " + ("kept as given" if fits else "left blank"),
                ids.find(name),
                f"{name}={value}",
            )
            return value if fits else ""
        return value

    def child(self) -> _Child | None:
        element = self.element
        ids = element.find("ChildIdentifiers")
        if ids is None:
            self.flag(
                "IMPORT-REQUIRED", "ChildIdentifiers is missing: the child cannot be told apart, not stored"
            )
            return None
        given_id = self.text(ids, "LAchildID", required=True)
        if given_id is None:
            return None
        if len(given_id) > 20:
            self.flag(
                "IMPORT-ID",
                f"LAchildID '{given_id}' is longer than 20 characters: stored as its first 20",
                ids.find("LAchildID"),
                f"LAchildID={given_id}",
            )
        details = self.identifiers(ids)
        characteristics = element.find("ChildCharacteristics")
        ethnicity = self.code(characteristics, "Ethnicity", dfe_codes(Ethnicity)) or Ethnicity.NOBT
        details["ethnicity"] = ethnicity if len(ethnicity) <= 4 else ""
        return _Child(
            element.sourceline,
            self.la_child_id,
            details,
            self.disabilities(element),
            [episode for block in element.iterfind("CINdetails") if (episode := self.episode(block))],
        )

    def disabilities(self, element) -> list[str]:
        codes = []
        for disability in element.iterfind("ChildCharacteristics/Disabilities/Disability"):
            code = (disability.text or "").strip()
            if code not in dfe_codes(Disability):
                fits = 0 < len(code) <= 4
                self.flag(
                    "IMPORT-CODE",
                    f"Disability '{code}' is not a code in the DfE list: "
                    + ("kept as given" if fits else "left out"),
                    disability,
                    f"Disability={code}",
                )
                if not fits:
                    continue
            if code not in codes:
                codes.append(code)
        if "NONE" in codes and len(codes) > 1:
            self.flag(
                "IMPORT-DISABILITY",
                "Disability NONE is given with other disability codes: the others are kept",
                element.find("ChildCharacteristics/Disabilities"),
                "Disability=" + ", ".join(codes),
            )
        return codes

    def episode(self, block) -> _Episode | None:
        referral_date = self.date(block, "CINreferralDate", required=True)
        if referral_date is None:
            self.flag(
                "IMPORT-NOT-STORED",
                "the referral (CINdetails) has no CINreferralDate that can be read: "
                "it and what it holds are not stored",
                block,
            )
            return None
        closed_on = self.ordered(
            block, referral_date, self.date(block, "CINclosureDate"), ("CINreferralDate", "CINclosureDate")
        )
        episode = _Episode(
            line=block.sourceline,
            referral_date=referral_date,
            source=self.code(block, "ReferralSource", dfe_codes(ReferralSource), required=True) or "",
            primary_need=self.code(block, "PrimaryNeedCode", dfe_codes(PrimaryNeed)),
            closed_on=closed_on,
            closure_reason=self.code(block, "ReasonForClosure", dfe_codes(ReasonForClosure)),
            icpc_on=self.date(block, "DateOfInitialCPC"),
            is_nfa=self.yes_no(block, "ReferralNFA", required=True),
        )
        for assessment in block.iterfind("Assessments"):
            if row := self.assessment(assessment):
                episode.assessments.append(row)
        for plan in block.iterfind("CINPlanDates"):
            started = self.date(plan, "CINPlanStartDate", required=True)
            if started is None:
                self.flag(
                    "IMPORT-NOT-STORED",
                    "the CIN plan has no CINPlanStartDate that can be read: not stored",
                    plan,
                )
                continue
            ended = self.ordered(
                plan, started, self.date(plan, "CINPlanEndDate"), ("CINPlanStartDate", "CINPlanEndDate")
            )
            episode.cin_plans.append((started, ended))
        for enquiry in block.iterfind("Section47"):
            started = self.date(enquiry, "S47ActualStartDate", required=True)
            if started is None:
                self.flag(
                    "IMPORT-NOT-STORED",
                    "the section 47 enquiry has no S47ActualStartDate that can be read: not stored",
                    enquiry,
                )
                continue
            episode.section_47s.append(
                _S47(
                    started_on=started,
                    icpc_on=self.ordered(
                        enquiry,
                        started,
                        self.date(enquiry, "DateOfInitialCPC"),
                        ("S47ActualStartDate", "DateOfInitialCPC"),
                    ),
                    not_required=self.yes_no(enquiry, "ICPCnotRequired"),
                )
            )
        for plan in block.iterfind("ChildProtectionPlans"):
            if row := self.cp_plan(plan):
                episode.cp_plans.append(row)
        return episode

    def assessment(self, assessment) -> _Assessment | None:
        factors = [(f.text or "").strip() for f in assessment.iterfind("FactorsIdentifiedAtAssessment/*")]
        for factor, at in zip(factors, assessment.iterfind("FactorsIdentifiedAtAssessment/*"), strict=True):
            if factor not in dfe_codes(AssessmentFactor):
                self.flag(
                    "IMPORT-CODE",
                    f"AssessmentFactors '{factor}' is not a code in the DfE list: kept as given",
                    at,
                    f"AssessmentFactors={factor}",
                )
        started = self.date(assessment, "AssessmentActualStartDate", required=True)
        if started is None:
            self.flag(
                "IMPORT-NOT-STORED",
                "the assessment has no AssessmentActualStartDate that can be read: not stored",
                assessment,
            )
            return None
        return _Assessment(
            started_on=started,
            reviewed_on=self.ordered(
                assessment,
                started,
                self.date(assessment, "AssessmentInternalReviewDate"),
                ("AssessmentActualStartDate", "AssessmentInternalReviewDate"),
            ),
            authorised_on=self.ordered(
                assessment,
                started,
                self.date(assessment, "AssessmentAuthorisationDate"),
                ("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
            ),
            factors=factors or None,
        )

    def cp_plan(self, plan) -> _CPPlan | None:
        started = self.date(plan, "CPPstartDate", required=True)
        if started is None:
            self.flag(
                "IMPORT-NOT-STORED",
                "the child protection plan has no CPPstartDate that can be read: not stored",
                plan,
            )
            return None
        previous = self.text(plan, "NumberOfPreviousCPP", required=True)
        if previous is not None and not previous.isdigit():
            self.flag(
                "IMPORT-CODE",
                f"NumberOfPreviousCPP '{previous}' is not a whole number: read as 0",
                plan.find("NumberOfPreviousCPP"),
                f"NumberOfPreviousCPP={previous}",
            )
        row = _CPPlan(
            started_on=started,
            ended_on=self.ordered(
                plan, started, self.date(plan, "CPPendDate"), ("CPPstartDate", "CPPendDate")
            ),
            initial_category=self.code(
                plan, "InitialCategoryOfAbuse", dfe_codes(CategoryOfAbuse), required=True
            )
            or "",
            latest_category=self.code(
                plan, "LatestCategoryOfAbuse", dfe_codes(CategoryOfAbuse), required=True
            )
            or "",
            previous_plans=int(previous) if previous and previous.isdigit() else 0,
            reviews=[],
        )
        # The D2I SQL names the block <CPPreviews>; the schema and the DfE validator, <Reviews>.
        for review in [*plan.iterfind("Reviews/CPPreviewDate"), *plan.iterfind("CPPreviews/CPPreviewDate")]:
            text = (review.text or "").strip()
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                self.flag(
                    "IMPORT-DATE",
                    f"CPPreviewDate '{text}' is not a date in the form YYYY-MM-DD: the review is not stored",
                    review,
                    f"CPPreviewDate={text}",
                )
                continue
            if day > self.today:
                self.flag(
                    "IMPORT-DATE-RANGE",
                    f"CPPreviewDate {text} is in the future: the review is not stored",
                    review,
                    f"CPPreviewDate={text}",
                )
                continue
            row.reviews.append(day)
        return row


class _Writer:
    """Maps one child's census record into the batch's store, counting what it creates and changes. Each
    referral is a unit of its own: one that cannot be stored is left out and flagged, and the child keeps the
    rest."""

    def __init__(self, path: Path, flags: list, la_child_id: str, store: Store, counts: Counts):
        self.store, self.counts = store, counts
        self.path, self.flags, self.la_child_id = path, flags, la_child_id
        self.line: int | None = None

    def find(self, model, lookup: dict):
        """The first row matching `lookup` (all equalities, the child's among them)."""
        return self.store.find(model, lookup["child"], **{k: v for k, v in lookup.items() if k != "child"})

    def upsert(self, model, lookup: dict, values: dict, *, create_only: dict | None = None):
        """The row matching `lookup`, created with `values` (and `create_only`) or brought up to `values`;
        a None in `values` leaves the held value alone."""
        values = {name: value for name, value in values.items() if value is not None}
        # Fields and codes are checked here; related rows were just read or mapped in this batch, and
        # uniqueness and check constraints are the database's own (a refusal is mapped again carefully).
        related = [field.name for field in model._meta.concrete_fields if field.is_relation]
        row = self.find(model, lookup)
        label = model._meta.verbose_name
        if row is None:
            row = model(**lookup, **values, **(create_only or {}))
            clean_keeping(row, exclude=related, flag=self.flag)
            self.store.add(row, owner=lookup["child"])
            self.counts.note(f"{label} created")
            return row
        before = self.store.snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        clean_keeping(row, exclude=related, flag=self.flag)
        changed = self.store.changed(row, before)
        if named := [name for name in values if name in changed]:
            self.counts.note(f"{label} updated", ", ".join(named))
        return row

    def flag(self, rule: str, reason: str, fields: str) -> None:
        """A problem the model's checks find. Codes and missing values were flagged by the reader, at their
        own line."""
        if rule not in ("IMPORT-CODE", "IMPORT-REQUIRED"):
            self.flags.append(ImportFlag(rule, reason, str(self.path), self.line, self.la_child_id, fields))

    def episode_kept(self, child: Child, episode: "_Episode") -> None:
        """The referral and what it holds, as a unit: one that cannot be stored is flagged, not fatal."""
        self.line = episode.line
        try:
            in_unit(self.store, self.counts, lambda: self.episode(child, episode))
        except (ValidationError, IntegrityError) as error:
            self.flags.append(
                ImportFlag(
                    "IMPORT-NOT-STORED",
                    f"the referral of {episode.referral_date:%Y-%m-%d} and what it holds: {refusal_reason(error)}: "
                    "not stored",
                    str(self.path),
                    episode.line,
                    self.la_child_id,
                )
            )

    def child(self, record: _Child) -> Child:
        details = record.details
        child = self.store.keyed(Child, record.la_child_id)
        if child is None:
            child = Child(
                la_child_id=record.la_child_id,
                first_name="Unknown",
                last_name=record.la_child_id,
                first_name_key=name_key("Unknown"),
                last_name_key=name_key(record.la_child_id),
                **details,
            )
            self.line = record.line
            clean_keeping(child, exclude=CHECKED_CHILD_FIELDS, flag=self.flag)
            self.store.add(child, key=record.la_child_id)
            self.counts.note("child created")
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
                before = self.store.snapshot(child)
                for name, value in gained.items():
                    setattr(child, name, value)
                self.line = record.line
                clean_keeping(child, exclude=CHECKED_CHILD_FIELDS, flag=self.flag)
                self.store.changed(child, before)
                self.counts.note("child updated", ", ".join(sorted(gained)))
        held = self.store.owned(ChildDisability, child)
        held_codes = {disability.code for disability in held}
        # NONE is what the census says for a child with no disability recorded: nothing to add.
        wanted = [code for code in record.disabilities if code not in held_codes and code != "NONE"]
        if wanted:
            for disability in [d for d in held if d.code == "NONE"]:
                self.store.delete(disability, owner=child)
            for code in wanted:
                self.store.add(ChildDisability(child=child, code=code), owner=child)
            self.counts.counts["disability added"] += len(wanted)
            self.counts.changes.append(f"disabilities added ({', '.join(wanted)})")
        for episode in record.episodes:
            self.episode_kept(child, episode)
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
    flags: list[ImportFlag] = field(default_factory=list)  # the header's own


def _open(path: Path, report: ImportReport) -> _Census | None:
    try:
        root = parse_census(path)
    except CensusFileError as error:
        report.files_refused.append(ImportProblem(str(path), error.reason, error.line))
        return None
    _drop_namespaces(root)
    if root.tag != "Message":
        report.files_refused.append(
            ImportProblem(str(path), f"the root element is <{root.tag}>, not <Message>", root.sourceline)
        )
        return None
    if root.find("Children") is None:
        report.files_refused.append(
            ImportProblem(str(path), "there is no <Children> element", root.sourceline)
        )
        return None
    return _census(Path(path), root)


def _drop_namespaces(root) -> None:
    """Some systems write the census in an XML namespace; the DfE's has none. Elements are read by their
    local names either way."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.split("}", 1)[1]


def _census(path: Path, root) -> _Census:
    """The census with its collection year: the header's Year, or else the year of its ReferenceDate (31 March
    Y), or else (flagged) the collection year of the latest date in the file that is not in the future, or of
    today when it has none."""
    year = _header_year(root)
    if year is not None:
        return _Census(path, root, year)
    latest = _latest_date(root, timezone.localdate())
    year = _collection_year(latest or timezone.localdate())
    said = (
        f"its latest date, {latest:%Y-%m-%d}" if latest else "today (the file has no date that can be read)"
    )
    details = root.find("Header/CollectionDetails")
    where = details if details is not None else root.find("Header")
    flag = ImportFlag(
        "IMPORT-HEADER",
        f"the header has neither a Year nor a ReferenceDate that can be read: read as the {year - 1}-"
        f"{year % 100:02d} census (Year {year}), the collection year of {said}",
        str(path),
        (where if where is not None else root).sourceline,
        fields="Year=(blank); ReferenceDate=(blank)",
    )
    return _Census(path, root, year, [flag])


def _header_year(root) -> int | None:
    year = (root.findtext("Header/CollectionDetails/Year") or "").strip()
    if year.isdigit() and 0 < int(year) <= dt.MAXYEAR:
        return int(year)
    reference = (root.findtext("Header/CollectionDetails/ReferenceDate") or "").strip()
    try:
        return dt.date.fromisoformat(reference).year
    except ValueError:
        return None


def _latest_date(root, today: dt.date) -> dt.date | None:
    """The latest date of the children's records (elements named ...Date) that is not after today."""
    latest = None
    for element in root.iterfind("Children//*"):
        if not (isinstance(element.tag, str) and element.tag.endswith("Date")):
            continue
        try:
            day = dt.date.fromisoformat((element.text or "").strip())
        except ValueError:
            continue
        if day <= today and (latest is None or day > latest):
            latest = day
    return latest


def _collection_year(day: dt.date) -> int:
    """Collection year Y runs 1 April Y-1 to 31 March Y."""
    return day.year + 1 if day.month >= 4 else day.year


def import_cin_files(paths, actor=None, progress: Progress | None = None) -> ImportReport:
    from opencsc.returns.services import import_flags_save

    report = ImportReport()
    censuses = [census for path in paths if (census := _open(Path(path), report))]
    for census in sorted(censuses, key=lambda c: c.year):
        with transaction.atomic():
            batch = _CensusImport(census, actor=actor, progress=progress)
            written = batch.run()
            if batch.flags:
                run = import_flags_save(
                    actor=actor, kind="cin", year=census.year, source=str(census.path), flags=batch.flags
                )
                report.runs.append(run.pk)
        for what, n in written.counts.items():
            report.count(what, n)
        report.skipped.extend(written.skipped)
        report.files_read.append(str(census.path))
        report.flags.extend(batch.flags)
    return report


# The rows of a child a census may match, read in bulk before the file is mapped.
CHILD_ROWS = (
    ChildDisability,
    Referral,
    Assessment,
    ChildInNeedPlan,
    Section47Enquiry,
    ChildProtectionConference,
    ChildProtectionPlan,
)


class _CensusImport(BatchImport):
    """One census file: its children, each read from its <Child> element as it is mapped."""

    verb = "import.cin"
    what = "children"

    def __init__(self, census: _Census, **options):
        super().__init__(**options)
        self.census = census
        self.elements = list(census.root.iterfind("Children/Child"))
        self.flags: list[ImportFlag] = list(census.flags)
        self.records_read: dict[str, _Child] = {}

    def reset(self) -> None:
        self.flags[:] = list(self.census.flags)

    def prefetch(self, store: Store) -> None:
        ids = {_Reader(element, self.census.path, [], self.today).la_child_id for element in self.elements}
        hold_children(store, ids, CHILD_ROWS)
        upns = {(e.findtext("ChildIdentifiers/UPN") or "").strip() for e in self.elements}
        self.identities = Identities.read(upns, ids)

    def records(self):
        for element in self.elements:
            yield element.sourceline, element, self._mapping(element)

    def _mapping(self, element):
        def mapping(store: Store, counts: Counts) -> Child | None:
            record = _Reader(element, self.census.path, self.flags, self.today).child()
            if record is None:
                return None
            self.records_read[element.sourceline] = record
            where = f"line {record.line} of {self.census.path.name}"
            if reason := self.identities.check(record.details["upn"], record.la_child_id, where):
                upn = record.details["upn"]
                self.flags.append(
                    ImportFlag(
                        "IMPORT-SAME-CHILD",
                        reason,
                        str(self.census.path),
                        record.line,
                        record.la_child_id,
                        f"UPN={upn}",
                    )
                )
            return _Writer(self.census.path, self.flags, record.la_child_id, store, counts).child(record)

        return mapping

    def audit_payload(self, label, changes: list[str]) -> dict:
        return {"file": self.census.path.name, "year": self.census.year, "changes": changes}

    def skipped(self, label, element, error: Exception) -> ImportProblem:
        record = self.records_read.get(element.sourceline)
        la_child_id = record.la_child_id if record else ""
        return ImportProblem(str(self.census.path), refusal_reason(error), element.sourceline, la_child_id)
