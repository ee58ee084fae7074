"""The independent reviewing officer (assignment with history, the caseload, reviews chaired by the child's IRO,
recommendations the social worker answers) and the placement plan clock (reg 9: 5 working days from each
placement's start), on the work views and in the sweep. Today is Monday 11 May 2026."""

import datetime as dt
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.casework.models import ChronologyEntry
from opencsc.casework.work import ClockContext, due_work
from opencsc.core.errors import ConcurrentEditError
from opencsc.looked_after import iro, placement_plans, services
from opencsc.looked_after.clocks import child_care_clocks
from opencsc.looked_after.models import IroAssignment, PlacementPlanAgreement, ReviewRecommendation
from opencsc.oversight.breaches import find_breaches
from opencsc.people.models import Child
from tests.factories import assert_refused

pytestmark = pytest.mark.django_db
D = dt.date


def _counts() -> tuple:
    return (
        IroAssignment.objects.count(),
        ReviewRecommendation.objects.count(),
        PlacementPlanAgreement.objects.count(),
        AuditEvent.objects.count(),
        ChronologyEntry.objects.count(),
    )


_refused = partial(assert_refused, counts=_counts)


@pytest.fixture
def manager(make_user, teams):
    return make_user(Role.TEAM_MANAGER, teams["north"])


@pytest.fixture
def officer(make_user):
    return make_user(Role.INDEPENDENT_REVIEWING_OFFICER, None)


def _plan_clock(child):
    return [clock for clock in child_care_clocks(child) if clock.rule_id == "placement_plan"]


def test_the_placement_plan_is_due_5_working_days_after_the_placement_skipping_the_bank_holiday(
    worker, child, start_care
):
    start_care(on=D(2026, 5, 1))  # a Friday; Monday 4 May is the early May bank holiday
    (clock,) = _plan_clock(child)
    assert clock.due_on == D(2026, 5, 11)
    assert "5 working days from the placement on 1 May 2026" in clock.explanation
    assert "May Day skipped" in clock.explanation
    items = [
        i
        for i in due_work(Child.objects.filter(pk=child.pk), ClockContext())
        if i.rule_id == "placement_plan"
    ]
    assert [(item.due_on, item.is_overdue, item.what) for item in items] == [
        (D(2026, 5, 11), False, "Agree the placement plan")
    ]
    assert not [
        b for b in find_breaches(today=D(2026, 5, 11), rules=["placement_plan"]) if b.child_id == child.pk
    ]
    (breach,) = [
        b for b in find_breaches(today=D(2026, 5, 12), rules=["placement_plan"]) if b.child_id == child.pk
    ]
    assert breach.due_on == D(2026, 5, 11)
    placement_plans.placement_plan_agree(actor=worker, child=child, agreed_on=D(2026, 5, 11))
    assert _plan_clock(child) == []
    assert not find_breaches(today=D(2026, 5, 12), rules=["placement_plan"])


def test_a_move_restarts_the_clock_and_a_weekend_start_counts_from_the_monday(
    worker, child, start_care, move
):
    start_care(on=D(2026, 3, 2))
    placement_plans.placement_plan_agree(actor=worker, child=child, agreed_on=D(2026, 3, 1))  # agreed before
    assert _plan_clock(child) == []
    move(D(2026, 5, 9))  # a Saturday
    (clock,) = _plan_clock(child)
    assert clock.due_on == D(2026, 5, 15)  # Monday 11 to Friday 15


