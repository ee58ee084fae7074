"""Every change to providers, carers' approvals, placement costs, budgets and scenarios: one transaction each, with
its audit event. Costs are not written to the child's chronology: they are about money, not the child's life,
and a chronology may be shared with the child; the audit event names the child, so each change stays
attributable on the child's audit trail.

Rules (each refusal names its field and saves nothing):
- an Ofsted URN is SC and six digits (a social care provider) or six or seven digits (a school or a newer
  registration); children's homes, fostering agencies, supported accommodation and secure homes must give one;
- in-house provision (our fostering households, connected carers, our own homes) is bought in-house, and nothing
  else is;
- a weekly cost is £0 or more and no more than HIGHEST_WEEKLY_COST (see prices.py); the social care, education and
  health shares are each 0-100 and sum to 100;
- a cost is agreed once per placement, on the episode that started it, from the placement's first day; a change
  takes effect on a day within the placement (not before it started, not after it ended), one change a day;
- a household is approved for 1-6 children aged 0-17, one approval at a time;
- a year has one budget; amounts and planned children are not negative.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q

from opencsc.audit.services import audit_event_record
from opencsc.core.dates import long_date
from opencsc.core.errors import ConcurrentEditError
from opencsc.finance.codes import OFSTED_REGISTERED, CostChange, ProviderKind, PurchaseRoute, ScenarioKind
from opencsc.finance.models import (
    Budget,
    BudgetLine,
    CarerApproval,
    PlacementAgreement,
    Provider,
    Scenario,
    WeeklyCost,
)
from opencsc.finance.prices import HIGHEST_WEEKLY_COST
from opencsc.geography import is_inside_authority
from opencsc.insight.forecast import CATEGORIES, CATEGORY_LABELS
from opencsc.looked_after.codes import PLACEMENT_CHANGING_REASONS
from opencsc.looked_after.models import Episode
from opencsc.people.identifiers import format_postcode, postcode_problem

URN_SHAPE = re.compile(r"SC\d{6}|\d{6,7}")
IN_HOUSE_KINDS = {
    ProviderKind.IN_HOUSE_FOSTERING,
    ProviderKind.CONNECTED_CARERS,
    ProviderKind.CHILDRENS_HOME_LA,
}
HIGHEST_BUDGET = Decimal("1000000000")
HIGHEST_PLANNED_CHILDREN = Decimal("10000")
HIGHEST_SCENARIO_NUMBER = Decimal("1000")
MOST_PLACES = 6
OLDEST_AGE = 17

WEEKLY_COST_NEGATIVE = "Weekly cost must be £0 or more"
WEEKLY_COST_TOO_HIGH = f"Weekly cost must be no more than £{HIGHEST_WEEKLY_COST:,}: check it is the cost of a week, not a month or a year"
SHARES_NOT_100 = "The social care, education and health shares must add up to 100%"
COST_BEFORE_START = "The change cannot take effect before the placement started on {day}"
COST_AFTER_END = "The change cannot take effect after the placement ended on {day}"
BUDGET_TWICE = "A budget for {year} is already set: change it rather than set it again"


def financial_year_label(year: int) -> str:
    return f"{year - 1}-{str(year)[2:]}"


# Providers and carers ---------------------------------------------------------------------------------------


def _provider_problems(
    *, name: str, kind: str, urn: str, postcode: str, purchase_route: str
) -> dict[str, str]:
    problems = {}
    if not name.strip():
        problems["name"] = "Enter the provider's name"
    if urn and not URN_SHAPE.fullmatch(urn):
        problems["urn"] = "Enter the Ofsted URN as SC and 6 digits, like SC123456, or 6 or 7 digits"
    elif not urn and kind in OFSTED_REGISTERED:
        problems["urn"] = "Enter the Ofsted URN: this kind of provider is registered with Ofsted"
    if postcode and (problem := postcode_problem(postcode)):
        problems["postcode"] = problem
    in_house = kind in IN_HOUSE_KINDS
    if in_house and purchase_route != PurchaseRoute.IN_HOUSE:
        problems["purchase_route"] = "Our own provision is bought in-house: choose in-house"
    elif kind not in IN_HOUSE_KINDS | {ProviderKind.PARENTS} and purchase_route == PurchaseRoute.IN_HOUSE:
        problems["purchase_route"] = "Only our own provision is in-house: choose framework or spot purchase"
    return problems


@transaction.atomic
def provider_create(
    *, actor, name: str, kind: str, urn: str = "", postcode: str = "", purchase_route: str
) -> Provider:
    urn, name = urn.strip().upper(), " ".join(name.split())
    postcode = format_postcode(postcode) if postcode.strip() else ""
    problems = _provider_problems(
        name=name, kind=kind, urn=urn, postcode=postcode, purchase_route=purchase_route
    )
    if not problems and Provider.objects.filter(name__iexact=name, kind=kind, postcode=postcode).exists():
        problems["name"] = "This provider is already on the register (same name, kind and postcode)"
    if problems:
        raise ValidationError(problems)
    provider = Provider.objects.create(
        name=name,
        kind=kind,
        urn=urn,
        postcode=postcode,
        inside_authority=is_inside_authority(postcode, settings.AUTHORITY_ONS_CODE) if postcode else None,
        purchase_route=purchase_route,
    )
    audit_event_record(
        actor=actor,
        verb="finance.provider_added",
        target=provider,
        payload={
            "name": name,
            "kind": kind,
            "urn": urn,
            "postcode": postcode,
            "purchase_route": purchase_route,
        },
    )
    return provider


@transaction.atomic
def carer_approval_record(
    *,
    actor,
    provider: Provider,
    places: int,
    youngest: int,
    oldest: int,
    approved_on: dt.date,
    ended_on: dt.date | None = None,
) -> CarerApproval:
    """A fostering household's approval: how many children, of what ages, from (and perhaps until) when."""
    problems = {}
    if provider.kind != ProviderKind.IN_HOUSE_FOSTERING:
        problems["provider"] = "Only our own fostering households are approved here"
    if not 1 <= places <= MOST_PLACES:
        problems["places"] = f"Approved places must be from 1 to {MOST_PLACES}"
    if not 0 <= youngest <= OLDEST_AGE:
        problems["youngest"] = f"The youngest age must be from 0 to {OLDEST_AGE}"
    if not 0 <= oldest <= OLDEST_AGE:
        problems["oldest"] = f"The oldest age must be from 0 to {OLDEST_AGE}"
    elif oldest < youngest:
        problems["oldest"] = "The oldest age cannot be below the youngest"
    if ended_on is not None and ended_on < approved_on:
        problems["ended_on"] = "The approval cannot end before it started"
    if not problems:
        overlapping = provider.approvals.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=approved_on))
        if ended_on is not None:
            overlapping = overlapping.filter(approved_on__lte=ended_on)
        if overlapping.exists():
            problems["approved_on"] = "This household already has an approval then: end it first"
    if problems:
        raise ValidationError(problems)
    approval = CarerApproval.objects.create(
        provider=provider,
        places=places,
        youngest=youngest,
        oldest=oldest,
        approved_on=approved_on,
        ended_on=ended_on,
    )
    audit_event_record(
        actor=actor,
        verb="finance.carer_approved",
        target=approval,
        payload={
            "provider": provider.pk,
            "places": places,
            "ages": [youngest, oldest],
            "approved_on": approved_on.isoformat(),
            "ended_on": ended_on.isoformat() if ended_on else None,
        },
    )
    return approval


