"""The SSDA903 (children looked after) CSVs for collection year Y, projected from the domain model.

Who is in it: every child with an episode of care (an `Episode`) open at some time in 1 April Y-1 to 31 March Y,
and every care leaver whose OC3 information is due (a 17th to 21st birthday in the year, a contact recorded,
and looked after at some time on or after their 14th birthday). What each table carries:

- Episodes: each episode open at some time in the year. A date after 31 March Y has not happened yet as far
  as this year's return is concerned, so DEC (with REC and REASON_PLACE_CHANGE) after it is left blank. A short
  break (V3, V4) carries no postcodes and no URN (rules 214, 398, 420).
- Reviews: the looked-after reviews held in the year. Missing: the missing or away episodes open at some time
  in the year (MIS_END after 31 March left blank). UASC: the header children recorded as unaccompanied asylum
  seekers, with the date that status ceased (DUC) if it has.
- OC2: the children looked after continuously for 12 months at 31 March (the validator's own definition: in
  care during the year, with no start, end or short-break episode in it). Each item is 1 when the matching
  check (`HealthAndEducationCheck`) was done in the year and 0 when not; conviction only for those 10 or over
  and the development check only for those under 5 at 31 March; the substance-misuse intervention items only
  when a problem was identified. The SDQ score is the latest SDQ in the year (or its reason for no score).
- OC3: per care leaver, the contact nearest their birthday in the year.
- AD1: children adopted in the year (an episode ended E11 or E12), from their adoption plan. PlacedAdoption:
  adoption decisions in force at some time in the year. PrevPerm: children who started care in the year and
  have a previous-permanence answer recorded.
- SWEpisodes (from 2023-24): the child's allocations to a worker open at some time in the year. SW_ID is the
  worker's social worker identifier (`social_worker_id`); SW_REASON is the reason recorded on the allocation (`change_reason`, as an
  imported return gives it) or else FCONTA for a first allocation (or one after a gap of more than 7 days) and
  otherwise the code for why the previous allocation ended.
- DoLo (from 2026-27): deprivation of liberty orders are not recorded in OpenCSC, so the table has no rows.

SEX is M, F or U from 2024-25 and 1 (male) or 2 (female) before. Dates are dd/mm/yyyy. A child's rows follow LA child ID order, then date order.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from opencsc.casework.models import Allocation
from opencsc.core.spreadsheets import csv_text
from opencsc.looked_after.models import (
    AdoptionMilestones,
    CareLeaverContact,
    CareReview,
    Episode,
    HealthAndEducationCheck,
    HealthCheckKind,
    MissingEpisode,
    PreviousPermanenceRecord,
    UnaccompaniedAsylumSeeker,
)
from opencsc.people.models import Child, Relationship, RelationshipType
from opencsc.returns.registry import census_period
from opencsc.returns.ssda903.tables import FILE_NAMES, HEADERS, day, tables_for

SHORT_BREAKS = {"V3", "V4"}
ADOPTED = {"E11", "E12"}
OC3_BIRTHDAYS = (17, 18, 19, 20, 21)
SW_FIRST_CONTACT = "FCONTA"
SW_GAP_DAYS = 7
# SEX took the codes M, F and U in 2024-25 (rule 101); the returns before carry 1 (male) and 2 (female).
FIRST_LETTER_SEX_YEAR = 2025
OLD_SEX_CODES = {"M": "1", "F": "2"}
SW_REASONS = {
    "MANAGE": "Management decision",
    "FCONTA": "First contact",
    "LEFTRL": "Worker left the role",
    "ORGRST": "Organisational restructure",
    "TSPROC": "Transferred to another team",
    "ABSENC": "Worker absent",
    "CHCHAN": "Child's circumstances changed",
    "PCCHAN": "Child or family asked for a change",
    "SWDIED": "Worker died",
    "OTHERS": "Other",
}
# How the free-text reasons an allocation ends with are read as a SW_REASON, when they are not one of the
# descriptions above: first match wins.
SW_REASON_WORDS = (
    ("LEFTRL", re.compile(r"\bleft\b|\bleaving\b|resign|retire", re.I)),
    ("ABSENC", re.compile(r"absen|sick|leave\b|maternity", re.I)),
    ("ORGRST", re.compile(r"restructur|reorganis", re.I)),
    ("TSPROC", re.compile(r"transfer|moved to|step.?down|care leavers team", re.I)),
    ("PCCHAN", re.compile(r"family (asked|request)|child (asked|request)|complain", re.I)),
    ("CHCHAN", re.compile(r"circumstances", re.I)),
    ("MANAGE", re.compile(r"manag|caseload|workload|realloc", re.I)),
)


def _within(value: dt.date | None, end: dt.date) -> dt.date | None:
    """A date as the return for the year ending `end` sees it: not yet happened if it is after `end`."""
    return value if value is not None and value <= end else None


def _age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a year that has none
        return dt.date(born.year + years, 3, 1)


def sex_code(sex: str, year: int) -> str:
    """The child's sex as the year's return codes it."""
    return sex if year >= FIRST_LETTER_SEX_YEAR else OLD_SEX_CODES.get(sex, sex)


def social_worker_id(user) -> str:
    """The worker's identifier in the return: their user name when it already is one (SW followed by letters
    or digits, as a worker imported from a return is named), otherwise SW and their number on the system."""
    if re.fullmatch(r"sw[a-z0-9]+", user.username, flags=re.I):
        return user.username.upper()
    return f"SW{user.pk:06d}"


def sw_reason_code(text: str) -> str:
    text = (text or "").strip()
    if text.upper() in SW_REASONS:
        return text.upper()
    for code, description in SW_REASONS.items():
        if text.lower() == description.lower():
            return code
    for code, pattern in SW_REASON_WORDS:
        if pattern.search(text):
            return code
    return "OTHERS"


@dataclass
class Return903:
    year: int
    rows: dict[str, list[dict[str, str]]]

    def csv_text(self, table: str) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=HEADERS[table], lineterminator="\n")
        writer.writeheader()
        writer.writerows({name: csv_text(value) for name, value in row.items()} for row in self.rows[table])
        return out.getvalue()

    def files(self) -> dict[str, str]:
        """File name -> CSV text, for every table of the year's return."""
        return {FILE_NAMES[table]: self.csv_text(table) for table in self.rows}

    def children(self) -> frozenset[str]:
        """The LA child IDs of every child in any of the tables."""
        return frozenset(row["CHILD"] for rows in self.rows.values() for row in rows if row.get("CHILD"))

    def zip_bytes(self) -> bytes:
        """Every table's CSV in one zip, as the folder `opencsc export 903` writes."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in self.files().items():
                archive.writestr(name, text)
        return buffer.getvalue()


def _continuously_looked_after(episodes: list[dict], start: dt.date, end: dt.date) -> bool:
    """The validator's definition (lac_validator.utils): in care during the year, and no episode that starts
    care after 1 April, ends care before 31 March, or is a short break."""
    for row in episodes:
        began, ended = row["_decom"], row["_dec"]
        if row["RNE"] == "S" and start < began <= end:
            return False
        if ended is not None and row["REC"] != "X1" and start <= ended < end:
            return False
        if row["LS"] in SHORT_BREAKS:
            return False
    return bool(episodes)


def _episode_rows(start: dt.date, end: dt.date) -> dict[int, list[dict]]:
    rows: dict[int, list[dict]] = defaultdict(list)
    episodes = (
        Episode.objects.filter(started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .order_by("child_id", "started_on", "pk")
    )
    for episode in episodes:
        ended = _within(episode.ended_on, end)
        # Rules 214, 398 and 420: no postcodes (so no distance or placing authority) and no URN for short breaks.
        short_break = episode.legal_status in SHORT_BREAKS
        rows[episode.child_id].append(
            {
                "DECOM": day(episode.started_on),
                "RNE": episode.reason_new_episode,
                "LS": episode.legal_status,
                "CIN": episode.category_of_need,
                "PLACE": episode.placement_type,
                "PLACE_PROVIDER": episode.placement_provider,
                "DEC": day(ended),
                "REC": episode.reason_ceased if ended else "",
                "REASON_PLACE_CHANGE": episode.reason_placement_changed if ended else "",
                "HOME_POST": "" if short_break else episode.home_postcode,
                "PL_POST": "" if short_break else episode.placement_postcode,
                "URN": "" if short_break else episode.urn,
                "_decom": episode.started_on,
                "_dec": ended,
            }
        )
    return rows


def _care_leavers(start: dt.date, end: dt.date, looked_after: set[int]) -> dict[int, CareLeaverContact]:
    """Care leavers whose OC3 is due this year, each with the contact nearest their birthday in the year."""
    contacts: dict[int, list[CareLeaverContact]] = defaultdict(list)
    for contact in (
        CareLeaverContact.objects.filter(contacted_on__gte=start, contacted_on__lte=end)
        .select_related("child")
        .order_by("child_id", "contacted_on", "pk")
    ):
        contacts[contact.child_id].append(contact)
    chosen: dict[int, CareLeaverContact] = {}
    for child_id, found in contacts.items():
        born = found[0].child.date_of_birth
        if born is None:
            continue
        birthdays = [b for age in OC3_BIRTHDAYS if start <= (b := _birthday(born, age)) <= end]
        if not birthdays:
            continue
        if not Episode.objects.filter(
            child_id=child_id, ended_on__isnull=False, ended_on__gte=_birthday(born, 14)
        ).exists():
            continue
        birthday = birthdays[0]
        chosen[child_id] = min(found, key=lambda c: (abs((c.contacted_on - birthday).days), -c.pk))
    # A young person still looked after is in the Episodes table, not OC3.
    return {child_id: contact for child_id, contact in chosen.items() if child_id not in looked_after}


def _checks_in_year(child_ids, start: dt.date, end: dt.date) -> dict[int, list[HealthAndEducationCheck]]:
    checks: dict[int, list[HealthAndEducationCheck]] = defaultdict(list)
    for check in HealthAndEducationCheck.objects.filter(
        child_id__in=child_ids, done_on__gte=start, done_on__lte=end
    ).order_by("child_id", "done_on", "pk"):
        checks[check.child_id].append(check)
    return checks


def _oc2_row(child: Child, checks: list[HealthAndEducationCheck], end: dt.date) -> dict[str, str]:
    age = _age_on(child.date_of_birth, end)
    done = {check.kind for check in checks}

    def flag(*kinds) -> str:
        return "1" if done & set(kinds) else "0"

    sdq = [check for check in checks if check.kind == HealthCheckKind.SDQ]
    latest_sdq = sdq[-1] if sdq else None
    misuse = flag(HealthCheckKind.SUBSTANCE_MISUSE)
    received = flag(HealthCheckKind.SUBSTANCE_INTERVENTION_RECEIVED) if misuse == "1" else ""
    return {
        "SDQ_SCORE": "" if latest_sdq is None or latest_sdq.sdq_score is None else str(latest_sdq.sdq_score),
        "SDQ_REASON": latest_sdq.sdq_reason if latest_sdq is not None else "",
        "CONVICTED": flag(HealthCheckKind.CONVICTION) if age >= 10 else "",
        "HEALTH_CHECK": flag(HealthCheckKind.DEVELOPMENT) if age < 5 else "",
        "IMMUNISATIONS": flag(HealthCheckKind.IMMUNISATIONS),
        "TEETH_CHECK": flag(HealthCheckKind.DENTAL),
        "HEALTH_ASSESSMENT": flag(
            HealthCheckKind.INITIAL_HEALTH_ASSESSMENT, HealthCheckKind.REVIEW_HEALTH_ASSESSMENT
        ),
        "SUBSTANCE_MISUSE": misuse,
        "INTERVENTION_RECEIVED": received,
        "INTERVENTION_OFFERED": flag(HealthCheckKind.SUBSTANCE_INTERVENTION_OFFERED)
        if received == "0"
        else "",
    }


def _mothers(child_ids, end: dt.date) -> dict[int, dt.date]:
    """Each child recorded as the mother of a child born by `end`: her child's date of birth (the latest)."""
    born: dict[int, dt.date] = {}
    for mother_id, baby_born in Relationship.objects.filter(
        related_child_id__in=child_ids,
        kind=RelationshipType.MOTHER,
        child__date_of_birth__lte=end,
    ).values_list("related_child_id", "child__date_of_birth"):
        if mother_id not in born or baby_born > born[mother_id]:
            born[mother_id] = baby_born
    return born


