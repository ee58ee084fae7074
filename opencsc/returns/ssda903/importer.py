"""Reading SSDA903 CSV sets (one or several years) into the domain model.

The files given are grouped into sets by folder (one year's return per folder); each CSV is told apart by its
header, as the DfE validator does, not by its name. Sets are applied oldest first (by the latest date in them).

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

Refusals:
- a file that cannot be read (not UTF-8, a header that is not a 903 table's, a row with the wrong number of
  fields, a second file for the same table in one set) is refused whole with the line and reason; the other
  files of its set are still read;
- a child with a row that breaks a rule (a code not in the DfE list, a date that is not dd/mm/yyyy, a UPN with
  the wrong check letter, an episode that ends before it starts, a database constraint) is skipped whole, in
  that set, with the file, line and reason; the rest is imported. Each child is written in its own savepoint.
Each child changed gets one audit event, verb "import.903", with no actor (the system) unless one is given.
"""

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField
from django.utils import timezone

from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.audit.services import audit_event_record
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
from opencsc.people.identifiers import format_postcode, name_key, upn_problem
from opencsc.people.models import Child, Relationship, RelationshipType
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
from opencsc.returns.ssda903.tables import parse_day, table_for_header

IMPORTED_WORKERS_TEAM = "Social workers named in imported returns"
OLD_SEX_CODES = {"1": "M", "2": "F"}
UPN_UNKNOWN = {"UN1", "UN2", "UN3", "UN4", "UN5"}
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


class RowError(ValueError):
    def __init__(self, reason: str, row: "Row"):
        super().__init__(reason)
        self.reason, self.row = reason, row


@dataclass
class Row:
    path: Path
    line: int
    values: dict[str, str]

    def text(self, name: str) -> str:
        return (self.values.get(name) or "").strip()

    def fail(self, reason: str):
        raise RowError(reason, self)

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        value = self.text(name)
        if not value:
            if required:
                self.fail(f"{name} is blank")
            return None
        try:
            return parse_day(value)
        except ValueError:
            self.fail(f"{name} '{value}' is not a date in the form dd/mm/yyyy")

    def flag(self, name: str) -> bool | None:
        value = self.text(name)
        if value in ("", None):
            return None
        if value not in ("0", "1"):
            self.fail(f"{name} '{value}' is not 0 or 1")
        return value == "1"


@dataclass
class ReturnSet:
    folder: Path
    tables: dict[str, list[Row]] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)

    def latest_day(self) -> dt.date:
        latest = dt.date.min
        for table, columns in (
            ("Episodes", ("DECOM", "DEC")),
            ("Reviews", ("REVIEW",)),
            ("SWEpisodes", ("SW_DECOM",)),
        ):
            for row in self.tables.get(table, []):
                for column in columns:
                    try:
                        latest = max(latest, parse_day(row.text(column)))
                    except ValueError:
                        continue
        return latest

    @property
    def year(self) -> int:
        latest = self.latest_day()
        if latest == dt.date.min:
            return 0
        return latest.year + 1 if latest.month >= 4 else latest.year


def _read_csv(path: Path, report: ImportReport) -> tuple[str, list[Row]] | None:
    def refuse(reason: str, line: int | None = None):
        report.files_refused.append(ImportProblem(str(path), reason, line))

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        refuse(str(error))
        return None
    except UnicodeDecodeError as error:
        line = text_line = path.read_bytes()[: error.start].count(b"\n") + 1
        refuse(f"the file is not UTF-8 text ({error.reason})", text_line or line)
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        refuse("the file is empty", 1)
        return None
    except csv.Error as error:
        refuse(f"the header cannot be read as CSV: {error}", 1)
        return None
    table = table_for_header(header)
    if table is None:
        refuse("the header is not one of the SSDA903 tables' headers", 1)
        return None
    rows = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                refuse(f"the row has {len(values)} fields, the header {len(header)}", reader.line_num)
                return None
            rows.append(Row(path, reader.line_num, dict(zip(header, values, strict=True))))
    except csv.Error as error:
        refuse(f"the row cannot be read as CSV: {error}", reader.line_num)
        return None
    return table, rows


def read_sets(paths, report: ImportReport) -> list[ReturnSet]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv"))
        else:
            files.append(path)
    sets: dict[Path, ReturnSet] = {}
    for path in files:
        read = _read_csv(path, report)
        if read is None:
            continue
        table, rows = read
        folder = path.resolve().parent
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
    return sorted(sets.values(), key=lambda s: (s.year, str(s.folder)))


