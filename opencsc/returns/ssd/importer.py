"""Reading an authority's Standard Safeguarding Dataset extract (a folder of CSV tables) into the domain model:
ADR 0029, docs/ssd.md.

The extract is one batch of the import framework (`opencsc.returns.importing`, ADR 0023): one transaction, the
children it names and their records read in bulk, each child mapped in memory, the batch written together.

Which file is which table: by its header (the spec's column names, in any order and case), not by its name. A
table given in two files is read from both.

What matches what, so that importing the same extract twice changes nothing and is faster the second time:
- a child by LA child ID (`pers_person_id`); a value the extract gives replaces the one held, a blank leaves it
  alone (an SSD extract is the source system's whole record of the child);
- a referral (`ssd_cin_episodes`) by child and referral date; an assessment, CIN plan, S47 enquiry, CP plan,
  initial conference and review conference by child and date (a second row of the same kind on the same day
  by its order in the extract); a care episode by child, start and reason (RNE), with its placement and legal
  status; an allocation (`ssd_involvements`) by child and start; an address by child and start;
- a worker (`ssd_professionals`) by username, case-insensitively; one not held is added as an inactive user
  who cannot sign in, in the team named by the extract (added if not held); a team by name.
The extract's own row identifiers only join its tables to each other; OpenCSC does not keep them.

Every readable child is kept (ADR 0011, `opencsc.returns.flags`), each problem flagged on the data-quality
worklist with its rule, reason, file and line:
- a code outside the DfE list: stored as given; a date that is not a date (YYYY-MM-DD, a time after it
  ignored) or is in the future: left blank, and the row left out when it cannot be stored without it (a
  referral's date); an end before its start: left blank;
- a row whose child is not in `ssd_person`: the child is kept, named "Unknown", and flagged; a row whose
  referral, plan or worker is not in the extract: stored without the link, flagged;
- a UPN given for a second LA child ID (in the extract or held for another child): both kept, flagged;
- a row the database refuses: left out with its reason, the rest of the child kept.
A file that cannot be read at all (not UTF-8 text, not CSV, a header that is no SSD table's, an unterminated
quoted value at the end of a truncated file) is refused with its line and reason, and then nothing of the
extract is written: its tables refer to each other, and half an extract would be a half-true record. A row
cut short (a truncated file ending mid-row) is kept with what it holds and flagged.
Each child changed gets one audit event, verb "import.ssd", with no actor (the system) unless one is given.
"""

import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.casework.models import (
    Allocation,
    Assessment,
    AssessmentOutcome,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    Section47Enquiry,
    Section47Outcome,
)
from opencsc.core.working_days import authority_calendar
from opencsc.frontdoor.models import Channel, Contact, ContactChild, ContactStatus, Decision, Referral
from opencsc.looked_after.models import Episode
from opencsc.people.identifiers import name_key, postcode_key, upn_problem
from opencsc.people.models import Child, ChildAddress, ChildDisability, Relationship, RelationshipType
from opencsc.returns.flags import ImportFlag, clean_keeping, date_problem
from opencsc.returns.importing import (
    BatchImport,
    Counts,
    CsvFormat,
    Identities,
    Progress,
    RowError,
    Store,
    chunks,
    hold_children,
    in_unit,
    noon,
    read_csv_table,
    refusal_reason,
)
from opencsc.returns.registry import ImportProblem, ImportReport
from opencsc.returns.ssd.tables import (
    ADDRESS_KEYS,
    CARE_HOME_ADDRESS_TYPE,
    PREVIOUS_PLANS_COLUMN,
    TABLES,
)

IMPORTED_TEAM = "Teams named in imported returns"
UNKNOWN_NAME = "Unknown"
DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T][0-9:.]*)?")
FORMULA_START = ("'=", "'+", "'-", "'@")
# The column that says whose row it is, for each table that has one; the first column (its key) otherwise.
PERSON_COLUMN = {
    name: next((column for column in columns if column.endswith("_person_id")), "")
    for name, columns in TABLES.items()
}


