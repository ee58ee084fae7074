"""The looked-after clocks, with expected dates counted by hand (today is Monday 11 May 2026).

Becoming looked after on Wednesday 25 March 2026: 20 working days skip Good Friday (3 April) and Easter Monday
(6 April), so the first review, the initial health assessment and the PEP are due on Friday 24 April 2026.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from opencsc.accounts.models import Role
from opencsc.looked_after import services
from opencsc.looked_after.clocks import child_care_clocks
from opencsc.looked_after.models import MissingEpisode
from opencsc.people import services as people_services
from opencsc.people.selectors import child_due_items
from tests.looked_after.conftest import LONDON, WYCOMBE, record_visit

D = dt.date


def _clocks(child):
    return {clock.rule_id: clock for clock in child_care_clocks(child)}


@pytest.fixture
def officer(make_user, teams):
    return make_user(Role.SOCIAL_WORKER, teams["south"], first_name="Iris", last_name="Reviewer")


def test_first_visit_is_due_7_days_after_the_placement_starts(start_care, child):
    start_care(on=D(2026, 5, 8))
    clock = _clocks(child)["cla_visit_first"]
    assert clock.due == D(2026, 5, 15)
    assert clock.explanation == "7 days from the placement on 8 May 2026"
    assert not clock.is_overdue


def test_after_a_visit_the_next_is_due_6_weeks_later(start_care, worker, child):
    start_care(on=D(2026, 3, 25))
    assert _clocks(child)["cla_visit_first"].is_overdue  # due 1 April, nobody visited
    record_visit(worker, child, D(2026, 3, 30))
    clock = _clocks(child)["cla_visit"]
    assert clock.due == D(2026, 5, 11)
    assert clock.explanation.startswith("6 weeks from the last visit on 30 March 2026")
    assert not clock.is_overdue  # due today


def test_a_visit_where_the_child_was_not_seen_does_not_stop_the_clock(start_care, worker, child):
    start_care(on=D(2026, 5, 8))
    record_visit(worker, child, D(2026, 5, 9), seen=False)
    assert _clocks(child)["cla_visit_first"].due == D(2026, 5, 15)


def test_a_move_restarts_the_visit_clock(start_care, move, worker, child):
    start_care(on=D(2026, 3, 25))
    record_visit(worker, child, D(2026, 4, 20))
    assert _clocks(child)["cla_visit"].due == D(2026, 6, 1)
    move(D(2026, 5, 5), placement_postcode=WYCOMBE)
    clocks = _clocks(child)
    assert "cla_visit" not in clocks
    assert clocks["cla_visit_first"].due == D(2026, 5, 12)
    assert clocks["cla_visit_first"].explanation == "7 days from the placement on 5 May 2026"
    # a change of legal status is not a move: the visit clock carries on
    services.episode_change_legal_status(
        actor=worker, child=child, changed_on=D(2026, 5, 6), legal_status="C1"
    )
    assert _clocks(child)["cla_visit_first"].due == D(2026, 5, 12)


def test_a_long_term_placement_is_visited_3_monthly_after_its_first_year(start_care, worker, child):
    start_care(on=D(2025, 3, 1), placement_type="U4", urn="XXXXXXX")
    record_visit(worker, child, D(2026, 2, 20))  # still in the first year: 6 weeks
    clock = _clocks(child)["cla_visit"]
    assert clock.due == D(2026, 4, 3) and clock.is_overdue
    record_visit(worker, child, D(2026, 4, 2))  # after the first anniversary (1 March 2026): 3 months
    clock = _clocks(child)["cla_visit_long_term"]
    assert clock.due == D(2026, 7, 2)
    assert "long-term placement (U4)" in clock.explanation


def test_a_placement_that_is_not_long_term_stays_6_weekly(start_care, worker, child):
    start_care(on=D(2025, 3, 1), placement_type="U6")
    record_visit(worker, child, D(2026, 4, 2))
    clock = _clocks(child)["cla_visit"]
    assert clock.due == D(2026, 5, 14)
    assert "not long-term" in clock.explanation


def test_reviews_at_20_working_days_then_3_months_then_6_months(start_care, worker, child, officer):
    start_care(on=D(2026, 3, 25))
    first = _clocks(child)["cla_review_first"]
    assert first.due == D(2026, 4, 24)
    assert first.explanation == (
        "20 working days from becoming looked after on 25 March 2026; Good Friday and Easter Monday skipped"
    )
    services.care_review_record(
        actor=worker, child=child, held_on=D(2026, 4, 20), participation="PN1", reviewing_officer=officer
    )
    assert _clocks(child)["cla_review_second"].due == D(2026, 7, 20)
    services.care_review_record(
        actor=worker, child=child, held_on=D(2026, 5, 7), participation="PN5", reviewing_officer=officer
    )
    clock = _clocks(child)["cla_review"]
    assert clock.due == D(2026, 11, 7)
    assert clock.explanation == "6 months from the previous review on 7 May 2026"


def test_the_review_clock_restarts_with_a_new_period_of_care(start_care, worker, child, officer):
    start_care(on=D(2025, 6, 2))
    services.care_review_record(
        actor=worker, child=child, held_on=D(2025, 6, 20), participation="PN1", reviewing_officer=officer
    )
    services.episode_end_care(actor=worker, child=child, ended_on=D(2025, 8, 1), reason_ceased="E4A")
    start_care(on=D(2026, 3, 25))
    assert _clocks(child)["cla_review_first"].due == D(2026, 4, 24)


def test_review_rules_refuse_bad_input(start_care, worker, child, officer):
    start_care(on=D(2026, 3, 25))
    with pytest.raises(ValidationError) as refused:
        services.care_review_record(
            actor=worker, child=child, held_on=D(2026, 3, 1), participation="PN0", reviewing_officer=None
        )
    errors = refused.value.message_dict
    assert errors["held_on"] == ["Lily Placed was not looked after on 1 March 2026"]
    assert errors["participation"] == ["PN0 is only for a child aged under 4 at the review"]
    assert errors["reviewing_officer"] == [
        "Assign the child's independent reviewing officer, or select who chaired the review"
    ]


def test_return_home_interview_due_72_hours_after_return(worker, child):
    episode = services.missing_episode_record(
        actor=worker,
        child=child,
        kind="M",
        started_at=dt.datetime(2026, 5, 9, 22, 0, tzinfo=LONDON),
        returned_at=dt.datetime(2026, 5, 10, 9, 30, tzinfo=LONDON),
    )
    clock = _clocks(child)["return_home_interview"]
    assert clock.due == dt.datetime(2026, 5, 13, 9, 30, tzinfo=LONDON)
    assert clock.explanation.startswith("Due by 09:30 on 13 May 2026: 72 hours from the return from missing")
    assert "not yet offered" in clock.explanation
    assert not clock.is_overdue
    services.missing_episode_update(
        actor=worker,
        missing_episode=episode,
        returned_at=None,
        interview_offered_at=dt.datetime(2026, 5, 10, 11, 0, tzinfo=LONDON),
    )
    assert "offered at 11:00 on 10 May 2026" in _clocks(child)["return_home_interview"].explanation
    services.missing_episode_update(
        actor=worker,
        missing_episode=episode,
        returned_at=None,
        interview_done_at=dt.datetime(2026, 5, 11, 10, 0, tzinfo=LONDON),
    )
    assert "return_home_interview" not in _clocks(child)


def test_a_child_still_missing_has_no_interview_due_yet_and_bad_times_are_refused(worker, child):
    services.missing_episode_record(
        actor=worker, child=child, kind="A", started_at=dt.datetime(2026, 5, 11, 8, 0, tzinfo=LONDON)
    )
    assert "return_home_interview" not in _clocks(child)
    with pytest.raises(ValidationError) as refused:
        services.missing_episode_record(
            actor=worker, child=child, kind="M", started_at=dt.datetime(2026, 5, 11, 9, 0, tzinfo=LONDON)
        )
    assert "already recorded as missing" in refused.value.message_dict["started_on"][0]
    episode = MissingEpisode.objects.get(child=child)
    with pytest.raises(ValidationError) as early:
        services.missing_episode_update(
            actor=worker, missing_episode=episode, returned_at=dt.datetime(2026, 5, 11, 7, 0, tzinfo=LONDON)
        )
    assert early.value.message_dict["returned_on"] == ["The child must return after they went missing"]
    episode.refresh_from_db()
    assert episode.returned_at is None


def test_health_and_education_clocks(start_care, worker, child):
    start_care(on=D(2026, 3, 25))
    clocks = _clocks(child)
    assert clocks["health_assessment_initial"].due == D(2026, 4, 24)
    assert clocks["pep"].due == D(2026, 4, 24)
    assert "school days counted as working days" in clocks["pep"].explanation
    assert clocks["dental"].due == D(2027, 3, 25)
    assert clocks["sdq"].due == D(2027, 3, 25)  # aged 10
    services.care_check_record(actor=worker, child=child, kind="initial_health", done_on=D(2026, 4, 20))
    services.care_check_record(actor=worker, child=child, kind="pep", done_on=D(2026, 4, 21))
    services.care_check_record(actor=worker, child=child, kind="dental", done_on=D(2026, 5, 1))
    services.care_check_record(actor=worker, child=child, kind="sdq", done_on=D(2026, 5, 1), sdq_score=14)
    clocks = _clocks(child)
    assert "health_assessment_initial" not in clocks and "pep" not in clocks
    assert clocks["health_review"].due == D(2027, 4, 20)  # 12 months at 5 and over
    assert clocks["dental"].due == D(2027, 5, 1)
    assert clocks["sdq"].explanation == "12 months from the last SDQ on 1 May 2026"


def test_under_fives_have_health_reviews_6_monthly(worker, teams, start_care):
    baby = people_services.child_create(
        actor=worker,
        team=teams["north"],
        first_name="Baby",
        last_name="Placed",
        date_of_birth=D(2024, 1, 10),
        sex="M",
    )
    services.episode_start_care(
        actor=worker,
        child=baby,
        started_on=D(2026, 3, 25),
        legal_status="C1",
        category_of_need="N1",
        placement_type="U6",
        placement_provider="PR1",
        urn="SC123456",
        placement_postcode=WYCOMBE,
        home_postcode="HP19 8FF",
    )
    services.care_check_record(actor=worker, child=baby, kind="initial_health", done_on=D(2026, 4, 2))
    clocks = _clocks(baby)
    assert clocks["health_review_under_5"].due == D(2026, 10, 2)
    assert "sdq" not in clocks and "pep" not in clocks  # aged 2


def test_sdq_score_must_be_0_to_40(start_care, worker, child):
    start_care(on=D(2026, 3, 25))
    with pytest.raises(ValidationError) as refused:
        services.care_check_record(actor=worker, child=child, kind="sdq", done_on=D(2026, 5, 1), sdq_score=41)
    assert refused.value.message_dict["sdq_score"] == ["The SDQ score must be between 0 and 40"]


def test_the_childs_due_items_include_the_care_clocks(start_care, child):
    start_care(on=D(2026, 5, 8))
    items = {item.what: item for item in child_due_items(child)}
    visit = items["Visit the child in the new placement"]
    assert visit.due_on == D(2026, 5, 15) and not visit.is_overdue
    review = items["Hold the first looked-after review"]  # 20 working days, the spring bank holiday skipped
    assert review.due_on == D(2026, 6, 8) and "Spring Bank Holiday skipped" in review.explanation


def test_no_care_clocks_once_care_has_ended(start_care, worker, child):
    start_care(on=D(2026, 3, 25))
    services.episode_end_care(actor=worker, child=child, ended_on=D(2026, 5, 1), reason_ceased="E4A")
    assert _clocks(child) == {}
