"""Reading SSDA903 CSV sets (one or several years) into the domain model.

The files given are grouped into sets by folder (one year's return per folder); each CSV is told apart by its
header, as the DfE validator does, not by its name. Headers are read as other systems write them: any case,
spaces for underscores, columns in any order, extra columns ignored, and a table recognised by the columns it
has of its own (DUC for UASC, REVIEW_CODE for reviews, ...); a column the import reads that is missing is
flagged once for the file and read as blank. Sets are applied oldest first (by the latest date in them, not
counting dates in the future).

What matches what, so that importing the same set twice changes nothing and several years merge:
- a child by CHILD (the LA child ID); an existing record only gains what it lacks (a UPN, a sex other than
  U, an ethnicity other than NOBT);
- an episode by child, DECOM and RNE; a review by child and date; a missing episode by child, kind and start
  date; an allocation to a social worker (SWEpisodes) by child and SW_DECOM, which keeps the SW_REASON given as
  its change reason; an adoption plan by child and
  DATE_INT / DATE_PLACED; a care leaver's contact by child and the birthday the OC3 is for;
- a value the file gives replaces the one held (DEC and REC, an end date); a value it leaves blank is left
  alone, because one year's return leaves out what happened after its 31 March;
- an OC2 item reported 1 adds the check (dated 31 March of the year, or today if earlier) unless one is held
  in the year; an OC2 item reported 0 changes nothing.
- MOTHER 1 with MC_DOB adds the child's own baby as a child record (ID "MC-" and the mother's ID), with the
  mother relationship, unless one born that day is held.
- a social worker named in SWEpisodes who is not a user is added as an inactive user named by SW_ID (who
  cannot sign in), in the team "Social workers named in imported returns".

Every child is kept (see `opencsc.returns.flags`): a row that breaks a rule is stored as far as it can be and
flagged on the data-quality worklist with its rule, reason, file and line:
- a code outside the DfE list, a UPN with the wrong check letter, a URN or postcode in the wrong form, a
  placement in England without the URN it needs, an episode that ceased without its REC: stored as given;
  a SEX that is not M, F or U (nor 1 or 2) is recorded as U, not known;
- a date that is not dd/mm/yyyy, or in the future: left blank (DEC, DUC, MIS_END, ...); REC without a DEC is
  left blank; an episode with no usable DEC that is followed by another is taken as ending on the next DECOM;
  a date before the child's birth is kept as given (which of the two is wrong is for the authority to say);
- a row whose key date (DECOM, REVIEW, MIS_START, DATE_INT, SW_DECOM) is not a date cannot be stored: it is
  left out, flagged; the child and the rest of the child's rows are kept;
- a child in other tables but not in the Header table is created from their date of birth there, sex U;
- a UPN given for a second LA child ID (in the set, or held for another child) is flagged; both are kept;
- a placement outside England (PL_LA WAL, SCO or NIR from its postcode) needs no URN (DfE rule 218): not
  flagged.
Only a file that cannot be read at all (not UTF-8 text, not CSV, a header that is no 903 table's, a second file
for the same table in one set) is refused whole, with its line and reason; the other files of its set are read.
Each set is imported in one transaction through the import framework (`opencsc.returns.importing`, ADR 0023):
what the set may match is read in bulk, each child's rows are mapped in memory (a row that cannot be stored
undone and flagged as a savepoint would), and the set is written together; a set whose bulk write the database
refuses is mapped again row by row in savepoints, so that only the refused row is left out and flagged. The
set's flags are saved as a run of the worklist in the same transaction. A write the database refuses outside
any row (the worklist run) rolls the whole set back: nothing of any of its files is kept, its files are
reported refused, and the other sets are still imported. Each child changed gets one audit event, verb
"import.903", with no actor (the system) unless one is given.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import BooleanField
from django.db.models.functions import Lower
from django.utils import timezone

from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.casework.models import Allocation
from opencsc.core.codes import Ethnicity, Sex
from opencsc.looked_after.codes import Accommodation
from opencsc.looked_after.models import (
    AdoptionMilestones,
    CareLeaverContact,
    CareLeaverEligibility,
    CareReview,
    Episode,
    HealthAndEducationCheck,
    HealthCheckKind,
    MissingEpisode,
    PreviousPermanenceRecord,
    UnaccompaniedAsylumSeeker,
)
from opencsc.looked_after.services import _placement_fields, placement_location
from opencsc.people.identifiers import format_postcode, name_key, postcode_problem, upn_problem
from opencsc.people.models import Child, Relationship, RelationshipType
from opencsc.returns.flags import ImportFlag, clean_keeping
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
from opencsc.returns.registry import ImportProblem, ImportReport, census_period
from opencsc.returns.ssda903.export import (
    OC3_BIRTHDAYS,
    SHORT_BREAKS,
    SW_FIRST_CONTACT,
    SW_REASONS,
    _birthday,
    sw_reason,
    sw_reason_code,
)
from opencsc.returns.ssda903.tables import HEADERS, parse_day

IMPORTED_WORKERS_TEAM = "Social workers named in imported returns"
OLD_SEX_CODES = {"1": "M", "2": "F"}
UPN_UNKNOWN = {"UN1", "UN2", "UN3", "UN4", "UN5"}
OUTSIDE_ENGLAND = {"WAL", "SCO", "NIR"}
OC2_CHECKS = {
    "IMMUNISATIONS": HealthCheckKind.IMMUNISATIONS,
    "TEETH_CHECK": HealthCheckKind.DENTAL,
    "HEALTH_ASSESSMENT": HealthCheckKind.REVIEW_HEALTH_ASSESSMENT,
    "HEALTH_CHECK": HealthCheckKind.DEVELOPMENT,
    "CONVICTED": HealthCheckKind.CONVICTION,
    "SUBSTANCE_MISUSE": HealthCheckKind.SUBSTANCE_MISUSE,
    "INTERVENTION_RECEIVED": HealthCheckKind.SUBSTANCE_INTERVENTION_RECEIVED,
    "INTERVENTION_OFFERED": HealthCheckKind.SUBSTANCE_INTERVENTION_OFFERED,
}
HEALTH_ASSESSMENTS = {HealthCheckKind.INITIAL_HEALTH_ASSESSMENT, HealthCheckKind.REVIEW_HEALTH_ASSESSMENT}
# Columns other systems name differently, after upper-casing and spaces to underscores.
HEADER_ALIASES = {
    "CHILD_ID": "CHILD",
    "CHILDID": "CHILD",
    "GENDER": "SEX",
    "ETHNICITY": "ETHNIC",
    "PL": "PLACE",
}
SHARED_COLUMNS = {"CHILD", "DOB", "SEX"}
SEX_CODES, ETHNICITY_CODES = frozenset(Sex.values), frozenset(Ethnicity.values)
ACCOMMODATION_CODES = frozenset(Accommodation.values)
CHECKED_CHILD_FIELDS = ["responsible_team", "sex", "ethnicity", "upn"]  # flagged by _details itself


@dataclass
class Row:
    path: Path
    line: int
    values: dict[str, str]
    flags: list = field(default_factory=list, repr=False)  # the set's flags, shared by its rows

    def text(self, name: str) -> str:
        return (self.values.get(name) or "").strip()

    def flag(self, rule: str, reason: str, *columns: str) -> None:
        self.flags.append(
            ImportFlag(
                rule=rule,
                reason=reason,
                file=str(self.path),
                line=self.line,
                la_child_id=self.text("CHILD"),
                fields="; ".join(f"{name}={self.text(name) or '(blank)'}" for name in columns),
            )
        )

    def refuse(self, rule: str, reason: str):
        raise RowError(rule, reason)

    def date(
        self, name: str, *, required: bool = False, today: dt.date | None = None, born: dt.date | None = None
    ) -> dt.date | None:
        """The column's date; blank (flagged) when it is not a dd/mm/yyyy date or, given `today` and `born`,
        after today or before the child's birth. A required date that is not a date leaves the row out; one in
        the future or before the birth is kept as given (the row cannot be stored without it)."""
        value = self.text(name)
        if not value:
            if required:
                self.refuse("IMPORT-REQUIRED", f"{name} is blank: the row is not stored")
            return None
        try:
            day = parse_day(value)
        except ValueError:
            if required:
                self.refuse(
                    "IMPORT-DATE",
                    f"{name} '{value}' is not a date in the form dd/mm/yyyy: the row is not stored",
                )
            self.flag(
                "IMPORT-DATE", f"{name} '{value}' is not a date in the form dd/mm/yyyy: left blank", name
            )
            return None
        if today is not None and day > today:
            if required:
                self.flag("IMPORT-DATE-RANGE", f"{name} {value} is in the future: kept as given", name)
                return day
            self.flag("IMPORT-DATE-RANGE", f"{name} {value} is in the future: left blank", name)
            return None
        if born is not None and day < born:
            kept = "kept as given" if required else "left blank"
            self.flag("IMPORT-DATE-RANGE", f"{name} {value} is before the child's birth: {kept}", name)
            return day if required else None
        return day

    def yes_no(self, name: str) -> bool | None:
        value = self.text(name)
        if not value:
            return None
        if value not in ("0", "1"):
            self.flag("IMPORT-CODE", f"{name} '{value}' is not 0 or 1: left blank", name)
            return None
        return value == "1"


def _day_or_none(row: Row, name: str) -> dt.date | None:
    try:
        return parse_day(row.text(name))
    except ValueError:
        return None


@dataclass
class ReturnSet:
    folder: Path
    tables: dict[str, list[Row]] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    flags: list = field(default_factory=list)

    def latest_day(self) -> dt.date:
        latest, today = dt.date.min, timezone.localdate()
        for table, columns in (
            ("Episodes", ("DECOM", "DEC")),
            ("Reviews", ("REVIEW",)),
            ("SWEpisodes", ("SW_DECOM",)),
        ):
            for row in self.tables.get(table, []):
                for column in columns:
                    day = _day_or_none(row, column)
                    if day is not None and day <= today:
                        latest = max(latest, day)
        return latest

    @property
    def year(self) -> int:
        latest = self.latest_day()
        if latest == dt.date.min:
            return 0
        return latest.year + 1 if latest.month >= 4 else latest.year


def header_column(text: str) -> str:
    name = "_".join(text.strip().upper().split())
    return HEADER_ALIASES.get(name, name)


def table_for_columns(columns: list[str]) -> tuple[str, list[str]] | None:
    """The 903 table a header is for, by the columns of its own it has (most wins), and the columns of that
    table it lacks; None when it has CHILD and no column of any table's own, or matches two equally."""
    given = set(columns)
    if "CHILD" not in given:
        return None
    scores = {name: len(given & (set(header) - SHARED_COLUMNS)) for name, header in HEADERS.items()}
    best = max(scores.values())
    winners = [name for name, score in scores.items() if score == best]
    if best == 0 or len(winners) > 1:
        return None
    (table,) = winners
    return table, [column for column in HEADERS[table] if column not in given]