# Reading -------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    table: str
    path: Path
    line: int
    values: dict[str, str]
    flags: list = field(default_factory=list, repr=False)  # the extract's flags, shared by its rows

    def text(self, name: str) -> str:
        value = (self.values.get(name) or "").strip()
        return value[1:] if value.startswith(FORMULA_START) else value

    @property
    def person(self) -> str:
        return self.text(PERSON_COLUMN[self.table])[:20] if PERSON_COLUMN[self.table] else ""

    @property
    def key(self) -> str:
        return self.text(TABLES[self.table][0])

    def flag(self, rule: str, reason: str, *columns: str) -> None:
        self.flags.append(
            ImportFlag(
                rule=rule,
                reason=reason,
                file=str(self.path),
                line=self.line,
                la_child_id=self.person,
                fields="; ".join(f"{name}={self.text(name) or '(blank)'}" for name in columns),
            )
        )

    def date(self, name: str, *, required: bool = False, today: dt.date, born: dt.date | None = None):
        """The column's date, blank (flagged) when it is not a date or is impossible (in the future, before the
        child's birth); a required one that is not a date leaves the row out (RowError)."""
        value = self.text(name)
        if not value:
            if required:
                raise RowError("IMPORT-REQUIRED", f"{name} is blank: the row is not stored")
            return None
        day = _day(value)
        if day is None:
            reason = f"{name} '{value}' is not a date in the form YYYY-MM-DD"
            if required:
                raise RowError("IMPORT-DATE", f"{reason}: the row is not stored")
            self.flag("IMPORT-DATE", f"{reason}: left blank", name)
            return None
        if problem := date_problem(day, born=born, today=today):
            kept = "kept as given" if required else "left blank"
            self.flag("IMPORT-DATE-RANGE", f"{name} {value} {problem}: {kept}", name)
            return day if required else None
        return day

    def end(self, name: str, start: dt.date | None, start_name: str, *, today: dt.date):
        ended = self.date(name, today=today)
        if ended and start and ended < start:
            self.flag("IMPORT-DATE-ORDER", f"{name} is before {start_name}: left blank", start_name, name)
            return None
        return ended

    def yes(self, name: str) -> bool | None:
        value = self.text(name).upper()
        if not value:
            return None
        if value in ("Y", "YES", "1", "TRUE"):
            return True
        if value in ("N", "NO", "0", "FALSE"):
            return False
        self.flag("IMPORT-CODE", f"{name} '{self.text(name)}' is not Y or N: left blank", name)
        return None

    def outcomes(self, name: str) -> set[str]:
        """The keys of a JSON outcome column whose value is a yes; a value that is not a JSON object is flagged."""
        value = self.text(name)
        if not value:
            return set()
        try:
            outcome = json.loads(value)
        except ValueError:
            outcome = None
        if not isinstance(outcome, dict):
            self.flag("IMPORT-CODE", f"{name} is not a JSON object: read as no outcome", name)
            return set()
        return {
            key.upper() for key, flag in outcome.items() if str(flag).strip().upper() in ("Y", "YES", "1")
        }


def _day(value: str) -> dt.date | None:
    shape = DAY.fullmatch(value)
    if shape is None:
        return None
    try:
        return dt.date(int(shape[1]), int(shape[2]), int(shape[3]))
    except ValueError:
        return None


def table_for_header(header: list[str]) -> str | None:
    """The SSD table whose columns the header has most of (its person or key column among them), or None."""
    given = set(header)
    best, score = None, 0
    for name, columns in TABLES.items():
        needed = PERSON_COLUMN[name] or columns[0]
        overlap = len(given & set(columns))
        if needed in given and overlap > score:
            best, score = name, overlap
    return best


def table_and_missing_columns(header: list[str]) -> tuple[str, list[str]] | None:
    """The SSD table a header is for and the columns of it the header lacks, or None."""
    table = table_for_header(header)
    if table is None:
        return None
    return table, [column for column in TABLES[table] if column not in header]


SSD_CSV = CsvFormat(
    normalise=lambda column: column.strip().lower(),
    table_for=table_and_missing_columns,
    unknown_header="the header is not one of the SSD tables' headers (see docs/ssd.md)",
    make_row=Row,
    strict=True,
)


@dataclass
class Extract:
    """The tables of an extract: each table's rows, and the rows of each child by table."""

    source: str
    tables: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    flags: list = field(default_factory=list)

    def __post_init__(self):
        self.by_person: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        self.by_key: dict[str, dict[str, Row]] = defaultdict(dict)

    def index(self) -> None:
        self.factors = {row.text("cinf_assessment_id"): row for row in self.tables["ssd_assessment_factors"]}
        for table, rows in self.tables.items():
            for row in rows:
                if row.person:
                    self.by_person[row.person][table].append(row)
                if row.key:
                    self.by_key[table].setdefault(row.key, row)

    def rows(self, person: str, table: str) -> list[Row]:
        return self.by_person.get(person, {}).get(table, [])

    def people(self) -> list[str]:
        """Every child the extract names: those in ssd_person in its order, then the others."""
        listed = list(dict.fromkeys(row.person for row in self.tables["ssd_person"] if row.person))
        return listed + sorted(set(self.by_person) - set(listed))


