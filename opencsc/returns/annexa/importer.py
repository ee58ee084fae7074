"""Reading an Ofsted Annex A workbook (OpenCSC's or a legacy system's) into the domain model.

Sheets are found by name ("List 3", "List 3 - Referrals", ...), the header row by its "Child Unique ID" cell
within the first 10 rows, and columns by header text (case and spacing ignored; "Age" for "Age of Child
(Years)"). Labels are read by the code inside them (`q) 6: Police` is 6, `N4 - Family in acute stress` is N4),
dates from date cells or dd/mm/yyyy text.

What is read and what it makes (lists 2 and 11, and the columns not named here, are not read: an early help
episode needs its lead professional, whom list 2 does not name, and OpenCSC does not record adopters):
- every list: the child, by Child Unique ID (the same child across lists is one record; a record already held
  keeps what it has and only gains what it lacks), with gender, ethnicity and date of birth (age -1: the
  date is the expected date of birth); disability `a) Yes` adds DDA (other disability) when nothing is held,
  since Annex A does not say which, and `b) No` adds NONE;
- list 3: a referral by child and date, with its source and no-further-action flag (an NFA referral is closed
  the day it was made); list 6: the same referral's primary need, closure date and reason (source 10,
  unknown, when the referral is not in list 3);
- list 4: an assessment by child and start date, with its authorisation, whether the child was seen (the file
  gives no date: the start date is taken) and whether support was required (support, or no further action);
- list 5: a section 47 enquiry by child and start date, whether a conference was unnecessary, and the initial
  conference on its date with whether it made a plan;
- list 7: a child protection plan by child and start date, its categories, end, previous plans and its latest
  review conference;
- list 1: a contact on its date from its source, decided (the decision is the route of a referral made the
  same day, or else no further action: Annex A does not carry it), channel and concerns not known;
- list 8: the latest period of care as episodes: one from the date started, a new one (RNE L, P or B) where
  the current legal status or placement started, each taking the current legal status, category of need and
  placement (Annex A gives no earlier ones), the last ending on the date ceased; also UASC and the latest
  health assessment and dental check. A period already held (an episode starting that day) is not rebuilt;
- list 9: a care leaver's contact, dated the workbook's reference date (OpenCSC writes it in the workbook's
  keywords; for another system's file, the latest date in the lists);
- list 10: the adoption milestones by child and decision date;
- lists 3 to 9: the child's allocation, when the Allocated Team and Allocated Worker name a team and a worker
  (by full name, unique) already held and the child has none open nor one covering the reference date: dated
  the reference date, and the team
  becomes the child's responsible team if it has none, so that the team's workers see the record. Staff are
  never created from a file.

Every child is kept (see `opencsc.returns.flags`), each problem flagged on the data-quality worklist with its
rule, reason, file, sheet and row:
- a label outside Annex A's list is kept as given (its code: `z) 99: Martians` is 99) where the list's values
  are codes, and left blank where they are not (yes/no, in/out); a gender outside the list is recorded as U;
- a date that is not a date cell or dd/mm/yyyy, or is in the future, is left blank; an end before its start
  (closure, authorisation, conference, plan end, review, adoption milestones) is left blank; a current legal
  status or placement said to start before the child became looked after is taken as starting that day; a
  child who ceased without a reason keeps the date ceased, the reason blank;
- a child given with a date of birth or gender other than the one held for its Child Unique ID (in the records
  or an earlier row) keeps the held one, flagged: Annex A has no other identifier (no UPN, no name), so a child
  under two IDs cannot be told from two children, and both are kept;
- a list without a column the import reads is read with that column blank (flagged once, at its header row);
  a list sheet with no header row is not read (flagged), the others are;
- the rows are mapped list by list into the import framework's store and written together (ADR 0023): the
  child of every row first, then the row's record (and allocation) as a unit: a record whose key date cannot
  be read, or that the database refuses, is left out and flagged, the child kept. Only a row with no Child Unique ID is not stored at all (nothing tells its child apart).
Only a file that is not an xlsx workbook, has no sheet named "List 1" to "List 11", has two sheets for one
list, or has no list that can be read is refused whole. Each file is imported in one transaction, its flags
saved as a run of the worklist in the same transaction. Importing the same file twice changes nothing. Each
row that changes something gets an audit event, verb "import.annexa".
"""

import datetime as dt
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from opencsc.accounts.models import Team, User
from opencsc.casework.models import (
    Allocation,
    Assessment,
    AssessmentOutcome,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    Section47Enquiry,
    Section47Outcome,
)
from opencsc.core.codes import Ethnicity, Sex
from opencsc.frontdoor.models import Channel, Contact, ContactChild, ContactStatus, Decision, Referral
from opencsc.looked_after.models import (
    AdoptionMilestones,
    CareLeaverContact,
    Episode,
    HealthAndEducationCheck,
    HealthCheckKind,
    UnaccompaniedAsylumSeeker,
)
from opencsc.people.identifiers import name_key
from opencsc.people.models import Child, ChildDisability
from opencsc.returns.annexa import layout as L
from opencsc.returns.annexa.export import REFERENCE_KEYWORD
from opencsc.returns.flags import ImportFlag, clean_keeping
from opencsc.returns.importing import (
    BATCH_SIZE,
    BatchImport,
    Counts,
    Progress,
    RowError,
    Store,
    chunks,
    hold_children,
    in_unit,
    refusal_reason,
)
from opencsc.returns.registry import ImportProblem, ImportReport