def _row(table: str, path: Path, line: int, values: dict[str, str], flags: list) -> Row:
    return Row(path, line, values, flags)


SSDA903_CSV = CsvFormat(
    normalise=header_column,
    table_for=table_for_columns,
    unknown_header="the header is not one of the SSDA903 tables' headers",
    make_row=_row,
)


def read_sets(paths, report: ImportReport) -> list[ReturnSet]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv"))
        else:
            files.append(path)
    sets: dict[Path, ReturnSet] = {}
    flags: dict[Path, list] = defaultdict(list)
    for path in files:
        folder = path.resolve().parent
        read = read_csv_table(path, report, flags[folder], SSDA903_CSV)
        if read is None:
            continue
        table, rows = read
        found = sets.setdefault(folder, ReturnSet(folder))
        if table in found.tables:
            report.files_refused.append(
                ImportProblem(
                    str(path), f"a second {table} table in {folder} (the first is {found.paths[table]})", 1
                )
            )
            continue
        found.tables[table], found.paths[table] = rows, path
        report.files_read.append(str(path))
    for folder, return_set in sets.items():
        return_set.flags = flags[folder]
    for folder, file_flags in flags.items():
        if folder not in sets:
            report.flags.extend(file_flags)
    return sorted(sets.values(), key=lambda s: (s.year, str(s.folder)))


