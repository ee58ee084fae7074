"""The workforce census XML: its structure, its codes and who is in it at the edges of the census year."""

import re

import pytest
from django.core.management import call_command
from lxml import etree

from opencsc.accounts.models import Role
from opencsc.returns.registry import get_kind
from opencsc.workforce.codes import (
    AbsenceReason,
    ContractType,
    GenderCurrent,
    OrgRole,
    QualificationLevel,
    ReasonLeave,
    StartOrigin,
)
from opencsc.workforce.models import Absence
from tests.workforce.builders import D, allocate, post, staff

YEAR = 2024  # 1 October 2023 to 30 September 2024
WORKER_ORDER = [
    "AgencyWorker",
    "SWENo",
    "FTE",
    "PersonBirthDate",
    "GenderCurrent",
    "Ethnicity",
    "QualInst",
    "QualLevel",
    "StepUpGrad",
    "OrgRole",
    "RoleStartDate",
    "StartOrigin",
    "RoleEndDate",
    "LeaverDestination",
    "ReasonLeave",
    "FTE30",
    "Cases30",
    "WorkingDaysLost",
    "ContractWeeks",
    "FrontlineGrad",
    "Absat30Sept",
    "ReasonAbsence",
    "CFKSSstatus",
]
CODES = {
    "AgencyWorker": {"0", "1"},
    "GenderCurrent": set(GenderCurrent.values),
    "QualLevel": set(QualificationLevel.values),
    "OrgRole": set(OrgRole.values),
    "StartOrigin": set(StartOrigin.values),
    "ReasonLeave": set(ReasonLeave.values),
    "ReasonAbsence": set(AbsenceReason.values),
    "StepUpGrad": {"0", "1"},
    "FrontlineGrad": {"0", "1"},
    "Absat30Sept": {"0", "1"},
}


@pytest.fixture
def workforce(teams, make_user):
    team = teams["north"]
    post(team, "6")
    holder = make_user(Role.SOCIAL_WORKER, team)
    in_post = staff(
        team,
        start=D(2020, 5, 1),
        user=holder,
        swe_number="SW100001",
        birth_date=D(1985, 3, 2),
        gender=GenderCurrent.FEMALE,
        ethnicity="WBRI",
        qualification_institution="University of Bedfordshire",
        qualification_level=QualificationLevel.POSTGRADUATE,
        start_origin=StartOrigin.OTHER_LA_ENGLAND,
    )
    allocate(holder, team, 4, started=D(2024, 6, 1))
    Absence.objects.create(
        staff=in_post, reason=AbsenceReason.SICKNESS, starts_on=D(2024, 9, 27), ends_on=None
    )
    staff(team, start=D(2023, 10, 1), swe_number="SW100002", fte="0.6")  # starter on the year's first day
    staff(
        team, start=D(2019, 1, 1), leaving=D(2024, 9, 30), swe_number="SW100003"
    )  # leaver on the census day
    staff(team, start=D(2019, 1, 1), leaving=D(2023, 9, 30), swe_number="SW100004")  # last year's leaver
    staff(team, start=D(2024, 10, 1), swe_number="SW100005")  # next year's starter
    staff(team, start=D(2024, 1, 8), contract=ContractType.AGENCY, swe_number="SW100006")
    staff(
        team, start=D(2023, 11, 1), leaving=D(2024, 3, 1), contract=ContractType.AGENCY, swe_number="SW100007"
    )
    staff(team, start=D(2015, 1, 1), org_role="", job_title="Business support")
    return team


def _census(tmp_path) -> etree._Element:
    out = tmp_path / "csww.xml"
    call_command("export", "csww", year=YEAR, out=out, verbosity=0)
    return etree.parse(str(out)).getroot()


@pytest.mark.django_db
def test_header_and_the_authority_level_block(workforce, tmp_path):
    root = _census(tmp_path)
    assert [child.tag for child in root] == ["Header", "LALevelVacancies"] + ["CSWWWorker"] * 4
    assert root.findtext("Header/CollectionDetails/Collection") == "CSWW"
    assert root.findtext("Header/CollectionDetails/Year") == "2024"
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2024-09-30"
    assert re.fullmatch(r"\d{3}", root.findtext("Header/Source/LEA"))
    # Employed on 30 September: 1.0 + 0.6 of 6 funded; the agency worker in post is 1.0.
    assert root.findtext("LALevelVacancies/NumberOfVacancies") == "4.40"
    assert root.findtext("LALevelVacancies/NoAgencyFTE") == "1.00"
    assert root.findtext("LALevelVacancies/NoAgencyHeadcount") == "1"


@pytest.mark.django_db
def test_who_is_in_the_census_year_and_agency_workers_come_last(workforce, tmp_path):
    workers = _census(tmp_path).findall("CSWWWorker")
    listed = [(w.findtext("SWENo"), w.findtext("AgencyWorker")) for w in workers]
    assert listed == [("SW100001", "0"), ("SW100002", "0"), ("SW100003", "0"), ("SW100006", "1")]


@pytest.mark.django_db
def test_elements_follow_the_schema_order_and_use_only_the_code_lists(workforce, tmp_path):
    for worker in _census(tmp_path).findall("CSWWWorker"):
        tags = [child.tag for child in worker]
        assert tags == sorted(tags, key=WORKER_ORDER.index)
        for child in worker:
            if child.tag in CODES:
                assert child.text in CODES[child.tag], (child.tag, child.text)
            if child.tag in ("FTE", "FTE30"):
                assert re.fullmatch(r"[01]\.\d{6}", child.text)
            if child.tag == "WorkingDaysLost":
                assert re.fullmatch(r"\d+\.\d\d", child.text)


@pytest.mark.django_db
def test_a_worker_in_post_a_leaver_on_the_census_day_and_an_agency_worker(workforce, tmp_path):
    by_number = {w.findtext("SWENo"): w for w in _census(tmp_path).findall("CSWWWorker")}
    in_post = by_number["SW100001"]
    assert in_post.findtext("FTE30") == "1.000000" and in_post.findtext("Cases30") == "4"
    assert in_post.findtext("RoleEndDate") is None
    # Off sick from Friday 27 September: Friday and Monday 30th are working days in the year.
    assert in_post.findtext("WorkingDaysLost") == "2.00"
    assert (in_post.findtext("Absat30Sept"), in_post.findtext("ReasonAbsence")) == ("1", "SIC")
    assert by_number["SW100002"].findtext("RoleStartDate") == "2023-10-01"
    leaver = by_number["SW100003"]
    assert (leaver.findtext("RoleEndDate"), leaver.findtext("ReasonLeave")) == ("2024-09-30", "1")
    assert leaver.find("FTE30") is None and leaver.find("Absat30Sept") is None
    agency = by_number["SW100006"]
    assert [child.tag for child in agency] == [
        "AgencyWorker",
        "SWENo",
        "FTE",
        "QualInst",
        "OrgRole",
        "RoleStartDate",
        "FTE30",
        "Cases30",
    ]


@pytest.mark.django_db
def test_csww_is_registered_as_a_return():
    assert get_kind("csww").export is not None
