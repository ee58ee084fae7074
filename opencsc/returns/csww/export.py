"""The children's social work workforce census XML for census year Y, projected from the staff records.

Census year Y is the year to 30 September Y, the reference date (Year 2022 carries ReferenceDate 2022-09-30):
1 October Y-1 to 30 September Y. Elements follow the 2022 schema's order (returns.md §5), no namespace.

Who is in it: every children and family social worker (a staff record with a census role) employed by the
council who was in post on the reference date, started in the year, or left in it; then, after them, the agency
workers in post on the reference date (AgencyWorker 1, with the fewer items the census asks of them). A leaver
on 30 September is a leaver of the year and not in post on it (see opencsc/workforce/models.py). The
authority-level block gives the vacancies and agency workers on the reference date as the workforce selectors
count them.

Not checked against a DfE validator (none was found). The 2022 schema's Social Work England number pattern
(two letters and ten digits) looks doubtful for real "SW" numbers, so numbers are written as recorded.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from opencsc.casework.models import Allocation
from opencsc.core.working_days import authority_calendar
from opencsc.workforce.models import Absence, StaffRecord
from opencsc.workforce.selectors import workforce_figures

SOFTWARE_CODE = "OpenCSC"
NOT_KNOWN_INSTITUTION = "Not known"
# The census's ethnicity list lacks two of the CIN census's codes; both are White backgrounds.
CENSUS_ETHNICITY = {"WIRT": "WOTH", "WROM": "WOTH"}


def census_year_dates(year: int) -> tuple[dt.date, dt.date]:
    """The census year Y: 1 October Y-1 to 30 September Y (the reference date)."""
    return dt.date(year - 1, 10, 1), dt.date(year, 9, 30)


def _add(parent, tag: str, text: str | None = None):
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _decimal(value, places: int) -> str:
    return f"{Decimal(value):.{places}f}"


def _flag(value: bool) -> str:
    return "1" if value else "0"


def census_workers(year: int) -> tuple[list[StaffRecord], list[StaffRecord]]:
    """The employed social workers and the agency workers the census for year Y lists."""
    start, reference = census_year_dates(year)
    social_workers = StaffRecord.objects.exclude(org_role="").filter(start_date__lte=reference)
    in_post = Q(leaving_date__isnull=True) | Q(leaving_date__gt=reference)
    employed = list(
        social_workers.exclude(contract="agency")
        .filter(in_post | Q(leaving_date__gte=start))
        .order_by("swe_number", "start_date", "pk")
    )
    agency = list(
        social_workers.filter(contract="agency").filter(in_post).order_by("swe_number", "start_date", "pk")
    )
    return employed, agency


def _cases_on(day: dt.date, user_ids: list[int]) -> dict[int, int]:
    cases: dict[int, int] = defaultdict(int)
    held = (
        Allocation.objects.filter(worker_id__in=user_ids, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .values_list("worker_id", flat=True)
    )
    for worker_id in held:
        cases[worker_id] += 1
    return cases


def _absences(records: list[StaffRecord], start: dt.date, reference: dt.date) -> dict[int, list[Absence]]:
    by_record: dict[int, list[Absence]] = defaultdict(list)
    overlapping = Absence.objects.filter(staff__in=records, starts_on__lte=reference).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start)
    )
    for absence in overlapping:
        by_record[absence.staff_id].append(absence)
    return by_record


def _working_days_lost(absences: list[Absence], start: dt.date, reference: dt.date, calendar) -> int:
    days = 0
    for absence in absences:
        first = max(absence.starts_on, start)
        last = min(absence.ends_on or reference, reference)
        days += sum(
            1
            for offset in range((last - first).days + 1)
            if calendar.is_working_day(first + dt.timedelta(offset))
        )
    return days


def _header(root, year: int, reference: dt.date) -> None:
    header = _add(root, "Header")
    details = _add(header, "CollectionDetails")
    _add(details, "Collection", "CSWW")
    _add(details, "Year", str(year))
    _add(details, "ReferenceDate", reference.isoformat())
    source = _add(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", settings.AUTHORITY_LA_CODE)
    _add(source, "SoftwareCode", SOFTWARE_CODE)
    _add(source, "DateTime", timezone.localtime().replace(microsecond=0, tzinfo=None).isoformat())


def _employed_worker(parent, record: StaffRecord, context: dict) -> None:
    start, reference = context["start"], context["reference"]
    in_post = record.in_post_on(reference)
    left_in_year = record.leaving_date is not None and start <= record.leaving_date <= reference
    worker = _add(parent, "CSWWWorker")
    _add(worker, "AgencyWorker", "0")
    _add(worker, "SWENo", record.swe_number)
    _add(worker, "FTE", _decimal(record.fte, 6))
    if record.birth_date:
        _add(worker, "PersonBirthDate", record.birth_date.isoformat())
    if record.gender:
        _add(worker, "GenderCurrent", record.gender)
    if record.ethnicity:
        _add(worker, "Ethnicity", CENSUS_ETHNICITY.get(record.ethnicity, record.ethnicity))
    _add(worker, "QualInst", record.qualification_institution or NOT_KNOWN_INSTITUTION)
    if record.qualification_level:
        _add(worker, "QualLevel", record.qualification_level)
    _add(worker, "StepUpGrad", _flag(record.step_up_graduate))
    _add(worker, "OrgRole", record.org_role)
    _add(worker, "RoleStartDate", record.start_date.isoformat())
    if record.start_origin:
        _add(worker, "StartOrigin", record.start_origin)
    if left_in_year:
        _add(worker, "RoleEndDate", record.leaving_date.isoformat())
        if record.leaver_destination:
            _add(worker, "LeaverDestination", record.leaver_destination)
        _add(worker, "ReasonLeave", record.leaving_reason)
    if in_post:
        _add(worker, "FTE30", _decimal(record.fte, 6))
        _add(worker, "Cases30", str(context["cases"].get(record.user_id, 0) if record.user_id else 0))
    absences = context["absences"].get(record.pk, [])
    lost = _working_days_lost(absences, start, reference, context["calendar"])
    _add(worker, "WorkingDaysLost", _decimal(lost, 2))
    _add(worker, "FrontlineGrad", _flag(record.frontline_graduate))
    if in_post:
        absent_now = [
            a for a in absences if a.starts_on <= reference and (a.ends_on is None or a.ends_on >= reference)
        ]
        _add(worker, "Absat30Sept", _flag(bool(absent_now)))
        if absent_now:
            _add(worker, "ReasonAbsence", absent_now[0].reason)
    if record.knowledge_and_skills_status:
        _add(worker, "CFKSSstatus", record.knowledge_and_skills_status)


def _agency_worker(parent, record: StaffRecord, context: dict) -> None:
    worker = _add(parent, "CSWWWorker")
    _add(worker, "AgencyWorker", "1")
    _add(worker, "SWENo", record.swe_number)
    _add(worker, "FTE", _decimal(record.fte, 6))
    _add(worker, "QualInst", record.qualification_institution or NOT_KNOWN_INSTITUTION)
    _add(worker, "OrgRole", record.org_role)
    _add(worker, "RoleStartDate", record.start_date.isoformat())
    _add(worker, "FTE30", _decimal(record.fte, 6))
    _add(worker, "Cases30", str(context["cases"].get(record.user_id, 0) if record.user_id else 0))


def csww_census_tree(year: int):
    start, reference = census_year_dates(year)
    employed, agency = census_workers(year)
    user_ids = [record.user_id for record in employed + agency if record.user_id]
    context = {
        "start": start,
        "reference": reference,
        "cases": _cases_on(reference, user_ids),
        "absences": _absences(employed, start, reference),
        "calendar": authority_calendar(),
    }
    root = etree.Element("Message")
    _header(root, year, reference)
    figures = workforce_figures(reference)
    vacancies = _add(root, "LALevelVacancies")
    _add(vacancies, "NumberOfVacancies", _decimal(figures.vacancy_fte, 2))
    _add(vacancies, "NoAgencyFTE", _decimal(figures.agency_fte, 2))
    _add(vacancies, "NoAgencyHeadcount", str(figures.agency_headcount))
    for record in employed:
        _employed_worker(root, record, context)
    for record in agency:
        _agency_worker(root, record, context)
    return root


def csww_census_bytes(year: int) -> bytes:
    return etree.tostring(csww_census_tree(year), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_csww(year: int, out: Path) -> None:
    Path(out).write_bytes(csww_census_bytes(year))