def import_903_files(paths, actor=None, progress: Progress | None = None) -> ImportReport:
    from opencsc.returns.services import import_flags_save

    report = ImportReport()
    for return_set in read_sets(paths, report):
        if "Header" not in return_set.tables:
            for path in return_set.paths.values():
                report.files_refused.append(
                    ImportProblem(str(path), "its set has no Header table (header.csv)")
                )
            continue
        try:
            with transaction.atomic():
                written = _SetImport(return_set, actor=actor, progress=progress).run()
                if return_set.flags:
                    run = import_flags_save(
                        actor=actor,
                        kind="903",
                        year=return_set.year,
                        source=str(return_set.folder),
                        flags=return_set.flags,
                    )
                    written.runs.append(run.pk)
        except DatabaseError as error:
            _refuse_set(return_set, report, error)
            continue
        for what, n in written.counts.items():
            report.count(what, n)
        report.skipped.extend(written.skipped)
        report.runs.extend(written.runs)
        report.flags.extend(return_set.flags)
    return report


def _refuse_set(return_set: ReturnSet, report: ImportReport, error: DatabaseError) -> None:
    """The database refused a write that no row's savepoint could set aside: the set's transaction is rolled
    back whole, so nothing of any of its files is kept, and each of its files is reported refused."""
    for path in return_set.paths.values():
        report.files_read.remove(str(path))
        report.files_refused.append(
            ImportProblem(
                str(path), f"the database refused its set, so nothing in the set was imported: {error}"
            )
        )


# The rows of a child the set may match, read in bulk before the set is mapped.
CHILD_ROWS = (
    Episode,
    CareReview,
    UnaccompaniedAsylumSeeker,
    MissingEpisode,
    PreviousPermanenceRecord,
    AdoptionMilestones,
    HealthAndEducationCheck,
    CareLeaverContact,
    Allocation,
)


class _SetImport(BatchImport):
    """One 903 set: its children, each with all of its rows in every table of the set."""

    verb = "import.903"
    what = "children"

    def __init__(self, return_set: ReturnSet, **options):
        super().__init__(**options)
        self.return_set = return_set
        self.year = return_set.year
        self.by_child: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for table, rows in return_set.tables.items():
            for row in rows:
                self.by_child[row.text("CHILD")][table].append(row)
        self.read_flags = len(return_set.flags)
        self.writer: _Writer | None = None
        self.locations: dict[tuple[str, str], dict] = {}

    def reset(self) -> None:
        del self.return_set.flags[self.read_flags :]

    def prefetch(self, store: Store) -> None:
        ids = [i for i in self.by_child if i]
        children = hold_children(store, ids + [f"MC-{i}"[:20] for i in ids], CHILD_ROWS)
        for chunk in chunks(sorted(children)):
            mothers = Relationship.objects.filter(related_child_id__in=chunk, kind=RelationshipType.MOTHER)
            store.hold(
                mothers.select_related("child").order_by("pk"), owner_field="related_child", owners=children
            )
        sw_ids = sorted({row.text("SW_ID").lower() for row in self.return_set.tables.get("SWEpisodes", [])})
        for chunk in chunks(sw_ids):
            workers = User.objects.annotate(key=Lower("username")).filter(key__in=chunk)
            store.hold(workers.select_related("team").order_by("pk"), key=lambda user: user.key)
        store.hold(Team.objects.filter(name=IMPORTED_WORKERS_TEAM), key=lambda team: team.name)
        upns = {row.text("UPN").upper() for row in self.return_set.tables["Header"]}
        self.identities = Identities.read(upns, set(self.by_child))

    def records(self):
        for la_child_id in sorted(self.by_child):
            rows = self.by_child[la_child_id]
            if not la_child_id:
                for table_rows in rows.values():
                    for row in table_rows:
                        row.flag("IMPORT-REQUIRED", "CHILD is blank: the row is not stored", "CHILD")
                continue
            yield la_child_id, rows, self._mapping(la_child_id, rows)

    def _mapping(self, la_child_id: str, rows: dict[str, list[Row]]):
        def mapping(store: Store, counts: Counts) -> Child:
            self.writer = _Writer(self.year, store, counts, self.today, self.locations, self.identities)
            return self.writer.child(la_child_id, rows)

        return mapping

    def audit_payload(self, label: str, changes: list[str]) -> dict:
        return {"folder": self.return_set.folder.name, "year": self.year, "changes": changes}

    def skipped(self, label: str, rows, error: Exception) -> ImportProblem:
        row = (self.writer and self.writer.current) or next(iter(rows.values()))[0]
        return ImportProblem(str(row.path), refusal_reason(error), row.line, label)