def test_placement_plan_refusals_name_the_field(worker, child, start_care, make_user, teams):
    _refused(
        lambda: placement_plans.placement_plan_agree(actor=worker, child=child, agreed_on=D(2026, 5, 1)),
        "agreed_on",
        "has no current placement",
    )
    start_care(on=D(2026, 5, 1))
    _refused(
        lambda: placement_plans.placement_plan_agree(actor=worker, child=child, agreed_on=D(2026, 5, 12)),
        "agreed_on",
        "must be today or in the past",
    )
    placement_plans.placement_plan_agree(actor=worker, child=child, agreed_on=D(2026, 5, 5))
    _refused(
        lambda: placement_plans.placement_plan_agree(actor=worker, child=child, agreed_on=D(2026, 5, 6)),
        "agreed_on",
        "was agreed on 5 May 2026",
    )
    with pytest.raises(PermissionDenied):
        placement_plans.placement_plan_agree(
            actor=make_user(Role.SOCIAL_WORKER, teams["south"]), child=child, agreed_on=D(2026, 5, 6)
        )


def test_assigning_the_iro_keeps_the_history_and_opens_the_record_to_them_only(
    worker, manager, officer, child, start_care, make_user, client_for
):
    start_care(on=D(2026, 3, 2))
    assert (
        not Child.objects.filter(pk=child.pk)
        .filter(pk__in=Child.objects.filter(**{}).values("pk"))
        .exclude(iro_assignments__iro=officer)
        .filter(iro_assignments__iro=officer)
    )
    with pytest.raises(PermissionDenied):
        iro.iro_assign(actor=worker, child=child, iro=officer, started_on=D(2026, 3, 4))
    _refused(
        lambda: iro.iro_assign(actor=manager, child=child, iro=worker, started_on=D(2026, 3, 4)),
        "iro",
        "is not an active independent reviewing officer",
    )
    _refused(
        lambda: iro.iro_assign(actor=manager, child=child, iro=officer, started_on=D(2026, 2, 1)),
        "started_on",
        "was not looked after on 1 February 2026",
    )
    assert client_for(officer).get(reverse("people:detail", args=[child.pk])).status_code == 403
    iro.iro_assign(actor=manager, child=child, iro=officer, started_on=D(2026, 3, 4))
    assert client_for(officer).get(reverse("looked_after:history", args=[child.pk])).status_code == 200
    second = make_user(Role.INDEPENDENT_REVIEWING_OFFICER, None)
    _refused(
        lambda: iro.iro_assign(actor=manager, child=child, iro=second, started_on=D(2026, 3, 3)),
        "started_on",
        "must be on or after 4 March 2026",
    )
    iro.iro_assign(actor=manager, child=child, iro=second, started_on=D(2026, 4, 1))
    history = list(IroAssignment.objects.filter(child=child).order_by("started_on"))
    assert [(a.iro, a.started_on, a.ended_on) for a in history] == [
        (officer, D(2026, 3, 4), D(2026, 4, 1)),
        (second, D(2026, 4, 1), None),
    ]
    assert client_for(officer).get(reverse("looked_after:history", args=[child.pk])).status_code == 403
    page = client_for(second).get(reverse("iro:caseload")).content.decode()
    assert child.full_name in page
    assert RecordAccess.objects.filter(user=second, child=child, kind=AccessKind.LISTED).exists()
    assert client_for(worker).get(reverse("iro:caseload")).status_code == 403


