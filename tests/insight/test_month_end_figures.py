"""Month-end figures stored, not recomputed (issue 16 point 1, ADR 0018): the store equals the records on a
generated authority, the check finds a figure that differs, a late entry marks and changes the months it belongs
to and only those, and the dashboard's queries do not grow with the number of children.

Today is frozen at Monday 11 May 2026, noon in London: April 2026 is the last closed month.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from opencsc.accounts.models import Role
from opencsc.casework import protection
from opencsc.frontdoor.models import Referral
from opencsc.insight import figure_months
from opencsc.insight.dashboard import trend_month_ends
from opencsc.insight.figures import (
    compute_months,
    decode_rows,
    figures_check,
    history_month_ends,
    month_end_results,
    month_ends_between,
)
from opencsc.insight.kpis import KPIS
from opencsc.insight.models import MonthEndFigure, MonthToRefresh
from opencsc.people import services as people
from opencsc.people.models import Child
from opencsc.synthetic.generator import clear_generated_data

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=LONDON)
TODAY = NOW.date()
LAST_CLOSED = dt.date(2026, 4, 30)
D = dt.date


def generate(children: int) -> None:
    call_command(
        "generate", children=children, seed=5, today=TODAY, start_year=2023, verbosity=0, replace=True
    )


@pytest.fixture(scope="module")
def authority(django_db_setup, django_db_blocker):
    """A generated authority with three years and a third of history, its figures stored."""
    with time_machine.travel(NOW, tick=False), django_db_blocker.unblock():
        generate(900)
        call_command("figures", "refresh", verbosity=0)
        yield
        clear_generated_data()


def _stored() -> dict[tuple[dt.date, str], tuple]:
    return {
        (day, kpi_id): (value, numerator, denominator, bytes(records), computed_at)
        for day, kpi_id, value, numerator, denominator, records, computed_at in MonthEndFigure.objects.values_list(
            "month_end", "kpi_id", "value", "numerator", "denominator", "records", "computed_at"
        )
    }


def _same(result, live) -> bool:
    return (
        result.value == live.value
        and result.numerator == live.numerator
        and result.denominator == live.denominator
        and result.numerator_children == live.numerator_children
        and result.denominator_children == live.denominator_children
        and result.missed_children == live.missed_children
        and sorted(result.rows) == sorted(live.rows)
    )


def test_every_closed_month_is_stored_and_the_check_finds_no_difference(authority, db, capsys):
    months = history_month_ends()
    assert months[0] <= D(2023, 1, 31) and months[-1] == LAST_CLOSED
    assert MonthEndFigure.objects.count() == len(months) * len(KPIS)
    assert not MonthToRefresh.objects.exists()

    call_command("figures", "check")

    out = capsys.readouterr().out
    assert f"Checked {len(months) * len(KPIS):,} figures over {len(months)} months" in out
    assert ": 0 differ." in out and "DIFFERS" not in out


def test_the_figures_read_back_equal_the_live_computation_records_and_children_included(authority, db):
    months = history_month_ends()[-24:]
    stored = month_end_results(months, records_for=months)
    live = compute_months(months)
    for index, day in enumerate(months):
        for kpi_id in KPIS:
            assert _same(stored[kpi_id][index], live[day][kpi_id]), (day, kpi_id)
    assert any(stored["referrals"][index].value for index in range(len(months)))


def test_the_check_reports_a_figure_that_differs_and_a_missing_month_and_exits_1(authority, db, capsys):
    MonthEndFigure.objects.filter(month_end=D(2025, 3, 31), kpi_id="referrals").update(value=-1)
    MonthEndFigure.objects.filter(month_end=D(2024, 6, 30)).delete()

    with pytest.raises(CommandError, match="Stored figures differ from the records"):
        call_command("figures", "check", "--from", "2024-01", "--to", "2025-12")

    out = capsys.readouterr().out
    assert "DIFFERS  2025-03 referrals: value; stored -1" in out
    assert out.count("DIFFERS  2024-06") == len(KPIS) and "2024-06 cin_at_year_end: missing" in out
    report = figures_check([D(2025, 4, 30), D(2025, 5, 31)])
    assert report.figures == 2 * len(KPIS) and not report.differences


def test_the_check_refuses_an_open_month_and_a_badly_written_one(authority, db):
    for arguments, message in (
        (["--month", "2026-05"], "May 2026 is not closed yet"),
        (["--month", "May 2026"], "--month must be a month as YYYY-MM"),
        (["--from", "2025-01"], "Give both --from and --to"),
        (["--from", "2025-06", "--to", "2025-01"], "--from must be on or before --to"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("figures", "check", *arguments)
    assert MonthEndFigure.objects.count() == len(history_month_ends()) * len(KPIS)


def test_a_late_assessment_changes_the_months_it_belongs_to_and_only_those(authority, db, teams, make_user):
    """An assessment recorded and authorised today for a referral last year: the child had open statutory work
    and no allocated worker at each month end from its start to last month, so those months' figures change."""
    worker, manager = (
        make_user(Role.SOCIAL_WORKER, teams["north"]),
        make_user(Role.TEAM_MANAGER, teams["north"]),
    )
    child = people.child_create(
        actor=worker,
        team=teams["north"],
        first_name="Late",
        last_name="Entry",
        date_of_birth=D(2015, 2, 3),
        sex="F",
    )
    Referral.objects.create(child=child, referral_date=D(2025, 9, 15), source="2A", route="assessment")
    call_command("figures", "refresh", verbosity=0)  # the referral itself marked months: stored again
    before = _stored()

    assessment = protection.assessment_start(actor=worker, child=child, started_on=D(2025, 9, 16))
    protection.assessment_record_factors(actor=worker, assessment=assessment, factors=["21"])
    protection.assessment_record_outcome(actor=worker, assessment=assessment, outcome="nfa")
    protection.assessment_submit(actor=worker, assessment=assessment, completed_on=TODAY)
    protection.assessment_authorise(actor=manager, assessment=assessment, authorised_on=TODAY)

    belongs = month_ends_between(D(2025, 9, 30), LAST_CLOSED)
    assert sorted(set(MonthToRefresh.objects.values_list("month_end", flat=True))) == belongs
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):  # an hour later: computed_at tells
        call_command("figures", "refresh", verbosity=0)
    after = _stored()
    assert not MonthToRefresh.objects.exists()
    changed = {key for key in after if after[key][:4] != before[key][:4]}
    recomputed = {key for key in after if after[key][4] != before[key][4]}
    assert {day for day, _ in recomputed} == set(belongs)
    assert changed == {(day, "unallocated_statutory") for day in belongs}
    for day in belongs:
        rows = decode_rows(after[(day, "unallocated_statutory")][3])
        assert (child.pk, child.pk, None) in rows
    assert not figures_check(belongs).differences


