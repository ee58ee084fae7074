"""The demand forecast: how many children will be looked after on a day to come, by placement category, and what
their placements will cost a week.

The model is a daily stock-and-flow (Markov) model over states = age band x placement category, in the manner of
the Social Finance children's social care demand model (see ../shared/research/analytics.md), estimated from the
authority's own SSDA903-shaped episodes over a reference window ending on the forecast's `as_of` date:

- the stock is the children looked after on `as_of`, each in the state of their episode that day;
- entries: for each state, the children who started a period of care in it during the window, per day;
- moves: for each pair of states, the moves seen (a new placement in another category, or a birthday that takes
  the child into the next age band) per day the children spent in the first state; exits likewise, per state.
  Ageing is therefore measured, not assumed to be 1/length-of-band: it follows the ages the children really have.

The projection is a matrix: with P the daily transition matrix (row i: the chance of moving from state i to each
state; what is missing from 1 is the chance of leaving care) and e the daily entries, the expected stock is
x(t+1) = x(t) P + e. Leaving care is not a state, so children who have left are never added back into the total.
The uncertainty is carried through every day of the horizon, in two parts:

- process: each child moves independently, so the children in today's stock are multinomial over the states at
  day t (P^t row by row), and entries are Poisson, which stays Poisson, independent by state, after thinning by
  the moves; so the variance of any count (or of the weekly cost) is exact, propagated as Q(t+1) = P Q(t) on a
  few columns (one per category, the total, the cost and the squared cost);
- the rates themselves: each rate is an estimate from a finite count (n events in T days), so the projection is
  repeated for DRAWS sets of rates drawn from their gamma posteriors (seeded, so the same inputs give the same
  figures), and the variance between those projections is added.

The interval is the 80% normal interval (mean +/- 1.2816 sd) of that mixture, cut at zero.

Honest about what was known: a forecast as of a past date uses only what the records held by then. An episode
that started after `as_of` is invisible; an episode open on `as_of` is open, whatever happened next (its end and
reason are unknown then); records are dated by their own DECOM and DEC, so late entry of an episode that had
started by `as_of` is counted as if it were known.

Edge cases:
- short breaks (legal status V3 and V4) are not looked after here, as in the KPIs;
- a child without a recorded date of birth is put in the 10-15 band (the most common band among children in care);
  how many were is reported in `Forecast.without_birth_date`;
- a child in care past their 18th birthday stays in the 16+ band;
- a state with no day in the window (a child who arrived in it on `as_of`) has no rates of its own: its children
  leave care at the rate of all states together and move nowhere;
- a reference window in which no child was looked after (before `as_of` itself) is refused (NoEpisodes), as a
  forecast from nothing.
"""

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from opencsc.looked_after.codes import SHORT_BREAK_STATUSES
from opencsc.looked_after.models import Episode

# One year: it follows the current rate of entries (a trend is not modelled), as Social Finance's analyses do
# (6 to 12 months); a small authority may choose 24 or 36 for steadier rates, at the cost of lagging change.
DEFAULT_WINDOW_MONTHS = 12
# Annual price inflation applied to the weekly costs between --as-of and --to (0 = today's prices); bounded so that a
# mistyped figure (a rate of 35 instead of 3.5) is refused rather than forecast.
MIN_INFLATION_PERCENT, MAX_INFLATION_PERCENT = -10.0, 25.0
DRAWS = 200  # sets of rates drawn for the parameter part of the band
BLOCK_DAYS = 64  # days of the projection whose moments are taken together (memory against numpy calls)
SEED = 14  # fixed, so the same records give the same forecast
Z_80 = 1.2815515655446004  # the 90th centile of the standard normal: an 80% two-sided interval

# Age bands (lower bound in years, label); the last band runs on past 18.
AGE_BANDS: tuple[tuple[int, str], ...] = ((0, "under 1"), (1, "1-4"), (5, "5-9"), (10, "10-15"), (16, "16+"))
NO_BIRTH_DATE_BAND = 3  # 10-15

