"""Early help services, clocks, breaches and the two doors (opencsc/earlyhelp).

Today is frozen at Monday 11 May 2026, after Easter (Good Friday 3 April, Easter Monday 6 April) and the early
May bank holiday (Monday 4 May); the spring bank holiday is Monday 25 May. Due dates are counted by hand.
"""

import datetime as dt
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import Assessment, ChronologyEntry
from opencsc.casework.work import ClockContext
from opencsc.core.clocks import due_date
from opencsc.core.models import ClockSetting
from opencsc.earlyhelp import figures, selectors, services
from opencsc.earlyhelp.models import (
    EarlyHelpAssessment,
    EarlyHelpEpisode,
    EpisodeEnd,
    EpisodeStart,
    TeamAroundFamilyReview,
)
from opencsc.frontdoor.models import Channel, Contact, Referral
from opencsc.frontdoor.selectors import child_history_at
from opencsc.oversight.breaches import find_breaches
from opencsc.oversight.models import Escalation
from opencsc.oversight.services import escalations_sweep
from opencsc.people import services as people_services
from opencsc.people.selectors import child_due_items
from tests.factories import assert_refused

LONDON = ZoneInfo("Europe/London")
TODAY = dt.datetime(2026, 5, 11, 12, 0, tzinfo=LONDON)
D = dt.date
STARTED = D(2026, 3, 30)
ROW_MODELS = (
    EarlyHelpEpisode,
    EarlyHelpAssessment,
    TeamAroundFamilyReview,
    Contact,
    AuditEvent,
    ChronologyEntry,
)
LEAD = {
    "lead_name": "Sam Teacher",
    "lead_role": "Designated safeguarding lead",
    "lead_organisation_kind": "school",
    "lead_organisation": "Hill Street Primary School",
    "lead_phone": "01234 567890",
}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def w(teams, make_user):
    north = teams["north"]
    worker = make_user(Role.SOCIAL_WORKER, north)
    child = people_services.child_create(
        actor=worker, team=north, first_name="Eve", last_name="Help", date_of_birth=D(2015, 2, 2), sex="F"
    )
    return type("World", (), {"worker": worker, "child": child, "north": north})


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


_refused = partial(assert_refused, counts=_counts)


def _open(w, started_on=STARTED, **lead) -> EarlyHelpEpisode:
    return services.early_help_episode_open(
        actor=w.worker, child=w.child, started_on=started_on, **{**LEAD, **lead}
    )


def test_an_episode_opens_with_its_lead_professional_and_a_chronology_line(w):
    episode = _open(w)
    assert episode.started_by == EpisodeStart.REQUEST
    assert episode.lead_organisation == "Hill Street Primary School"
    line = ChronologyEntry.objects.get(child=w.child, source_key=f"early-help-{episode.pk}")
    assert "Sam Teacher, Designated safeguarding lead (Hill Street Primary School)" in line.summary
    assert AuditEvent.objects.filter(verb="early_help.opened").count() == 1


def test_bad_episodes_are_refused_on_the_right_field(w):
    _refused(lambda: _open(w, started_on=None), "started_on", "Enter the date early help started")
    _refused(lambda: _open(w, started_on=D(2026, 5, 12)), "started_on", "must be today or in the past")
    _refused(lambda: _open(w, started_on=D(2015, 1, 1)), "started_on", "birth")
    _refused(lambda: _open(w, lead_name=" "), "lead_name", "Enter the lead professional's name")
    _refused(lambda: _open(w, lead_organisation=""), "lead_organisation", "Enter the organisation")
    _refused(lambda: _open(w, lead_organisation_kind="pub"), "lead_organisation_kind", "kind of organisation")
    _refused(lambda: _open(w, lead_phone=""), "lead_phone", "email address or a phone number")
    _open(w)
    _refused(lambda: _open(w, started_on=D(2026, 4, 1)), "started_on", "already has early help open since")