def test_closing_a_referral_today_marks_no_month(authority, db):
    referral = Referral.objects.filter(closed_on__isnull=True, referral_date__lt=D(2026, 1, 1)).first()
    referral.closed_on = TODAY
    referral.save()
    assert not MonthToRefresh.objects.exists()
    referral.closed_on = D(
        2026, 2, 10
    )  # a late closure: it was no longer open at the end of February to April
    referral.save()
    assert sorted(set(MonthToRefresh.objects.values_list("month_end", flat=True))) == [
        D(2026, 2, 28),
        D(2026, 3, 31),
        D(2026, 4, 30),
    ]


def test_a_marked_month_is_read_afresh_and_stored_then(authority, db):
    referral = Referral.objects.filter(referral_date__range=(D(2025, 1, 1), D(2025, 1, 31))).first()
    referral.referral_date = D(2025, 1, 2) if referral.referral_date != D(2025, 1, 2) else D(2025, 1, 3)
    referral.is_nfa = not referral.is_nfa
    referral.save()
    marked = sorted(set(MonthToRefresh.objects.values_list("month_end", flat=True)))
    assert marked[0] == D(2025, 1, 31) and D(2024, 12, 31) not in marked
    months = trend_month_ends(TODAY)
    shown = month_end_results(months, records_for=[months[-1]])
    live = compute_months(months)
    assert [result.value for result in shown["referral_nfa_rate"]] == [
        live[day]["referral_nfa_rate"].value for day in months
    ]
    assert not MonthToRefresh.objects.filter(month_end__in=months).exists()


def test_a_bulk_writer_marks_the_months_of_the_rows_it_wrote(authority, db):
    row = {"child_id": 1, "referral_date": D(2026, 3, 3), "closed_on": None, "is_nfa": False}
    assert figure_months.mark_changed("frontdoor.referral", [], [row], cause="test import") == 2
    assert sorted(MonthToRefresh.objects.values_list("month_end", flat=True)) == [
        D(2026, 3, 31),
        D(2026, 4, 30),
    ]