def read_extract(paths, report: ImportReport) -> Extract | None:
    """The extract in the folders and files given, or None (nothing to import) when a file was refused."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv"))
        else:
            files.append(path)
    extract = Extract(", ".join(str(p) for p in map(Path, paths)))
    refused = len(report.files_refused)
    read = []
    for path in files:
        if found := read_csv_table(path, report, extract.flags, SSD_CSV):
            table, rows = found
            extract.tables[table].extend(rows)
            read.append(str(path))
    if len(report.files_refused) > refused:
        return None
    if not files:
        report.files_refused.append(ImportProblem(extract.source, "there are no CSV files to read"))
        return None
    report.files_read.extend(read)
    extract.index()
    return extract


# Mapping -------------------------------------------------------------------------------------------------------

REFERRAL_ROUTE = {"STRATEGY_DISCUSSION_FLAG": Decision.STRATEGY_DISCUSSION}
ASSESSMENT_OUTCOMES = (
    ("NFA_FLAG", AssessmentOutcome.NO_FURTHER_ACTION),
    ("PROV_OF_SERVICES_FLAG", AssessmentOutcome.SUPPORT_REQUIRED),
    ("REFERRAL_TO_OTHER_AGENCY_FLAG", AssessmentOutcome.EARLY_HELP),
)
S47_OUTCOMES = (
    ("CP_CONFERENCE_FLAG", Section47Outcome.CONCERNS_SUBSTANTIATED_ICPC),
    ("NFA_CONTINUE_SINGLE_FLAG", Section47Outcome.CONCERNS_SUBSTANTIATED_NO_ICPC),
    ("NFA_FLAG", Section47Outcome.NOT_SUBSTANTIATED),
)
# Rows of a child the extract may match, read in bulk before it is mapped.
CHILD_ROWS = (
    ChildDisability,
    ChildAddress,
    Referral,
    Assessment,
    ChildInNeedPlan,
    Section47Enquiry,
    ChildProtectionConference,
    ChildProtectionPlan,
    Episode,
    Allocation,
    Relationship,
)


CONTACT_DECISIONS = (
    ("CP_ENQUIRY_FLAG", Decision.STRATEGY_DISCUSSION),
    ("NEW_REFERRAL_FLAG", Decision.ASSESSMENT),
    ("EXISTING_REFERRAL_FLAG", Decision.ASSESSMENT),
    ("NFA_FLAG", Decision.NO_FURTHER_ACTION),
    ("ADVICE_FLAG", Decision.ADVICE),
    ("OTHER_OUTCOMES_EXIST_FLAG", Decision.EARLY_HELP),
)
CONTACT_ID_PART = "-CONT-"  # OpenCSC's own contact identifiers: <LA child ID>-CONT-<contact reference>


def contact_reference(person: str, contact_id: str) -> str:
    """The reference an imported contact is kept under: the reference in an identifier OpenCSC wrote, else one
    made from the child and the extract's identifier (the same for the same row in every import)."""
    if contact_id.startswith(person + CONTACT_ID_PART):
        reference = contact_id[len(person) + len(CONTACT_ID_PART) :]
        if 0 < len(reference) <= 20:
            return reference
    return "SSD-" + hashlib.sha1(f"{person}/{contact_id}".encode()).hexdigest()[:16].upper()


def _first(outcomes: set[str], choices) -> str:
    return next((value for key, value in choices if key in outcomes), "")