def sw_reason(allocation: Allocation, before: Allocation | None) -> str:
    """Why the case came to this worker, read from how the allocation before it ended: first contact when there
    was none, or it ended more than 7 days before."""
    if (
        before is None
        or before.ended_on is None
        or (allocation.started_on - before.ended_on).days > SW_GAP_DAYS
    ):
        return SW_FIRST_CONTACT
    return sw_reason_code(before.end_reason)


def _sw_rows(child_ids, start: dt.date, end: dt.date) -> dict[int, list[dict]]:
    rows: dict[int, list[dict]] = defaultdict(list)
    previous: dict[int, Allocation] = {}
    allocations = (
        Allocation.objects.filter(child_id__in=child_ids, started_on__lte=end)
        .select_related("worker")
        .order_by("child_id", "started_on", "pk")
    )
    for allocation in allocations:
        before = previous.get(allocation.child_id)
        previous[allocation.child_id] = allocation
        if allocation.ended_on is not None and allocation.ended_on < start:
            continue
        rows[allocation.child_id].append(
            {
                "SW_ID": social_worker_id(allocation.worker),
                "SW_DECOM": day(allocation.started_on),
                "SW_DEC": day(_within(allocation.ended_on, end)),
                "SW_REASON": allocation.change_reason or sw_reason(allocation, before),
            }
        )
    return rows