# The 903 placement types (PLACE) grouped into the categories the forecast and the budget use.
CATEGORY_OF_PLACEMENT: dict[str, str] = {
    **dict.fromkeys(("U1", "U2", "U3", "U4", "U5", "U6"), "fostering"),
    **dict.fromkeys(("K2", "R1", "S1"), "residential"),
    "K3": "supported",
    "P1": "with_parents",
    **dict.fromkeys(("A3", "A4", "A5", "A6"), "adoption"),
    **dict.fromkeys(
        ("K1", "P3", "R2", "R3", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"),
        "secure_other",
    ),
}
CATEGORIES: tuple[str, ...] = (
    "fostering",
    "residential",
    "supported",
    "with_parents",
    "adoption",
    "secure_other",
)
CATEGORY_LABELS = {
    "fostering": "Fostering (U1-U6)",
    "residential": "Children's homes and residential schools (K2, R1, S1)",
    "supported": "Supported accommodation (K3)",
    "with_parents": "Placed with parents (P1)",
    "adoption": "Placed for adoption (A3-A6)",
    "secure_other": "Secure and other (K1, P3, R2, R3, R5, T0-T4, Z1x)",
}

# DEFAULT weekly cost per child, in pounds, by category: a placeholder that each authority replaces with its own
# prices (the placement-cost register is later work). No cost figures are in ../shared/research; the two cited
# here are the only national figures read for this work, and the rest are ASSUMED, stated as such.
DEFAULT_WEEKLY_COST: dict[str, float] = {
    # DfE written answer to Parliament (2016, "Children in care", question 49075): "the cost of foster care for
    # children is estimated at around £600 per child per week on average".
    "fostering": 600.0,
    # Same answer: "the average costs per resident week for a local authority care home for children are around
    # £3,000". Private homes cost more today; an authority should replace this.
    "residential": 3000.0,
    # ASSUMED: half a children's home week, as supported accommodation (16-17) has no national unit cost to hand.
    "supported": 1500.0,
    # ASSUMED: support to the family only (no carer's allowance); an authority's figure replaces it.
    "with_parents": 150.0,
    # ASSUMED: the fostering allowance level until the adoption order (the adopters' allowance is not paid here).
    "adoption": 600.0,
    # ASSUMED: the care-home figure above; secure placements cost several times more, other placements less.
    "secure_other": 3000.0,
}


class ForecastError(ValueError):
    """Input the forecast cannot work from; the message names the field and the problem."""


class NoEpisodes(ForecastError):
    pass


def state_count() -> int:
    return len(AGE_BANDS) * len(CATEGORIES)


def state_index(band: int, category: str) -> int:
    return band * len(CATEGORIES) + CATEGORIES.index(category)


def state_label(index: int) -> tuple[str, str]:
    band, category = divmod(index, len(CATEGORIES))
    return AGE_BANDS[band][1], CATEGORIES[category]


@dataclass(frozen=True)
class Interval:
    expected: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"expected": round(self.expected, 2), "low": round(self.low, 2), "high": round(self.high, 2)}


@dataclass
class Rates:
    """What the reference window showed: counts and the days they were seen over."""

    window_days: int
    stock: np.ndarray  # children in each state on as_of
    exposure: (
        np.ndarray
    )  # child-days spent in each state (a day is counted where the next day's state is known)
    moves: np.ndarray  # moves[i, j]: moves from state i to state j
    exits: np.ndarray  # exits from each state
    entries: np.ndarray  # periods of care started in each state
    without_birth_date: int = 0


@dataclass
class Forecast:
    as_of: dt.date
    to: dt.date
    window_months: int
    looked_after: Interval
    by_category: dict[str, Interval]
    weekly_cost: Interval
    rates: Rates
    daily_total: list[Interval] = field(default_factory=list)  # day 0 (as_of) to the horizon

    @property
    def without_birth_date(self) -> int:
        return self.rates.without_birth_date

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "to": self.to.isoformat(),
            "looked_after": self.looked_after.as_dict(),
            "by_category": {category: self.by_category[category].as_dict() for category in CATEGORIES},
            "weekly_cost": self.weekly_cost.as_dict(),
        }


def forecast(
    *,
    as_of: dt.date,
    to: dt.date,
    window_months: int = DEFAULT_WINDOW_MONTHS,
    weekly_cost: dict[str, float] | None = None,
    inflation_percent: float = 0.0,
) -> Forecast:
    if to < as_of:
        raise ForecastError(f"--to ({to}) is before --as-of ({as_of}): a forecast looks forward")
    if not 1 <= window_months <= 240:
        raise ForecastError(f"--window-months must be between 1 and 240, not {window_months}")
    window_start = months_before(as_of, window_months)
    rates = estimate_rates(episodes_known_on(as_of, window_start), as_of=as_of, window_start=window_start)
    if not rates.exposure.any():  # children who came into care on as_of itself teach no rates either
        raise NoEpisodes(
            f"No child was looked after in the reference window {window_start} to {as_of} (before that day): "
            "there are no rates to forecast from (choose a later --as-of or a longer --window-months)"
        )
    costs = inflated(weekly_cost or DEFAULT_WEEKLY_COST, inflation_percent, years=(to - as_of).days / 365.25)
    projection = project(rates, horizon_days=(to - as_of).days, weekly_cost=costs)
    return Forecast(
        as_of=as_of,
        to=to,
        window_months=window_months,
        looked_after=projection["total"][-1],
        by_category={category: projection[category][-1] for category in CATEGORIES},
        weekly_cost=projection["cost"][-1],
        rates=rates,
        daily_total=projection["total"],
    )