def test_a_new_episode_cannot_start_before_the_last_ended(w):
    episode = _open(w)
    services.early_help_episode_close(
        actor=w.worker, episode=episode, ended_on=D(2026, 4, 20), end_reason=EpisodeEnd.OUTCOMES_MET
    )
    _refused(lambda: _open(w, started_on=D(2026, 4, 19)), "started_on", "before the last episode ended")
    assert _open(w, started_on=D(2026, 4, 20)).pk


def test_the_assessment_and_reviews_fall_within_the_episode(w):
    episode = _open(w)
    _refused(
        lambda: services.early_help_assessment_start(
            actor=w.worker, episode=episode, started_on=D(2026, 3, 27), organisation="School"
        ),
        "started_on",
        "before early help started on 30 March 2026",
    )
    _refused(
        lambda: services.early_help_assessment_start(
            actor=w.worker, episode=episode, started_on=D(2026, 4, 1), organisation=" "
        ),
        "organisation",
        "Enter the organisation completing the assessment",
    )
    _refused(
        lambda: services.early_help_assessment_complete(
            actor=w.worker, episode=episode, completed_on=D(2026, 4, 2)
        ),
        "completed_on",
        "Record that the assessment started",
    )
    services.early_help_assessment_start(
        actor=w.worker, episode=episode, started_on=D(2026, 4, 7), organisation="Hill Street Primary School"
    )
    _refused(
        lambda: services.early_help_assessment_complete(
            actor=w.worker, episode=episode, completed_on=D(2026, 4, 2)
        ),
        "completed_on",
        "before it started on 7 April 2026",
    )
    services.early_help_assessment_complete(actor=w.worker, episode=episode, completed_on=D(2026, 4, 28))
    services.family_review_record(actor=w.worker, episode=episode, held_on=D(2026, 5, 5))
    _refused(
        lambda: services.family_review_record(actor=w.worker, episode=episode, held_on=D(2026, 5, 5)),
        "held_on",
        "A review on 5 May 2026 is already recorded",
    )
    _refused(
        lambda: services.early_help_episode_close(
            actor=w.worker, episode=episode, ended_on=D(2026, 5, 1), end_reason=EpisodeEnd.OUTCOMES_MET
        ),
        "ended_on",
        "before the last review on 5 May 2026",
    )
    _refused(
        lambda: services.early_help_episode_close(
            actor=w.worker, episode=episode, ended_on=D(2026, 5, 6), end_reason=EpisodeEnd.STEPPED_UP
        ),
        "end_reason",
        "Select why early help is ending",
    )


def test_someone_who_cannot_change_the_child_is_refused(w, make_user, teams):
    stranger = make_user(Role.SOCIAL_WORKER, teams["south"])
    with pytest.raises(PermissionDenied):
        services.early_help_episode_open(actor=stranger, child=w.child, started_on=STARTED, **LEAD)
    assert not EarlyHelpEpisode.objects.exists()


def test_early_help_clocks_count_working_days_and_weeks_across_bank_holidays():
    # 30 working days from Monday 30 March 2026: Good Friday, Easter Monday and the May bank holiday skipped.
    assert due_date("early_help_assessment", D(2026, 3, 30)).due == D(2026, 5, 14)
    # From Friday 19 December 2025: Christmas Day, Boxing Day and New Year's Day skipped, and the weekends.
    assert due_date("early_help_assessment", D(2025, 12, 19)).due == D(2026, 2, 4)
    # From a Saturday the count starts on Monday: 30 working days from Saturday 10 January 2026.
    assert due_date("early_help_assessment", D(2026, 1, 10)).due == D(2026, 2, 20)
    # Reviews are six calendar weeks: a review due on a bank holiday is due that day, as the visit clocks are.
    assert due_date("early_help_review", D(2026, 4, 13)).due == D(2026, 5, 25)
    assert due_date("early_help_review", D(2026, 3, 30)).due == D(2026, 5, 11)