# Placement costs ----------------------------------------------------------------------------------------------


def _money(value, field: str, problems: dict[str, str]) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        problems[field] = "Enter an amount in pounds, like 850 or 850.50"
        return None


def _cost_problems(weekly_cost, shares: dict[str, object]) -> tuple[dict[str, str], Decimal | None, dict]:
    problems: dict[str, str] = {}
    weekly = _money(weekly_cost, "weekly_cost", problems)
    if weekly is not None and weekly < 0:
        problems["weekly_cost"] = WEEKLY_COST_NEGATIVE
    elif weekly is not None and weekly > HIGHEST_WEEKLY_COST:
        problems["weekly_cost"] = WEEKLY_COST_TOO_HIGH
    parsed = {}
    for field, value in shares.items():
        share = _money(value, field, problems)
        if share is not None and not 0 <= share <= 100:
            problems[field] = "A share must be from 0% to 100%"
        parsed[field] = share
    if len(problems) == 0 and sum(parsed.values()) != 100:
        problems["social_care_share"] = SHARES_NOT_100
    return problems, weekly, parsed


def placement_span(episode: Episode) -> tuple[dt.date, dt.date | None]:
    """The first and last day of the placement `episode` started (None while it is open)."""
    end = episode.ended_on
    following = Episode.objects.filter(child_id=episode.child_id, started_on__gte=episode.started_on).exclude(
        pk=episode.pk
    )
    for later in following.order_by("started_on", "id"):
        if end is None or later.started_on != end or later.reason_new_episode in PLACEMENT_CHANGING_REASONS:
            break
        end = later.ended_on
    return episode.started_on, end


