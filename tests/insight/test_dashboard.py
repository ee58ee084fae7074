"""The dashboard: trends agree with the yearly functions, targets and red/amber/green, panels, and who sees the
children behind each number."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.casework.models import Allocation, Assessment
from opencsc.frontdoor.demand import month_end
from opencsc.frontdoor.models import Contact, ContactChild
from opencsc.insight.charts import bar_chart
from opencsc.insight.dashboard import (
    dashboard_for,
    last_month_end,
    panel_children,
    trend_month_ends,
    unallocated_by_team,
)
from opencsc.insight.kpis import KPIS, Period, ReportingYear, kpi_trends, twelve_months_to
from opencsc.insight.models import KpiTarget
from opencsc.insight.targets import Target, kpi_target_set, kpi_targets
from opencsc.oversight.models import Escalation, Level
from tests.insight.test_kpis import _assessment, _episode, _plan, child, referral

D = dt.date
pytestmark = pytest.mark.django_db


def _history():
    """A little of everything over four years, with edges on month ends."""
    team = Team.objects.create(name="Assessment East", kind=TeamKind.ASSESSMENT)
    kids = [child(n) for n in range(1, 9)]
    for n, kid in enumerate(kids):
        kid.responsible_team = team
        kid.save()
        referral(kid, D(2023, 1 + n, 28), is_nfa=n % 3 == 0)
        referral(kid, D(2024, 1 + n, 28) + dt.timedelta(days=n), closed_on=D(2025, 1 + n, 1))
        _assessment(kid, D(2024, 2 + n, 1), D(2024, 4 + n, 20 + n))
        started = month_end(D(2023, 1 + n, 1)) if n < 6 else D(2024, 2, 29)
        _plan(kid, started, month_end(D(2025, 1 + n, 1)) if n % 2 else None)
        _episode(kid, D(2023, 3 + n, 1), D(2024, 3 + n, 1) if n % 2 else None)
    Assessment.objects.create(child=kids[0], started_on=D(2025, 6, 1))
    return team, kids


def test_trend_points_equal_the_yearly_functions_for_each_period():
    _history()
    periods = [twelve_months_to(day) for day in trend_month_ends(D(2025, 12, 31))]
    trends = kpi_trends(periods)
    for kpi_id, compute in KPIS.items():
        for period, from_trend in zip(periods, trends[kpi_id], strict=True):
            alone = compute(period)
            assert (alone.value, alone.numerator, alone.denominator) == (
                from_trend.value,
                from_trend.numerator,
                from_trend.denominator,
            ), (kpi_id, period)
            assert alone.numerator_children == from_trend.numerator_children
            assert alone.denominator_children == from_trend.denominator_children


def test_twelve_months_to_31_march_is_the_reporting_year_and_leap_days_fall_back():
    year = ReportingYear(2026)
    assert (twelve_months_to(D(2026, 3, 31)).start, twelve_months_to(D(2026, 3, 31)).end) == (
        year.start,
        year.end,
    )
    assert twelve_months_to(D(2024, 2, 29)) == Period(D(2023, 3, 1), D(2024, 2, 29))
    assert twelve_months_to(D(2025, 2, 28)) == Period(D(2024, 3, 1), D(2025, 2, 28))


def test_trend_has_36_month_ends_up_to_the_last_complete_month():
    ends = trend_month_ends(D(2026, 11, 23))
    assert len(ends) == 36 and ends[-1] == D(2026, 10, 31) and ends[0] == D(2023, 11, 30)
    assert last_month_end(D(2026, 10, 31)) == D(2026, 10, 31)
    assert trend_month_ends(D(2024, 3, 31))[-2:] == [D(2024, 2, 29), D(2024, 3, 31)]


@pytest.mark.parametrize(
    ("direction", "value", "expected"),
    [
        ("higher", 85, "green"),
        ("higher", 90.2, "green"),
        ("higher", 80, "amber"),
        ("higher", 79.9, "red"),
        ("lower", 85, "green"),
        ("lower", 90, "amber"),
        ("lower", 90.1, "red"),
        ("higher", None, None),
    ],
)
def test_rag_against_a_rate_target_with_a_5_point_amber_band(direction, value, expected):
    assert Target("assessments_within_45wd_rate", Decimal("85"), direction, True).rag(value) == expected


def test_rag_against_a_count_target_with_a_10_percent_amber_band():
    target = Target("referrals", Decimal("200"), "lower", False)
    assert [target.rag(v) for v in (200, 220, 221)] == ["green", "amber", "red"]
    assert Target("unallocated_statutory", Decimal("0"), "lower", True).rag(1) == "red"


def test_targets_are_set_by_the_director_and_audited(make_user):
    director, head = make_user(Role.DIRECTOR), make_user(Role.HEAD_OF_SERVICE)
    assert kpi_targets()["assessments_within_45wd_rate"].is_default
    kpi_target_set(actor=director, kpi_id="assessments_within_45wd_rate", target="90", direction="higher")
    target = kpi_targets()["assessments_within_45wd_rate"]
    assert (target.value, target.is_default) == (Decimal("90.0"), False)
    assert AuditEvent.objects.filter(verb="kpi_target.set", actor=director).count() == 1
    with pytest.raises(PermissionDenied):
        kpi_target_set(actor=head, kpi_id="referrals", target="1", direction="lower")
    for bad, field in (("lots", "target"), ("101", "target"), ("-1", "target")):
        with pytest.raises(ValidationError) as error:
            kpi_target_set(actor=director, kpi_id="referral_nfa_rate", target=bad, direction="lower")
        assert field in error.value.message_dict
    with pytest.raises(ValidationError):
        kpi_target_set(actor=director, kpi_id="referrals", target="5", direction="sideways")
    assert KpiTarget.objects.count() == 1


def test_dashboard_rows_carry_trend_target_rag_comparator_and_chart(make_user):
    _history()
    board = dashboard_for(on=D(2025, 12, 15), user=make_user(Role.DIRECTOR))
    assert board.month_end == D(2025, 11, 30)
    assert [row.id for row in board.kpis] == list(KPIS)
    row = next(row for row in board.kpis if row.id == "assessments_within_45wd_rate")
    assert len(row.trend) == 36 and row.trend[-1].month_end == D(2025, 11, 30)
    assert row.result.value == KPIS["assessments_within_45wd_rate"](twelve_months_to(D(2025, 11, 30))).value
    assert row.comparator.year and "Children in need" in row.comparator.source
    assert "<svg" in row.chart and "<title" in row.chart and "<desc" in row.chart
    assert {panel.key for panel in board.panels} == {"unallocated", "overdue", "escalations", "demand"}


def test_panels_count_unallocated_overdue_escalations_and_demand(make_user):
    team, kids = _history()
    worker = make_user(Role.SOCIAL_WORKER, team)
    Allocation.objects.create(child=kids[1], worker=worker, team=team, started_on=D(2023, 1, 1))
    Escalation.objects.create(
        rule_id="assessment",
        subject_key="assessment:1",
        child=kids[0],
        team=team,
        due_on=D(2025, 8, 1),
        explanation="Late",
        raised_on=D(2025, 8, 4),
        level=Level.DIRECTOR,
        level_started_on=D(2025, 8, 4),
        level_deadline=D(2025, 8, 6),
    )
    contact = Contact.objects.create(
        reference="C1",
        received_at=timezone.make_aware(dt.datetime(2025, 9, 1, 10)),
        channel="phone",
        source="6",
        concerns="x",
        decision_due_on=D(2025, 9, 2),
    )
    ContactChild.objects.create(contact=contact, child=kids[2])
    on = D(2025, 12, 15)
    board = dashboard_for(on=on, user=make_user(Role.DIRECTOR))
    unallocated = board.panel("unallocated")
    assert unallocated.total == len(KPIS["unallocated_statutory"](Period(on, on)).numerator_children)
    assert kids[1].pk not in panel_children("unallocated", "all", on)[1]
    assert kids[0].pk in panel_children("unallocated", "all", on)[1]
    month_end = dashboard_for(on=D(2025, 11, 30), user=make_user(Role.DIRECTOR))  # reuses the KPI's children
    assert {row.key: row.count for row in month_end.panel("unallocated").rows} == {
        key: len(ids) for key, (_, ids) in unallocated_by_team(D(2025, 11, 30)).items()
    }
    assert month_end.panel("unallocated").total > 0
    overdue = {row.key: row.count for row in board.panel("overdue").rows}
    assert overdue["assessment"] == 1 and panel_children("overdue", "assessment", on)[1] == {kids[0].pk}
    levels = {row.key: row.count for row in board.panel("escalations").rows}
    assert levels == {"team_manager": 0, "head_of_service": 0, "director": 1, "chief_executive": 0}
    assert dashboard_for(on=D(2025, 8, 3), user=make_user(Role.DIRECTOR)).panel("escalations").total == 0
    demand = {row.key: row.count for row in board.panel("demand").rows}
    assert demand["police"] == 1, demand
    assert sum(demand.values()) == 1
    assert panel_children("demand", "police", on)[1] == {kids[2].pk}


def test_numbers_are_the_same_for_every_leader_but_links_only_for_those_who_may_open_records(make_user):
    _history()
    director = dashboard_for(on=D(2025, 12, 15), user=make_user(Role.DIRECTOR))
    board = dashboard_for(on=D(2025, 12, 15), user=make_user(Role.IMPROVEMENT_BOARD))
    assert [r.result.value for r in director.kpis] == [r.result.value for r in board.kpis]
    assert any(row.href for row in director.kpis)
    assert not any(row.href or row.missed_href for row in board.kpis)
    assert not any(row.href for panel in board.panels for row in panel.rows)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.DIRECTOR, 200),
        (Role.HEAD_OF_SERVICE, 200),
        (Role.PERFORMANCE_ANALYST, 200),
        (Role.CHIEF_EXECUTIVE, 200),
        (Role.IMPROVEMENT_BOARD, 200),
        (Role.TEAM_MANAGER, 403),
        (Role.SOCIAL_WORKER, 403),
        (Role.AUDITOR, 403),
        (Role.ADMINISTRATOR, 403),
    ],
)
def test_who_sees_the_dashboard_and_kpi_pages(role, status, make_user, client_for):
    client = client_for(make_user(role))
    for path in ("/insight/dashboard/", "/insight/kpis/?year=2026", "/insight/targets/"):
        assert client.get(path).status_code == status, path


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.DIRECTOR, 200),
        (Role.PERFORMANCE_ANALYST, 200),
        (Role.CHIEF_EXECUTIVE, 403),
        (Role.IMPROVEMENT_BOARD, 403),
        (Role.SOCIAL_WORKER, 403),
    ],
)
def test_who_sees_the_children_behind_a_number(role, status, make_user, client_for):
    _history()
    client = client_for(make_user(role))
    assert client.get("/insight/kpis/referrals/?year=2024").status_code == status
    assert client.get("/insight/dashboard/unallocated/all/?on=2025-12-15").status_code == status


def test_board_member_sees_numbers_without_links_or_names(make_user, client_for):
    _, kids = _history()
    page = (
        client_for(make_user(Role.IMPROVEMENT_BOARD))
        .get("/insight/dashboard/?on=2025-12-15")
        .content.decode()
    )
    assert "/insight/kpis/assessments_within_45wd_rate/" not in page and "/children/" not in page
    assert kids[0].last_name not in page
    kpis = client_for(make_user(Role.CHIEF_EXECUTIVE)).get("/insight/kpis/?year=2024").content.decode()
    assert "/insight/kpis/referrals/" not in kpis and "Referrals" in kpis


def test_drill_down_lists_only_children_the_user_may_open_and_logs_them(make_user, client_for):
    _, kids = _history()
    kids[3].is_restricted = True
    kids[3].save()
    director = make_user(Role.DIRECTOR)
    response = client_for(director).get("/insight/kpis/referrals/?year=2024")
    page = response.content.decode()
    listed = [kid for kid in kids if f"/children/{kid.pk}/" in page]
    assert kids[3] not in listed and len(listed) >= 1
    assert "counted but not listed" in page
    logged = set(
        RecordAccess.objects.filter(user=director, kind=AccessKind.LISTED).values_list("child_id", flat=True)
    )
    assert logged == {kid.pk for kid in listed}


def test_late_assessments_are_drillable_as_the_missed_part(make_user, client_for):
    late, on_time = child(101), child(102)
    _assessment(late, D(2025, 6, 3), D(2025, 8, 6))  # the 46th working day
    _assessment(on_time, D(2025, 6, 3), D(2025, 8, 5))  # the 45th
    page = (
        client_for(make_user(Role.DIRECTOR))
        .get("/insight/kpis/assessments_within_45wd_rate/?year=2026&part=missed")
        .content.decode()
    )
    assert f"/children/{late.pk}/" in page and f"/children/{on_time.pk}/" not in page
    assert "Late: assessed after 45 working days" in page


def test_targets_page_saves_and_explains_a_bad_target(make_user, client_for):
    client = client_for(make_user(Role.PERFORMANCE_ANALYST))
    bad = client.post(
        "/insight/targets/", {"kpi_id": "referral_nfa_rate", "target": "abc", "direction": "lower"}
    )
    assert bad.status_code == 200 and "Enter the target as a number" in bad.content.decode()
    assert not KpiTarget.objects.exists()
    good = client.post(
        "/insight/targets/", {"kpi_id": "referral_nfa_rate", "target": "7.5", "direction": "lower"}
    )
    assert good.status_code == 302 and kpi_targets()["referral_nfa_rate"].value == Decimal("7.5")
    refused = client_for(make_user(Role.HEAD_OF_SERVICE)).post(
        "/insight/targets/", {"kpi_id": "referrals", "target": "1", "direction": "lower"}
    )
    assert refused.status_code == 403


def test_leaders_have_the_dashboard_in_their_navigation(make_user, client_for):
    page = client_for(make_user(Role.CHIEF_EXECUTIVE)).get("/insight/dashboard/").content.decode()
    assert 'href="/insight/dashboard/"' in page and 'href="/insight/kpis/"' in page
    social_worker_home = client_for(make_user(Role.SOCIAL_WORKER)).get("/").content.decode()
    assert "/insight/dashboard/" not in social_worker_home


def test_dashboard_has_the_workforce_rates_with_englands_2023_figures(make_user):
    board = dashboard_for(on=D(2025, 12, 15), user=make_user(Role.DIRECTOR))
    measures = {measure.key: measure for measure in board.workforce.measures}
    assert set(measures) == {"turnover_rate", "agency_rate", "vacancy_rate", "caseload_per_fte"}
    assert measures["turnover_rate"].comparator.label == "15.9%"
    assert measures["caseload_per_fte"].comparator.year == "30 September 2023"
    assert len(measures["agency_rate"].trend) == 36 and "<svg" in measures["agency_rate"].chart


def test_trend_figures_without_children_match_the_full_results():
    _history()
    periods = [twelve_months_to(day) for day in trend_month_ends(D(2025, 12, 31))]
    full, lean = kpi_trends(periods), kpi_trends(periods, children_for_last_only=True)
    for kpi_id in KPIS:
        assert [(r.value, r.numerator, r.denominator) for r in full[kpi_id]] == [
            (r.value, r.numerator, r.denominator) for r in lean[kpi_id]
        ]
        assert full[kpi_id][-1].numerator_children == lean[kpi_id][-1].numerator_children


def test_a_long_bar_label_is_shortened_before_its_bar_and_kept_whole_in_the_description():
    long_label = "Child in Need and Protection Team Wycombe and Chiltern"
    chart = str(
        bar_chart("t", title="Teams", description=f"{long_label} 2", bars=[(long_label, 2), ("Short", 1)])
    )
    assert f">{long_label}<" not in chart and "Child in Need and Protection Team…" in chart
    assert f'<desc id="t-d">{long_label} 2</desc>' in chart and ">Short<" in chart


@pytest.mark.parametrize("role", [Role.PERFORMANCE_ANALYST, Role.HEAD_OF_SERVICE, Role.DIRECTOR])
def test_every_link_on_the_dashboard_opens_for_the_leader_shown_it(role, make_user, client_for):
    """The analyst was linked to the escalation chain, which refused them (issue 12.9)."""
    import re

    team, kids = _history()
    Escalation.objects.create(
        rule_id="assessment",
        subject_key="assessment:1",
        child=kids[0],
        team=team,
        due_on=D(2025, 8, 1),
        explanation="Late",
        raised_on=D(2025, 8, 4),
        level=Level.DIRECTOR,
        level_started_on=D(2025, 8, 4),
        level_deadline=D(2025, 8, 6),
    )
    client = client_for(make_user(role))
    page = client.get("/insight/dashboard/?on=2025-12-15").content.decode()
    links = {href.replace("&amp;", "&") for href in re.findall(r'href="(/[^"]*)"', page)}
    links -= {href for href in links if href.startswith(("/static/", "/accounts/"))}
    assert any(href.startswith("/insight/dashboard/escalations/") for href in links)
    refused = [href for href in sorted(links) if client.get(href).status_code == 403]
    assert refused == []