def test_reviews_are_chaired_by_the_childs_iro_whose_recommendations_the_worker_answers(
    worker, manager, officer, child, start_care, make_user, client_for
):
    start_care(on=D(2026, 3, 2))
    iro.iro_assign(actor=manager, child=child, iro=officer, started_on=D(2026, 3, 4))
    other = make_user(Role.INDEPENDENT_REVIEWING_OFFICER, None)
    _refused(
        lambda: services.care_review_record(
            actor=worker, child=child, held_on=D(2026, 3, 27), participation="PN1", reviewing_officer=other
        ),
        "reviewing_officer",
        f"chaired by the child's IRO on that day, {officer.display_name}",
    )
    review = services.care_review_record(
        actor=worker, child=child, held_on=D(2026, 3, 27), participation="PN1"
    )
    assert review.reviewing_officer == officer
    with pytest.raises(PermissionDenied):
        iro.review_recommendation_add(actor=other, review=review, text="Contact plan", due_on=D(2026, 4, 30))
    _refused(
        lambda: iro.review_recommendation_add(actor=officer, review=review, text=" ", due_on=D(2026, 4, 30)),
        "text",
        "Enter the recommendation",
    )
    _refused(
        lambda: iro.review_recommendation_add(actor=officer, review=review, text="x", due_on=D(2026, 3, 1)),
        "due_on",
        "on or after the review on 27 March 2026",
    )
    contact = iro.review_recommendation_add(
        actor=officer, review=review, text="Agree a family time plan with mother", due_on=D(2026, 4, 30)
    )
    school = iro.review_recommendation_add(
        actor=officer, review=review, text="Update the PEP with the new school", due_on=D(2026, 6, 1)
    )
    items = [
        i
        for i in due_work(Child.objects.filter(pk=child.pk), ClockContext())
        if i.rule_id == "iro_recommendation"
    ]
    assert [(i.record_id, i.due_on, i.is_overdue) for i in items] == [
        (contact.pk, D(2026, 4, 30), True),
        (school.pk, D(2026, 6, 1), False),
    ]
    _refused(
        lambda: iro.review_recommendation_answer(
            actor=worker, recommendation=contact, answer="disagreed", reason=""
        ),
        "reason",
        "Enter the reason for disagreeing",
    )
    with pytest.raises(PermissionDenied):
        iro.review_recommendation_answer(actor=officer, recommendation=contact, answer="accepted")
    iro.review_recommendation_answer(actor=worker, recommendation=contact, answer="accepted", version=1)
    with pytest.raises(ConcurrentEditError):
        iro.review_recommendation_answer(actor=worker, recommendation=contact, answer="done", version=1)
    iro.review_recommendation_answer(actor=worker, recommendation=contact, answer="done", version=2)
    iro.review_recommendation_answer(
        actor=worker, recommendation=school, answer="disagreed", reason="She stays at her school"
    )
    _refused(
        lambda: iro.review_recommendation_answer(actor=worker, recommendation=school, answer="done"),
        "answer",
        "already answered",
    )
    assert not [
        i
        for i in due_work(Child.objects.filter(pk=child.pk), ClockContext())
        if i.rule_id == "iro_recommendation"
    ]
    page = client_for(worker).get(reverse("looked_after:history", args=[child.pk])).content.decode()
    assert "She stays at her school" in page and officer.display_name in page


def test_the_pages_assign_the_iro_and_record_and_answer_a_recommendation(
    worker, manager, officer, child, start_care, client_for
):
    start_care(on=D(2026, 3, 2))
    assign = reverse("looked_after:iro_assign", args=[child.pk])
    assert client_for(worker).get(assign).status_code == 403
    body = {"iro": "", "started_on-day": "4", "started_on-month": "3", "started_on-year": "2026"}
    page = client_for(manager).post(assign, body).content.decode()
    assert "Select the independent reviewing officer" in page and 'value="2026"' in page
    assert client_for(manager).post(assign, {**body, "iro": officer.pk}).status_code == 302
    review = services.care_review_record(
        actor=worker, child=child, held_on=D(2026, 3, 27), participation="PN1"
    )
    add = reverse("iro:recommendation_add", args=[review.pk])
    assert client_for(worker).get(add).status_code == 403
    too_long = {"text": "x" * 2001, "due_on-day": "30", "due_on-month": "4", "due_on-year": "2026"}
    assert "Too long" in client_for(officer).post(add, too_long).content.decode()
    assert client_for(officer).post(add, {**too_long, "text": "Family time plan"}).status_code == 302
    recommendation = ReviewRecommendation.objects.get()
    answer = reverse("iro:recommendation_answer", args=[recommendation.pk])
    assert client_for(officer).get(answer).status_code == 403
    response = client_for(worker).post(answer, {"answer": "accepted", "reason": "", "version": "1"})
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.answer == "accepted" and recommendation.answered_by == worker