@transaction.atomic
def placement_cost_agree(
    *,
    actor,
    episode: Episode,
    provider: Provider,
    weekly_cost,
    social_care_share=100,
    education_share=0,
    health_share=0,
) -> PlacementAgreement:
    """The provider and weekly cost of the placement `episode` started, from its first day."""
    shares = {
        "social_care_share": social_care_share,
        "education_share": education_share,
        "health_share": health_share,
    }
    problems, weekly, parsed = _cost_problems(weekly_cost, shares)
    if episode.reason_new_episode not in PLACEMENT_CHANGING_REASONS:
        problems["episode"] = (
            "A cost is agreed on the episode that started the placement, not a change of legal status"
        )
    elif PlacementAgreement.objects.filter(first_episode=episode).exists():
        problems["episode"] = "This placement's cost is already agreed: record a change instead"
    if problems:
        raise ValidationError(problems)
    agreement = PlacementAgreement.objects.create(
        first_episode=episode, child_id=episode.child_id, provider=provider, recorded_by=actor
    )
    WeeklyCost.objects.create(
        agreement=agreement,
        effective_from=episode.started_on,
        weekly_cost=weekly,
        change=CostChange.AGREED,
        recorded_by=actor,
        **parsed,
    )
    audit_event_record(
        actor=actor,
        verb="finance.placement_cost_agreed",
        target=agreement,
        child=episode.child,
        payload={
            "provider": provider.pk,
            "weekly_cost": str(weekly),
            "from": episode.started_on.isoformat(),
            **{field: str(value) for field, value in parsed.items()},
        },
    )
    return agreement


@transaction.atomic
def placement_cost_change(
    *,
    actor,
    agreement: PlacementAgreement,
    expected_version: int | None,
    effective_from: dt.date,
    weekly_cost,
    change: str,
    social_care_share=100,
    education_share=0,
    health_share=0,
) -> WeeklyCost:
    """A new weekly cost (an uplift, an enhanced package...) from `effective_from`, which may be ahead (an uplift
    agreed for April) but must fall within the placement."""
    shares = {
        "social_care_share": social_care_share,
        "education_share": education_share,
        "health_share": health_share,
    }
    problems, weekly, parsed = _cost_problems(weekly_cost, shares)
    started, ended = placement_span(agreement.first_episode)
    if effective_from < started:
        problems["effective_from"] = COST_BEFORE_START.format(day=long_date(started))
    elif ended is not None and effective_from >= ended:
        problems["effective_from"] = COST_AFTER_END.format(day=long_date(ended))
    elif agreement.costs.filter(effective_from=effective_from).exists():
        problems["effective_from"] = "A cost already takes effect that day: choose another day"
    if change not in CostChange.values or change == CostChange.AGREED:
        problems["change"] = "Choose what kind of change this is"
    if problems:
        raise ValidationError(problems)
    claimed = PlacementAgreement.objects.filter(pk=agreement.pk)
    if expected_version is not None:
        claimed = claimed.filter(version=expected_version)
    if not claimed.update(version=F("version") + 1):
        raise ConcurrentEditError("placement's cost")
    cost = WeeklyCost.objects.create(
        agreement=agreement,
        effective_from=effective_from,
        weekly_cost=weekly,
        change=change,
        recorded_by=actor,
        **parsed,
    )
    audit_event_record(
        actor=actor,
        verb="finance.placement_cost_changed",
        target=agreement,
        child=agreement.child,
        payload={
            "weekly_cost": str(weekly),
            "from": effective_from.isoformat(),
            "change": change,
            **{field: str(value) for field, value in parsed.items()},
        },
    )
    return cost


# Budgets and scenarios ----------------------------------------------------------------------------------------