HEADER_SEARCH_ROWS = 10
SHEET_NAME = re.compile(r"^\s*list\s*(\d+)\b", re.IGNORECASE)

# The columns each list's import reads (besides the child's own columns); the round-trip test compares them.
READ_COLUMNS = {
    1: ("Date of Contact", "Contact Source"),
    3: ("Date of referral", "Referral Source", "Referral NFA?"),
    4: (
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
    ),
    5: (
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
    ),
    6: ("CIN Start Date", "Primary Need Code", "CIN Closure Date", "Reason for Closure"),
    7: (
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Number of Previous Child Protection Plans",
    ),
    8: (
        "UASC within the Last 12 Months (Y/N)",
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Start date of current legal status",
        "Child's Legal Status",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Placement Provider",
        "Placement postcode",
        "URN of Placement",
        "Placement Location",
        "LA of Placement",
    ),
    9: (
        "Eligibility Category",
        "LA in Touch",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ),
    10: (
        "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
        "Date of Adoption Order",
        "Date of Decision that Child Should No Longer be Placed for Adoption",
        "Reason Why Child No Longer Placed for Adoption",
    ),
}
CHILD_COLUMNS = (L.CHILD_ID, "Gender", "Ethnicity", "Date of Birth", L.AGE)
OPTIONAL_COLUMNS = {L.DISABILITY, L.AGE}
# The lists not read, and why.
NOT_READ = {
    2: "an early help episode needs its lead professional, whom Annex A does not name",
    11: "adopters are not recorded in OpenCSC",
}
WRITE_ORDER = (3, 6, 4, 5, 7, 1, 8, 9, 10)