def ssda903_return(year: int) -> Return903:
    start, end = census_period(year)
    episodes = _episode_rows(start, end)
    leavers = _care_leavers(start, end, set(episodes))
    child_ids = sorted(set(episodes) | set(leavers))
    children = {
        child.pk: child
        for chunk in range(0, len(child_ids), 500)
        for child in Child.objects.filter(pk__in=child_ids[chunk : chunk + 500])
    }
    order = sorted(child_ids, key=lambda pk: children[pk].la_child_id)
    tables = tables_for(year)
    rows: dict[str, list[dict[str, str]]] = {table: [] for table in tables}

    mothers = _mothers(child_ids, end)
    looked_after = [pk for pk in order if pk in episodes]
    checks = _checks_in_year(looked_after, start, end)
    reviews = defaultdict(list)
    for review in CareReview.objects.filter(child_id__in=looked_after, held_on__gte=start, held_on__lte=end):
        reviews[review.child_id].append(review)
    missing = defaultdict(list)
    for episode in MissingEpisode.objects.filter(child_id__in=looked_after).exclude(
        returned_at__isnull=False, returned_at__date__lt=start
    ):
        began = timezone.localdate(episode.started_at)
        if began <= end:
            missing[episode.child_id].append((began, episode))
    uasc = {
        record.child_id: record
        for record in UnaccompaniedAsylumSeeker.objects.filter(child_id__in=looked_after)
    }
    permanence = {
        record.child_id: record
        for record in PreviousPermanenceRecord.objects.filter(child_id__in=looked_after)
    }
    plans = defaultdict(list)
    for plan in AdoptionMilestones.objects.filter(child_id__in=looked_after, decided_on__lte=end).order_by(
        "decided_on", "pk"
    ):
        plans[plan.child_id].append(plan)
    sw_episodes = _sw_rows(looked_after, start, end) if "SWEpisodes" in rows else {}

    for pk in order:
        child = children[pk]
        la_id, born = child.la_child_id, day(child.date_of_birth)
        mine = episodes.get(pk, [])
        only_short_breaks = bool(mine) and all(row["LS"] in SHORT_BREAKS for row in mine)
        mother = ""
        # Motherhood is reported for girls looked after in the year, other than on short breaks only (393, 628).
        if child.sex == "F" and mine and not only_short_breaks:
            mother = "1" if pk in mothers else "0"
        rows["Header"].append(
            {
                "CHILD": la_id,
                "SEX": sex_code(child.sex, year),
                "DOB": born,
                "ETHNIC": child.ethnicity,
                "UPN": child.upn or child.upn_unknown_reason,
                "MOTHER": mother,
                "MC_DOB": day(mothers.get(pk)) if mother == "1" else "",
            }
        )
        if pk in leavers:
            contact = leavers[pk]
            accommodation = ""
            if contact.accommodation:
                accommodation = contact.accommodation + ("1" if contact.accommodation_suitable else "2")
            rows["OC3"].append(
                {
                    "CHILD": la_id,
                    "DOB": born,
                    "IN_TOUCH": contact.in_touch,
                    "ACTIV": contact.activity or "0",  # 0: not known (rules 132, 153)
                    "ACCOM": accommodation or "0",
                }
            )
            continue
        for row in mine:
            rows["Episodes"].append(
                {"CHILD": la_id, **{k: v for k, v in row.items() if not k.startswith("_")}}
            )
        for review in sorted(reviews[pk], key=lambda r: r.held_on):
            rows["Reviews"].append(
                {
                    "CHILD": la_id,
                    "DOB": born,
                    "REVIEW": day(review.held_on),
                    "REVIEW_CODE": review.participation,
                }
            )
        if pk in uasc:
            rows["UASC"].append(
                {
                    "CHILD": la_id,
                    "SEX": sex_code(child.sex, year),
                    "DOB": born,
                    "DUC": day(_within(uasc[pk].ceased_on, end)),
                }
            )
        if _continuously_looked_after(mine, start, end):
            rows["OC2"].append({"CHILD": la_id, "DOB": born, **_oc2_row(child, checks[pk], end)})
        _adoption_rows(rows, la_id, born, mine, plans[pk], start, end)
        starts_care = any(row["RNE"] == "S" and start <= row["_decom"] for row in mine)
        if starts_care and pk in permanence:
            record = permanence[pk]
            rows["PrevPerm"].append(
                {
                    "CHILD": la_id,
                    "DOB": born,
                    "PREV_PERM": record.kind,
                    "LA_PERM": record.la_code,
                    "DATE_PERM": record.order_date,
                }
            )
        for began, episode in sorted(missing[pk], key=lambda item: (item[0], item[1].pk)):
            returned = timezone.localdate(episode.returned_at) if episode.returned_at else None
            rows["Missing"].append(
                {
                    "CHILD": la_id,
                    "DOB": born,
                    "MISSING": episode.kind,
                    "MIS_START": day(began),
                    "MIS_END": day(_within(returned, end)),
                }
            )
        for row in sw_episodes.get(pk, []):
            rows["SWEpisodes"].append({"CHILD": la_id, "DOB": born, **row})
    return Return903(year=year, rows=rows)


