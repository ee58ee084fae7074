"""The whole journey through the pages: referral -> assessment -> strategy discussion -> section 47 -> initial
conference -> protection plan, with the right due dates on the child's page as each step is recorded.

Today is frozen at Monday 11 May 2026. The referral and the strategy discussion are on Wednesday 25 March 2026,
so the clocks cross Good Friday (3 April), Easter Monday (6 April), the early May bank holiday (4 May) and the
spring bank holiday (25 May). Expected dates are counted by hand, not by calling the clock engine.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import (
    Assessment,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChronologyEntry,
    Section47Enquiry,
    StrategyDiscussion,
)
from opencsc.frontdoor.models import Referral
from opencsc.people import services as people_services

LONDON = ZoneInfo("Europe/London")
TODAY = dt.datetime(2026, 5, 11, 12, 0, tzinfo=LONDON)
D = dt.date


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(teams, make_user, client_for):
    north = teams["north"]
    worker = make_user(Role.SOCIAL_WORKER, north)
    manager = make_user(Role.TEAM_MANAGER, north)
    child = people_services.child_create(
        actor=worker, team=north, first_name="Ava", last_name="Journey", date_of_birth=D(2016, 2, 1), sex="F"
    )
    Referral.objects.create(
        child=child, referral_date=D(2026, 3, 25), source="6", route="strategy", team=north
    )
    return {
        "child": child,
        "worker": worker,
        "manager": manager,
        "worker_client": client_for(worker),
        "manager_client": client_for(manager),
    }


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def _post(client, name: str, child, data: dict):
    response = client.post(reverse(name, args=[child.pk]), data)
    if response.status_code != 302:
        page = response.content.decode()
        problem = page[page.find("govuk-error-summary") :][:1500] if "govuk-error-summary" in page else page
        raise AssertionError(f"{name} was not saved: {problem}")
    assert response["Location"] == reverse("protection:casework", args=[child.pk])
    return response


def _child_page(client, child) -> str:
    response = client.get(reverse("people:detail", args=[child.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _due_section(page: str) -> str:
    """The 'What is due' list, or '' when nothing is due."""
    if 'data-testid="due"' not in page:
        assert "Nothing due" in page
        return ""
    start = page.index('data-testid="due"')
    return page[start : page.index("</ul>", start)]


def test_the_full_sequence_shows_each_clock_on_the_child_page(world):
    child, worker = world["child"], world["worker_client"]

    # Nothing is running yet.
    assert "Nothing due" in _child_page(worker, child)

    # The assessment: 45 working days from the referral on 25 March -> Tuesday 2 June 2026.
    _post(worker, "protection:assessment_start", child, _date("started_on", D(2026, 3, 26)))
    due = _due_section(_child_page(worker, child))
    assert "Complete the assessment" in due and "2 June 2026" in due
    assert "45 working days from the referral on 25 March 2026" in due
    assert "Good Friday" in due and "Easter Monday" in due

    # The strategy discussion agrees a section 47: the initial conference is due 15 working days later,
    # Friday 17 April 2026 (Good Friday and Easter Monday skipped).
    _post(
        worker,
        "protection:strategy_discussion_new",
        child,
        {
            **_date("held_on", D(2026, 3, 25)),
            "attendees": "Social worker, DC Smith (police), health visitor",
            "section_47_agreed": "yes",
        },
    )
    enquiry = Section47Enquiry.objects.get(child=child)
    assert enquiry.started_on == D(2026, 3, 25)
    assert enquiry.strategy_discussion == StrategyDiscussion.objects.get(child=child)
    due = _due_section(_child_page(worker, child))
    assert "Hold the initial child protection conference" in due and "17 April 2026" in due
    assert (
        "15 working days from the strategy discussion on 25 March 2026; Good Friday and Easter Monday skipped"
        in due
    )
    # The clock shows on the conference's own page, too.
    page = worker.get(reverse("protection:initial_conference_new", args=[child.pk])).content.decode()
    assert "17 April 2026" in page and "15 working days from the strategy discussion" in page

    # The conference on Wednesday 15 April makes a plan: working day 13 of 15.
    _post(
        worker,
        "protection:initial_conference_new",
        child,
        {**_date("held_on", D(2026, 4, 15)), "plan_decided": "yes", "category": "NEG", "chair": "J Chair"},
    )
    plan = ChildProtectionPlan.objects.get(child=child)
    conference = ChildProtectionConference.objects.get(child=child)
    assert plan.started_on == D(2026, 4, 15) and plan.initial_conference == conference
    assert plan.initial_category == plan.latest_category == "NEG" and plan.previous_plans == 0
    due = _due_section(_child_page(worker, child))
    assert "Hold the initial child protection conference" not in due
    # First core group: 10 working days from 15 April -> Wednesday 29 April 2026.
    assert "Hold the first core group" in due and "29 April 2026" in due
    assert "10 working days from the initial conference on 15 April 2026" in due
    # First review: 3 months from the conference -> 15 July 2026.
    assert "Hold the first review conference" in due and "15 July 2026" in due
    # Visits: the local default of 10 working days from the plan's start -> 29 April 2026.
    assert "Visit and see the child (child protection)" in due
    assert "10 working days from the plan start or the last visit on 15 April 2026" in due

    casework = worker.get(reverse("protection:casework", args=[child.pk])).content.decode()
    assert "Done on working day 13 of 15: on time" in casework

    # The core group meets: its clock stops.
    _post(worker, "protection:core_group_new", child, _date("held_on", D(2026, 4, 28)))
    assert "Hold the first core group" not in _due_section(_child_page(worker, child))

    # The assessment: seen, factors, outcome, submitted, then authorised by the manager.
    _post(worker, "protection:assessment_child_seen", child, _date("seen_on", D(2026, 3, 27)))
    _post(worker, "protection:assessment_factors", child, {"factors": ["3B", "16A"]})
    _post(worker, "protection:assessment_outcome", child, {"outcome": "support"})
    _post(worker, "protection:assessment_submit", child, _date("completed_on", D(2026, 5, 5)))
    assert worker.get(reverse("protection:assessment_authorise", args=[child.pk])).status_code == 403
    _post(
        world["manager_client"],
        "protection:assessment_authorise",
        child,
        _date("authorised_on", D(2026, 5, 6)),
    )
    assessment = Assessment.objects.get(child=child)
    assert assessment.authorised_on == D(2026, 5, 6) and assessment.authorised_by == world["manager"]
    assert assessment.factors == ["3B", "16A"]
    assert "Complete the assessment" not in _due_section(_child_page(worker, child))
    casework = worker.get(reverse("protection:casework", args=[child.pk])).content.decode()
    # 25 March -> 6 May is 27 working days (Good Friday, Easter Monday and 4 May skipped).
    assert "Done on working day 27 of 45: on time" in casework

    # Every step wrote its audit event and its chronology entry.
    verbs = set(AuditEvent.objects.filter(child=child).values_list("verb", flat=True))
    assert {
        "assessment.started",
        "assessment.child_seen",
        "assessment.factors",
        "assessment.outcome",
        "assessment.submitted",
        "assessment.authorised",
        "strategy_discussion.recorded",
        "section_47.started",
        "conference.initial",
        "protection_plan.started",
        "core_group.recorded",
    } <= verbs
    summaries = list(ChronologyEntry.objects.filter(child=child).values_list("summary", flat=True))
    for expected in (
        "Child and family assessment started",
        "Strategy discussion: section 47 enquiry agreed",
        "Section 47 enquiry started",
        "Initial child protection conference: plan made, neglect",
        "Child protection plan started: neglect",
        "Core group meeting",
    ):
        assert expected in summaries

    # The child page lists the casework with links.
    page = _child_page(worker, child)
    assert "Child protection plan from 15 April 2026" in page
    assert reverse("protection:casework", args=[child.pk]) + f"#cp-plan-{plan.pk}" in page


def test_a_refused_step_keeps_what_was_typed_and_names_the_field(world):
    child, worker = world["child"], world["worker_client"]
    response = worker.post(
        reverse("protection:strategy_discussion_new", args=[child.pk]),
        {**_date("held_on", D(2026, 5, 12)), "attendees": "Police, health", "section_47_agreed": "yes"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The date of the strategy discussion must be today or in the past" in page
    assert 'href="#id_held_on-day"' in page
    assert 'value="Police, health"' in page
    assert not StrategyDiscussion.objects.exists() and not Section47Enquiry.objects.exists()


def test_review_conference_changes_category_then_ends_the_plan(world):
    child, worker = world["child"], world["worker_client"]
    Referral.objects.filter(child=child).update(referral_date=D(2026, 1, 2))
    _post(
        worker,
        "protection:strategy_discussion_new",
        child,
        {**_date("held_on", D(2026, 1, 5)), "attendees": "Police, health, LA", "section_47_agreed": "yes"},
    )
    _post(
        worker,
        "protection:initial_conference_new",
        child,
        {**_date("held_on", D(2026, 1, 20)), "plan_decided": "yes", "category": "NEG"},
    )
    _post(
        worker,
        "protection:review_conference_new",
        child,
        {**_date("held_on", D(2026, 4, 14)), "plan_continues": "yes", "category": "EMO"},
    )
    plan = ChildProtectionPlan.objects.get(child=child)
    assert plan.initial_category == "NEG" and plan.latest_category == "EMO" and plan.ended_on is None
    due = _due_section(_child_page(worker, child))
    # Later reviews: 6 months from the previous review.
    assert "Hold the review conference" in due and "14 October 2026" in due
    casework = worker.get(reverse("protection:casework", args=[child.pk])).content.decode()
    assert "Done on 14 April 2026, due by 20 April 2026: on time" in casework
    _post(
        worker,
        "protection:review_conference_new",
        child,
        {**_date("held_on", D(2026, 5, 8)), "plan_continues": "no"},
    )
    plan.refresh_from_db()
    assert plan.ended_on == D(2026, 5, 8)
    assert "Hold the review conference" not in _due_section(_child_page(worker, child))


def test_every_step_page_shows_its_form_once_there_is_something_to_record(world):
    child, worker, manager = world["child"], world["worker_client"], world["manager_client"]
    _post(worker, "protection:assessment_start", child, _date("started_on", D(2026, 3, 26)))
    for name in (
        "protection:assessment_child_seen",
        "protection:assessment_factors",
        "protection:assessment_outcome",
        "protection:assessment_submit",
        "protection:strategy_discussion_new",
        "protection:case_close",
    ):
        page = worker.get(reverse(name, args=[child.pk])).content.decode()
        assert "<form" in page and 'data-testid="missing"' not in page, name
        if name.startswith("protection:assessment_"):
            assert "45 working days from the referral on 25 March 2026" in page, name
    page = worker.get(reverse("protection:assessment_factors", args=[child.pk])).content.decode()
    assert "21 No factors identified" in page and "16A Neglect" in page
    # Authorising waits for the worker to submit.
    page = manager.get(reverse("protection:assessment_authorise", args=[child.pk])).content.decode()
    assert "has not been submitted for authorisation yet" in page
    _post(
        worker,
        "protection:strategy_discussion_new",
        child,
        {**_date("held_on", D(2026, 3, 27)), "attendees": "LA, police, health", "section_47_agreed": "yes"},
    )
    for name in ("protection:section_47_outcome", "protection:initial_conference_new"):
        page = worker.get(reverse(name, args=[child.pk])).content.decode()
        assert "<form" in page and "15 working days from the strategy discussion on 27 March 2026" in page
    _post(
        worker,
        "protection:initial_conference_new",
        child,
        {**_date("held_on", D(2026, 4, 15)), "plan_decided": "yes", "category": "MUL"},
    )
    for name, clock_text in (
        ("protection:core_group_new", "10 working days from the initial conference on 15 April 2026"),
        ("protection:review_conference_new", "3 months from the initial conference on 15 April 2026"),
        ("protection:protection_plan_end", ""),
    ):
        page = worker.get(reverse(name, args=[child.pk])).content.decode()
        assert "<form" in page and clock_text in page, name
    # Closing is refused while the plan is open, and says why.
    response = worker.post(
        reverse("protection:case_close", args=[child.pk]),
        {"reason": "RC7", **_date("closed_on", D(2026, 5, 8))},
    )
    assert response.status_code == 200
    assert "cannot close while Ava Journey has an assessment and a child protection plan open" in (
        response.content.decode()
    )
    assert Referral.objects.get(child=child).closed_on is None


def test_start_an_assessment_offers_only_the_referrals_awaiting_one(world):
    child, worker = world["child"], world["worker_client"]
    first = Referral.objects.get(child=child)
    Assessment.objects.create(
        child=child,
        referral=first,
        started_on=D(2026, 3, 26),
        completed_on=D(2026, 4, 20),
        authorised_on=D(2026, 4, 21),
    )
    url = reverse("protection:assessment_start", args=[child.pk])
    page = worker.get(url).content.decode()
    assert 'data-testid="missing"' in page and "<form" not in page
    assert "The referral of 25 March 2026 was already assessed (authorised on 21 April 2026)" in page
    casework = worker.get(reverse("protection:casework", args=[child.pk])).content.decode()
    assert "Start an assessment" not in casework

    for day, source in ((D(2026, 5, 4), "2A"), (D(2026, 5, 6), "3A")):
        Referral.objects.create(child=child, referral_date=day, source=source, route="assessment")
    page = worker.get(url).content.decode()
    assert "Referral of 6 May 2026 (Health: GP)" in page and "Referral of 4 May 2026 (Schools)" in page
    assert "Referral of 25 March 2026" not in page
    response = worker.post(url, _date("started_on", D(2026, 5, 7)))
    assert (
        response.status_code == 200
        and "Choose the referral this assessment answers" in response.content.decode()
    )
    assert 'value="7"' in response.content.decode()  # what was typed is kept
    chosen = Referral.objects.get(child=child, referral_date=D(2026, 5, 4))
    _post(
        worker,
        "protection:assessment_start",
        child,
        {"referral": str(chosen.pk), **_date("started_on", D(2026, 5, 7))},
    )
    assert Assessment.objects.get(child=child, authorised_on__isnull=True).referral == chosen
