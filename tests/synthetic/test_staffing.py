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


@pytest.mark.django_db
def test_turnover_agency_and_vacancies_start_high_and_improve(authority):
    first, last = workforce_trend([dt.date(2020, 9, 30), dt.date(2025, 9, 30)])
    assert first.turnover_rate > 25 and first.agency_rate > 25 and first.vacancy_rate > 15
    assert last.turnover_rate < first.turnover_rate - 10
    assert last.agency_rate < first.agency_rate - 15
    assert last.vacancy_rate < first.vacancy_rate - 10
    assert last.caseload_per_fte is not None and last.cases > 0


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