def _adoption_rows(rows, la_id: str, born: str, episodes: list[dict], plans, start, end) -> None:
    adopted_on = next(
        (row["_dec"] for row in episodes if row["REC"] in ADOPTED and row["_dec"] and row["_dec"] >= start),
        None,
    )
    if adopted_on is not None and plans:
        plan = plans[-1]
        rows["AD1"].append(
            {
                "CHILD": la_id,
                "DOB": born,
                "DATE_INT": day(plan.decided_on),
                "DATE_MATCH": day(_within(plan.matched_on, end)),
                "FOSTER_CARE": ""
                if plan.foster_carer_adopting is None
                else str(int(plan.foster_carer_adopting)),
                "NB_ADOPTR": str(plan.number_of_adopters or ""),
                "SEX_ADOPTR": plan.adopters_sex,
                "LS_ADOPTR": plan.adopters_legal_status,
            }
        )
    for plan in plans:
        ceased = _within(plan.ceased_on, end)
        if plan.ceased_on is not None and plan.ceased_on < start:
            continue
        rows["PlacedAdoption"].append(
            {
                "CHILD": la_id,
                "DOB": born,
                "DATE_PLACED": day(plan.decided_on),
                "DATE_PLACED_CEASED": day(ceased),
                "REASON_PLACED_CEASED": plan.reason_ceased if ceased else "",
            }
        )


def export_903(year: int, out: Path, **options) -> list[Path]:
    """Write the year's CSVs into the folder `out` (made if need be); returns the files written."""
    return write_903(ssda903_return(year), out)


def write_903(data: Return903, out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in data.files().items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