@dataclass
class _Row:
    number: int
    line: int
    values: dict  # header -> raw cell value
    sheet: str = ""
    file: str = ""
    flags: list = field(default_factory=list, repr=False)  # the workbook's flags, shared by its rows
    today: dt.date | None = None

    def text(self, column: str) -> str:
        value = self.values.get(column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def flag(self, rule: str, reason: str, *columns: str) -> None:
        self.flags.append(
            ImportFlag(
                rule=rule,
                reason=reason,
                file=self.file,
                line=self.line,
                la_child_id=self.text(L.CHILD_ID)[:20],
                fields="; ".join(f"{name}={self.text(name) or '(blank)'}" for name in columns),
                sheet=self.sheet,
            )
        )

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        """The cell's date; a date that cannot be read, or one in the future, is left blank (flagged). A
        required date that cannot be read leaves the row's record out; one in the future is kept as given."""
        value = self.values.get(column)
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        else:
            text = self.text(column)
            if not text:
                if required:
                    raise RowError("IMPORT-REQUIRED", f"'{column}' is empty: the row's record is not stored")
                return None
            try:
                day = dt.datetime.strptime(text, "%d/%m/%Y").date()
            except ValueError:
                reason = f"'{column}' '{text}' is not a date in the form dd/mm/yyyy"
                if required:
                    raise RowError("IMPORT-DATE", f"{reason}: the row's record is not stored") from None
                self.flag("IMPORT-DATE", f"{reason}: left blank", column)
                return None
        if self.today is not None and day > self.today and column != "Date of Birth":
            self.flag(
                "IMPORT-DATE-RANGE",
                f"'{column}' {day:%d/%m/%Y} is in the future: "
                + ("kept as given" if required else "left blank"),
                column,
            )
            return day if required else None
        return day

    def code(self, column: str, mapping: dict, *, required: bool = False):
        """The code the cell's label names. A label outside Annex A's list is kept as given (its code part)
        where the list's values are codes, and left blank where they are not (yes/no, in/out); flagged."""
        text = self.text(column)
        if not text:
            if required:
                self.flag("IMPORT-REQUIRED", f"'{column}' is empty", column)
                return ""
            return None
        try:
            return L.lookup(mapping, text)
        except KeyError:
            codes = all(isinstance(key, str) for key in mapping)
            self.flag(
                "IMPORT-CODE",
                f"'{column}' '{text}' is not a value Annex A allows: "
                + ("kept as given" if codes else "left blank"),
                column,
            )
            return L.code_in(text) if codes else None

    def yes_no(self, column: str) -> bool | None:
        text = self.text(column).casefold()
        words = L.code_in(text)
        if not text or words == "unknown":
            return None
        if words in ("yes", "y"):
            return True
        if words in ("no", "n"):
            return False
        self.flag("IMPORT-CODE", f"'{column}' '{self.text(column)}' is not yes or no: left blank", column)
        return None

    def whole_number(self, column: str) -> int | None:
        text = self.text(column)
        if not text:
            return None
        if not text.isdigit():
            self.flag("IMPORT-CODE", f"'{column}' '{text}' is not a whole number: left blank", column)
            return None
        return int(text)

    def ordered(self, start: dt.date | None, end: dt.date | None, columns: tuple[str, str]) -> dt.date | None:
        """`end`, or None (flagged) when it is before `start`."""
        if start and end and end < start:
            self.flag("IMPORT-DATE-ORDER", f"'{columns[1]}' is before '{columns[0]}': left blank", *columns)
            return None
        return end


@dataclass
class _Sheet:
    number: int
    name: str
    rows: list[_Row] = field(default_factory=list)
    unreadable: str = ""  # why the sheet, which has content, cannot be read: no header row found


class FileRefused(ValueError):
    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason, self.line = reason, line


def read_workbook(path: Path, flags: list | None = None) -> tuple[dict[int, _Sheet], dt.date | None]:
    """The workbook's list sheets and its reference date. A sheet without its header row, or without a
    column the import reads, is flagged in `flags` (the sheet is not read, or the column read as blank)."""
    flags = flags if flags is not None else []
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileRefused(f"not an xlsx workbook ({error})") from None
    try:
        keywords = workbook.properties.keywords or ""
        reference = None
        if keywords.startswith(REFERENCE_KEYWORD):
            try:
                reference = dt.date.fromisoformat(keywords[len(REFERENCE_KEYWORD) :].strip())
            except ValueError:
                reference = None
        sheets: dict[int, _Sheet] = {}
        for worksheet in workbook.worksheets:
            match = SHEET_NAME.match(worksheet.title)
            if not match or not 1 <= int(match.group(1)) <= 11:
                continue
            number = int(match.group(1))
            if number in sheets:
                raise FileRefused(
                    f"two sheets are List {number}: '{sheets[number].name}' and '{worksheet.title}'"
                )
            sheets[number] = _read_sheet(number, worksheet, str(path), flags)
    finally:
        workbook.close()
    if not sheets:
        raise FileRefused("no sheet is named 'List 1' to 'List 11'")
    unreadable = [sheet.unreadable for sheet in sheets.values() if sheet.unreadable]
    if unreadable and len(unreadable) == sum(
        1 for sheet in sheets.values() if sheet.rows or sheet.unreadable
    ):
        raise FileRefused(unreadable[0])  # no list in it can be read at all
    return sheets, reference


def _read_sheet(number: int, worksheet, file: str, flags: list) -> _Sheet:
    sheet = _Sheet(number, worksheet.title)
    annex = L.LIST_BY_NUMBER[number]
    key_column = L.header_key(annex.columns[0])
    columns: dict[int, str] | None = None
    known = {L.header_key(title): title for title in annex.columns}
    has_content = False

    def flag(reason: str, line: int | None) -> None:
        flags.append(ImportFlag("IMPORT-COLUMN", reason, file, line, sheet=worksheet.title))

    for line, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if columns is None:
            has_content = has_content or any(v is not None and str(v).strip() for v in values)
            keys = [L.HEADER_ALIASES.get(L.header_key(v), L.header_key(v)) for v in values]
            if key_column in keys:
                columns = {index: known[key] for index, key in enumerate(keys) if key in known}
                wanted = [*CHILD_COLUMNS, *READ_COLUMNS.get(number, ())] if number in READ_COLUMNS else []
                missing = [c for c in wanted if c not in columns.values() and c not in OPTIONAL_COLUMNS]
                if missing:
                    flag("no column " + ", ".join(f"'{c}'" for c in missing) + ": read as blank", line)
            elif line >= HEADER_SEARCH_ROWS:
                break
            continue
        row = {columns[i]: value for i, value in enumerate(values) if i in columns}
        if all(value is None or str(value).strip() == "" for value in row.values()):
            continue
        sheet.rows.append(_Row(number, line, row, worksheet.title, file, flags))
    if columns is None and has_content:
        sheet.unreadable = f"sheet '{worksheet.title}': no header row with '{annex.columns[0]}'" + (
            f" in its first {HEADER_SEARCH_ROWS} rows" if line >= HEADER_SEARCH_ROWS else ""
        )
        flag(f"no header row with '{annex.columns[0]}': the sheet is not read", None)
    return sheet


def _latest_date(sheets: dict[int, _Sheet]) -> dt.date | None:
    """The latest date in the lists (date cells or dd/mm/yyyy text), births and dates in the future left out:
    the reference date of a workbook that does not give one."""
    latest, today = None, timezone.localdate()
    for sheet in sheets.values():
        for row in sheet.rows:
            for column, value in row.values.items():
                if column == "Date of Birth":
                    continue
                day = value.date() if isinstance(value, dt.datetime) else value
                if isinstance(day, str):
                    try:
                        day = dt.datetime.strptime(day.strip(), "%d/%m/%Y").date()
                    except ValueError:
                        continue
                if isinstance(day, dt.date) and day <= today and (latest is None or day > latest):
                    latest = day
    return latest


def _child_details(row: _Row) -> dict:
    """The child's own columns. Only a row with no Child Unique ID cannot be stored (nothing tells its child
    apart); every other problem is flagged and the child kept."""
    la_child_id = row.text(L.CHILD_ID)
    if not la_child_id:
        raise RowError("IMPORT-REQUIRED", f"'{L.CHILD_ID}' is empty: the row is not stored")
    if len(la_child_id) > 20:
        row.flag(
            "IMPORT-ID",
            f"'{L.CHILD_ID}' '{la_child_id}' is longer than 20 characters: stored as its first 20",
            L.CHILD_ID,
        )
    gender_text = row.text("Gender")
    sex = Sex.UNKNOWN
    if gender_text and L.code_in(gender_text).casefold() not in ("neither", "d) neither"):
        sex = row.code("Gender", L.GENDER)
        if sex not in Sex.values:
            sex = Sex.UNKNOWN  # flagged by code(): the column holds only M, F or U
    ethnicity = row.code("Ethnicity", L.ETHNICITY) or Ethnicity.NOBT
    born = row.date("Date of Birth")
    unborn = row.text(L.AGE) in ("-1", "-1.0")
    if born is None and not row.text("Date of Birth"):
        row.flag(
            "IMPORT-REQUIRED",
            "'Date of Birth' is empty" + (" (an unborn child, age -1)" if unborn else ""),
            "Date of Birth",
        )
    elif born is not None and not unborn and row.today is not None and born > row.today:
        row.flag(
            "IMPORT-DATE-RANGE",
            f"'Date of Birth' {born:%d/%m/%Y} is in the future: left blank",
            "Date of Birth",
            L.AGE,
        )
        born = None
    return {
        "la_child_id": la_child_id[:20],
        "sex": sex,
        "ethnicity": ethnicity if len(ethnicity) <= 4 else "",
        "date_of_birth": None if unborn else born,
        "expected_date_of_birth": born if unborn else None,
        "disabled": row.yes_no(L.DISABILITY) if L.DISABILITY in row.values else None,
    }


def _check(record, row: _Row) -> None:
    """Field and code checks in Python, keeping a code outside its list as given and leaving blank a value the
    column cannot hold, each flagged at `row`; related rows were just read or written here, and uniqueness and
    check constraints are the database's own (an IntegrityError leaves the row's record out). A nullable field
    left empty (an unknown yes/no) is allowed even where a form would require it."""
    unchecked = [
        f.name
        for f in record._meta.concrete_fields
        if f.is_relation or (f.null and getattr(record, f.attname) is None)
    ]

    def flag(rule: str, reason: str, fields: str) -> None:
        if rule not in ("IMPORT-CODE", "IMPORT-REQUIRED"):  # flagged when read, by their Annex A column
            row.flags.append(
                ImportFlag(rule, reason, row.file, row.line, row.text(L.CHILD_ID)[:20], fields, row.sheet)
            )

    clean_keeping(record, exclude=unchecked, flag=flag)


class _Staff:
    """The authority's teams and workers by name, to match an Allocated Team and Allocated Worker to."""

    def __init__(self):
        self.teams = {team.name.casefold(): team for team in Team.objects.all()}
        by_name: dict[str, list] = {}
        for user in User.objects.filter(team__isnull=False):
            by_name.setdefault(user.display_name.casefold(), []).append(user)
        self.workers = {name: users[0] for name, users in by_name.items() if len(users) == 1}

    def match(self, team_name: str, worker_name: str):
        team = self.teams.get(team_name.casefold())
        worker = self.workers.get(worker_name.casefold())
        if team is None or worker is None:
            return None
        return team, worker


def _latest(rows: list, key):
    """The row with the greatest `key`, the later of two equal ones (as ordering by key, then -pk)."""
    best = None
    for row in rows:
        if best is None or key(row) >= key(best):
            best = row
    return best


def _has_contact(referral: Referral) -> bool:
    field = Referral._meta.get_field("contact")
    return referral.contact_id is not None or (
        field.is_cached(referral) and field.get_cached_value(referral) is not None
    )


class _Writer:
    """Maps one row into the workbook's store (ADR 0023), counting what it creates and changes. The child's
    other rows are found in the store, so a list refers to what an earlier list of the same workbook made
    before anything is written."""

    def __init__(self, batch: "_WorkbookImport", store: Store, counts: Counts, row: _Row):
        self.batch, self.store, self.counts, self.row = batch, store, counts, row
        self.reference = batch.reference
        self.settled: set = set()  # allocations looked at, remembered once the row's record is stored

    def note(self, what: str, detail: str = "") -> None:
        self.counts.note(what, detail)

    def find(self, model, lookup: dict):
        """The first row matching `lookup` (all equalities, the child's among them)."""
        return self.store.find(model, lookup["child"], **{k: v for k, v in lookup.items() if k != "child"})

    def upsert(self, model, lookup: dict, values: dict, *, create_only: dict | None = None):
        """The row matching `lookup`, created with `values` (and `create_only`) or brought up to `values`;
        a None in `values` leaves the held value alone."""
        row = self.find(model, lookup)
        if row is None:
            values = {name: value for name, value in values.items() if value is not None}
            row = model(**lookup, **values, **(create_only or {}))
            _check(row, self.row)
            self.store.add(row, owner=lookup["child"])
            self.note(f"{model._meta.verbose_name} created")
            return row
        self.update(row, values)
        return row

    def update(self, row, values: dict) -> None:
        values = {name: value for name, value in values.items() if value is not None}
        before = self.store.snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        _check(row, self.row)
        changed = self.store.changed(row, before)
        if named := [name for name in values if name in changed]:
            self.note(f"{type(row)._meta.verbose_name} updated", ", ".join(named))

    def child(self, details: dict) -> Child:
        child = self.store.keyed(Child, details["la_child_id"])
        fields = {k: v for k, v in details.items() if k not in ("la_child_id", "disabled")}
        if child is None:
            child = Child(
                la_child_id=details["la_child_id"],
                first_name="Unknown",
                last_name=details["la_child_id"],
                first_name_key=name_key("Unknown"),
                last_name_key=name_key(details["la_child_id"]),
                **fields,
            )
            _check(child, self.row)
            self.store.add(child, key=details["la_child_id"])
            self.note("child created")
        else:
            self._differs(child, fields)
            gained = {}
            for name in ("date_of_birth", "expected_date_of_birth"):
                if fields[name] and not child.date_of_birth and not getattr(child, name):
                    gained[name] = fields[name]
            if child.sex == Sex.UNKNOWN and fields["sex"] != Sex.UNKNOWN:
                gained["sex"] = fields["sex"]
            if child.ethnicity == Ethnicity.NOBT and fields["ethnicity"] != Ethnicity.NOBT:
                gained["ethnicity"] = fields["ethnicity"]
            if gained:
                self.store.assign(child, **gained)
                self.note("child updated", ", ".join(sorted(gained)))
        if details["disabled"] is not None and not self.store.owned(ChildDisability, child):
            code = "DDA" if details["disabled"] else "NONE"
            self.store.add(ChildDisability(child=child, code=code), owner=child)
            self.note("disability added", code)
        return child

    def _differs(self, child: Child, fields: dict) -> None:
        """Flag a row whose date of birth or gender differs from the one held for its Child Unique ID (from the
        records, or an earlier row): Annex A carries no other identifier, so one ID given for two children, or a
        mistyped ID, shows only so. The held values are kept."""
        given = {"Date of Birth": fields["date_of_birth"], "Gender": fields["sex"]}
        held = {"Date of Birth": child.date_of_birth, "Gender": child.sex}
        for column, value in given.items():
            if value in (None, Sex.UNKNOWN) or held[column] in (None, Sex.UNKNOWN) or value == held[column]:
                continue
            shown = value.strftime("%d/%m/%Y") if column == "Date of Birth" else value
            kept = held[column].strftime("%d/%m/%Y") if column == "Date of Birth" else held[column]
            self.row.flag(
                "IMPORT-CHILD-DIFFERS",
                f"'{column}' {shown} differs from {kept} held for child {child.la_child_id}: {kept} kept; if "
                "these are two children, one needs another Child Unique ID",
                L.CHILD_ID,
                column,
            )

    def allocation(self, child: Child, row: _Row) -> None:
        """The allocated team and worker, when both name a team and a worker held here and the child has no
        allocation open: dated the workbook's reference date, since Annex A gives no start. A name not held is
        left out (counted), never invented."""
        team_name, worker_name = row.text(L.TEAM), row.text(L.WORKER)
        staff = self.batch.staff
        if not (team_name and worker_name) or staff is None or self.reference is None:
            return
        key = (id(child), team_name, worker_name)
        if key in self.batch.allocations_seen:
            return
        self.settled.add(key)
        reference = self.reference
        if any(
            held.ended_on is None or (held.started_on <= reference < held.ended_on)
            for held in self.store.owned(Allocation, child)
        ):
            return  # held already, or a later one is open: the file's is not news
        matched = staff.match(team_name, worker_name)
        if matched is None:
            self.counts.counts["allocation left out: team or worker not held"] += 1
            return
        team, worker = matched
        started = min(reference, timezone.localdate())
        self.store.add(Allocation(child=child, worker=worker, team=team, started_on=started), owner=child)
        if child.responsible_team_id is None:
            self.store.assign(child, responsible_team=team)
        self.note("allocation created", worker.display_name)

    def _referral_on(self, child: Child, day: dt.date) -> Referral | None:
        held = [r for r in self.store.owned(Referral, child) if r.referral_date <= day]
        return _latest(held, lambda referral: referral.referral_date)

    def list_3(self, child: Child, row: _Row) -> None:
        day = row.date("Date of referral", required=True)
        is_nfa = row.yes_no("Referral NFA?")
        self.upsert(
            Referral,
            {"child": child, "referral_date": day},
            {"source": row.code("Referral Source", L.SOURCE, required=True), "is_nfa": is_nfa},
            create_only={"route": Decision.ASSESSMENT, "closed_on": day if is_nfa else None},
        )

    def list_6(self, child: Child, row: _Row) -> None:
        started = row.date("CIN Start Date", required=True)
        closed = row.ordered(started, row.date("CIN Closure Date"), ("CIN Start Date", "CIN Closure Date"))
        self.upsert(
            Referral,
            {"child": child, "referral_date": started},
            {
                "primary_need": row.code("Primary Need Code", L.PRIMARY_NEED),
                "closed_on": closed,
                "closure_reason": row.code("Reason for Closure", L.CLOSURE_REASON) if closed else None,
            },
            create_only={"source": "10", "route": Decision.ASSESSMENT},
        )

    def list_4(self, child: Child, row: _Row) -> None:
        started = row.date("Continuous Assessment Start Date", required=True)
        authorised = row.ordered(
            started,
            row.date("Continuous Assessment Date of Authorisation"),
            ("Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"),
        )
        support = row.yes_no("Was the child assessed as requiring LA children's social care support?")
        held = self.store.find(Assessment, child, started_on=started)
        outcome = None
        if support is True:
            outcome = AssessmentOutcome.SUPPORT_REQUIRED
        elif support is False and not (
            held and held.outcome in (AssessmentOutcome.NO_FURTHER_ACTION, AssessmentOutcome.EARLY_HELP)
        ):
            outcome = AssessmentOutcome.NO_FURTHER_ACTION
        seen = row.yes_no("Child Seen During Continuous Assessment")
        self.upsert(
            Assessment,
            {"child": child, "started_on": started},
            {
                "authorised_on": authorised,
                "outcome": outcome,
                "child_seen_on": started if seen and not (held and held.child_seen_on) else None,
            },
            create_only={"referral": self._referral_on(child, started)},
        )

    def list_5(self, child: Child, row: _Row) -> None:
        started = row.date("Strategy discussion initiating Section 47 Enquiry Start Date", required=True)
        unnecessary = row.yes_no("Was an Initial Child Protection Conference deemed unnecessary?")
        icpc = row.ordered(
            started,
            row.date("Date of Initial Child Protection Conference"),
            (
                "Strategy discussion initiating Section 47 Enquiry Start Date",
                "Date of Initial Child Protection Conference",
            ),
        )
        made_plan = row.yes_no(
            "Did the Initial Child Protection Conference Result in a Child Protection Plan"
        )
        held = self.store.find(Section47Enquiry, child, started_on=started)
        awaiting_conference = unnecessary is False and icpc is None and not (held and held.outcome)
        enquiry = self.upsert(
            Section47Enquiry,
            {"child": child, "started_on": started},
            {
                "icpc_not_required": True if unnecessary else None,
                "outcome": Section47Outcome.CONCERNS_SUBSTANTIATED_ICPC if awaiting_conference else None,
            },
            create_only={"referral": self._referral_on(child, started), "completed_on": icpc},
        )
        if icpc:
            self.upsert(
                ChildProtectionConference,
                {"child": child, "kind": ConferenceKind.INITIAL, "held_on": icpc},
                {"section_47": enquiry, "plan_decided": made_plan},
                create_only={} if made_plan is not None else {"plan_decided": False},
            )

    def list_7(self, child: Child, row: _Row) -> None:
        started = row.date("Child Protection Plan Start Date", required=True)
        ended = row.ordered(
            started,
            row.date("Child Protection Plan End Date"),
            ("Child Protection Plan Start Date", "Child Protection Plan End Date"),
        )
        latest = row.code("Latest Category of Abuse", L.CATEGORY_OF_ABUSE, required=True)
        plan = self.upsert(
            ChildProtectionPlan,
            {"child": child, "started_on": started},
            {
                "initial_category": row.code("Initial Category of Abuse", L.CATEGORY_OF_ABUSE, required=True),
                "latest_category": latest,
                "ended_on": ended,
                "previous_plans": row.whole_number("Number of Previous Child Protection Plans"),
            },
            create_only={
                "referral": self._referral_on(child, started),
                "initial_conference": self.store.find(
                    ChildProtectionConference, child, kind=ConferenceKind.INITIAL, held_on=started
                ),
            },
        )
        review = row.ordered(
            started,
            row.date("Date of latest review conference"),
            ("Child Protection Plan Start Date", "Date of latest review conference"),
        )
        if review:
            self.upsert(
                ChildProtectionConference,
                {"child": child, "kind": ConferenceKind.REVIEW, "plan": plan, "held_on": review},
                {},
                create_only={"plan_decided": ended != review, "category": latest},
            )

    def list_1(self, child: Child, row: _Row) -> None:
        day = row.date("Date of Contact", required=True)
        source = row.code("Contact Source", L.SOURCE, required=True)
        zone = timezone.get_current_timezone()
        for held in self.store.owned(ContactChild, child):
            if (
                held.contact.source == source
                and timezone.localtime(held.contact.received_at, zone).date() == day
            ):
                return
        received = dt.datetime.combine(day, dt.time(9, 0), tzinfo=zone)
        referral = next(
            (
                held
                for held in self.store.owned(Referral, child)
                if held.referral_date == day and not _has_contact(held)
            ),
            None,
        )
        # Its reference is AA<yy>-<key>, given once the workbook is written and the key known (`name_contacts`).
        contact = Contact(
            reference=f"tmp{uuid.uuid4().hex[:16]}",
            received_at=received,
            channel=Channel.PHONE,
            source=source,
            concerns=f"Imported from Ofsted Annex A list 1: a contact on {day:%d/%m/%Y}; "
            "the file gives only its date and source.",
            status=ContactStatus.DECIDED,
            decision_due_on=day,
            decision=referral.route if referral else Decision.NO_FURTHER_ACTION,
            decision_reason="Imported from Annex A: the decision is not in the file"
            if referral is None
            else "Imported from Annex A: a referral was made the same day",
            decided_at=received,
        )
        self.store.add(contact)
        self.batch.new_contacts.append(contact)
        self.store.add(ContactChild(contact=contact, child=child), owner=child)
        if referral is not None:
            self.store.assign(referral, contact=contact)
        self.note("contact created")

    def list_8(self, child: Child, row: _Row) -> None:
        started = row.date("Date Started to be Looked After", required=True)
        legal_from = row.date("Start date of current legal status") or started
        placed_from = row.date("Start Date of Most Recent Placement") or started
        ceased = row.date("Date Ceased to be Looked After")
        reason = row.code("Reason Ceased to be Looked After", L.REASON_CEASED) if ceased else None
        for column, day in (
            ("Start date of current legal status", legal_from),
            ("Start Date of Most Recent Placement", placed_from),
        ):
            if day < started:
                row.flag(
                    "IMPORT-DATE-ORDER",
                    f"'{column}' is before 'Date Started to be Looked After': taken as that date",
                    "Date Started to be Looked After",
                    column,
                )
        legal_from, placed_from = max(legal_from, started), max(placed_from, started)
        if ceased and ceased < max(legal_from, placed_from):
            row.flag(
                "IMPORT-DATE-ORDER",
                "'Date Ceased to be Looked After' is before the current legal status or placement: left blank",
                "Date Ceased to be Looked After",
            )
            ceased = None
        if ceased and not reason:
            row.flag(
                "IMPORT-DEC-REC",
                "'Reason Ceased to be Looked After' is empty for a child who ceased: kept as ceased, "
                "its reason blank",
                "Date Ceased to be Looked After",
                "Reason Ceased to be Looked After",
            )
        inside = row.code("Placement Location", L.PLACEMENT_LOCATION)
        values = {
            "legal_status": row.code("Child's Legal Status", L.LEGAL_STATUS, required=True),
            "category_of_need": row.code("Child's Category of Need", L.CATEGORY_OF_NEED, required=True),
            "placement_type": row.code("Placement Type", L.PLACEMENT_TYPE, required=True),
            "placement_provider": row.code("Placement Provider", L.PLACEMENT_PROVIDER) or "",
            "placement_postcode": row.text("Placement postcode")[:8],
            "urn": row.text("URN of Placement")[:8],
            "placement_la_code": row.text("LA of Placement")[:9],
            "placement_inside_authority": inside,
        }
        episodes = self.store.owned(Episode, child)
        if self.store.find(Episode, child, started_on=started) is None:
            self._care_period(child, started, legal_from, placed_from, ceased, reason, values)
        elif ceased:
            last = _latest([e for e in episodes if e.started_on >= started], lambda e: e.started_on)
            if last.ended_on is None:
                self.update(last, {"ended_on": ceased, "reason_ceased": reason})
        if row.yes_no("UASC within the Last 12 Months (Y/N)") and not self.store.owned(
            UnaccompaniedAsylumSeeker, child
        ):
            self.store.add(UnaccompaniedAsylumSeeker(child=child), owner=child)
            self.note("UASC record created")
        checks = self.store.owned(HealthAndEducationCheck, child)
        health = row.date("Date of Last Health Assessment")
        if health:
            kinds = [HealthCheckKind.INITIAL_HEALTH_ASSESSMENT, HealthCheckKind.REVIEW_HEALTH_ASSESSMENT]
            if not any(check.kind in kinds and check.done_on == health for check in checks):
                kind = kinds[0] if health <= started + dt.timedelta(days=28) else kinds[1]
                self.store.add(HealthAndEducationCheck(child=child, kind=kind, done_on=health), owner=child)
                self.note("health assessment created")
        dental = row.date("Date of Last Dental Check")
        if dental and not any(c.kind == HealthCheckKind.DENTAL and c.done_on == dental for c in checks):
            self.store.add(
                HealthAndEducationCheck(child=child, kind=HealthCheckKind.DENTAL, done_on=dental), owner=child
            )
            self.note("dental check created")

    def _care_period(self, child, started, legal_from, placed_from, ceased, reason, values) -> None:
        starts = sorted({started, legal_from, placed_from})
        for index, day in enumerate(starts):
            if index == 0:
                new_episode = "S"
            elif day == legal_from and day == placed_from:
                new_episode = "B"
            else:
                new_episode = "L" if day == legal_from else "P"
            last = index == len(starts) - 1
            episode = Episode(
                child=child,
                started_on=day,
                reason_new_episode=new_episode,
                ended_on=(ceased if last else starts[index + 1]),
                reason_ceased=(reason or "") if last else "X1",
                **values,
            )
            if last and not ceased:
                episode.ended_on, episode.reason_ceased = None, ""
            _check(episode, self.row)
            self.store.add(episode, owner=child)
            self.note("episode created")

    def list_9(self, child: Child, row: _Row) -> None:
        if self.reference is None:
            raise RowError("IMPORT-NOT-STORED", "the workbook has no date to give this care leaver's contact")
        values = {
            "eligibility": row.code("Eligibility Category", L.ELIGIBILITY, required=True),
            "in_touch": row.code("LA in Touch", L.IN_TOUCH, required=True),
            "accommodation": row.code("Type of Accommodation", L.ACCOMMODATION) or "",
            "accommodation_suitable": row.code("Suitability of Accommodation", L.SUITABILITY),
            "activity": row.code("Activity Status", L.ACTIVITY) or "",
        }
        latest = _latest(
            [c for c in self.store.owned(CareLeaverContact, child) if c.contacted_on <= self.reference],
            lambda contact: contact.contacted_on,
        )
        if latest and all(getattr(latest, name) == value for name, value in values.items()):
            return  # the latest contact held already says the same
        self.upsert(CareLeaverContact, {"child": child, "contacted_on": self.reference}, values)

    def list_10(self, child: Child, row: _Row) -> None:
        decided = row.date("Date of Decision that Child Should be Placed for Adoption", required=True)
        ceased = row.date("Date of Decision that Child Should No Longer be Placed for Adoption")
        dates = {
            "placement_order_on": row.date("Date of Placement Order"),
            "matched_on": row.date("Date of Matching Child and Prospective Adopters"),
            "placed_on": row.date("Date Placed for Adoption"),
            "adoption_order_on": row.date("Date of Adoption Order"),
            "ceased_on": ceased,
        }
        for name, day in dates.items():
            if day and day < decided:
                row.flag(
                    "IMPORT-DATE-ORDER",
                    f"the {name.replace('_on', '').replace('_', ' ')} date is before the decision: left blank",
                    "Date of Decision that Child Should be Placed for Adoption",
                )
                dates[name] = None
        ceased = dates["ceased_on"]
        reason = row.code("Reason Why Child No Longer Placed for Adoption", L.ADOPTION_CEASED)
        self.upsert(
            AdoptionMilestones,
            {"child": child, "decided_on": decided},
            {**dates, "reason_ceased": reason if ceased else None},
        )


def import_annexa_files(paths, actor=None, progress: Progress | None = None) -> ImportReport:
    from opencsc.returns.services import import_flags_save

    report = ImportReport()
    for path in paths:
        path = Path(path)
        flags: list[ImportFlag] = []
        try:
            sheets, reference = read_workbook(path, flags)
        except FileRefused as error:
            report.files_refused.append(ImportProblem(str(path), error.reason, error.line))
            continue
        reference = reference or _latest_date(sheets)
        for number, why in NOT_READ.items():
            if sheets.get(number) and sheets[number].rows:
                report.count(f"list {number} rows not read ({why})", len(sheets[number].rows))
        with transaction.atomic():
            batch = _WorkbookImport(path, sheets, reference, flags, actor=actor, progress=progress)
            written = batch.run()
            batch.name_contacts()
            if flags:
                year = reference.year + (reference.month >= 4) if reference else 0
                run = import_flags_save(actor=actor, kind="annexa", year=year, source=str(path), flags=flags)
                report.runs.append(run.pk)
        for what, count in written.counts.items():
            report.count(what, count)
        report.skipped.extend(written.skipped)
        report.files_read.append(str(path))
        report.flags.extend(flags)
    return report


# The rows of a child a workbook may match, read in bulk before it is mapped (contacts through ContactChild).
CHILD_ROWS = (
    ChildDisability,
    Referral,
    Assessment,
    Section47Enquiry,
    ChildProtectionConference,
    ChildProtectionPlan,
    Episode,
    UnaccompaniedAsylumSeeker,
    HealthAndEducationCheck,
    CareLeaverContact,
    AdoptionMilestones,
    Allocation,
)


class _WorkbookImport(BatchImport):
    """One workbook: its rows list by list (`WRITE_ORDER`: referrals before what refers to them), each row a
    record of the framework: its child first (a child that cannot be stored skips the row), then the row's
    record and allocation as a unit (left out and flagged when it cannot be stored, the child kept)."""

    verb = "import.annexa"
    what = "rows"

    def __init__(self, path: Path, sheets: dict[int, _Sheet], reference, flags: list, **options):
        super().__init__(**options)
        self.path, self.sheets, self.reference = path, sheets, reference
        self.flags, self.read_flags = flags, list(flags)
        self.staff: _Staff | None = None
        self.reset()

    def reset(self) -> None:
        self.flags[:] = self.read_flags
        self.new_contacts: list[Contact] = []
        self.allocations_seen: set = set()
        self.row: _Row | None = None

    def prefetch(self, store: Store) -> None:
        ids = {row.text(L.CHILD_ID)[:20] for sheet in self.sheets.values() for row in sheet.rows}
        children = hold_children(store, ids, CHILD_ROWS)
        for chunk in chunks(sorted(children)):
            subjects = (
                ContactChild.objects.filter(child_id__in=chunk).select_related("contact").order_by("pk")
            )
            store.hold(subjects, owner_field="child", owners=children)
        self.staff = _Staff()

    def records(self):
        for number in WRITE_ORDER:
            sheet = self.sheets.get(number)
            for row in sheet.rows if sheet else ():
                row.today = self.today
                yield f"list {number}, line {row.line}", row, self._mapping(number, row)

    def _mapping(self, number: int, row: _Row):
        def mapping(store: Store, counts: Counts) -> Child | None:
            self.row = row
            try:
                details = _child_details(row)
            except RowError as error:
                row.flag(error.rule, error.reason, L.CHILD_ID)
                return None
            writer = _Writer(self, store, counts, row)
            child = writer.child(details)
            try:
                in_unit(store, counts, lambda: self._row_record(writer, number, child))
            except (RowError, ValidationError, IntegrityError) as error:
                if isinstance(error, RowError):
                    row.flag(error.rule, error.reason)
                else:
                    row.flag("IMPORT-NOT-STORED", f"{refusal_reason(error)}: the row's record is not stored")
                return child
            self.allocations_seen |= writer.settled
            return child

        return mapping

    @staticmethod
    def _row_record(writer: _Writer, number: int, child: Child) -> None:
        getattr(writer, f"list_{number}")(child, writer.row)
        writer.allocation(child, writer.row)

    def audit_payload(self, label, changes: list[str]) -> dict:
        return {"file": self.path.name, "list": self.row.number, "row": self.row.line, "changes": changes}

    def skipped(self, label, row: _Row, error: Exception) -> ImportProblem:
        where = f"{self.path}, sheet '{row.sheet}'"
        return ImportProblem(where, refusal_reason(error), row.line, row.text(L.CHILD_ID)[:20], unit="row")

    def name_contacts(self) -> None:
        """The contacts the workbook made, named AA<yy>-<key> now that their keys are known."""
        written = [contact for contact in self.new_contacts if contact.pk is not None]
        for contact in written:
            contact.reference = f"AA{timezone.localtime(contact.received_at):%y}-{contact.pk:06d}"
        Contact.objects.bulk_update(written, ["reference"], batch_size=BATCH_SIZE)
