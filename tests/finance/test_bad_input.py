"""Bad input to the finance services and pages is refused on the field it concerns and writes nothing (issue 14,
"Bad input"): a negative or absurd weekly cost, shares that do not make 100%, a cost change before the placement
started, a budget for a year twice, a malformed URN; the page keeps what was typed."""

import datetime as dt
from functools import partial

import pytest
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.core.errors import ConcurrentEditError
from opencsc.finance import services
from opencsc.finance.codes import CostChange, ProviderKind, PurchaseRoute, ScenarioKind
from opencsc.finance.models import Budget, BudgetLine, PlacementAgreement, Provider, Scenario, WeeklyCost
from tests.factories import assert_refused
from tests.finance.builders import child, episode, home

D = dt.date
pytestmark = pytest.mark.django_db
WRITTEN = (Provider, PlacementAgreement, WeeklyCost, Budget, BudgetLine, Scenario, AuditEvent)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


_refused = partial(assert_refused, counts=_counts)


@pytest.fixture
def director(make_user):
    return make_user(Role.DIRECTOR, None)


@pytest.fixture
def placement(director):
    return episode(child(1), D(2025, 5, 1), place="K2", provider="PR4")


@pytest.mark.parametrize(
    ("weekly", "text"),
    [("-1", "£0 or more"), ("80000", "not a month or a year"), ("lots", "Enter an amount in pounds")],
)
def test_a_negative_absurd_or_unreadable_weekly_cost_is_refused(director, placement, weekly, text):
    provider = home(director)
    _refused(
        lambda: services.placement_cost_agree(
            actor=director, episode=placement, provider=provider, weekly_cost=weekly
        ),
        "weekly_cost",
        text,
    )


def test_shares_that_do_not_make_100_are_refused(director, placement):
    provider = home(director)
    _refused(
        lambda: services.placement_cost_agree(
            actor=director, episode=placement, provider=provider, weekly_cost="4000", education_share="20"
        ),
        "social_care_share",
        "add up to 100%",
    )


def test_a_cost_change_before_the_placement_started_or_after_it_ended_is_refused(director, placement):
    agreement = services.placement_cost_agree(
        actor=director, episode=placement, provider=home(director), weekly_cost="4000"
    )

    def change(day):
        return lambda: services.placement_cost_change(
            actor=director,
            agreement=agreement,
            expected_version=agreement.version,
            effective_from=day,
            weekly_cost="4200",
            change=CostChange.UPLIFT,
        )

    _refused(change(D(2025, 4, 30)), "effective_from", "before the placement started on 1 May 2025")
    placement.ended_on, placement.reason_ceased = D(2025, 9, 1), "E13"
    placement.save()
    _refused(change(D(2025, 9, 1)), "effective_from", "after the placement ended on 1 September 2025")
    services.placement_cost_change(
        actor=director,
        agreement=agreement,
        expected_version=agreement.version,
        effective_from=D(2025, 6, 1),
        weekly_cost="4200",
        change=CostChange.UPLIFT,
    )
    _refused(change(D(2025, 6, 1)), "effective_from", "A cost already takes effect that day")


def test_a_cost_change_from_a_page_opened_before_another_change_is_refused(director, placement):
    agreement = services.placement_cost_agree(
        actor=director, episode=placement, provider=home(director), weekly_cost="4000"
    )
    opened = agreement.version
    services.placement_cost_change(
        actor=director,
        agreement=agreement,
        expected_version=opened,
        effective_from=D(2025, 6, 1),
        weekly_cost="4200",
        change=CostChange.UPLIFT,
    )
    before = _counts()
    with pytest.raises(ConcurrentEditError, match="changed by someone else"):
        services.placement_cost_change(
            actor=director,
            agreement=agreement,
            expected_version=opened,
            effective_from=D(2025, 7, 1),
            weekly_cost="4400",
            change=CostChange.ENHANCED,
        )
    assert _counts() == before


def test_a_cost_is_agreed_once_and_only_on_the_episode_that_started_the_placement(director, placement):
    provider = home(director)
    status_change = episode(child(2), D(2025, 5, 1), rne="L")
    _refused(
        lambda: services.placement_cost_agree(
            actor=director, episode=status_change, provider=provider, weekly_cost="1"
        ),
        "episode",
        "not a change of legal status",
    )
    services.placement_cost_agree(actor=director, episode=placement, provider=provider, weekly_cost="4000")
    _refused(
        lambda: services.placement_cost_agree(
            actor=director, episode=placement, provider=provider, weekly_cost="1"
        ),
        "episode",
        "already agreed",
    )


def test_a_budget_for_a_year_twice_is_refused_and_the_first_is_kept(director):
    services.budget_set(actor=director, year=2026, lines={"residential": ("1000000", "5")})
    _refused(
        lambda: services.budget_set(actor=director, year=2026, lines={"residential": ("2", "1")}),
        "year",
        "A budget for 2025-26 is already set",
    )
    _refused(
        lambda: services.budget_set(actor=director, year=2027, lines={"fostering": ("-5", "1")}),
        "fostering_amount",
        "from £0",
    )


def test_a_provider_with_a_malformed_urn_or_the_wrong_purchase_route_is_refused(director):
    def create(**fields):
        values = {
            "name": "Hill House",
            "kind": ProviderKind.CHILDRENS_HOME_PRIVATE,
            "urn": "SC12345",
            "postcode": "HP19 8FF",
            "purchase_route": PurchaseRoute.SPOT,
            **fields,
        }
        return lambda: services.provider_create(actor=director, **values)

    _refused(create(), "urn", "SC and 6 digits")
    _refused(create(urn=""), "urn", "registered with Ofsted")
    _refused(create(urn="SC123456", postcode="nowhere"), "postcode", "full UK postcode")
    _refused(
        create(urn="SC123456", purchase_route=PurchaseRoute.IN_HOUSE), "purchase_route", "framework or spot"
    )
    _refused(
        create(kind=ProviderKind.IN_HOUSE_FOSTERING, urn=""),
        "purchase_route",
        "Our own provision is bought in-house",
    )


def test_a_scenario_moving_children_to_the_category_they_leave_is_refused(director):
    _refused(
        lambda: services.scenario_save(
            actor=director,
            name="Loop",
            kind=ScenarioKind.STEP_DOWN,
            category="residential",
            to_category="residential",
            number="2",
        ),
        "to_category",
        "different category",
    )
    _refused(
        lambda: services.scenario_save(
            actor=director, name="None", kind=ScenarioKind.FEWER_ENTRIES, category="residential", number="0"
        ),
        "number",
        "more than 0",
    )


def test_the_budget_page_refuses_a_second_budget_for_a_year_and_keeps_what_was_typed(director, client_for):
    services.budget_set(actor=director, year=2026, lines={"residential": ("1000000", "5")})
    before = _counts()
    response = client_for(director).post(
        reverse("finance:budget_new"),
        {"year": "2026", "residential_amount": "123456", "residential_children": "4"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A budget for 2025-26 is already set" in page and 'value="123456"' in page
    assert _counts() == before


def test_the_cost_page_refuses_a_negative_weekly_cost_and_keeps_what_was_typed(
    director, placement, client_for
):
    provider = home(director)
    before = _counts()
    response = client_for(director).post(
        reverse("finance:placement_cost", args=[placement.pk]),
        {
            "provider": provider.pk,
            "weekly_cost": "-250",
            "social_care_share": "100",
            "education_share": "0",
            "health_share": "0",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Weekly cost must be £0 or more" in page and 'value="-250"' in page
    assert _counts() == before
