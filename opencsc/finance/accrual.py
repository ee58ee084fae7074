"""What placements cost, day by day, from the placements' own dates.

A placement is a run of one child's looked-after episodes with the same carers: it starts with an episode whose
reason for a new episode (RNE) is S, P, B, T or U and runs on through episodes that change the legal status only
(L), to the end (DEC) of the last of them. An L episode that does not start on the day the previous one ended
(a data error) starts a placement of its own. Short breaks (legal status V3 or V4) are left out: they are paid
from the disabled children's budget, not the looked-after placements budget, and the forecast leaves them out too.

A placement is paid for each night: from its first day up to, not including, its last day (on the day of a move
the new placement is paid; a placement that starts and ends on one day costs nothing). A weekly cost accrues at a
seventh of itself a night, from the day it takes effect until the next change. The social care share of it is
what the placements budget bears; education's and health's shares are shown beside it.

A placement without an agreed cost is costed at the default price of its kind of provider (read from the 903
placement type and provider code, `opencsc/finance/prices.py`) and counted as such, so a missing agreement
shows as a number to put right, not as a hole in the spend.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from opencsc.finance.codes import ProviderKind
from opencsc.finance.models import PlacementAgreement, WeeklyCost
from opencsc.finance.prices import DEFAULT_WEEKLY_PRICE
from opencsc.insight.forecast import CATEGORY_OF_PLACEMENT
from opencsc.looked_after.codes import PLACEMENT_CHANGING_REASONS, SHORT_BREAK_STATUSES
from opencsc.looked_after.models import Episode

HUNDRED = Decimal(100)
SEVEN = Decimal(7)


def provider_kind_for(place: str, provider_code: str) -> ProviderKind | None:
    """The kind of provider a 903 placement type and provider code (PLACE, PLACE_PROVIDER) describe, for a
    placement with no agreement; None where the placements budget pays no fee (placed for adoption, a hospital,
    a young offender institution, employment, a temporary move: the usual carer is paid, or another budget pays)."""
    if place in ("U1", "U2", "U3"):
        return ProviderKind.CONNECTED_CARERS
    if place in ("U4", "U5", "U6"):
        return ProviderKind.IFA if provider_code in ("PR4", "PR5") else ProviderKind.IN_HOUSE_FOSTERING
    if place in ("K2", "R1", "R3", "Z11", "Z12", "Z13", "Z14"):
        return {"PR4": ProviderKind.CHILDRENS_HOME_PRIVATE, "PR5": ProviderKind.CHILDRENS_HOME_VOLUNTARY}.get(
            provider_code,
            ProviderKind.CHILDRENS_HOME_PRIVATE if place.startswith("Z") else ProviderKind.CHILDRENS_HOME_LA,
        )
    return {
        "K1": ProviderKind.SECURE,
        "K3": ProviderKind.SUPPORTED,
        "S1": ProviderKind.RESIDENTIAL_SCHOOL,
        "P1": ProviderKind.PARENTS,
    }.get(place)


def default_weekly_price(place: str, provider_code: str) -> Decimal:
    kind = provider_kind_for(place, provider_code)
    return DEFAULT_WEEKLY_PRICE[kind] if kind is not None else Decimal(0)


@dataclass(frozen=True)
class CostFrom:
    """A weekly cost in effect from `effective_from` until the next one."""

    effective_from: dt.date
    weekly: Decimal
    social_care_share: Decimal  # per cent

    @property
    def weekly_net(self) -> Decimal:
        return self.weekly * self.social_care_share / HUNDRED


@dataclass
class Placement:
    first_episode_id: int
    child_id: int
    started_on: dt.date
    ended_on: dt.date | None  # the last day (DEC of its last episode); None while open
    place: str
    provider_code: str
    carer_name: str
    inside_authority: bool | None
    agreement_id: int | None = None
    provider_id: int | None = None
    costs: list[CostFrom] = field(default_factory=list)

    @property
    def category(self) -> str:
        return CATEGORY_OF_PLACEMENT.get(self.place, "secure_other")

    @property
    def costed(self) -> bool:
        return bool(self.costs)

    @property
    def has_fee(self) -> bool:
        """Whether the placements budget pays a fee for this kind of placement (see provider_kind_for)."""
        return provider_kind_for(self.place, self.provider_code) is not None

    def cost_on(self, day: dt.date) -> CostFrom:
        """The cost in effect on `day` (the default price if none is agreed)."""
        current = None
        for cost in self.costs:
            if cost.effective_from <= day:
                current = cost
        if current is None:
            return CostFrom(self.started_on, default_weekly_price(self.place, self.provider_code), HUNDRED)
        return current

    def open_on(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)


@dataclass
class Accrued:
    """Money and nights, by month (the first of the month)."""

    gross: dict[dt.date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    net: dict[dt.date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    nights: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: "Accrued") -> None:
        for month, value in other.gross.items():
            self.gross[month] += value
        for month, value in other.net.items():
            self.net[month] += value
        for month, value in other.nights.items():
            self.nights[month] += value

    @property
    def total_net(self) -> Decimal:
        return sum(self.net.values(), Decimal(0))

    @property
    def total_gross(self) -> Decimal:
        return sum(self.gross.values(), Decimal(0))

    @property
    def total_nights(self) -> int:
        return sum(self.nights.values())


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def accrue(placement: Placement, first: dt.date, stop: dt.date, *, assume_open: bool = False) -> Accrued:
    """The placement's cost for the nights from `first` up to, not including, `stop`, by month. With
    `assume_open`, an open placement is taken to run on to `stop` (a commitment)."""
    end = placement.ended_on if placement.ended_on is not None else (stop if assume_open else None)
    if end is None:
        raise ValueError("an open placement accrues only with assume_open (its end is not known)")
    begin, finish = max(first, placement.started_on), min(stop, end)
    result = Accrued()
    if finish <= begin:
        return result
    pieces = placement.costs or [placement.cost_on(placement.started_on)]
    for index, cost in enumerate(pieces):
        piece_start = max(begin, cost.effective_from if index else placement.started_on)
        piece_stop = min(finish, pieces[index + 1].effective_from) if index + 1 < len(pieces) else finish
        month = first_of_month(piece_start)
        while piece_start < piece_stop:
            month_stop = min(piece_stop, next_month(month))
            nights = (month_stop - piece_start).days
            result.nights[month] += nights
            result.gross[month] += cost.weekly * nights / SEVEN
            result.net[month] += cost.weekly_net * nights / SEVEN
            piece_start, month = month_stop, next_month(month)
    return result


def placements_between(first: dt.date, last: dt.date) -> list[Placement]:
    """Every placement with a night from `first` to `last` (inclusive), open ones included, with their costs."""
    touching = Episode.objects.filter(started_on__lte=last).exclude(ended_on__lt=first)
    rows = (
        Episode.objects.filter(child_id__in=touching.values("child_id"), started_on__lte=last)
        .exclude(legal_status__in=SHORT_BREAK_STATUSES)
        .order_by("child_id", "started_on", "id")
        .values_list(
            "id",
            "child_id",
            "started_on",
            "ended_on",
            "reason_new_episode",
            "placement_type",
            "placement_provider",
            "carer_name",
            "placement_inside_authority",
        )
    )
    placements: list[Placement] = []
    previous: Placement | None = None
    for episode_id, child, start, end, reason, place, provider, carer, inside in rows:
        continues = (
            previous is not None
            and previous.child_id == child
            and reason not in PLACEMENT_CHANGING_REASONS
            and previous.ended_on == start
        )
        if continues:
            previous.ended_on = end
            continue
        previous = Placement(episode_id, child, start, end, place, provider, carer, inside)
        placements.append(previous)
    kept = [p for p in placements if p.ended_on is None or p.ended_on > first]
    _attach_costs(kept)
    return kept


def _attach_costs(placements: list[Placement]) -> None:
    by_episode = {placement.first_episode_id: placement for placement in placements}
    agreements = PlacementAgreement.objects.filter(first_episode_id__in=list(by_episode)).values_list(
        "id", "first_episode_id", "provider_id"
    )
    by_agreement = {}
    for agreement_id, episode_id, provider_id in agreements:
        placement = by_episode[episode_id]
        placement.agreement_id, placement.provider_id = agreement_id, provider_id
        by_agreement[agreement_id] = placement
    costs = (
        WeeklyCost.objects.filter(agreement_id__in=list(by_agreement))
        .order_by("agreement_id", "effective_from")
        .values_list("agreement_id", "effective_from", "weekly_cost", "social_care_share")
    )
    for agreement_id, effective_from, weekly, share in costs:
        by_agreement[agreement_id].costs.append(CostFrom(effective_from, weekly, share))
