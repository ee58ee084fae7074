"""Reads for the finance pages, and who may see them.

Roles: the budget, the provider register and in-house capacity are for heads of service, the director and
performance analysts (who read only); heads of service and the director set budgets, register providers and record
costs and approvals; a scenario may be saved by anyone who sees the budget. A child the user may not open is shown
as "a restricted record", without the placement's provider, dates or carer, and the refusal is logged; every child
named is logged as listed.

In-house capacity on a day: each of our fostering households approved that day, its approved places, the
children placed with it (open placements whose agreement names the household) and its vacancies. The sufficiency
duty (Children Act 1989 s22G) asks the authority to secure, so far as reasonably practicable, accommodation within
its area that meets the needs of the children it looks after: the page lists the foster placements made outside
the authority in the twelve months to the day (fostering category, placement outside the authority's boundary)
that started on a day when one of our households approved for the child's age had a place free.
"""

import datetime as dt
from dataclasses import dataclass

from opencsc.accounts.models import Role
from opencsc.finance import accrual
from opencsc.finance.codes import ProviderKind
from opencsc.finance.models import CarerApproval, PlacementAgreement, Provider
from opencsc.finance.outturn import year_bounds
from opencsc.insight.forecast import months_before
from opencsc.people.models import Child
from opencsc.people.selectors import child_ids_user_may_open, log_children_named

BUDGET_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST}
BUDGET_CHANGE_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR}


def can_view_budget(user) -> bool:
    return user.is_authenticated and user.role in BUDGET_ROLES


def can_change_budget(user) -> bool:
    return user.is_authenticated and user.role in BUDGET_CHANGE_ROLES


@dataclass
class PlacementRow:
    placement: accrual.Placement
    child: Child | None  # None: a restricted record the user may not open
    provider: str
    weekly_net: float
    weekly_gross: float
    spent: float
    committed: float

    @property
    def total(self) -> float:
        return self.spent + self.committed


def _provider_names(placements) -> dict[int, str]:
    ids = {p.provider_id for p in placements if p.provider_id}
    return dict(Provider.objects.filter(pk__in=ids).values_list("pk", "name"))


def named_rows(*, user, path: str, placements, make_row) -> list:
    """Rows for placements, each child named only if the user may open them; the naming and the withholding
    logged."""
    may_open = child_ids_user_may_open(user, [p.child_id for p in placements])
    children = Child.objects.in_bulk(list(may_open))
    withheld = {p.child_id for p in placements} - may_open
    log_children_named(user=user, shown_ids=may_open, withheld_ids=withheld, path=path)
    return [make_row(placement, children.get(placement.child_id)) for placement in placements]


def placements_behind(*, user, path: str, year: int, category: str, as_of: dt.date) -> list[PlacementRow]:
    """The placements behind a category's spent and committed figures in the year, dearest first."""
    start, end = year_bounds(year)
    after, stop = as_of + dt.timedelta(days=1), end + dt.timedelta(days=1)
    placements = [p for p in accrual.placements_between(start, end) if p.category == category]
    if as_of < start:
        placements = [p for p in placements if p.ended_on is None and p.started_on <= as_of]
    else:
        placements = [p for p in placements if p.started_on <= as_of]
    providers = _provider_names(placements)

    def row(placement, child):
        spent = accrual.accrue(placement, start, after, assume_open=True).total_net if as_of >= start else 0
        committed = (
            accrual.accrue(placement, max(after, start), stop, assume_open=True).total_net
            if placement.ended_on is None
            else 0
        )
        cost = placement.cost_on(min(as_of, placement.ended_on or as_of))
        provider = providers.get(placement.provider_id) or placement.carer_name or "Not recorded"
        return PlacementRow(
            placement,
            child,
            provider,
            float(cost.weekly_net),
            float(cost.weekly),
            float(spent),
            float(committed),
        )

    rows = named_rows(user=user, path=path, placements=placements, make_row=row)
    return sorted(rows, key=lambda r: (-r.total, r.placement.started_on))


@dataclass
class Household:
    provider: Provider
    approval: CarerApproval
    placed: int

    @property
    def vacancies(self) -> int:
        return max(0, self.approval.places - self.placed)


def _approvals_on(day: dt.date):
    return CarerApproval.objects.filter(
        approved_on__lte=day, provider__kind=ProviderKind.IN_HOUSE_FOSTERING
    ).exclude(ended_on__lt=day)


def _household_placements(first: dt.date, last: dt.date) -> dict[int, list[accrual.Placement]]:
    placements = accrual.placements_between(first, last)
    agreement_provider = dict(
        PlacementAgreement.objects.filter(
            provider__kind=ProviderKind.IN_HOUSE_FOSTERING,
            first_episode_id__in=[p.first_episode_id for p in placements],
        ).values_list("first_episode_id", "provider_id")
    )
    by_household: dict[int, list[accrual.Placement]] = {}
    for placement in placements:
        provider_id = agreement_provider.get(placement.first_episode_id)
        if provider_id is not None:
            by_household.setdefault(provider_id, []).append(placement)
    return by_household


def in_house_capacity(day: dt.date) -> list[Household]:
    approvals = list(_approvals_on(day).select_related("provider").order_by("provider__name", "pk"))
    placed = _household_placements(day, day)
    return [
        Household(
            approval.provider,
            approval,
            sum(1 for p in placed.get(approval.provider_id, []) if p.open_on(day)),
        )
        for approval in approvals
    ]


@dataclass
class OutOfAreaPlacement:
    placement: accrual.Placement
    child: Child | None
    age: int | None
    free_places: int  # matching free places in our households on the day it started


def _age_on(born: dt.date | None, day: dt.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def placed_out_while_local_place_free(*, user, path: str, day: dt.date) -> list[OutOfAreaPlacement]:
    """Foster placements made outside the authority in the year to `day` that started while one of our own
    households approved for the child's age had a place free (s22G)."""
    first = months_before(day, 12)
    candidates = [
        p
        for p in accrual.placements_between(first, day)
        if first <= p.started_on <= day and p.category == "fostering" and p.inside_authority is False
    ]
    if not candidates:
        return []
    approvals = list(
        CarerApproval.objects.filter(
            approved_on__lte=day, provider__kind=ProviderKind.IN_HOUSE_FOSTERING
        ).exclude(ended_on__lt=first)
    )
    placed = _household_placements(first, day)
    births = dict(
        Child.objects.filter(pk__in={p.child_id for p in candidates}).values_list("pk", "date_of_birth")
    )
    found = []
    for placement in candidates:
        start, age = placement.started_on, _age_on(births.get(placement.child_id), placement.started_on)
        if age is None:
            continue
        free = 0
        for approval in approvals:
            active = approval.approved_on <= start and (
                approval.ended_on is None or approval.ended_on >= start
            )
            if active and approval.youngest <= age <= approval.oldest:
                occupied = sum(1 for p in placed.get(approval.provider_id, []) if p.open_on(start))
                free += max(0, approval.places - occupied)
        if free:
            found.append((placement, age, free))
    rows = named_rows(
        user=user,
        path=path,
        placements=[placement for placement, _, _ in found],
        make_row=lambda placement, child: OutOfAreaPlacement(placement, child, None, 0),
    )
    for row, (_, age, free) in zip(rows, found, strict=True):
        row.age, row.free_places = age, free
    return sorted(rows, key=lambda r: r.placement.started_on, reverse=True)