def test_the_authority_sets_the_review_frequency(w):
    episode = _open(w)
    ClockSetting.objects.create(rule_id="early_help_review", limit=4)
    [review] = [c for c in selectors.open_episode_clocks(ClockContext()) if c.rule_id == "early_help_review"]
    assert review.episode_id == episode.pk and review.due_on == D(2026, 4, 27) and review.is_overdue
    assert "4 weeks" in review.due.explanation


def test_the_clocks_restart_at_each_review_and_stop_when_the_assessment_completes(w):
    episode = _open(w)
    clocks = {c.rule_id: c for c in selectors.child_early_help(w.child).clocks}
    assert clocks["early_help_assessment"].due_on == D(2026, 5, 14)
    assert clocks["early_help_review"].due_on == D(2026, 5, 11) and not clocks["early_help_review"].is_overdue
    on_the_record = {item.what: item.due_on for item in child_due_items(w.child)}
    assert on_the_record["Hold the team around the family review"] == D(2026, 5, 11)
    assert on_the_record["Complete the early help assessment"] == D(2026, 5, 14)
    services.early_help_assessment_start(
        actor=w.worker, episode=episode, started_on=STARTED, organisation="X"
    )
    services.early_help_assessment_complete(actor=w.worker, episode=episode, completed_on=D(2026, 5, 1))
    services.family_review_record(actor=w.worker, episode=episode, held_on=D(2026, 5, 8))
    clocks = {c.rule_id: c for c in selectors.child_early_help(w.child).clocks}
    assert set(clocks) == {"early_help_review"} and clocks["early_help_review"].due_on == D(2026, 6, 19)


def test_a_missed_review_is_a_breach_and_the_sweep_escalates_it(w):
    episode = _open(w, started_on=D(2026, 3, 2))  # review due Monday 13 April, late from the 14th
    services.early_help_assessment_start(
        actor=w.worker, episode=episode, started_on=D(2026, 3, 2), organisation="X"
    )
    services.early_help_assessment_complete(actor=w.worker, episode=episode, completed_on=D(2026, 3, 20))
    [breach] = find_breaches(today=D(2026, 5, 11), rules=["early_help_review", "early_help_assessment"])
    assert breach.child_id == w.child.pk and breach.due_on == D(2026, 4, 13)
    assert breach.subject_key == f"early_help:{episode.pk}:early_help_review:2026-03-02"
    assert "Hold the team around the family review: due 13 April 2026" in breach.explanation
    escalations_sweep(today=D(2026, 5, 11))
    escalation = Escalation.objects.get(rule_id="early_help_review")
    assert escalation.child_id == w.child.pk


def test_the_breach_finder_makes_a_fixed_number_of_queries(w, teams, django_assert_max_num_queries):
    for number in range(6):
        child = people_services.child_create(
            actor=w.worker,
            team=teams["north"],
            first_name=f"C{number}",
            last_name="Q",
            date_of_birth=D(2015, 1, 1),
            sex="M",
        )
        services.early_help_episode_open(actor=w.worker, child=child, started_on=D(2026, 3, 2), **LEAD)
    with django_assert_max_num_queries(6):
        breaches = find_breaches(today=D(2026, 5, 11), rules=["early_help_review", "early_help_assessment"])
    assert len(breaches) == 12


