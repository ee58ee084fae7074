"""Adoption milestones: recorded strictly in order, refused with a message on the field, and the timeliness
figures read back."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.looked_after.adoption import (
    adoption_milestone_record,
    adoption_plan_cease,
    adoption_timeline,
    current_adoption_plan,
    next_milestone,
)
from tests.looked_after.builders import TODAY, episode, make_child

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def child(teams):
    child = make_child(1, teams["north"], born=D(2022, 3, 1))
    # An earlier period of care, then the current one: S, then a legal-status change (L) to a placement order.
    episode(child, D(2023, 1, 1), ended_on=D(2023, 6, 1), rec="E4A")
    episode(child, D(2025, 1, 10), ended_on=D(2025, 5, 1), rec="X1")
    episode(child, D(2025, 5, 1), rne="L", ls="E1")
    return child


def _record(worker, child, milestone, on, **extra):
    return adoption_milestone_record(actor=worker, child=child, milestone=milestone, on=on, **extra)


def _refusal(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_milestones_in_order_and_the_timeliness_figures(worker, child):
    assert next_milestone(None) == "decided_on"
    _record(worker, child, "decided_on", D(2025, 3, 1))
    _record(worker, child, "placement_order_on", D(2025, 5, 1))
    plan = _record(
        worker,
        child,
        "matched_on",
        D(2025, 7, 1),
        foster_carer_adopting=False,
        number_of_adopters=2,
        adopters_sex="MF",
        adopters_legal_status="L11",
    )
    timeline = adoption_timeline(plan, TODAY)
    assert timeline.order_to_match.days == 61  # 1 May to 1 July 2025
    assert timeline.care_to_placed.days is None
    assert timeline.care_to_placed.start == D(2025, 1, 10)  # the current period's S, not the 2023 one
    assert timeline.care_to_placed.days_so_far == (TODAY - D(2025, 1, 10)).days
    assert timeline.next_field == "placed_on"
    _record(worker, child, "placed_on", D(2025, 8, 1))
    plan = _record(worker, child, "adoption_order_on", D(2026, 2, 2))
    timeline = adoption_timeline(plan, TODAY)
    assert timeline.care_to_placed.days == 203  # 10 January to 1 August 2025
    assert not timeline.is_open and timeline.next_field is None
    assert (plan.number_of_adopters, plan.adopters_sex, plan.adopters_legal_status) == (2, "MF", "L11")
    verbs = list(AuditEvent.objects.filter(child=child).order_by("id").values_list("verb", flat=True))
    assert verbs == [
        "adoption.decided",
        "adoption.placement_order",
        "adoption.matched",
        "adoption.placed",
        "adoption.adoption_order",
    ]
    assert child.chronology.filter(
        summary="Adoption: placement for adoption", occurred_on=D(2025, 8, 1)
    ).exists()


def test_out_of_order_future_and_earlier_dates_are_refused_on_the_field(worker, child):
    assert _refusal(lambda: _record(worker, child, "matched_on", D(2025, 7, 1))) == {
        "matched_on": [
            "Record the decision that the child should be placed for adoption before the match with adopters"
        ]
    }
    _record(worker, child, "decided_on", D(2025, 3, 1))
    assert _refusal(lambda: _record(worker, child, "matched_on", D(2025, 7, 1))) == {
        "matched_on": ["Record the placement order before the match with adopters"]
    }
    assert _refusal(lambda: _record(worker, child, "placement_order_on", TODAY + dt.timedelta(days=1))) == {
        "placement_order_on": ["The date of the placement order must be today or in the past"]
    }
    assert _refusal(lambda: _record(worker, child, "placement_order_on", D(2025, 2, 28))) == {
        "placement_order_on": [
            "The date of the placement order must be on or after the decision that the child should be placed "
            "for adoption (1 March 2025)"
        ]
    }
    assert _refusal(lambda: _record(worker, child, "placement_order_on", None)) == {
        "placement_order_on": ["Enter the date of the placement order"]
    }
    assert (
        "already open"
        in _refusal(lambda: _record(worker, child, "decided_on", D(2025, 4, 1)))["decided_on"][0]
    )
    _record(worker, child, "placement_order_on", D(2025, 5, 1))
    assert _refusal(lambda: _record(worker, child, "placement_order_on", D(2025, 5, 2))) == {
        "placement_order_on": ["The placement order is already recorded (1 May 2025)"]
    }
    refused = _refusal(
        lambda: _record(
            worker,
            child,
            "matched_on",
            D(2025, 7, 1),
            number_of_adopters=1,
            adopters_sex="MF",
            adopters_legal_status="L11",
        )
    )
    assert refused == {
        "adopters_sex": ["For 1 adopter the sex must be F1 or M1"],
        "adopters_legal_status": ["A single adopter's legal status must be L0"],
    }
    plan = current_adoption_plan(child)
    assert plan.matched_on is None and plan.placement_order_on == D(2025, 5, 1)
    assert AuditEvent.objects.filter(child=child).count() == 2  # the two that were accepted


def test_a_decision_needs_the_child_looked_after_on_the_day(worker, child):
    assert _refusal(lambda: _record(worker, child, "decided_on", D(2024, 6, 1))) == {
        "decided_on": [
            "The child must be looked after on the date of the decision that the child should be placed for "
            "adoption"
        ]
    }


def test_ceasing_the_plan_with_a_reason_and_starting_again(worker, child):
    assert _refusal(
        lambda: adoption_plan_cease(actor=worker, child=child, ceased_on=TODAY, reason_ceased="RD1")
    ) == {"ceased_on": ["There is no open adoption plan to cease"]}
    _record(worker, child, "decided_on", D(2025, 3, 1))
    _record(worker, child, "placement_order_on", D(2025, 5, 1))
    refused = _refusal(
        lambda: adoption_plan_cease(actor=worker, child=child, ceased_on=D(2025, 4, 1), reason_ceased="RD2")
    )
    assert refused == {
        "ceased_on": ["The date the plan ceased must be on or after the placement order (1 May 2025)"],
        "reason_ceased": ["The court made a placement order on 1 May 2025: choose another reason"],
    }
    assert "reason_ceased" in _refusal(
        lambda: adoption_plan_cease(actor=worker, child=child, ceased_on=D(2025, 9, 1), reason_ceased="RD9")
    )
    plan = adoption_plan_cease(actor=worker, child=child, ceased_on=D(2025, 9, 1), reason_ceased="RD3")
    assert plan.reason_ceased == "RD3" and next_milestone(plan) == "decided_on"
    assert (
        "must be on or after 1 September 2025"
        in _refusal(lambda: _record(worker, child, "decided_on", D(2025, 8, 1)))["decided_on"][0]
    )
    second = _record(worker, child, "decided_on", D(2025, 10, 1))
    assert second.pk != plan.pk and current_adoption_plan(child) == second


def test_a_read_only_user_cannot_record(make_user, child):
    analyst = make_user(Role.PERFORMANCE_ANALYST)
    with pytest.raises(PermissionDenied):
        _record(analyst, child, "decided_on", D(2025, 3, 1))


def test_the_pages_record_each_step_and_show_the_figures(worker, child, client_for):
    client = client_for(worker)
    page = client.get(reverse("adoption:adoption", args=[child.pk])).content.decode()
    assert 'data-testid="no-adoption-plan"' in page
    record = reverse("adoption:adoption_record", args=[child.pk])
    form = client.get(record).content.decode()
    assert 'name="decided_on-day"' in form
    response = client.post(
        record,
        {
            "milestone": "decided_on",
            "decided_on-day": "1",
            "decided_on-month": "3",
            "decided_on-year": "2025",
        },
    )
    assert response.status_code == 302
    # A stale form for the decision cannot record anything now that the placement order is next.
    stale = client.post(
        record,
        {
            "milestone": "decided_on",
            "placement_order_on-day": "1",
            "placement_order_on-month": "5",
            "placement_order_on-year": "2025",
        },
    )
    assert stale.status_code == 200 and "Someone else has recorded a milestone" in stale.content.decode()
    future = client.post(
        record,
        {
            "milestone": "placement_order_on",
            "placement_order_on-day": "1",
            "placement_order_on-month": "6",
            "placement_order_on-year": "2026",
        },
    )
    assert "The date of the placement order must be today or in the past" in future.content.decode()
    for milestone, day in (
        ("placement_order_on", "1-5-2025"),
        ("matched_on", "1-7-2025"),
        ("placed_on", "1-8-2025"),
    ):
        d, m, y = day.split("-")
        body = {
            "milestone": milestone,
            f"{milestone}-day": d,
            f"{milestone}-month": m,
            f"{milestone}-year": y,
        }
        assert client.post(record, body).status_code == 302, milestone
    page = client.get(reverse("adoption:adoption", args=[child.pk])).content.decode()
    assert "203" in page.split('data-testid="care-to-placed"')[1].split("</dd>")[0]
    assert "61" in page.split('data-testid="order-to-match"')[1].split("</dd>")[0]
    cease = reverse("adoption:adoption_cease", args=[child.pk])
    response = client.post(
        cease,
        {"ceased_on-day": "1", "ceased_on-month": "9", "ceased_on-year": "2025", "reason_ceased": "RD1"},
    )
    assert response.status_code == 302
    assert "No longer the plan" in client.get(reverse("adoption:adoption", args=[child.pk])).content.decode()
