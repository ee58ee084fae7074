"""The records behind each KPI: exactly the records and children the number counts, with the dates and figures
that put each in or out."""

import datetime as dt

import pytest

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.casework.models import Allocation
from opencsc.insight.drill import PARTS, kpi_drill
from opencsc.insight.kpis import KPIS, SNAPSHOT_KPIS, ReportingYear, twelve_months_to
from tests.insight.test_dashboard import _history
from tests.insight.test_kpis import _assessment, _plan, child, referral

D = dt.date
Y = ReportingYear(2026)
pytestmark = pytest.mark.django_db


def _expected_rows(kpi_id: str, part: str, result) -> int:
    if result.denominator is None:
        return result.value
    return {
        "numerator": result.numerator,
        "missed": result.denominator - result.numerator,
        "denominator": result.denominator,
    }[part]


@pytest.mark.parametrize("period", [Y, ReportingYear(2025), twelve_months_to(D(2025, 6, 30))])
def test_every_drill_down_lists_exactly_what_the_kpi_counts(period):
    _history()
    for kpi_id, compute in KPIS.items():
        result = compute(period)
        for part in PARTS if result.denominator is not None else ("numerator",):
            drill = kpi_drill(kpi_id, period, part)
            expected = {
                "numerator": result.numerator_children,
                "missed": result.missed_children,
                "denominator": result.denominator_children,
            }[part]
            assert drill.children == expected, (kpi_id, part)
            assert {row.child_id for row in drill.rows} == expected, (kpi_id, part)
            assert all(len(row.cells) == len(drill.columns) for row in drill.rows)
            if kpi_id not in SNAPSHOT_KPIS:  # one row a record; snapshots have one a child
                assert len(drill.rows) == _expected_rows(kpi_id, part, result), (kpi_id, part)


def _late_world():
    """From Tuesday 1 July 2025 the 45th working day is 3 September (the Late Summer Bank Holiday, 25 August,
    is skipped): 3 September is on time, 4 September the 46th (1 day late), 10 September the 50th (5 late)."""
    on_time, one_late, five_late = child(201), child(202), child(203)
    _assessment(on_time, D(2025, 7, 1), D(2025, 9, 3))
    _assessment(one_late, D(2025, 7, 1), D(2025, 9, 4))
    _assessment(five_late, D(2025, 7, 1), D(2025, 9, 10))
    return on_time, one_late, five_late


def test_late_assessments_show_dates_working_days_and_days_late_most_late_first():
    on_time, one_late, five_late = _late_world()
    result = KPIS["assessments_within_45wd_rate"](Y)
    assert (result.numerator, result.denominator) == (1, 3)
    drill = kpi_drill("assessments_within_45wd_rate", Y, "missed")
    assert drill.columns == (
        "Assessment started",
        "Authorised",
        "Working days",
        "Working days late (limit 45)",
    )
    assert [(row.child_id, row.cells) for row in drill.rows] == [
        (five_late.pk, ("1 July 2025", "10 September 2025", "50", "5")),
        (one_late.pk, ("1 July 2025", "4 September 2025", "46", "1")),
    ]
    on_time_rows = kpi_drill("assessments_within_45wd_rate", Y, "numerator").rows
    assert [(row.child_id, row.cells[2:]) for row in on_time_rows] == [(on_time.pk, ("45", "0"))]


def test_the_late_page_lists_the_records_hides_restricted_children_and_logs_the_listed(make_user, client_for):
    on_time, one_late, five_late = _late_world()
    hidden = child(204)
    hidden.is_restricted = True
    hidden.save()
    _assessment(hidden, D(2025, 7, 1), D(2025, 9, 5))
    team = Team.objects.create(name="Assessment West", kind=TeamKind.ASSESSMENT)
    worker = make_user(Role.SOCIAL_WORKER, team, first_name="Wren", last_name="Worker")
    Allocation.objects.create(child=five_late, worker=worker, team=team, started_on=D(2025, 6, 1))
    director = make_user(Role.DIRECTOR)
    page = (
        client_for(director)
        .get("/insight/kpis/assessments_within_45wd_rate/?year=2026&part=missed")
        .content.decode()
    )
    assert page.index(f"/children/{five_late.pk}/") < page.index(f"/children/{one_late.pk}/")
    assert f"/children/{on_time.pk}/" not in page and f"/children/{hidden.pk}/" not in page
    assert "<strong>3</strong> children" in page and "counted but not listed" in page
    assert "Working days late (limit 45)" in page and "10 September 2025" in page
    assert "Wren Worker (Assessment West)" in page and "Not allocated" in page
    logged = set(
        RecordAccess.objects.filter(user=director, kind=AccessKind.LISTED).values_list("child_id", flat=True)
    )
    assert logged == {one_late.pk, five_late.pk}


def test_rereferrals_show_the_earlier_referral_and_plans_their_length():
    kid = child(301)
    referral(kid, D(2024, 9, 1))
    referral(kid, D(2025, 5, 1))
    again = kpi_drill("rereferral_rate_12m", Y, "numerator")
    assert [row.cells for row in again.rows] == [("1 May 2025", "1 September 2024")]
    _plan(kid, D(2023, 6, 1), D(2025, 6, 1))
    ended = kpi_drill("cpp_ended_2y_plus_rate", Y, "numerator")
    assert [row.cells for row in ended.rows] == [("1 June 2023", "1 June 2025", "2 y 0 m (731 days)")]


def test_records_are_fetched_in_chunks_with_the_same_rows(monkeypatch):
    _late_world()
    whole = kpi_drill("assessments_within_45wd_rate", Y, "denominator").rows
    monkeypatch.setattr("opencsc.insight.drill.CHUNK", 1)
    assert kpi_drill("assessments_within_45wd_rate", Y, "denominator").rows == whole