def test_a_step_up_sends_a_contact_to_the_front_door_with_the_early_help_history(w):
    episode = _open(w)
    services.family_review_record(actor=w.worker, episode=episode, held_on=D(2026, 4, 20))
    _refused(
        lambda: services.early_help_step_up(
            actor=w.worker, episode=episode, stepped_up_on=D(2026, 5, 8), concerns=" "
        ),
        "concerns",
        "Say what has changed",
    )
    _refused(
        lambda: services.early_help_step_up(
            actor=w.worker, episode=episode, stepped_up_on=D(2026, 4, 10), concerns="Worse"
        ),
        "stepped_up_on",
        "before the last review on 20 April 2026",
    )
    contact = services.early_help_step_up(
        actor=w.worker, episode=episode, stepped_up_on=D(2026, 5, 8), concerns="Bruising seen at school"
    )
    episode.refresh_from_db()
    assert episode.ended_on == D(2026, 5, 8) and episode.end_reason == EpisodeEnd.STEPPED_UP
    assert episode.stepped_up_contact == contact
    assert (contact.source, contact.channel, contact.referrer_name) == (
        "5D",
        Channel.EARLY_HELP,
        "Sam Teacher",
    )
    assert contact.recorded_by == w.worker
    history = child_history_at(w.child, on=D(2026, 5, 8), excluding_contact=contact)
    [shown] = history.early_help
    assert shown.pk == episode.pk and [r.held_on for r in shown.reviews_shown] == [D(2026, 4, 20)]


def test_a_step_down_closes_the_case_and_opens_early_help(w, make_user):
    referral = Referral.objects.create(
        child=w.child, referral_date=D(2026, 2, 2), source="2A", route="assessment", team=w.north
    )
    Assessment.objects.create(
        child=w.child, referral=referral, started_on=D(2026, 2, 2), authorised_on=D(2026, 3, 20)
    )
    step_down = dict(actor=w.worker, referral=referral, **LEAD)
    _refused(
        lambda: services.early_help_step_down(**step_down, closed_on=D(2026, 3, 25), reason="RC1"),
        "reason",
        "RC9",
    )
    _refused(
        lambda: services.early_help_step_down(**step_down, closed_on=D(2026, 3, 19), reason="RC9"),
        "closed_on",
        "cannot close before the assessment was authorised on 20 March 2026",
    )
    _refused(
        lambda: services.early_help_step_down(
            **{**step_down, "lead_name": ""}, closed_on=D(2026, 3, 25), reason="RC9"
        ),
        "lead_name",
        "Enter the lead professional's name",
    )
    assert Referral.objects.get(pk=referral.pk).closed_on is None
    episode = services.early_help_step_down(**step_down, closed_on=D(2026, 3, 25), reason="RC9")
    referral.refresh_from_db()
    assert (referral.closed_on, referral.closure_reason) == (D(2026, 3, 25), "RC9")
    assert episode.started_on == D(2026, 3, 25) and episode.started_by == EpisodeStart.STEP_DOWN
    assert episode.stepped_down_from == referral


def test_leaders_figures_count_demand_the_doors_and_re_referrals_after_step_down(w, teams, make_user):
    ours = _open(w, started_on=D(2025, 6, 2))
    services.early_help_step_up(actor=w.worker, episode=ours, stepped_up_on=D(2025, 9, 1), concerns="Worse")
    other = people_services.child_create(
        actor=w.worker,
        team=teams["south"],
        first_name="Hidden",
        last_name="Else",
        date_of_birth=D(2014, 1, 1),
        sex="M",
    )
    referral = Referral.objects.create(
        child=other, referral_date=D(2025, 5, 1), source="2A", route="assessment", team=teams["south"]
    )
    head = make_user(Role.HEAD_OF_SERVICE, None)
    services.early_help_step_down(
        actor=head, referral=referral, closed_on=D(2025, 7, 1), reason="RC7", **LEAD
    )
    Referral.objects.create(child=other, referral_date=D(2026, 1, 5), source="2A", route="assessment")
    year = figures.early_help_figures(2026)
    assert {key: year.count(key) for key in figures.NAMES} == {
        "started": 2,
        "open_at_end": 1,
        "step_ups": 1,
        "step_downs": 1,
        "rereferred_after_step_down": 1,
    }
    assert year.rereferral_rate == 100.0
    assert year.by_organisation == [("School or college", 2)]
    rows = figures.drill_rows(w.worker, year, "started")
    assert sorted((r.episode.child.first_name, r.may_open) for r in rows) == [
        ("Eve", True),
        ("Hidden", False),
    ]
    assert figures.early_help_figures(2025).rereferral_rate is None