def import_903_files(paths, actor=None) -> ImportReport:
    report = ImportReport()
    for return_set in read_sets(paths, report):
        _import_set(return_set, report, actor)
    return report


def _import_set(return_set: ReturnSet, report: ImportReport, actor) -> None:
    if "Header" not in return_set.tables:
        for path in return_set.paths.values():
            report.files_refused.append(ImportProblem(str(path), "its set has no Header table (header.csv)"))
        return
    by_child: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for table, rows in return_set.tables.items():
        for row in rows:
            by_child[row.text("CHILD")][table].append(row)
    year = return_set.year
    workers: dict[str, User] = {}
    for la_child_id in sorted(by_child):
        rows = by_child[la_child_id]
        if not rows.get("Header"):
            first = next(iter(rows.values()))[0]
            report.skipped.append(
                ImportProblem(
                    str(first.path), "the child is not in the Header table", first.line, la_child_id
                )
            )
            continue
        writer = _Writer(year, workers)
        try:
            with transaction.atomic():
                child = writer.child(la_child_id, rows)
                if writer.changes:
                    audit_event_record(
                        actor=actor,
                        verb="import.903",
                        target=child,
                        child=child,
                        payload={"folder": return_set.folder.name, "year": year, "changes": writer.changes},
                    )
            for what, n in writer.counts.items():
                report.count(what, n)
        except RowError as error:
            workers.clear()  # a worker added for this child was rolled back with it
            report.skipped.append(
                ImportProblem(str(error.row.path), error.reason, error.row.line, la_child_id)
            )
        except (ValidationError, IntegrityError) as error:
            workers.clear()
            reason = (
                "; ".join(f"{name}: {' '.join(problems)}" for name, problems in error.message_dict.items())
                if isinstance(error, ValidationError) and hasattr(error, "error_dict")
                else " ".join(getattr(error, "messages", [f"the database refused it: {error}"]))
            )
            row = writer.current or rows["Header"][0]
            report.skipped.append(ImportProblem(str(row.path), reason, row.line, la_child_id))


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


