"""The early help and proceedings clocks on the work pages: the same due dates as those apps' own pages, counted
in the pages' overdue figures, for the children the user may see only.

Today is Monday 11 May 2026, the week after the May Day bank holiday (Monday 4 May); Easter 2026 fell on Good
Friday 3 April and Easter Monday 6 April. Expected dates are counted by hand.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.casework.models import Allocation
from opencsc.casework.work import ClockContext, Lateness, Scope, due_work, summarise
from opencsc.core.models import ClockSetting
from opencsc.earlyhelp.models import EarlyHelpEpisode, LeadOrganisation, TeamAroundFamilyReview
from opencsc.legal.models import (
    CareProceedings,
    GatewayDecision,
    Hearing,
    HearingKind,
    LegalGatewayMeeting,
    PreProceedings,
    TimetableExtension,
)
from opencsc.people.models import Child, ChildAccessGrant

NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=ZoneInfo("Europe/London"))
D = dt.date
_numbers = iter(range(1, 100_000))

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW):
        yield


def make_child(team, first_name, last_name="Tester", **fields) -> Child:
    number = next(_numbers)
    return Child.objects.create(
        la_child_id=f"L{number:06d}",
        first_name=first_name,
        last_name=last_name,
        first_name_key=first_name.lower(),
        last_name_key=last_name.lower(),
        date_of_birth=D(2015, 1, 1),
        sex="F",
        responsible_team=team,
        **fields,
    )


def early_help(child, worker, started_on, *, reviewed_on=None) -> EarlyHelpEpisode:
    episode = EarlyHelpEpisode.objects.create(
        child=child,
        started_on=started_on,
        started_by="request",
        lead_name="Pat Lead",
        lead_organisation_kind=LeadOrganisation.SCHOOL,
        lead_organisation="Hill School",
        recorded_by=worker,
    )
    if reviewed_on:
        TeamAroundFamilyReview.objects.create(episode=episode, child=child, held_on=reviewed_on)
    return episode


def pre_proceedings(child, worker, started_on) -> PreProceedings:
    gateway = LegalGatewayMeeting.objects.create(
        child=child, held_on=started_on, decision=GatewayDecision.PRE_PROCEEDINGS, recorded_by=worker
    )
    return PreProceedings.objects.create(child=child, gateway=gateway, started_on=started_on)


def proceedings(child, worker, issued_on) -> CareProceedings:
    return CareProceedings.objects.create(child=child, issued_on=issued_on, recorded_by=worker)


def by_rule(items) -> dict:
    found = {}
    for item in items:
        assert item.rule_id not in found, item
        found[item.rule_id] = item
    return found


def items_of(*children):
    return due_work(Child.objects.filter(pk__in=[c.pk for c in children]), ClockContext())


@pytest.fixture
def worker(make_user, teams):
    return make_user(Role.SOCIAL_WORKER, teams["north"])


def test_early_help_clocks_across_easter_and_may_day(worker, teams):
    child = make_child(teams["north"], "Ada")
    early_help(child, worker, D(2026, 4, 1))
    items = by_rule(items_of(child))
    # 30 working days after Wed 1 April, skipping Good Friday, Easter Monday and May Day: Mon 18 May.
    assessment = items["early_help_assessment"]
    assert (assessment.due_on, assessment.is_overdue) == (D(2026, 5, 18), False)
    assert assessment.working_days_until_due == 5 and assessment.lateness == Lateness.DUE_SOON
    assert assessment.what == "Complete the early help assessment"
    # The first review 6 weeks after the start: Wed 13 May.
    assert items["early_help_review"].due_on == D(2026, 5, 13)


def test_a_missed_team_around_the_family_review_is_overdue_in_working_days(worker, teams):
    child = make_child(teams["north"], "Bea")
    ClockSetting.objects.create(rule_id="early_help_assessment", limit=20)
    episode = early_help(child, worker, D(2026, 3, 2), reviewed_on=D(2026, 3, 23))
    items = by_rule(items_of(child))
    review = items["early_help_review"]
    # 6 weeks after the review of 23 March: Mon 4 May (a bank holiday; a clock in weeks is not moved).
    assert (review.due_on, review.is_overdue, review.working_days_overdue) == (D(2026, 5, 4), True, 5)
    assert review.lateness == Lateness.OVERDUE_1_5 and review.record_id == episode.pk
    # The local limit of 20 working days after Mon 2 March: Mon 30 March.
    assert items["early_help_assessment"].due_on == D(2026, 3, 30)


def test_proceedings_clocks_with_an_extension_and_a_hearing_after_may_day(worker, teams):
    child = make_child(teams["north"], "Cat")
    case = proceedings(child, worker, D(2025, 11, 3))
    hearing = Hearing.objects.create(proceedings=case, kind=HearingKind.IRH, listed_for=D(2026, 5, 1))
    items = by_rule(items_of(child))
    # 26 weeks from Mon 3 November 2025: Mon 4 May 2026, overdue by 5 working days.
    assert (items["care_proceedings"].due_on, items["care_proceedings"].working_days_overdue) == (
        D(2026, 5, 4),
        5,
    )
    # By day 18 after issue: Fri 21 November 2025.
    assert items["case_management_hearing"].due_on == D(2025, 11, 21)
    assert items["case_management_hearing"].lateness == Lateness.OVERDUE_21_PLUS
    # The outcome of the hearing of Fri 1 May by the next working day: Tue 5 May (May Day skipped).
    outcome = items["hearing_outcome"]
    assert (outcome.due_on, outcome.record_id) == (D(2026, 5, 5), hearing.pk)
    assert outcome.what == "Record the outcome of the issues resolution hearing"

    TimetableExtension.objects.create(
        proceedings=case, granted_on=D(2026, 4, 27), weeks=8, reason="Assessments"
    )
    timetable = by_rule(items_of(child))["care_proceedings"]
    assert (timetable.due_on, timetable.is_overdue) == (D(2026, 6, 29), False)
    assert "extensions of 8 weeks" in timetable.explanation


def test_pre_proceedings_letter_then_meeting_and_the_decision(worker, teams):
    child = make_child(teams["north"], "Dot")
    started = pre_proceedings(child, worker, D(2026, 4, 2))
    items = by_rule(items_of(child))
    # 5 working days after Thu 2 April, skipping Good Friday and Easter Monday: Mon 13 April.
    assert items["plo_letter"].due_on == D(2026, 4, 13) and items["plo_letter"].is_overdue
    assert items["plo_decision"].due_on == D(2026, 7, 23)  # 16 weeks
    assert "plo_meeting" not in items

    started.letter_sent_on = D(2026, 4, 24)
    started.save()
    items = by_rule(items_of(child))
    # 10 working days after Fri 24 April, skipping May Day: Mon 11 May, due today.
    assert "plo_letter" not in items
    assert (items["plo_meeting"].due_on, items["plo_meeting"].is_overdue) == (D(2026, 5, 11), False)


def test_the_summary_counts_early_help_and_legal_items_and_filters_by_rule(worker, teams):
    child = make_child(teams["north"], "Eve")
    early_help(child, worker, D(2026, 3, 2), reviewed_on=D(2026, 3, 23))
    proceedings(child, worker, D(2025, 11, 3))
    items = items_of(child)
    summary = summarise(items)
    assert summary.by_rule == {
        "early_help_assessment": 1,
        "early_help_review": 1,
        "case_management_hearing": 1,
        "care_proceedings": 1,
    }
    assert summary.overdue == 4
    only = due_work(Child.objects.filter(pk=child.pk), ClockContext(), rules={"care_proceedings"})
    assert [item.rule_id for item in only] == ["care_proceedings"]


def test_the_sweeps_casework_rules_leave_the_early_help_and_legal_clocks_to_their_own_finders(worker, teams):
    from opencsc.casework.work import WORK_RULE_IDS

    child = make_child(teams["north"], "Fay")
    early_help(child, worker, D(2026, 3, 2))
    proceedings(child, worker, D(2025, 11, 3))
    assert due_work(Scope(), ClockContext(), rules=set(WORK_RULE_IDS)) == []


def test_the_work_pages_list_and_count_them_and_never_name_a_hidden_child(make_user, teams, client_for):
    north = teams["north"]
    worker = make_user(Role.SOCIAL_WORKER, north)
    head = make_user(Role.HEAD_OF_SERVICE)
    mine = make_child(north, "Gil")
    Allocation.objects.create(child=mine, worker=worker, team=north, started_on=D(2026, 1, 5))
    early_help(mine, worker, D(2026, 3, 2), reviewed_on=D(2026, 3, 23))
    proceedings(mine, worker, D(2025, 11, 3))
    hidden = make_child(north, "Hidden", last_name="Secretname", is_restricted=True)
    Allocation.objects.create(child=hidden, worker=worker, team=north, started_on=D(2026, 1, 5))
    early_help(hidden, worker, D(2026, 3, 2))
    pre_proceedings(hidden, worker, D(2026, 4, 2))

    for user, url in (
        (worker, reverse("work:mine")),
        (make_user(Role.TEAM_MANAGER, north), reverse("work:team")),
        (head, reverse("work:service")),
    ):
        page = client_for(user).get(url).content.decode()
        assert page.count('data-rule="care_proceedings"') == 1, url
        assert page.count('data-rule="early_help_review"') == 1, url
        assert "Conclude the care proceedings" in page and "Hold the team around the family review" in page
        assert 'data-rule="plo_letter"' not in page and "Secretname" not in page, url

    filtered = client_for(head).get(reverse("work:service"), {"clock": "plo_letter"}).content.decode()
    assert 'data-rule="plo_letter"' not in filtered
    ChildAccessGrant.objects.create(child=hidden, user=head)
    filtered = client_for(head).get(reverse("work:service"), {"clock": "plo_letter"}).content.decode()
    assert filtered.count('data-rule="plo_letter"') == 1 and "Secretname" in filtered