def year_months(year: int) -> list[dt.date]:
    """The first day of each month of financial year `year` (April year-1 to March year)."""
    return [dt.date(year - 1 + (month < 4), month, 1) for month in (*range(4, 13), 1, 2, 3)]


def _days_in(month: dt.date) -> int:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (following - month).days


def spread_over_months(year: int, amount: Decimal) -> dict[dt.date, Decimal]:
    """An annual amount spread over the months by their days, to the penny (the last month takes the rounding)."""
    months = year_months(year)
    days = sum(_days_in(month) for month in months)
    spread, given = {}, Decimal(0)
    for month in months[:-1]:
        spread[month] = (amount * _days_in(month) / days).quantize(Decimal("0.01"))
        given += spread[month]
    spread[months[-1]] = amount - given
    return spread


@transaction.atomic
def budget_set(*, actor, year: int, lines: dict[str, tuple[object, object]]) -> Budget:
    """The placements budget of financial year `year` (ending 31 March year): for each category, the money for the
    year and the average number of children it plans to pay for, spread over the months by their days."""
    problems: dict[str, str] = {}
    if not 2000 <= year <= 2100:
        problems["year"] = "Enter the year the financial year ends in, like 2026 for 2025-26"
    elif Budget.objects.filter(year=year).exists():
        problems["year"] = BUDGET_TWICE.format(year=financial_year_label(year))
    parsed: dict[str, tuple[Decimal, Decimal]] = {}
    for category in CATEGORIES:
        amount_text, children_text = lines.get(category, (0, 0))
        amount = _money(amount_text, f"{category}_amount", problems)
        children = _money(children_text, f"{category}_children", problems)
        label = CATEGORY_LABELS[category].split(" (")[0]
        if amount is not None and not 0 <= amount <= HIGHEST_BUDGET:
            problems[f"{category}_amount"] = f"{label}: the budget must be from £0 to £{HIGHEST_BUDGET:,}"
        if children is not None and not 0 <= children <= HIGHEST_PLANNED_CHILDREN:
            problems[f"{category}_children"] = f"{label}: the children planned for must be from 0 to 10,000"
        if amount is not None and children is not None:
            parsed[category] = (amount, children)
    if problems:
        raise ValidationError(problems)
    budget = Budget.objects.create(year=year, set_by=actor)
    rows = [
        BudgetLine(budget=budget, category=category, month=month, amount=money, children=children)
        for category, (amount, children) in parsed.items()
        for month, money in spread_over_months(year, amount).items()
    ]
    BudgetLine.objects.bulk_create(rows)
    audit_event_record(
        actor=actor,
        verb="finance.budget_set",
        target=budget,
        payload={category: [str(amount), str(children)] for category, (amount, children) in parsed.items()},
    )
    return budget


@transaction.atomic
def scenario_save(*, actor, name: str, kind: str, category: str, to_category: str = "", number) -> Scenario:
    name = " ".join(name.split())
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = "Enter a name for the scenario"
    elif Scenario.objects.filter(name__iexact=name).exists():
        problems["name"] = "A scenario with this name is already saved: choose another name"
    if kind not in ScenarioKind.values:
        problems["kind"] = "Choose what the scenario changes"
    if category not in CATEGORIES:
        problems["category"] = "Choose a placement category"
    if kind == ScenarioKind.STEP_DOWN:
        if to_category not in CATEGORIES:
            problems["to_category"] = "Choose the category the children move to"
        elif to_category == category:
            problems["to_category"] = "Children move to a different category from the one they leave"
    else:
        to_category = ""
    amount = _money(number, "number", problems)
    if amount is not None and not 0 < amount <= HIGHEST_SCENARIO_NUMBER:
        problems["number"] = (
            f"The number of children must be more than 0 and no more than {HIGHEST_SCENARIO_NUMBER:,}"
        )
    if problems:
        raise ValidationError(problems)
    scenario = Scenario.objects.create(
        name=name,
        author=actor,
        kind=kind,
        category=category,
        to_category=to_category,
        number=amount.quantize(Decimal("0.1")),
    )
    audit_event_record(
        actor=actor,
        verb="finance.scenario_saved",
        target=scenario,
        payload={"name": name, "kind": kind, "category": category, "to": to_category, "number": str(amount)},
    )
    return scenario