def test_an_import_marks_the_months_its_records_change_and_the_dashboard_shows_them(authority, db, tmp_path):
    """A 903 set from another system brings a child looked after since June 2025: the months from June 2025 are
    marked by the import itself, and the figures read afterwards count the child."""
    from opencsc.returns.ssda903.importer import import_903_files

    folder = tmp_path / "2026"
    folder.mkdir()
    (folder / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nZ903,F,02/02/2011,WBRI,,0,\n")
    (folder / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "Z903,01/06/2025,S,C2,N1,U6,PR1,,,,HP19 8FF,HP11 2JU,SC123456\n"
    )
    before = month_end_results([D(2025, 5, 31), D(2025, 6, 30)])["cla_at_year_end"]

    assert import_903_files([folder]).ok

    marked = sorted(set(MonthToRefresh.objects.values_list("month_end", flat=True)))
    assert marked == month_ends_between(D(2025, 6, 30), LAST_CLOSED)
    after = month_end_results([D(2025, 5, 31), D(2025, 6, 30)], records_for=[D(2025, 6, 30)])[
        "cla_at_year_end"
    ]
    assert after[0].value == before[0].value and after[1].value == before[1].value + 1
    assert Child.objects.get(la_child_id="Z903").pk in after[1].numerator_children
    assert not figures_check(marked).differences


def test_the_kpi_page_of_a_past_year_shows_the_stored_figures_with_their_links(
    authority, db, make_user, client_for
):
    from opencsc.insight.figures import kpis_for_year
    from opencsc.insight.kpis import compute_kpis

    stored, live = kpis_for_year(2025), compute_kpis(2025)
    assert {kpi: (r.value, r.numerator, r.denominator) for kpi, r in stored.items()} == {
        kpi: (r.value, r.numerator, r.denominator) for kpi, r in live.items()
    }
    page = client_for(make_user(Role.DIRECTOR)).get("/insight/kpis/?year=2025").content.decode()
    for kpi_id, result in live.items():
        assert (f'/insight/kpis/{kpi_id}/?year=2025"' in page) == bool(result.numerator_children), kpi_id
        if result.denominator is not None:
            assert (f"/insight/kpis/{kpi_id}/?year=2025&amp;part=denominator" in page) == bool(
                result.denominator_children
            ), kpi_id


def _refresh_then_check_every_month(capsys) -> None:
    """Refresh the marked months, then check every closed month against the records: a month the import
    changed but did not mark would differ."""
    call_command("figures", "refresh", verbosity=0)
    assert not MonthToRefresh.objects.exists()
    call_command("figures", "check")
    out = capsys.readouterr().out
    assert ": 0 differ." in out and "DIFFERS" not in out


def test_a_cin_census_import_marks_exactly_the_months_it_changes_and_again_none(
    authority, db, tmp_path, capsys
):
    """Two children referred on 6 May 2025, assessed, on a section 47, conference and plan from May 2025 (all
    still open): the months from May 2025 change and only those; importing the file again changes nothing."""
    from opencsc.returns.cin.importer import import_cin_files
    from tests.returns.builders import cin_census

    census = cin_census(tmp_path / "cin.xml", 2, prefix="Q")
    stored = _stored()

    assert import_cin_files([census]).ok

    marks = MonthToRefresh.objects.all()
    assert sorted(mark.month_end for mark in marks) == month_ends_between(D(2025, 5, 31), LAST_CLOSED)
    assert {mark.cause for mark in marks} == {"import.cin"}
    assert _stored() == stored  # marked, not yet recomputed
    _refresh_then_check_every_month(capsys)
    refreshed = _stored()

    assert import_cin_files([census]).ok

    assert not MonthToRefresh.objects.exists()
    assert _stored() == refreshed


def test_a_903_import_marks_exactly_the_months_a_changed_episode_changes_and_again_none(
    authority, db, tmp_path, capsys
):
    """A child looked after since March 2024, imported and its figures refreshed; a corrected set ends the
    episode on 31 December 2025: only the months from December 2025 (when it ended in their twelve months and
    was no longer open at their end) change. The same corrected set again changes nothing."""
    from opencsc.returns.ssda903.importer import import_903_files
    from tests.returns.builders import ssda903_set

    folder = ssda903_set(tmp_path / "2026", 1, prefix="M")
    assert import_903_files([folder]).ok
    assert sorted(set(MonthToRefresh.objects.values_list("month_end", flat=True))) == month_ends_between(
        D(2024, 1, 31), LAST_CLOSED
    )
    _refresh_then_check_every_month(capsys)
    episodes = (folder / "episodes.csv").read_text()
    (folder / "episodes.csv").write_text(episodes.replace(",,,,HP19 8FF", ",31/12/2025,E11,,HP19 8FF"))

    assert import_903_files([folder]).ok

    marks = MonthToRefresh.objects.all()
    assert sorted(mark.month_end for mark in marks) == month_ends_between(D(2025, 12, 31), LAST_CLOSED)
    assert {mark.cause for mark in marks} == {"import.903"}
    _refresh_then_check_every_month(capsys)
    refreshed = _stored()

    assert import_903_files([folder]).ok

    assert not MonthToRefresh.objects.exists()
    assert _stored() == refreshed