def _related(model) -> list[str]:
    """Relations were just read or written; a yes/no that may be unknown (null) is not "blank"."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation or (isinstance(f, BooleanField) and f.null)
    ]


def _latest(instances: list, key):
    """The last of `instances` (held in primary key order) by `key`, as `.order_by(-key, -pk).first()`."""
    return max(enumerate(instances), key=lambda pair: (key(pair[1]), pair[0]), default=(None, None))[1]


class _Writer:
    """Maps one child's rows of one set into the store, counting what it creates and changes. Each row is a
    unit of its own: a row that cannot be stored is left out and flagged, and the child keeps the rest."""

    def __init__(
        self, year: int, store: Store, counts: Counts, today: dt.date, locations: dict, identities: Identities
    ):
        self.year = year
        self.identities = identities
        self.locations = locations  # (placement postcode, home postcode) -> location, shared by the set
        self.store = store
        self.counts = counts
        self.start, self.end = census_period(year) if year else (dt.date.min, dt.date.max)
        self.today = today
        self.current: Row | None = None
        self.born: dt.date | None = None  # the child's date of birth, once the child is written

    def note(self, what: str, detail: str = "") -> None:
        self.counts.note(what, detail)

    def locate(self, placement_postcode: str, home_postcode: str) -> dict:
        key = (placement_postcode, home_postcode)
        if key not in self.locations:
            self.locations[key] = placement_location(placement_postcode=key[0], home_postcode=key[1])
        return dict(self.locations[key])

    def day(self, row: Row, name: str, *, required: bool = False) -> dt.date | None:
        """A date of an event in the child's life: not in the future, nor before the child's birth."""
        return row.date(name, required=required, today=self.today, born=self.born)

    def apply(self, write, child: Child, row: Row, *args):
        """`write(child, row, *args)` as a unit; a row that cannot be stored is flagged, not fatal."""
        self.current = row
        try:
            return in_unit(self.store, self.counts, lambda: write(child, row, *args))
        except RowError as error:
            row.flag(error.rule, error.reason)
        except (ValidationError, IntegrityError) as error:
            row.flag("IMPORT-NOT-STORED", f"{refusal_reason(error)}: the row is not stored")
        return None

    def upsert(self, model, row: Row, lookup: dict, values: dict, *, create_only: dict | None = None):
        """The row matching `lookup`, created with `values` or brought up to them; None leaves a value alone.
        A code outside its list is kept as given, a value that does not fit is left blank: both flagged."""
        values = {name: value for name, value in values.items() if value is not None}
        label = model._meta.verbose_name
        child = lookup["child"]
        held = self.store.find(model, child, **{k: v for k, v in lookup.items() if k != "child"})
        if held is None:
            held = model(**lookup, **values, **(create_only or {}))
            clean_keeping(held, exclude=_related(model), flag=self._flagger(row))
            self.store.add(held, owner=child)
            self.note(f"{label} created")
            return held
        # Checked whether or not it changes, so that a re-import flags what the file still gets wrong; changes
        # are counted after the check, which may leave blank a value that cannot be stored.
        before = self.store.snapshot(held)
        for name, value in values.items():
            setattr(held, name, value)
        clean_keeping(held, exclude=_related(model), flag=self._flagger(row))
        changed = self.store.changed(held, before)
        if named := [name for name in values if name in changed]:
            self.note(f"{label} updated", ", ".join(named))
        return held

    @staticmethod
    def _flagger(row: Row):
        def flag(rule: str, reason: str, fields: str) -> None:
            row.flags.append(ImportFlag(rule, reason, str(row.path), row.line, row.text("CHILD"), fields))

        return flag

    def child(self, la_child_id: str, rows: dict[str, list[Row]]) -> Child:
        header = self._header_row(la_child_id, rows)
        self.current = header
        details = self._details(header) if "Header" in rows else self._details_elsewhere(header)
        where = f"line {header.line} of {header.path.name}"
        if "Header" in rows and (reason := self.identities.check(details["upn"], la_child_id, where)):
            header.flag("IMPORT-SAME-CHILD", reason, "UPN")
        child = self.store.keyed(Child, la_child_id)
        if child is None:
            child = Child(
                la_child_id=la_child_id,
                first_name="Unknown",
                last_name=la_child_id,
                first_name_key=name_key("Unknown"),
                last_name_key=name_key(la_child_id),
                **details,
            )
            clean_keeping(child, exclude=CHECKED_CHILD_FIELDS, flag=self._flagger(header))
            self.store.add(child, key=la_child_id)
            self.note("child created")
        else:
            gained = {}
            if details["upn"] and not child.upn:
                gained.update(upn=details["upn"], upn_unknown_reason="")
            elif details["upn_unknown_reason"] and not child.upn and not child.upn_unknown_reason:
                gained["upn_unknown_reason"] = details["upn_unknown_reason"]
            if child.date_of_birth is None and details["date_of_birth"]:
                gained["date_of_birth"] = details["date_of_birth"]
            if child.sex == Sex.UNKNOWN and details["sex"] != Sex.UNKNOWN:
                gained["sex"] = details["sex"]
            if child.ethnicity == Ethnicity.NOBT and details["ethnicity"] not in (Ethnicity.NOBT, ""):
                gained["ethnicity"] = details["ethnicity"]
            if gained:
                before = self.store.snapshot(child)
                for name, value in gained.items():
                    setattr(child, name, value)
                clean_keeping(child, exclude=CHECKED_CHILD_FIELDS, flag=self._flagger(header))
                self.store.changed(child, before)
                self.note("child updated", ", ".join(sorted(gained)))
        self.born = child.date_of_birth
        if "Header" in rows:
            self.apply(self._mother, child, header)
        episodes = sorted(
            rows.get("Episodes", []), key=lambda r: (_day_or_none(r, "DECOM") or dt.date.max, r.line)
        )
        for index, row in enumerate(episodes):
            following = episodes[index + 1] if index + 1 < len(episodes) else None
            self.apply(self._episode, child, row, following and _day_or_none(following, "DECOM"))
        for table, write in (
            ("Reviews", self._review),
            ("UASC", self._uasc),
            ("Missing", self._missing),
            ("PrevPerm", self._previous_permanence),
            ("AD1", self._adopted),
            ("PlacedAdoption", self._placed_for_adoption),
            ("OC2", self._oc2),
            ("OC3", self._oc3),
        ):
            for row in rows.get(table, []):
                self.apply(write, child, row)
        sw_rows = sorted(
            rows.get("SWEpisodes", []), key=lambda r: (_day_or_none(r, "SW_DECOM") or dt.date.max, r.line)
        )
        previous = None
        for row in sw_rows:
            previous = self.apply(self._sw_episode, child, row, previous) or previous
        return child

    @staticmethod
    def _header_row(la_child_id: str, rows: dict[str, list[Row]]) -> Row:
        if "Header" not in rows:
            first = next(iter(rows.values()))[0]
            first.flag(
                "IMPORT-NO-HEADER",
                "the child is not in the Header table: created from this row's DOB, with sex U (not known)",
            )
            return first
        header, *others = rows["Header"]
        for other in others:
            other.flag(
                "IMPORT-DUPLICATE",
                f"the child is in the Header table again (first on line {header.line}): this row is not read",
            )
        return header

    def _details_elsewhere(self, row: Row) -> dict:
        return {
            "sex": Sex.UNKNOWN,
            "ethnicity": Ethnicity.NOBT,
            "upn": "",
            "upn_unknown_reason": "",
            "date_of_birth": row.date("DOB", today=self.today),
        }

    def _details(self, row: Row) -> dict:
        given = row.text("SEX").upper()
        sex = OLD_SEX_CODES.get(given, given)
        if sex not in SEX_CODES:
            row.flag(
                "IMPORT-CODE", f"SEX '{given}' is not M, F or U (1 or 2 before 2024-25): recorded as U", "SEX"
            )
            sex = Sex.UNKNOWN
        ethnicity = row.text("ETHNIC").upper()
        if not ethnicity:
            row.flag("IMPORT-REQUIRED", "ETHNIC is blank: recorded as NOBT (not yet obtained)", "ETHNIC")
            ethnicity = Ethnicity.NOBT
        elif ethnicity not in ETHNICITY_CODES:
            fits = len(ethnicity) <= Child._meta.get_field("ethnicity").max_length
            row.flag(
                "IMPORT-CODE",
                f"ETHNIC '{ethnicity}' is not a code in the DfE list: "
                + ("kept as given" if fits else "left blank"),
                "ETHNIC",
            )
            ethnicity = ethnicity if fits else ""
        upn = row.text("UPN").upper()
        unknown = ""
        if upn in UPN_UNKNOWN:
            upn, unknown = "", upn
        elif upn and (problem := upn_problem(upn)):
            fits = len(upn) <= Child._meta.get_field("upn").max_length
            row.flag(
                "IMPORT-UPN", f"UPN '{upn}': {problem}: " + ("kept as given" if fits else "left blank"), "UPN"
            )
            upn = upn if fits else ""
        born = row.date("DOB", today=self.today)
        if born is None and not row.text("DOB"):
            row.flag("IMPORT-REQUIRED", "DOB is blank", "DOB")
        return {
            "sex": sex,
            "ethnicity": ethnicity,
            "upn": upn,
            "upn_unknown_reason": unknown,
            "date_of_birth": born,
        }

    def _mother(self, child: Child, row: Row) -> None:
        mother = row.yes_no("MOTHER")
        if not mother:
            return
        born = row.date("MC_DOB", today=self.today)
        if born is None:
            if not row.text("MC_DOB"):
                row.flag(
                    "IMPORT-REQUIRED",
                    "MOTHER is 1 but MC_DOB (her child's date of birth) is blank",
                    "MOTHER",
                    "MC_DOB",
                )
            return
        if any(
            mother.kind == RelationshipType.MOTHER and mother.child.date_of_birth == born
            for mother in self.store.owned(Relationship, child)
        ):
            return
        baby_id = f"MC-{child.la_child_id}"[:20]
        baby = self.store.keyed(Child, baby_id)
        if baby is None:
            baby = Child(
                la_child_id=baby_id,
                first_name="Baby",
                last_name=child.last_name,
                first_name_key=name_key("Baby"),
                last_name_key=name_key(child.last_name),
                date_of_birth=born,
                sex=Sex.UNKNOWN,
            )
            baby.full_clean(validate_unique=False, validate_constraints=False)
            self.store.add(baby, key=baby_id)
            self.note("child created", "mother's child")
        mother = Relationship(
            child=baby, related_child=child, kind=RelationshipType.MOTHER, has_parental_responsibility=True
        )
        self.store.add(mother, owner=child)
        self.note("relationship created", "mother")

    def _episode_end(self, row: Row, started: dt.date, following: dt.date | None):
        """DEC and REC as far as they can be stored: a DEC that is not a date, is in the future or is before
        DECOM is left blank, or taken as the next episode's DECOM when one follows; REC without a DEC is left
        blank; DEC without REC is kept (the episode ceased, its reason not known)."""
        given = row.text("DEC")
        ended = self.day(row, "DEC")
        if ended and ended < started:
            row.flag(
                "IMPORT-DATE-ORDER",
                f"DEC {given} is before DECOM {row.text('DECOM')}: left blank",
                "DECOM",
                "DEC",
            )
            ended = None
        reason = row.text("REC").upper()
        if ended is None and following is not None and following > started:
            ended = following
            row.flag(
                "IMPORT-DEC-REC",
                f"the episode has no usable DEC but another starts on {following:%d/%m/%Y}: "
                "taken as ceasing then",
                "DEC",
            )
        if ended and not reason:
            row.flag(
                "IMPORT-DEC-REC", "DEC is given without REC: kept as ceased, its reason blank", "DEC", "REC"
            )
        if reason and not ended:
            row.flag(
                "IMPORT-DEC-REC", f"REC '{reason}' is given without a usable DEC: left blank", "DEC", "REC"
            )
            reason = ""
        return ended, reason

    def _placement(self, row: Row) -> dict:
        """The placement as given, with its location from a postcode that can be read; its problems flagged.
        A blank placement postcode is allowed (an unknown or confidential address), and a short break carries
        neither postcode nor URN (rules 214, 398, 420)."""
        place, provider = row.text("PLACE").upper(), row.text("PLACE_PROVIDER").upper()
        urn, postcode, home = row.text("URN").upper(), row.text("PL_POST"), row.text("HOME_POST")
        errors: dict[str, str] = {}
        _placement_fields(  # the type, provider and URN; the postcodes are checked here, located once a pair
            errors,
            placement_type=place,
            placement_provider=provider,
            urn=urn,
            carer_name="",
            placement_postcode="",
            home_postcode="",
        )
        postcode_error = postcode_problem(postcode) if postcode else None
        home_error = postcode_problem(home) if home else None
        readable, home_readable = bool(postcode) and not postcode_error, bool(home) and not home_error
        placement = {
            "placement_type": place,
            "placement_provider": provider,
            "urn": urn,
            "placement_postcode": format_postcode(postcode) if readable else postcode,
            "home_postcode": format_postcode(home) if home_readable else home,
            "placement_la_code": "",
            "placement_inside_authority": None,
            "distance_miles": None,
        }
        if readable:
            placement.update(
                self.locate(
                    placement["placement_postcode"], placement["home_postcode"] if home_readable else ""
                )
            )
            placement["home_postcode"] = format_postcode(home) if home_readable else home
        if "placement_provider" in errors and not provider:
            row.flag(
                "IMPORT-PLACEMENT",
                f"PLACE_PROVIDER is blank for a {place} placement",
                "PLACE",
                "PLACE_PROVIDER",
            )
        short_break = row.text("LS").upper() in SHORT_BREAKS
        outside_england = placement["placement_la_code"] in OUTSIDE_ENGLAND
        if "urn" in errors and not (not urn and (short_break or outside_england)):
            row.flag("IMPORT-URN", f"{errors['urn']}: kept as given", "PLACE", "URN", "PL_POST")
        if postcode and not readable:
            row.flag("IMPORT-PLACEMENT", f"PL_POST: {postcode_error}: kept as given", "PL_POST")
        if home and not home_readable:
            row.flag("IMPORT-PLACEMENT", f"HOME_POST: {home_error}: kept as given", "HOME_POST")
        return placement

    def _episode(self, child: Child, row: Row, following: dt.date | None) -> None:
        started = self.day(row, "DECOM", required=True)
        ended, reason = self._episode_end(row, started, following)
        new_episode = row.text("RNE").upper()
        if len(new_episode) > 1:
            row.flag("IMPORT-CODE", f"RNE '{new_episode}' is not a code in the DfE list: left blank", "RNE")
            new_episode = ""
        values = {
            "legal_status": row.text("LS").upper(),
            "category_of_need": row.text("CIN").upper(),
            **self._placement(row),
        }
        if ended:
            values.update(
                ended_on=ended,
                reason_ceased=reason,
                reason_placement_changed=row.text("REASON_PLACE_CHANGE").upper(),
            )
        self.upsert(
            Episode, row, {"child": child, "started_on": started, "reason_new_episode": new_episode}, values
        )

    def _review(self, child: Child, row: Row) -> None:
        self.upsert(
            CareReview,
            row,
            {"child": child, "held_on": self.day(row, "REVIEW", required=True)},
            {"participation": row.text("REVIEW_CODE").upper()},
        )

    def _uasc(self, child: Child, row: Row) -> None:
        self.upsert(UnaccompaniedAsylumSeeker, row, {"child": child}, {"ceased_on": self.day(row, "DUC")})

    def _missing(self, child: Child, row: Row) -> None:
        began = self.day(row, "MIS_START", required=True)
        returned = self.day(row, "MIS_END")
        kind = row.text("MISSING").upper()
        if returned and returned < began:
            row.flag("IMPORT-DATE-ORDER", "MIS_END is before MIS_START: left blank", "MIS_START", "MIS_END")
            returned = None
        held = [
            episode
            for episode in self.store.owned(MissingEpisode, child)
            if episode.kind == kind and timezone.localdate(episode.started_at) == began
        ]
        if held:
            episode = held[0]
            if returned and (
                episode.returned_at is None or timezone.localdate(episode.returned_at) != returned
            ):
                self.store.assign(episode, returned_at=max(noon(returned), episode.started_at))
                self.note("missing episode updated", "returned_at")
            return
        episode = MissingEpisode(
            child=child, kind=kind, started_at=noon(began), returned_at=noon(returned) if returned else None
        )
        clean_keeping(episode, exclude=["child"], flag=self._flagger(row))
        self.store.add(episode, owner=child)
        self.note("missing episode created")

    def _previous_permanence(self, child: Child, row: Row) -> None:
        self.upsert(
            PreviousPermanenceRecord,
            row,
            {"child": child},
            {
                "kind": row.text("PREV_PERM").upper(),
                "la_code": row.text("LA_PERM").upper(),
                "order_date": row.text("DATE_PERM"),
            },
        )

    def _adopted(self, child: Child, row: Row) -> None:
        number = row.text("NB_ADOPTR")
        if number and number not in ("1", "2"):
            row.flag("IMPORT-CODE", f"NB_ADOPTR '{number}' is not 1 or 2: left blank", "NB_ADOPTR")
            number = ""
        self.upsert(
            AdoptionMilestones,
            row,
            {"child": child, "decided_on": self.day(row, "DATE_INT", required=True)},
            {
                "matched_on": self.day(row, "DATE_MATCH"),
                "foster_carer_adopting": row.yes_no("FOSTER_CARE"),
                "number_of_adopters": int(number) if number else None,
                "adopters_sex": row.text("SEX_ADOPTR").upper() or None,
                "adopters_legal_status": row.text("LS_ADOPTR").upper() or None,
            },
        )

    def _placed_for_adoption(self, child: Child, row: Row) -> None:
        ceased = self.day(row, "DATE_PLACED_CEASED")
        self.upsert(
            AdoptionMilestones,
            row,
            {"child": child, "decided_on": self.day(row, "DATE_PLACED", required=True)},
            {
                "ceased_on": ceased,
                "reason_ceased": row.text("REASON_PLACED_CEASED").upper() if ceased else None,
            },
        )

    def _check(self, child: Child, row: Row, kinds: set, kind: str, **values) -> None:
        """Add a check of `kind` dated at the end of the year, unless one of `kinds` is held in the year (with
        `values`, when given, on the latest)."""
        held = [
            check
            for check in self.store.owned(HealthAndEducationCheck, child)
            if check.kind in kinds and self.start <= check.done_on <= self.end
        ]
        if values:
            latest = _latest(held, key=lambda check: check.done_on)
            if latest is not None and all(getattr(latest, k) == v for k, v in values.items()):
                return
        elif held:
            return
        self.upsert(
            HealthAndEducationCheck,
            row,
            {"child": child, "kind": kind, "done_on": min(self.end, self.today)},
            {"sdq_score": values.get("sdq_score"), "sdq_reason": values.get("sdq_reason", "")},
        )

    def _oc2(self, child: Child, row: Row) -> None:
        score = row.text("SDQ_SCORE")
        reason = row.text("SDQ_REASON").upper()
        if score and (not score.isdigit() or int(score) > 40):
            row.flag(
                "IMPORT-CODE",
                f"SDQ_SCORE '{score}' is not a number from 0 to 40: left blank",
                "SDQ_SCORE",
            )
            score = ""
        if score:
            self._check(
                child, row, {HealthCheckKind.SDQ}, HealthCheckKind.SDQ, sdq_score=int(score), sdq_reason=""
            )
        elif reason:
            self._check(
                child, row, {HealthCheckKind.SDQ}, HealthCheckKind.SDQ, sdq_score=None, sdq_reason=reason
            )
        for column, kind in OC2_CHECKS.items():
            if row.yes_no(column):
                self._check(child, row, HEALTH_ASSESSMENTS if column == "HEALTH_ASSESSMENT" else {kind}, kind)

    def _oc3(self, child: Child, row: Row) -> None:
        born = child.date_of_birth
        if born is None:
            row.refuse(
                "IMPORT-REQUIRED",
                "the young person's date of birth is not known, so the OC3 cannot "
                "be dated: the row is not stored",
            )
        birthdays = [b for age in OC3_BIRTHDAYS if self.start <= (b := _birthday(born, age)) <= self.end]
        if not birthdays:
            row.refuse(
                "IMPORT-NOT-STORED",
                "the young person has no 17th to 21st birthday in the year of "
                "the return, so the OC3 cannot be dated: the row is not stored",
            )
        accommodation = row.text("ACCOM").upper()
        letter, suitable = "", None
        if accommodation and accommodation != "0":
            letter, digit = accommodation[:1], accommodation[1:]
            if letter not in ACCOMMODATION_CODES or digit not in ("1", "2"):
                row.flag(
                    "IMPORT-CODE",
                    f"ACCOM '{accommodation}' is not an accommodation code followed by 1 or 2: left blank",
                    "ACCOM",
                )
                letter = ""
            else:
                suitable = digit == "1"
        birthday = birthdays[0]
        eligibility = (
            CareLeaverEligibility.FORMER_RELEVANT
            if birthday >= _birthday(born, 18)
            else CareLeaverEligibility.RELEVANT
        )
        values = {
            "in_touch": row.text("IN_TOUCH").upper(),
            "activity": row.text("ACTIV").upper(),
            "accommodation": letter,
            "accommodation_suitable": suitable,
        }
        held = [
            contact
            for contact in self.store.owned(CareLeaverContact, child)
            if self.start <= contact.contacted_on <= self.end
        ]
        nearest = min(
            enumerate(held),
            key=lambda pair: (abs((pair[1].contacted_on - birthday).days), -pair[0]),
            default=(None, None),
        )[1]
        if nearest is not None and all(getattr(nearest, k) == v for k, v in values.items()):
            return  # the contact the return was made from
        self.upsert(
            CareLeaverContact,
            row,
            {"child": child, "contacted_on": birthday},
            {
                "in_touch": row.text("IN_TOUCH").upper(),
                "activity": row.text("ACTIV").upper(),
                "accommodation": letter,
                "accommodation_suitable": suitable,
            },
            create_only={"eligibility": eligibility},
        )

    def _sw_episode(self, child: Child, row: Row, previous: Allocation | None) -> Allocation:
        started = self.day(row, "SW_DECOM", required=True)
        ended = self.day(row, "SW_DEC")
        if ended and ended < started:
            row.flag("IMPORT-DATE-ORDER", "SW_DEC is before SW_DECOM: left blank", "SW_DECOM", "SW_DEC")
            ended = None
        reason = row.text("SW_REASON").upper()
        if reason and reason not in SW_REASONS:
            row.flag(
                "IMPORT-CODE",
                f"SW_REASON '{reason}' is not a reason for a change of social worker: left blank",
                "SW_REASON",
            )
            reason = ""
        sw_id = row.text("SW_ID").upper()
        if not sw_id:
            row.refuse("IMPORT-REQUIRED", "SW_ID is blank: the allocation is not stored")
        if previous is None and reason and reason != SW_FIRST_CONTACT:
            # the allocation before this one may have come from an earlier year's set
            previous = _latest(
                [held for held in self.store.owned(Allocation, child) if held.started_on < started],
                key=lambda held: held.started_on,
            )
        if (
            previous is not None
            and reason
            and reason != SW_FIRST_CONTACT
            and previous.ended_on is not None
            and sw_reason_code(previous.end_reason) != reason
        ):
            self.store.assign(previous, end_reason=SW_REASONS[reason])
            self.note("allocation updated", "end_reason")
        allocation = self.store.find(Allocation, child, started_on=started)
        if allocation is None:
            worker = self._worker(sw_id)
            allocation = Allocation(
                child=child,
                worker=worker,
                team=worker.team,
                started_on=started,
                ended_on=ended,
                change_reason=reason,
            )
            allocation.full_clean(exclude=["child", "worker", "team"], validate_constraints=False)
            self.store.add(allocation, owner=child)
            self.note("allocation created")
            return allocation
        changed = {}
        if ended and allocation.ended_on != ended:
            changed["ended_on"] = ended
        # The reason is kept on the allocation when what is held would not give it (the allocation before may
        # be in no set imported, or ended in a way that reads otherwise).
        if reason and (allocation.change_reason or sw_reason(allocation, previous)) != reason:
            changed["change_reason"] = reason
        if changed:
            self.store.assign(allocation, **changed)
            self.note("allocation updated", ", ".join(changed))
        return allocation

    def _worker(self, sw_id: str) -> User:
        worker = self.store.keyed(User, sw_id.lower())
        if worker is not None:
            return worker
        team = self.store.keyed(Team, IMPORTED_WORKERS_TEAM)
        if team is None:
            team = self.store.add(
                Team(name=IMPORTED_WORKERS_TEAM, kind=TeamKind.LOOKED_AFTER), key=IMPORTED_WORKERS_TEAM
            )
        worker = User(
            username=sw_id.lower(), role=Role.SOCIAL_WORKER, team=team, is_active=False, last_name=sw_id
        )
        worker.set_unusable_password()
        self.store.add(worker, key=sw_id.lower())
        self.note("social worker added", sw_id)
        return worker