class _Writer:
    """Maps one child's rows into the batch's store, counting what it creates and changes. Each row is a unit:
    one that cannot be stored is left out and flagged, and the child keeps the rest."""

    def __init__(self, batch: "_ExtractImport", store: Store, counts: Counts, person: str):
        self.batch, self.store, self.counts, self.person = batch, store, counts, person
        self.extract, self.today = batch.extract, batch.today
        self.row: Row | None = None
        self.seen: dict[tuple, int] = defaultdict(
            int
        )  # (model, lookup) -> rows of the extract matched so far
        self.born: dt.date | None = None

    # Helpers ---------------------------------------------------------------------------------------------------

    def flag(self, rule: str, reason: str, fields: str) -> None:
        row = self.row
        self.extract.flags.append(
            ImportFlag(
                rule, reason, str(row.path) if row else "", row.line if row else None, self.person, fields
            )
        )

    def upsert(self, model, child: Child, lookup: dict, values: dict, *, create_only: dict | None = None):
        """The row matching `lookup` (the nth such row for the nth row of the extract with that key), created
        with `values` or brought up to them; a None in `values` leaves the held value alone."""
        values = {name: value for name, value in values.items() if value is not None}
        related = [f.name for f in model._meta.concrete_fields if f.is_relation]
        key = (model, tuple(sorted((k, str(v)) for k, v in lookup.items())))
        nth = self.seen[key]
        self.seen[key] += 1
        matches = [
            held
            for held in self.store.owned(model, child)
            if all(getattr(held, name) == value for name, value in lookup.items())
        ]
        label = model._meta.verbose_name
        if nth >= len(matches):
            row = model(child=child, **lookup, **values, **(create_only or {}))
            clean_keeping(row, exclude=related, flag=self.flag)
            self.store.add(row, owner=child)
            self.counts.note(f"{label} created")
            return row
        row = matches[nth]
        before = self.store.snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        clean_keeping(row, exclude=related, flag=self.flag)
        if named := [name for name in self.store.changed(row, before) if name in values]:
            self.counts.note(f"{label} updated", ", ".join(named))
        return row

    def unit(self, row: Row, what: str, write) -> object:
        """`write()` as a unit: a row that cannot be stored is flagged and left out, the child kept."""
        self.row = row
        try:
            return in_unit(self.store, self.counts, write)
        except RowError as error:
            row.flag(error.rule, error.reason)
        except (ValidationError, IntegrityError) as error:
            row.flag("IMPORT-NOT-STORED", f"the {what}: {refusal_reason(error)}: not stored")
        return None

    def linked(self, row: Row, column: str, table: str, found: dict) -> object:
        """The record the row refers to through `column` (a row of `table` mapped earlier), or None, flagged
        when the extract names one it does not hold."""
        key = row.text(column)
        if not key:
            return None
        if key in found:
            return found[key]
        row.flag(
            "IMPORT-NOT-STORED",
            f"{column} '{key}' is not a row of {table} for this child: left blank",
            column,
        )
        return None

    def date(self, row: Row, name: str, **options):
        return row.date(name, today=self.today, born=self.born, **options)

    # The child -------------------------------------------------------------------------------------------------

    def child(self) -> Child:
        people = self.extract.rows(self.person, "ssd_person")
        row = people[0] if people else None
        for duplicate in people[1:]:
            duplicate.flag(
                "IMPORT-DUPLICATE",
                f"child {self.person} is listed again (first at line {row.line}): the first is read",
                "pers_person_id",
            )
        child = self.store.keyed(Child, self.person)
        details = self.details(row) if row else {}
        if row is None:
            first_row = next(r for rows in self.extract.by_person[self.person].values() for r in rows)
            first_row.flag(
                "IMPORT-NO-HEADER",
                f"child {self.person} is in {first_row.table} but not in ssd_person: kept, named '{UNKNOWN_NAME}'",
            )
        self.row = row
        if child is None:
            child = Child(la_child_id=self.person, first_name=UNKNOWN_NAME, last_name=self.person, sex="U")
            for name, value in details.items():
                setattr(child, name, value)
            child.first_name_key, child.last_name_key = name_key(child.first_name), name_key(child.last_name)
            clean_keeping(child, exclude=["responsible_team", "upn"], flag=self.flag)
            self.store.add(child, key=self.person)
            self.counts.note("child created")
        elif details:
            before = self.store.snapshot(child)
            for name, value in details.items():
                setattr(child, name, value)
            child.first_name_key, child.last_name_key = name_key(child.first_name), name_key(child.last_name)
            clean_keeping(child, exclude=["responsible_team", "upn"], flag=self.flag)
            if changed := self.store.changed(child, before):
                self.counts.note("child updated", ", ".join(sorted(changed)))
        self.born = child.date_of_birth
        return child

    def details(self, row: Row) -> dict:
        upn = row.text("pers_common_child_id").upper()
        if upn and (problem := upn_problem(upn)):
            row.flag("IMPORT-UPN", f"pers_common_child_id {problem}: kept as given", "pers_common_child_id")
        where = f"line {row.line} of {row.path.name}"
        if reason := self.batch.identities.check(upn, self.person, where):
            row.flag("IMPORT-SAME-CHILD", reason, "pers_common_child_id")
        values = {
            "first_name": row.text("pers_forename")[:100],
            "last_name": row.text("pers_surname")[:100],
            "sex": row.text("pers_sex").upper()[:1],
            "ethnicity": row.text("pers_ethnicity").upper()[:4],
            "upn": upn[:13],
            "upn_unknown_reason": row.text("pers_upn_unknown").upper()[:3],
            "date_of_birth": row.date("pers_dob", today=self.today),
            "expected_date_of_birth": row.date("pers_expected_dob", today=dt.date.max),
            "date_of_death": row.date("pers_death_date", today=self.today),
        }
        if len(row.text("pers_person_id")) > 20:
            row.flag(
                "IMPORT-ID",
                "pers_person_id is longer than 20 characters: its first 20 kept",
                "pers_person_id",
            )
        return {name: value for name, value in values.items() if value}

    # Rows ------------------------------------------------------------------------------------------------------

    def everything(self, child: Child) -> None:
        x = self.extract
        p = self.person
        for row in x.rows(p, "ssd_disability"):
            self.unit(row, "disability", lambda row=row: self.disability(child, row))
        for row in x.rows(p, "ssd_address"):
            if row.text("addr_address_type").upper() != CARE_HOME_ADDRESS_TYPE:
                self.unit(row, "address", lambda row=row: self.address(child, row))
        referrals: dict[str, Referral] = {}
        for row in x.rows(p, "ssd_cin_episodes"):
            if referral := self.unit(row, "referral", lambda row=row: self.referral(child, row)):
                referrals[row.key] = referral
        for row in x.rows(p, "ssd_cin_assessments"):
            self.unit(row, "assessment", lambda row=row: self.assessment(child, row, referrals))
        for row in x.rows(p, "ssd_cin_plans"):
            self.unit(row, "CIN plan", lambda row=row: self.cin_plan(child, row, referrals))
        enquiries: dict[str, Section47Enquiry] = {}
        for row in x.rows(p, "ssd_s47_enquiry"):
            if enquiry := self.unit(
                row, "section 47 enquiry", lambda row=row: self.enquiry(child, row, referrals)
            ):
                enquiries[row.key] = enquiry
        conferences: dict[str, ChildProtectionConference] = {}
        for row in x.rows(p, "ssd_initial_cp_conference"):
            conference = self.unit(
                row, "initial conference", lambda row=row: self.icpc(child, row, enquiries)
            )
            if conference:
                conferences[row.key] = conference
        plans: dict[str, ChildProtectionPlan] = {}
        for index, row in enumerate(x.rows(p, "ssd_cp_plans")):
            plan = self.unit(
                row, "CP plan", lambda row=row, i=index: self.cp_plan(child, row, i, referrals, conferences)
            )
            if plan:
                plans[row.key] = plan
        for row in x.rows(p, "ssd_cp_reviews"):
            self.unit(row, "CP review", lambda row=row: self.cp_review(child, row, plans))
        for row in x.rows(p, "ssd_cla_episodes"):
            self.unit(row, "care episode", lambda row=row: self.episode(child, row))
        for row in x.rows(p, "ssd_involvements"):
            self.unit(row, "allocation", lambda row=row: self.allocation(child, row))
        for row in x.rows(p, "ssd_family"):
            self.unit(row, "family", lambda row=row: self.family(child, row))
        for row in x.rows(p, "ssd_contacts"):
            self.unit(row, "contact", lambda row=row: self.contact(child, row))

    def contact(self, child: Child, row: Row) -> None:
        """A contact about the child: found by its reference (`contact_reference`), with the child named in it.
        The SSD holds a contact's date, source and outcome only; OpenCSC needs a channel, recorded as a letter,
        and its concerns say that the contact came from an extract. One with no outcome awaits a decision."""
        received = self.date(row, "cont_contact_date", required=True)
        reference = contact_reference(self.person, row.key)
        contact = self.store.keyed(Contact, reference)
        if contact is None:
            decision = _first(row.outcomes("cont_contact_outcome_json"), CONTACT_DECISIONS)
            contact = Contact(
                reference=reference,
                received_at=noon(received),
                channel=Channel.LETTER,
                source=row.text("cont_contact_source_code").upper()[:2],
                concerns=f"Imported from a standard safeguarding dataset extract (contact {row.key[:100]}); "
                "the extract holds no account of the concerns.",
                decision_due_on=self.batch.calendar.add_working_days(received, 1),
                status=ContactStatus.DECIDED if decision else ContactStatus.AWAITING_TRIAGE,
                decision=decision,
                decided_at=noon(received) if decision else None,
            )
            clean_keeping(contact, exclude=["triaged_by", "decided_by", "recorded_by"], flag=self.flag)
            self.store.add(contact, key=reference)
            self.counts.note("contact created")
        if self.store.find(ContactChild, child, contact=contact) is None:
            self.store.add(ContactChild(contact=contact, child=child), owner=child)
            self.counts.note("child named in a contact", reference)

    def disability(self, child: Child, row: Row) -> None:
        code = row.text("disa_disability_code").upper()
        if not code:
            raise RowError("IMPORT-REQUIRED", "disa_disability_code is blank: the row is not stored")
        if self.store.find(ChildDisability, child, code=code) is None:
            disability = ChildDisability(child=child, code=code[:4])
            clean_keeping(disability, exclude=["child"], flag=self.flag)
            self.store.add(disability, owner=child)
            self.counts.note("disability added", code)

    def address(self, child: Child, row: Row) -> None:
        moved_in = self.date(row, "addr_address_start_date", required=True)
        try:
            parts = json.loads(row.text("addr_address_json") or "{}")
        except ValueError:
            parts = {}
        parts = parts if isinstance(parts, dict) else {}
        text = {key: str(parts.get(key) or "").strip() for key in ADDRESS_KEYS}
        postcode = row.text("addr_address_postcode").upper()
        self.upsert(
            ChildAddress,
            child,
            {"moved_in_on": moved_in},
            {
                "line_1": text["STREET"]
                or " ".join(filter(None, (text["FLAT"], text["HOUSE"])))
                or "(not given)",
                "line_2": text["BUILDING"][:200],
                "town": text["TOWN"][:100] or "(not given)",
                "postcode": postcode[:8],
                "postcode_key": postcode_key(postcode)[:7],
                "moved_out_on": row.end(
                    "addr_address_end_date", moved_in, "addr_address_start_date", today=self.today
                ),
            },
        )

    def team(self, name: str) -> Team | None:
        if not name:
            return None
        team = self.store.keyed(Team, name.lower())
        if team is None:
            team = self.store.add(Team(name=name[:120], kind=TeamKind.CHILD_IN_NEED), key=name.lower())
            self.counts.note("team added", name)
        return team

    def worker(self, username: str) -> User | None:
        if not username:
            return None
        worker = self.store.keyed(User, username.lower())
        if worker is not None:
            return worker
        professional = self.extract.by_key["ssd_professionals"].get(username)
        if professional is None:
            self.row.flag(
                "IMPORT-NOT-STORED", f"worker '{username}' is not in ssd_professionals: added by ID only"
            )
        name = professional.text("prof_professional_name") if professional else ""
        first, _, last = name.rpartition(" ") if " " in name else ("", "", name or username)
        team_name = professional.text("prof_professional_department") if professional else ""
        worker = User(
            username=username.lower()[:150],
            role=Role.SOCIAL_WORKER,
            team=self.team(team_name) or self.team(IMPORTED_TEAM),
            is_active=False,
            first_name=first[:150],
            last_name=last[:150],
            job_title=professional.text("prof_professional_job_title")[:120] if professional else "",
            fte=_fte(professional.text("prof_full_time_equivalency")) if professional else 1,
        )
        worker.set_unusable_password()
        self.store.add(worker, key=username.lower())
        self.counts.note("worker added", username)
        return worker

    def referral(self, child: Child, row: Row) -> Referral:
        referred = self.date(row, "cine_referral_date", required=True)
        outcomes = row.outcomes("cine_referral_outcome_json")
        route = (
            Decision.STRATEGY_DISCUSSION if "STRATEGY_DISCUSSION_FLAG" in outcomes else Decision.ASSESSMENT
        )
        closed = row.end("cine_close_date", referred, "cine_referral_date", today=self.today)
        return self.upsert(
            Referral,
            child,
            {"referral_date": referred},
            {
                "source": row.text("cine_referral_source_code").upper()[:2],
                "primary_need": row.text("cine_cin_primary_need_code").upper()[:2],
                "is_nfa": row.yes("cine_referral_nfa") or "NFA_FLAG" in outcomes,
                "closed_on": closed,
                "closure_reason": row.text("cine_close_reason").upper()[:3] if closed else None,
                "team": self.team(row.text("cine_referral_team")),
                "route": route,
            },
        )

    def assessment(self, child: Child, row: Row, referrals: dict) -> Assessment:
        started = self.date(row, "cina_assessment_start_date", required=True)
        authorised = row.end(
            "cina_assessment_auth_date", started, "cina_assessment_start_date", today=self.today
        )
        outcomes = row.outcomes("cina_assessment_outcome_json")
        if row.yes("cina_assessment_outcome_nfa"):
            outcomes.add("NFA_FLAG")
        factors = self.factors(row.key)
        return self.upsert(
            Assessment,
            child,
            {"started_on": started},
            {
                "referral": self.linked(row, "cina_referral_id", "ssd_cin_episodes", referrals),
                "authorised_on": authorised,
                "outcome": _first(outcomes, ASSESSMENT_OUTCOMES) or None,
                "factors": factors,
                "worker": self.worker(row.text("cina_assessment_worker_id")),
            },
        )

    def factors(self, assessment_id: str) -> list[str] | None:
        row = self.extract.factors.get(assessment_id)
        if row is None:
            return None
        try:
            value = json.loads(row.text("cinf_assessment_factors_json") or "[]")
        except ValueError:
            value = None
        if isinstance(value, dict):  # the specification's planned form: {"1A": "Yes", ...}
            value = [code for code, said in value.items() if str(said).strip().upper() in ("Y", "YES", "1")]
        if not isinstance(value, list):
            row.flag(
                "IMPORT-CODE",
                "cinf_assessment_factors_json is not a JSON list: left out",
                "cinf_assessment_factors_json",
            )
            return None
        return [str(code).strip().upper() for code in value]

    def cin_plan(self, child: Child, row: Row, referrals: dict) -> ChildInNeedPlan:
        started = self.date(row, "cinp_cin_plan_start_date", required=True)
        return self.upsert(
            ChildInNeedPlan,
            child,
            {"started_on": started},
            {
                "referral": self.linked(row, "cinp_referral_id", "ssd_cin_episodes", referrals),
                "ended_on": row.end(
                    "cinp_cin_plan_end_date", started, "cinp_cin_plan_start_date", today=self.today
                ),
            },
        )

    def enquiry(self, child: Child, row: Row, referrals: dict) -> Section47Enquiry:
        started = self.date(row, "s47e_s47_start_date", required=True)
        outcomes = row.outcomes("s47e_s47_outcome_json")
        return self.upsert(
            Section47Enquiry,
            child,
            {"started_on": started},
            {
                "referral": self.linked(row, "s47e_referral_id", "ssd_cin_episodes", referrals),
                "completed_on": row.end(
                    "s47e_s47_end_date", started, "s47e_s47_start_date", today=self.today
                ),
                "outcome": _first(outcomes, S47_OUTCOMES) or None,
            },
        )

    def icpc(self, child: Child, row: Row, enquiries: dict) -> ChildProtectionConference:
        held = self.date(row, "icpc_icpc_date", required=True)
        plan_row = self.extract.by_key["ssd_cp_plans"].get(row.text("icpc_cp_plan_id"))
        return self.upsert(
            ChildProtectionConference,
            child,
            {"kind": ConferenceKind.INITIAL, "held_on": held},
            {
                "section_47": self.linked(row, "icpc_s47_enquiry_id", "ssd_s47_enquiry", enquiries),
                "plan_decided": bool(row.yes("icpc_icpc_outcome_cp_flag")),
            },
            create_only={
                "category": plan_row.text("cppl_cp_plan_initial_category").upper()[:3] if plan_row else ""
            },
        )

    def cp_plan(self, child, row: Row, index: int, referrals: dict, conferences: dict) -> ChildProtectionPlan:
        started = self.date(row, "cppl_cp_plan_start_date", required=True)
        given = row.text(PREVIOUS_PLANS_COLUMN)
        previous = (
            int(given) if given.isdigit() else index
        )  # the SSD's count: the plans before it in the extract
        return self.upsert(
            ChildProtectionPlan,
            child,
            {"started_on": started},
            {
                "referral": self.linked(row, "cppl_referral_id", "ssd_cin_episodes", referrals),
                "initial_conference": self.linked(
                    row, "cppl_icpc_id", "ssd_initial_cp_conference", conferences
                ),
                "ended_on": row.end(
                    "cppl_cp_plan_end_date", started, "cppl_cp_plan_start_date", today=self.today
                ),
                "initial_category": row.text("cppl_cp_plan_initial_category").upper()[:3],
                "latest_category": row.text("cppl_cp_plan_latest_category").upper()[:3]
                or row.text("cppl_cp_plan_initial_category").upper()[:3],
                "previous_plans": previous,
            },
        )

    def cp_review(self, child: Child, row: Row, plans: dict) -> ChildProtectionConference:
        held = self.date(row, "cppr_cp_review_date", required=True)
        plan = self.linked(row, "cppr_cp_plan_id", "ssd_cp_plans", plans)
        return self.upsert(
            ChildProtectionConference,
            child,
            {"kind": ConferenceKind.REVIEW, "held_on": held},
            {"plan": plan, "plan_decided": bool(row.yes("cppr_cp_review_outcome_continue_cp"))},
            create_only={"category": plan.latest_category if plan else ""},
        )

    def episode(self, child: Child, row: Row) -> Episode:
        started = self.date(row, "clae_cla_episode_start_date", required=True)
        reason = row.text("clae_cla_episode_start_reason").upper()[:1]
        placement = self.extract.by_key["ssd_cla_placement"].get(row.text("clae_cla_placement_id"))
        if placement is None and row.text("clae_cla_placement_id"):
            row.flag(
                "IMPORT-PLACEMENT", "clae_cla_placement_id is not a row of ssd_cla_placement: placement blank"
            )
        ended = row.end(
            "clae_cla_episode_ceased_date", started, "clae_cla_episode_start_date", today=self.today
        )
        place = (lambda name: placement.text(name)) if placement else (lambda name: "")
        distance = _decimal(place("clap_cla_placement_distance"))
        return self.upsert(
            Episode,
            child,
            {"started_on": started, "reason_new_episode": reason},
            {
                "legal_status": self.legal_status(started),
                "category_of_need": row.text("clae_cla_primary_need_code").upper()[:2],
                "placement_type": place("clap_cla_placement_type").upper()[:3],
                "placement_provider": place("clap_cla_placement_provider").upper()[:3],
                "urn": place("clap_cla_placement_urn")[:8],
                "placement_postcode": place("clap_cla_placement_postcode").upper()[:8],
                "distance_miles": distance,
                "reason_placement_changed": place("clap_cla_placement_change_reason").upper()[:6],
                "home_postcode": self.home_postcode(started),
                "ended_on": ended,
                "reason_ceased": row.text("clae_cla_episode_ceased_reason").upper()[:3] if ended else "",
            },
        )

    def legal_status(self, day: dt.date) -> str:
        """The legal status that began with the episode, or else the one in force on its first day."""
        rows = self.extract.rows(self.person, "ssd_legal_status")
        dated = [(_day(r.text("lega_legal_status_start_date")), r) for r in rows]
        exact = [r for start, r in dated if start == day]
        current = [
            r for start, r in sorted(dated, key=lambda pair: pair[0] or dt.date.min) if start and start <= day
        ]
        chosen = exact[0] if exact else (current[-1] if current else None)
        return chosen.text("lega_legal_status").upper()[:2] if chosen else ""

    def home_postcode(self, day: dt.date) -> str:
        """The HOME_POST address written for the episode, else the address the child lived at that day."""
        rows = self.extract.rows(self.person, "ssd_address")
        fallback = ""
        for r in rows:
            start, end = _day(r.text("addr_address_start_date")), _day(r.text("addr_address_end_date"))
            if r.text("addr_address_type").upper() == CARE_HOME_ADDRESS_TYPE and start == day:
                return r.text("addr_address_postcode").upper()[:8]
            if start and start <= day and (end is None or day <= end):
                fallback = r.text("addr_address_postcode").upper()[:8]
        return fallback

    def allocation(self, child: Child, row: Row) -> Allocation | None:
        started = self.date(row, "invo_involvement_start_date", required=True)
        worker = self.worker(row.text("invo_professional_id"))
        if worker is None:
            raise RowError("IMPORT-REQUIRED", "invo_professional_id is blank: the allocation is not stored")
        team = self.team(row.text("invo_professional_team")) or worker.team
        return self.upsert(
            Allocation,
            child,
            {"started_on": started},
            {
                "worker": worker,
                "team": team,
                "ended_on": row.end(
                    "invo_involvement_end_date", started, "invo_involvement_start_date", today=self.today
                ),
                "change_reason": row.text("invo_worker_change_reason").upper()[:6],
            },
        )

    def family(self, child: Child, row: Row) -> None:
        """Each other child of the family, in the extract before this one, is this child's sibling: one
        relationship from the later child to the earlier, unless one is held either way."""
        family = row.text("fami_family_id")
        for other in self.batch.families.get(family, []):
            if other is child:
                return
            held = self.store.find(Relationship, child, related_child=other) or self.store.find(
                Relationship, other, related_child=child
            )
            if held is None:
                self.store.add(
                    Relationship(child=child, related_child=other, kind=RelationshipType.SIBLING), owner=child
                )
                self.counts.note("relationship added", other.la_child_id)


