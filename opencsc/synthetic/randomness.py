"""Seeded choices shared by the generator's modules. Every draw comes from the simulation's one Random,
in a fixed order, so a seed always gives the same authority."""

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


def cumulative(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


class Weighted(Generic[T]):
    """A fixed set of options with weights, drawn from quickly."""

    def __init__(self, options: dict[T, float]):
        self.options: Sequence[T] = tuple(options)
        self.cum_weights = cumulative(options.values())

    def draw(self, rng: random.Random) -> T:
        return rng.choices(self.options, cum_weights=self.cum_weights)[0]


def day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A day from first to last inclusive (first if the range is empty)."""
    span = (last - first).days
    return first if span <= 0 else first + dt.timedelta(days=rng.randint(0, span))


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