class _Writer:
    """Writes one child's rows of one set, counting what it creates and changes."""

    def __init__(self, year: int, workers: dict):
        self.year = year
        self.workers = workers  # SW_ID -> user, shared by the set's children
        self.start, self.end = census_period(year) if year else (dt.date.min, dt.date.max)
        self.today = timezone.localdate()
        self.counts: dict[str, int] = defaultdict(int)
        self.changes: list[str] = []
        self.current: Row | None = None

    def note(self, what: str, detail: str = "") -> None:
        self.counts[what] += 1
        self.changes.append(f"{what} ({detail})" if detail else what)

    def upsert(self, model, lookup: dict, values: dict, *, create_only: dict | None = None):
        """The row matching `lookup`, created with `values` or brought up to them; None leaves a value alone."""
        values = {name: value for name, value in values.items() if value is not None}
        # Relations were just read or written; a yes/no that may be unknown (null) is not "blank".
        related = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation or (isinstance(f, BooleanField) and f.null)
        ]
        label = model._meta.verbose_name
        row = model.objects.filter(**lookup).order_by("pk").first()
        if row is None:
            row = model(**lookup, **values, **(create_only or {}))
            row.full_clean(exclude=related, validate_unique=False, validate_constraints=False)
            row.save()
            self.note(f"{label} created")
            return row
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        if changed:
            for name in changed:
                setattr(row, name, values[name])
            row.full_clean(exclude=related, validate_unique=False, validate_constraints=False)
            row.save()
            self.note(f"{label} updated", ", ".join(changed))
        return row

    def child(self, la_child_id: str, rows: dict[str, list[Row]]) -> Child:
        header = rows["Header"][0]
        self.current = header
        if len(rows["Header"]) > 1:
            header.fail("the child is in the Header table more than once")
        details = self._details(header)
        child = Child.objects.filter(la_child_id=la_child_id).first()
        if child is None:
            child = Child(
                la_child_id=la_child_id,
                first_name="Unknown",
                last_name=la_child_id,
                first_name_key=name_key("Unknown"),
                last_name_key=name_key(la_child_id),
                **details,
            )
            child.full_clean(validate_unique=False, validate_constraints=False)
            child.save()
            self.note("child created")
        else:
            gained = {}
            if details["upn"] and not child.upn:
                gained.update(upn=details["upn"], upn_unknown_reason="")
            elif details["upn_unknown_reason"] and not child.upn and not child.upn_unknown_reason:
                gained["upn_unknown_reason"] = details["upn_unknown_reason"]
            if child.date_of_birth is None:
                gained["date_of_birth"] = details["date_of_birth"]
            if child.sex == Sex.UNKNOWN and details["sex"] != Sex.UNKNOWN:
                gained["sex"] = details["sex"]
            if child.ethnicity == Ethnicity.NOBT and details["ethnicity"] != Ethnicity.NOBT:
                gained["ethnicity"] = details["ethnicity"]
            if gained:
                for name, value in gained.items():
                    setattr(child, name, value)
                child.full_clean(validate_unique=False, validate_constraints=False)
                child.save()
                self.note("child updated", ", ".join(sorted(gained)))
        self._mother(child, header)
        for row in sorted(rows.get("Episodes", []), key=lambda r: (r.date("DECOM", required=True), r.line)):
            self.current = row
            self._episode(child, row)
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
                self.current = row
                write(child, row)
        sw_rows = sorted(
            rows.get("SWEpisodes", []), key=lambda r: (r.date("SW_DECOM", required=True), r.line)
        )
        previous = None
        for row in sw_rows:
            self.current = row
            previous = self._sw_episode(child, row, previous)
        return child

    def _details(self, row: Row) -> dict:
        sex = row.text("SEX").upper()
        sex = OLD_SEX_CODES.get(sex, sex)
        if sex not in Sex.values:
            row.fail(f"SEX '{row.text('SEX')}' is not M, F or U")
        ethnicity = row.text("ETHNIC").upper()
        if ethnicity not in Ethnicity.values:
            row.fail(f"ETHNIC '{row.text('ETHNIC')}' is not an ethnicity code")
        upn = row.text("UPN").upper()
        unknown = ""
        if upn in UPN_UNKNOWN:
            upn, unknown = "", upn
        elif upn and (problem := upn_problem(upn)):
            row.fail(f"UPN '{upn}': {problem}")
        born = row.date("DOB", required=True)
        if born > self.today:
            row.fail("DOB is in the future")
        return {
            "sex": sex,
            "ethnicity": ethnicity,
            "upn": upn,
            "upn_unknown_reason": unknown,
            "date_of_birth": born,
        }

    def _mother(self, child: Child, row: Row) -> None:
        mother = row.flag("MOTHER")
        if not mother:
            return
        born = row.date("MC_DOB")
        if born is None:
            row.fail("MOTHER is 1 but MC_DOB (her child's date of birth) is blank")
        if Relationship.objects.filter(
            related_child=child, kind=RelationshipType.MOTHER, child__date_of_birth=born
        ).exists():
            return
        baby_id = f"MC-{child.la_child_id}"[:20]
        baby = Child.objects.filter(la_child_id=baby_id).first()
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
            baby.save()
            self.note("child created", "mother's child")
        Relationship.objects.create(
            child=baby, related_child=child, kind=RelationshipType.MOTHER, has_parental_responsibility=True
        )
        self.note("relationship created", "mother")

    def _episode(self, child: Child, row: Row) -> None:
        started = row.date("DECOM", required=True)
        ended = row.date("DEC")
        reason = row.text("REC").upper()
        if bool(ended) != bool(reason):
            row.fail("DEC and REC must be given together")
        if ended and ended < started:
            row.fail("DEC is before DECOM")
        errors: dict[str, str] = {}
        placement = _placement_fields(
            errors,
            placement_type=row.text("PLACE").upper(),
            placement_provider=row.text("PLACE_PROVIDER").upper(),
            urn=row.text("URN"),
            carer_name="",
            placement_postcode=row.text("PL_POST"),
            home_postcode=row.text("HOME_POST"),
        )
        # A blank placement postcode is allowed (an unknown or confidential address), and a short break carries
        # neither postcode nor URN (rules 214, 398, 420): the other details passed their checks, so they are kept,
        # with the location worked out only from a postcode given.
        allowed_blank = {"placement_postcode"} if not row.text("PL_POST") else set()
        if row.text("LS").upper() in SHORT_BREAKS and not row.text("URN"):
            allowed_blank.add("urn")
        if errors and errors.keys() <= allowed_blank:
            errors = {}
            postcode, home = row.text("PL_POST"), row.text("HOME_POST")
            placement = {
                "placement_type": row.text("PLACE").upper(),
                "placement_provider": row.text("PLACE_PROVIDER").upper(),
                "urn": row.text("URN").upper(),
                "carer_name": "",
                "placement_postcode": "",
                "home_postcode": format_postcode(home) if home else "",
                "placement_la_code": "",
                "placement_inside_authority": None,
                "distance_miles": None,
            }
            if postcode:
                placement.update(
                    placement_location(
                        placement_postcode=format_postcode(postcode), home_postcode=placement["home_postcode"]
                    )
                )
        if errors:
            row.fail("; ".join(f"{name}: {problem}" for name, problem in errors.items()))
        placement.pop("carer_name")
        values = {
            "legal_status": row.text("LS").upper(),
            "category_of_need": row.text("CIN").upper(),
            **placement,
        }
        if ended:
            values.update(
                ended_on=ended,
                reason_ceased=reason,
                reason_placement_changed=row.text("REASON_PLACE_CHANGE").upper(),
            )
        self.upsert(
            Episode,
            {"child": child, "started_on": started, "reason_new_episode": row.text("RNE").upper()},
            values,
        )

    def _review(self, child: Child, row: Row) -> None:
        self.upsert(
            CareReview,
            {"child": child, "held_on": row.date("REVIEW", required=True)},
            {"participation": row.text("REVIEW_CODE").upper()},
        )

    def _uasc(self, child: Child, row: Row) -> None:
        self.upsert(UnaccompaniedAsylumSeeker, {"child": child}, {"ceased_on": row.date("DUC")})

    def _missing(self, child: Child, row: Row) -> None:
        began = row.date("MIS_START", required=True)
        returned = row.date("MIS_END")
        kind = row.text("MISSING").upper()
        if returned and returned < began:
            row.fail("MIS_END is before MIS_START")
        held = [
            episode
            for episode in MissingEpisode.objects.filter(child=child, kind=kind)
            if timezone.localdate(episode.started_at) == began
        ]
        if held:
            episode = held[0]
            if returned and (
                episode.returned_at is None or timezone.localdate(episode.returned_at) != returned
            ):
                episode.returned_at = max(_noon(returned), episode.started_at)
                episode.save(update_fields=["returned_at", "updated_at"])
                self.note("missing episode updated", "returned_at")
            return
        episode = MissingEpisode(
            child=child, kind=kind, started_at=_noon(began), returned_at=_noon(returned) if returned else None
        )
        episode.full_clean(exclude=["child"], validate_constraints=False)
        episode.save()
        self.note("missing episode created")

    def _previous_permanence(self, child: Child, row: Row) -> None:
        self.upsert(
            PreviousPermanenceRecord,
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
            row.fail(f"NB_ADOPTR '{number}' is not 1 or 2")
        self.upsert(
            AdoptionMilestones,
            {"child": child, "decided_on": row.date("DATE_INT", required=True)},
            {
                "matched_on": row.date("DATE_MATCH"),
                "foster_carer_adopting": row.flag("FOSTER_CARE"),
                "number_of_adopters": int(number) if number else None,
                "adopters_sex": row.text("SEX_ADOPTR").upper() or None,
                "adopters_legal_status": row.text("LS_ADOPTR").upper() or None,
            },
        )

    def _placed_for_adoption(self, child: Child, row: Row) -> None:
        ceased = row.date("DATE_PLACED_CEASED")
        self.upsert(
            AdoptionMilestones,
            {"child": child, "decided_on": row.date("DATE_PLACED", required=True)},
            {
                "ceased_on": ceased,
                "reason_ceased": row.text("REASON_PLACED_CEASED").upper() if ceased else None,
            },
        )

    def _check(self, child: Child, kinds: set, kind: str, **values) -> None:
        """Add a check of `kind` dated at the end of the year, unless one of `kinds` is held in the year (with
        `values`, when given, on the latest)."""
        held = HealthAndEducationCheck.objects.filter(
            child=child, kind__in=kinds, done_on__gte=self.start, done_on__lte=self.end
        )
        if values:
            latest = held.order_by("-done_on", "-pk").first()
            if latest is not None and all(getattr(latest, k) == v for k, v in values.items()):
                return
        elif held.exists():
            return
        self.upsert(
            HealthAndEducationCheck,
            {"child": child, "kind": kind, "done_on": min(self.end, self.today)},
            {"sdq_score": values.get("sdq_score"), "sdq_reason": values.get("sdq_reason", "")},
        )

    def _oc2(self, child: Child, row: Row) -> None:
        score = row.text("SDQ_SCORE")
        reason = row.text("SDQ_REASON").upper()
        if score:
            if not score.isdigit() or int(score) > 40:
                row.fail(f"SDQ_SCORE '{score}' is not a number from 0 to 40")
            self._check(
                child, {HealthCheckKind.SDQ}, HealthCheckKind.SDQ, sdq_score=int(score), sdq_reason=""
            )
        elif reason:
            self._check(child, {HealthCheckKind.SDQ}, HealthCheckKind.SDQ, sdq_score=None, sdq_reason=reason)
        for column, kind in OC2_CHECKS.items():
            if row.flag(column):
                self._check(child, HEALTH_ASSESSMENTS if column == "HEALTH_ASSESSMENT" else {kind}, kind)

    def _oc3(self, child: Child, row: Row) -> None:
        born = child.date_of_birth
        birthdays = [b for age in OC3_BIRTHDAYS if self.start <= (b := _birthday(born, age)) <= self.end]
        if not birthdays:
            row.fail("the young person has no 17th to 21st birthday in the year of the return")
        accommodation = row.text("ACCOM").upper()
        letter, suitable = "", None
        if accommodation and accommodation != "0":
            letter, digit = accommodation[:1], accommodation[1:]
            if letter not in Accommodation.values or digit not in ("1", "2"):
                row.fail(f"ACCOM '{accommodation}' is not an accommodation code followed by 1 or 2")
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
        held = CareLeaverContact.objects.filter(
            child=child, contacted_on__gte=self.start, contacted_on__lte=self.end
        )
        nearest = min(held, key=lambda c: (abs((c.contacted_on - birthday).days), -c.pk), default=None)
        if nearest is not None and all(getattr(nearest, k) == v for k, v in values.items()):
            return  # the contact the return was made from
        self.upsert(
            CareLeaverContact,
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
        started = row.date("SW_DECOM", required=True)
        ended = row.date("SW_DEC")
        reason = row.text("SW_REASON").upper()
        if reason and reason not in SW_REASONS:
            row.fail(f"SW_REASON '{reason}' is not a reason for a change of social worker")
        sw_id = row.text("SW_ID").upper()
        if not sw_id:
            row.fail("SW_ID is blank")
        if previous is None and reason and reason != SW_FIRST_CONTACT:
            # the allocation before this one may have come from an earlier year's set
            previous = (
                Allocation.objects.filter(child=child, started_on__lt=started)
                .order_by("-started_on", "-pk")
                .first()
            )
        if (
            previous is not None
            and reason
            and reason != SW_FIRST_CONTACT
            and previous.ended_on is not None
            and sw_reason_code(previous.end_reason) != reason
        ):
            previous.end_reason = SW_REASONS[reason]
            previous.save(update_fields=["end_reason", "updated_at"])
            self.note("allocation updated", "end_reason")
        allocation = Allocation.objects.filter(child=child, started_on=started).order_by("pk").first()
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
            allocation.save()
            self.note("allocation created")
            return allocation
        changed = []
        if ended and allocation.ended_on != ended:
            allocation.ended_on = ended
            changed.append("ended_on")
        # The reason is kept on the allocation when what is held would not give it (the allocation before may
        # be in no set imported, or ended in a way that reads otherwise).
        if reason and (allocation.change_reason or sw_reason(allocation, previous)) != reason:
            allocation.change_reason = reason
            changed.append("change_reason")
        if changed:
            allocation.save(update_fields=[*changed, "updated_at"])
            self.note("allocation updated", ", ".join(changed))
        return allocation

    def _worker(self, sw_id: str) -> User:
        if sw_id in self.workers:
            return self.workers[sw_id]
        worker = User.objects.filter(username__iexact=sw_id).first()
        if worker is not None:
            self.workers[sw_id] = worker
            return worker
        team, _ = Team.objects.get_or_create(
            name=IMPORTED_WORKERS_TEAM, defaults={"kind": TeamKind.LOOKED_AFTER}
        )
        worker = User(
            username=sw_id.lower(), role=Role.SOCIAL_WORKER, team=team, is_active=False, last_name=sw_id
        )
        worker.set_unusable_password()
        worker.save()
        self.note("social worker added", sw_id)
        self.workers[sw_id] = worker
        return worker