def inflated(weekly_cost: dict[str, float], inflation_percent: float, *, years: float) -> dict[str, float]:
    """Each category's weekly cost at the prices of `years` ahead, compounding the annual inflation rate."""
    if not MIN_INFLATION_PERCENT <= inflation_percent <= MAX_INFLATION_PERCENT:
        raise ForecastError(
            f"--inflation must be an annual percentage from {MIN_INFLATION_PERCENT:g} to {MAX_INFLATION_PERCENT:g}, "
            f"not {inflation_percent:g}"
        )
    factor = (1 + inflation_percent / 100) ** years
    return {category: cost * factor for category, cost in weekly_cost.items()}


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for last_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, last_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class KnownEpisode:
    child_id: int
    started_on: dt.date
    ended_on: dt.date | None  # None: open on as_of, as far as anyone knew then
    category: str
    date_of_birth: dt.date | None


def episodes_known_on(as_of: dt.date, window_start: dt.date) -> list[KnownEpisode]:
    """The looked-after episodes as the records stood on `as_of`, for the children in care at some time from
    `window_start` (the whole of each such child's care then known, for entries and moves)."""
    in_window = Episode.objects.filter(started_on__lte=as_of).exclude(ended_on__lt=window_start)
    rows = (
        Episode.objects.filter(child_id__in=in_window.values("child_id"), started_on__lte=as_of)
        .exclude(legal_status__in=SHORT_BREAK_STATUSES)
        .order_by("child_id", "started_on", "id")
        .values_list("child_id", "started_on", "ended_on", "placement_type", "child__date_of_birth")
    )
    return [
        KnownEpisode(
            child_id=child,
            started_on=start,
            ended_on=end if end is not None and end <= as_of else None,
            category=CATEGORY_OF_PLACEMENT.get(place, "secure_other"),
            date_of_birth=birth,
        )
        for child, start, end, place, birth in rows
    ]


def birthday(date_of_birth: dt.date, age: int) -> dt.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:  # 29 February in a year without one
        return dt.date(date_of_birth.year + age, 3, 1)


@functools.lru_cache(maxsize=65536)
def band_birthdays(date_of_birth: dt.date) -> tuple[dt.date, ...]:
    """The birthdays on which each age band starts (the first band's is the day of birth)."""
    return tuple(birthday(date_of_birth, lower) for lower, _label in AGE_BANDS)


def band_on(date_of_birth: dt.date | None, day: dt.date) -> int:
    if date_of_birth is None:
        return NO_BIRTH_DATE_BAND
    band = 0
    for index, starts in enumerate(band_birthdays(date_of_birth)):
        if starts <= day:
            band = index
    return band


def segments(episodes: list[KnownEpisode], as_of: dt.date) -> list[tuple[dt.date, dt.date | None, int]]:
    """One child's care as (first day, day after the last or None, state), split at the birthdays up to `as_of`
    that change the age band (later ones are the projection's ageing); consecutive pieces in one state joined."""
    pieces: list[tuple[dt.date, dt.date | None, int]] = []
    for episode in episodes:
        start = episode.started_on
        cuts = band_birthdays(episode.date_of_birth)[1:] if episode.date_of_birth is not None else ()
        for cut in sorted(
            c for c in cuts if start < c <= as_of and (episode.ended_on is None or c < episode.ended_on)
        ):
            pieces.append((start, cut, state_index(band_on(episode.date_of_birth, start), episode.category)))
            start = cut
        band = band_on(episode.date_of_birth, start)
        pieces.append((start, episode.ended_on, state_index(band, episode.category)))
    joined: list[tuple[dt.date, dt.date | None, int]] = []
    for start, end, state in pieces:
        if joined and joined[-1][1] == start and joined[-1][2] == state:
            joined[-1] = (joined[-1][0], end, state)
        elif joined and (joined[-1][1] is None or joined[-1][1] > start):
            # Overlapping episodes (a data error the importer flags): the later one wins from its start.
            previous = joined[-1]
            joined[-1] = (previous[0], start, previous[2])
            if previous[0] >= start:
                joined.pop()
            joined.append((start, end, state))
        else:
            joined.append((start, end, state))
    return joined


