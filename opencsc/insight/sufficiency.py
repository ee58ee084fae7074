"""Where the authority's looked-after children live on a date: inside or outside the authority, how far from
home, in what kind of placement and with which kind of provider, each count drillable to the children.

Location and distance are worked out from the postcodes on the episode, as the KPIs do (ADR 0004); a child
whose postcode is unknown is counted as unknown and left out of every rate.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

from opencsc.core.rates import rate
from opencsc.geography import distance_miles, is_inside_authority, postcode_location
from opencsc.insight.kpis import open_on
from opencsc.looked_after.codes import SHORT_BREAK_STATUSES, PlacementProvider, PlacementType
from opencsc.looked_after.models import Episode

DISTANCE_BANDS = [
    (0, 5, "Under 5 miles"),
    (5, 10, "5 to 10 miles"),
    (10, 20, "10 to 20 miles"),
    (20, 50, "20 to 50 miles"),
    (50, None, "50 miles or more"),
]
PLACEMENT_GROUPS = [
    ("foster", "Foster care", {"U1", "U2", "U3", "U4", "U5", "U6"}),
    ("childrens_homes", "Children's homes", {"K1", "K2"}),
    ("supported", "Supported accommodation", {"K3"}),
    ("adoption", "Placed for adoption", {"A3", "A4", "A5", "A6"}),
    ("parents", "With parents", {"P1"}),
    ("other", "Residential and other", None),
]
UNKNOWN = "unknown"


@dataclass
class Breakdown:
    key: str
    title: str
    rows: list[tuple[str, str, list[int]]] = field(default_factory=list)  # (value, label, child ids)

    @property
    def total(self) -> int:
        return sum(len(ids) for _, _, ids in self.rows)

    @property
    def known(self) -> int:
        """Children whose value is known: the denominator of every rate."""
        return sum(len(ids) for key, _, ids in self.rows if key != UNKNOWN)

    def percent(self, value: str) -> float | None:
        """Share of the children whose value is known; None for the unknown row or when none is known."""
        known = sum(len(ids) for key, _, ids in self.rows if key != UNKNOWN)
        count = next((len(ids) for key, _, ids in self.rows if key == value), 0)
        return None if value == UNKNOWN else rate(count, known)


@dataclass(frozen=True)
class Placement:
    """A looked-after child's placement on the day, with where it is worked out from its postcodes."""

    child_id: int
    placement_type: str
    provider: str
    inside: bool | None
    miles: float | None
    placement_postcode: str = ""
    carer_name: str = ""

    @property
    def placement_type_label(self) -> str:
        return _label(PlacementType, self.placement_type)

    @property
    def provider_label(self) -> str:
        return _label(PlacementProvider, self.provider) if self.provider else "Not recorded"

    @property
    def location_label(self) -> str:
        return {True: "Inside", False: "Outside", None: "Not known"}[self.inside]

    @property
    def miles_shown(self) -> str:
        return "Not known" if self.miles is None else f"{self.miles:.1f}"


def _label(choices, code: str) -> str:
    try:
        return f"{code}: {choices(code).label}"
    except ValueError:
        return code


def placements_on(day: dt.date) -> list[Placement]:
    episodes = (
        Episode.objects.filter(open_on(day, "started_on", "ended_on"))
        .exclude(legal_status__in=SHORT_BREAK_STATUSES)
        .values_list(
            "child_id",
            "placement_type",
            "placement_provider",
            "home_postcode",
            "placement_postcode",
            "carer_name",
        )
    )
    placements = []
    for child_id, place, provider, home, placed, carer in episodes:
        placed_at = postcode_location(placed) if placed else None
        home_at = postcode_location(home) if home else None
        inside = is_inside_authority(placed, settings.AUTHORITY_ONS_CODE) if placed_at else None
        miles = distance_miles(home_at, placed_at) if home_at and placed_at else None
        placements.append(
            Placement(
                child_id, place, provider, inside, miles, placed_at.postcode if placed_at else placed, carer
            )
        )
    return placements


def _band(miles: float | None) -> str:
    if miles is None:
        return UNKNOWN
    for low, high, label in DISTANCE_BANDS:
        if miles >= low and (high is None or miles < high):
            return label
    return UNKNOWN


def _group(place: str) -> str:
    return next(key for key, _, codes in PLACEMENT_GROUPS if codes is None or place in codes)


def _breakdown(key: str, title: str, values: list[tuple[str, str]], placements, value_of) -> Breakdown:
    ids: dict[str, list[int]] = {value: [] for value, _ in values}
    for placement in placements:
        ids.setdefault(value_of(placement), []).append(placement.child_id)
    return Breakdown(key, title, [(value, label, ids[value]) for value, label in values])


def sufficiency_on(day: dt.date, placements: list[Placement] | None = None) -> list[Breakdown]:
    """The breakdowns by location, distance band, placement type and provider of the placements on a day."""
    placements = placements_on(day) if placements is None else placements
    location = {True: "inside", False: "outside", None: UNKNOWN}
    return [
        _breakdown(
            "location",
            "Inside or outside the authority",
            [
                ("inside", "Inside the authority"),
                ("outside", "Outside the authority"),
                (UNKNOWN, "Location not known"),
            ],
            placements,
            lambda p: location[p.inside],
        ),
        _breakdown(
            "distance",
            "Distance from home (straight line)",
            [*[(label, label) for _, _, label in DISTANCE_BANDS], (UNKNOWN, "Distance not known")],
            placements,
            lambda p: _band(p.miles),
        ),
        _breakdown(
            "placement",
            "Type of placement",
            [(key, label) for key, label, _ in PLACEMENT_GROUPS],
            placements,
            lambda p: _group(p.placement_type),
        ),
        _breakdown(
            "provider",
            "Provider",
            [*PlacementProvider.choices, (UNKNOWN, "Not recorded")],
            placements,
            lambda p: p.provider or UNKNOWN,
        ),
    ]