def _fte(value: str) -> Decimal:
    try:
        fte = Decimal(value).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal(1)
    return fte if 0 < fte <= 9 else Decimal(1)


def _decimal(value: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value).quantize(Decimal("0.1")) if abs(Decimal(value)) < 10000 else None
    except InvalidOperation:
        return None


class _ExtractImport(BatchImport):
    """One extract: its children, each mapped from its rows in every table."""

    verb = "import.ssd"
    what = "children"

    def __init__(self, extract: Extract, **options):
        super().__init__(**options)
        self.extract = extract
        self.initial_flags = list(extract.flags)
        self.people = extract.people()
        self.lines = {}  # person -> (file, line) of the child's first row
        for person in self.people:
            first = next(row for rows in extract.by_person[person].values() for row in rows)
            self.lines[person] = (first.path, first.line)
        self.families: dict[str, list[Child]] = defaultdict(list)

    def reset(self) -> None:
        self.extract.flags[:] = list(self.initial_flags)
        self.families.clear()

    def prefetch(self, store: Store) -> None:
        self.children = hold_children(store, self.people, CHILD_ROWS)
        self.calendar = authority_calendar()
        held = sorted(self.children)
        for chunk in chunks(held):
            subjects = (
                ContactChild.objects.filter(child_id__in=chunk).select_related("contact").order_by("pk")
            )
            store.hold(subjects, owner_field="child", owners=self.children)
        references = {
            contact_reference(row.person, row.key)
            for row in self.extract.tables["ssd_contacts"]
            if row.person
        }
        for chunk in chunks(sorted(references)):
            store.hold(Contact.objects.filter(reference__in=chunk).order_by("pk"), key=lambda c: c.reference)
        for team in Team.objects.order_by("pk"):
            store.hold([team], key=lambda t: t.name.lower())
        usernames = {
            row.text(column).lower()
            for table, column in (
                ("ssd_professionals", "prof_professional_id"),
                ("ssd_involvements", "invo_professional_id"),
                ("ssd_cin_assessments", "cina_assessment_worker_id"),
            )
            for row in self.extract.tables[table]
            if row.text(column)
        }
        for chunk in chunks(sorted(usernames)):
            store.hold(
                User.objects.filter(username__in=chunk).order_by("pk"), key=lambda user: user.username.lower()
            )
        upns = {row.text("pers_common_child_id").upper() for row in self.extract.tables["ssd_person"]}
        self.identities = Identities.read(upns, set(self.people))

    def records(self):
        for person in self.people:
            yield person, self.lines.get(person), self._mapping(person)

    def _mapping(self, person: str):
        def mapping(store: Store, counts: Counts) -> Child:
            writer = _Writer(self, store, counts, person)
            child = writer.child()
            for row in self.extract.rows(person, "ssd_family"):
                members = self.families[row.text("fami_family_id")]
                if child not in members:
                    members.append(child)
            writer.everything(child)
            return child

        return mapping

    def audit_payload(self, label, changes: list[str]) -> dict:
        return {"extract": self.extract.source, "changes": changes}

    def skipped(self, label, where, error: Exception) -> ImportProblem:
        path, line = where or (self.extract.source, None)
        return ImportProblem(str(path), refusal_reason(error), line, label)


def _collection_year(day: dt.date) -> int:
    return day.year + 1 if day.month >= 4 else day.year


def import_ssd(paths, actor=None, progress: Progress | None = None) -> ImportReport:
    """Import the SSD extract in `paths` (folders of CSV tables, or the CSV files) as one batch."""
    from opencsc.returns.services import import_flags_save

    report = ImportReport()
    extract = read_extract(paths, report)
    if extract is None:
        return report
    with transaction.atomic():
        batch = _ExtractImport(extract, actor=actor, progress=progress)
        written = batch.run()
        if extract.flags:
            run = import_flags_save(
                actor=actor,
                kind="ssd",
                year=_collection_year(timezone.localdate()),
                source=extract.source,
                flags=extract.flags,
            )
            report.runs.append(run.pk)
    for what, n in written.counts.items():
        report.count(what, n)
    report.skipped.extend(written.skipped)
    report.flags.extend(extract.flags)
    return report