def estimate_rates(episodes: list[KnownEpisode], *, as_of: dt.date, window_start: dt.date) -> Rates:
    """Counts over the window: a day d-1 in [window_start, as_of) is exposure to what happens on day d."""
    size = state_count()
    rates = Rates(
        window_days=(as_of - window_start).days,
        stock=np.zeros(size),
        exposure=np.zeros(size),
        moves=np.zeros((size, size)),
        exits=np.zeros(size),
        entries=np.zeros(size),
    )
    by_child: dict[int, list[KnownEpisode]] = defaultdict(list)
    for episode in episodes:
        by_child[episode.child_id].append(episode)
    for child_episodes in by_child.values():
        if child_episodes[0].date_of_birth is None:
            rates.without_birth_date += 1
        _count_child(rates, segments(child_episodes, as_of), as_of=as_of, window_start=window_start)
    return rates


def _count_child(rates: Rates, pieces, *, as_of: dt.date, window_start: dt.date) -> None:
    def in_window(day: dt.date) -> bool:
        return window_start < day <= as_of

    for position, (start, end, state) in enumerate(pieces):
        previous = pieces[position - 1] if position else None
        if (previous is None or previous[1] != start) and in_window(start):
            rates.entries[state] += 1
        last = as_of if end is None else min(end, as_of)
        first = max(start, window_start)
        if last > first:
            rates.exposure[state] += (last - first).days
        if end is None:
            if start <= as_of:
                rates.stock[state] += 1
            continue
        if not in_window(end):
            continue
        following = pieces[position + 1] if position + 1 < len(pieces) else None
        if following is not None and following[0] == end:
            rates.moves[state, following[2]] += 1
        else:
            rates.exits[state] += 1


