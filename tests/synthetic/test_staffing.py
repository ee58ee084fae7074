"""The generated workforce: unstable at first and recovering, consistent with who held which cases, and removed
with the rest of the generated authority."""

import datetime as dt
from collections import defaultdict

import pytest
from django.core.management import call_command

from opencsc.casework.models import Allocation
from opencsc.synthetic.generator import clear_generated_data
from opencsc.workforce.codes import ContractType
from opencsc.workforce.models import Absence, Post, StaffRecord
from opencsc.workforce.selectors import workforce_figures, workforce_trend

TODAY = dt.date(2025, 11, 20)  # the generated years start on 1 January 2020


@pytest.fixture(scope="module")
def authority(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("generate", children=1500, seed=5, today=TODAY, verbosity=0, replace=True)
        yield
        clear_generated_data()


def _mean(rows, name: str) -> float:
    return sum(getattr(row, name) for row in rows) / len(rows)


@pytest.mark.django_db
def test_turnover_agency_and_vacancies_start_high_and_improve(authority):
    """The first two census years against the last two (a small authority's teams are small, so single
    years are noisy)."""
    trend = workforce_trend([dt.date(year, 9, 30) for year in (2020, 2021, 2024, 2025)])
    early, late = trend[:2], trend[2:]
    assert _mean(early, "turnover_rate") > 18 and _mean(early, "agency_rate") > 25
    assert _mean(early, "vacancy_rate") > 10
    assert _mean(late, "turnover_rate") < _mean(early, "turnover_rate") - 5
    assert _mean(late, "agency_rate") < _mean(early, "agency_rate") - 10
    assert _mean(late, "vacancy_rate") < _mean(early, "vacancy_rate") - 5
    assert late[-1].caseload_per_fte is not None and late[-1].cases > 0


@pytest.mark.django_db
def test_every_allocation_is_held_by_someone_in_post(authority):
    records = defaultdict(list)
    for record in StaffRecord.objects.exclude(user=None):
        records[record.user_id].append(record)
    for allocation in Allocation.objects.all():
        spells = records[allocation.worker_id]
        assert any(spell.in_post_on(allocation.started_on) for spell in spells), allocation.pk
        if allocation.ended_on:
            assert any(
                spell.start_date <= allocation.ended_on <= (spell.leaving_date or allocation.ended_on)
                for spell in spells
            ), allocation.pk


@pytest.mark.django_db
def test_records_obey_the_services_rules(authority):
    from opencsc.workforce.services import _overlapping_record, _staff_problems

    records = list(StaffRecord.objects.all())
    assert {record.contract for record in records} == set(ContractType.values)
    assert [(r.pk, _staff_problems(r)) for r in records if _staff_problems(r)] == []
    assert [r.pk for r in records if _overlapping_record(r)] == []
    numbers = [r.swe_number for r in records if r.swe_number]
    assert len(numbers) == len(set(numbers))
    assert Post.objects.exists() and Absence.objects.exists()
    assert workforce_figures(TODAY).funded_fte > 0


@pytest.mark.django_db
def test_clearing_removes_the_generated_workforce(authority):
    clear_generated_data()
    assert not StaffRecord.objects.exists() and not Post.objects.exists() and not Absence.objects.exists()