def _transition_draws(rates: Rates, draws: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """DRAWS daily transition matrices and entry vectors, each rate drawn from its gamma posterior given n events
    in T days (shape n + 1/2, scale 1/T). An exit from a state seen with no exit may still be drawn (small); a
    move or an entry never seen stays at zero, as there are many more such pairs than events."""
    return _transitions(rates, lambda shape: rng.gamma(shape, size=(draws, *shape.shape)))


def mean_transitions(rates: Rates) -> tuple[np.ndarray, np.ndarray]:
    """The daily transition matrix and entry vector at the posterior mean of every rate ((n + 1/2) / T, under the
    same rules as the draws): one deterministic projection, for the expected paths the budget needs."""
    transitions, entries = _transitions(rates, lambda shape: np.asarray(shape, dtype=float)[None, ...].copy())
    return transitions[0], entries[0]


def _transitions(rates: Rates, draw) -> tuple[np.ndarray, np.ndarray]:
    """Transition matrices and entry vectors from `draw(shape)`, which gives the gamma variates (or their means)
    of each shape parameter, one leading axis per set of rates."""
    size = state_count()
    seen = rates.exposure > 0
    exposure = np.where(seen, rates.exposure, 1.0)
    move_rates = draw(rates.moves + 0.5) / exposure[None, :, None]
    move_rates = np.where(rates.moves > 0, move_rates, 0.0)  # a move never seen is not invented
    exit_rates = draw(rates.exits + 0.5) / exposure[None, :]
    move_rates[:, ~seen, :] = 0.0
    pooled = draw(np.array([rates.exits.sum() + 0.5])) / max(rates.exposure.sum(), 1.0)
    exit_rates = np.where(seen[None, :], exit_rates, pooled)
    move_rates[:, np.arange(size), np.arange(size)] = 0.0
    leaving = move_rates.sum(axis=2) + exit_rates
    scale = np.where(leaving > 1.0, 1.0 / np.maximum(leaving, 1e-12), 1.0)  # a day holds at most one step
    move_rates *= scale[:, :, None]
    stay = 1.0 - leaving * scale
    transitions = move_rates
    transitions[:, np.arange(size), np.arange(size)] = stay
    window = max(rates.window_days, 1)
    entry_rates = draw(rates.entries + 0.5) / window
    entry_rates = np.where(rates.entries > 0, entry_rates, 0.0)
    return transitions, entry_rates


def expected_states(rates: Rates, *, horizon_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Day 0 to the horizon, the expected children in each state at the mean rates: those looked after on as_of
    who are still looked after (wherever they have moved), and those who entered care since. Arrays of shape
    (horizon_days + 1, states); children who left are in neither."""
    transitions, entries = mean_transitions(rates)
    survivors = np.empty((horizon_days + 1, state_count()))
    entrants = np.zeros_like(survivors)
    survivors[0] = rates.stock
    for day in range(1, horizon_days + 1):
        survivors[day] = survivors[day - 1] @ transitions
        entrants[day] = entrants[day - 1] @ transitions + entries
    return survivors, entrants


def _columns(weekly_cost: dict[str, float]) -> np.ndarray:
    """State x output: one indicator column per category, then the total, the weekly cost and its square."""
    size = state_count()
    columns = np.zeros((size, len(CATEGORIES) + 3))
    for state in range(size):
        category = CATEGORIES.index(state_label(state)[1])
        cost = weekly_cost[CATEGORIES[category]]
        columns[state, category] = 1.0
        columns[state, len(CATEGORIES)] = 1.0
        columns[state, len(CATEGORIES) + 1] = cost
        columns[state, len(CATEGORIES) + 2] = cost * cost
    return columns


OUTPUTS: tuple[str, ...] = (*CATEGORIES, "total", "cost")


def project(rates: Rates, *, horizon_days: int, weekly_cost: dict[str, float]) -> dict[str, list[Interval]]:
    """Expected value and 80% interval of each category, the total and the weekly cost, day 0 to the horizon."""
    means, variances = project_moments(rates, horizon_days=horizon_days, weekly_cost=weekly_cost)
    spreads = Z_80 * np.sqrt(np.maximum(variances, 0.0))
    return {
        name: [
            Interval(float(mean), max(0.0, float(mean - spread)), float(mean + spread))
            for mean, spread in zip(means[:, position], spreads[:, position], strict=True)
        ]
        for position, name in enumerate(OUTPUTS)
    }


def project_moments(
    rates: Rates, *, horizon_days: int, weekly_cost: dict[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """The mean and variance of each of OUTPUTS (the categories, the total, the weekly cost), day 0 to the horizon:
    two arrays of shape (horizon_days + 1, len(OUTPUTS))."""
    rng = np.random.default_rng(SEED)
    transitions, entries = _transition_draws(rates, DRAWS, rng)
    columns = _columns(weekly_cost)
    held = np.ascontiguousarray(np.broadcast_to(columns, (DRAWS, *columns.shape)))  # Q(t) = P^t C, per draw
    arrived = np.zeros((DRAWS, state_count()))  # Poisson means of the children who entered since as_of
    means = np.empty((horizon_days + 1, len(OUTPUTS)))
    variances = np.empty_like(means)
    for block_start in range(0, horizon_days + 1, BLOCK_DAYS):  # the moments a block of days at a time
        days = range(block_start, min(block_start + BLOCK_DAYS, horizon_days + 1))
        shape = (len(days), DRAWS, columns.shape[1])
        first, second, from_entries = np.empty(shape), np.empty(shape), np.empty(shape)
        for row, day in enumerate(days):
            if day:
                held = transitions @ held
                arrived = (arrived[:, None, :] @ transitions)[:, 0, :] + entries
            first[row] = rates.stock @ held  # per draw: the sum over states of x * column
            second[row] = rates.stock @ (held * held)
            from_entries[row] = arrived @ columns
        means[days.start : days.stop], variances[days.start : days.stop] = _moments(
            first, second, from_entries
        )
    return means, variances


def _moments(
    first: np.ndarray, second: np.ndarray, from_entries: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The mean and variance of each output (categories, total, cost) each day, from arrays (day, draw, column) of
    sum x q and sum x q^2 over today's children and of the entrants' Poisson means: per draw, today's children are
    independent multinomials (variance sum of x q (1 - q), or of x (E[w^2] - E[w]^2) for the cost) and the
    entrants Poisson (variance = mean, or sum of m w^2 for the cost); then the mixture over the draws."""
    counts = len(CATEGORIES) + 1
    mean = first[:, :, : counts + 1] + from_entries[:, :, : counts + 1]
    variance = np.empty_like(mean)
    variance[:, :, :counts] = first[:, :, :counts] - second[:, :, :counts] + from_entries[:, :, :counts]
    variance[:, :, counts] = first[:, :, counts + 1] - second[:, :, counts] + from_entries[:, :, counts + 1]
    return mean.mean(axis=1), variance.mean(axis=1) + mean.var(axis=1)
