"""How many contacts reach the front door on each day of the simulated history, and from whom.

Scale: a county of 550,000 people has about 110,000 children and receives about 22,000 contacts a year, so a
generated authority of N children receives N × 0.2 contacts a year (600 children: about 120 a year). The
generator treats N as the county's child population.

Shape: weekdays carry the work (weekends and bank holidays a quarter of a weekday), the autumn term peaks, August
and the days between Christmas and New Year dip, Easter is a little quieter. Sources take their national shares
(police about 28%, schools and education 20%, health 15%, LA services 13%, individuals 12%, ...).

Two spikes are built in so the demand watch has something true to find:
- police contacts run at 2.43 times the usual level (+143%) in the last SURGE_MONTHS complete months before
  `today` and in the part of the current month already past;
- health contacts ran at 2.39 times (+139%) in one month HEALTH_SPIKE_MONTHS_AGO months before `today`'s month,
  well clear of the watch's current window and of the same months a year earlier.

A day is drawn with a weight per day; the weights come in two sets: `total` for contacts whose date is fixed by
the casework they start, and `free` for every other contact, lowered where open casework is known to bring its
own referrals so that the two together follow the curve (see `Demand.compensate`).
"""

import bisect
import datetime as dt
import random

from opencsc.core.codes import ReferralSource, SourceGroup, source_group
from opencsc.core.working_days import ENGLAND, add_months

CONTACTS_PER_CHILD_PER_YEAR = 0.2  # 22,000 contacts a year for 110,000 children
SURGE_MONTHS = 4
POLICE_SURGE = 2.43
HEALTH_SPIKE = 2.39
HEALTH_SPIKE_MONTHS_AGO = 8
MONTH_FACTOR = {
    1: 1.0,
    2: 1.02,
    3: 1.05,
    4: 0.93,
    5: 1.0,
    6: 1.05,
    7: 1.0,
    8: 0.7,
    9: 1.1,
    10: 1.18,
    11: 1.16,
    12: 0.98,
}
# Each code's share of all contacts, summing to 1; the groups add up to the national mix.
SOURCE_SHARES = {
    ReferralSource.POLICE: 0.28,
    ReferralSource.SCHOOLS: 0.18,
    ReferralSource.EDUCATION_SERVICES: 0.02,
    ReferralSource.GP: 0.03,
    ReferralSource.HEALTH_VISITOR: 0.035,
    ReferralSource.SCHOOL_NURSE: 0.01,
    ReferralSource.OTHER_PRIMARY_HEALTH: 0.03,
    ReferralSource.A_AND_E: 0.025,
    ReferralSource.HEALTH_OTHER: 0.02,
    ReferralSource.HOUSING: 0.03,
    ReferralSource.LA_SOCIAL_CARE: 0.04,
    ReferralSource.LA_OTHER_INTERNAL: 0.03,
    ReferralSource.LA_EXTERNAL: 0.02,
    ReferralSource.EARLY_HELP: 0.04,
    ReferralSource.FAMILY: 0.06,
    ReferralSource.ACQUAINTANCE: 0.02,
    ReferralSource.SELF: 0.02,
    ReferralSource.INDIVIDUAL_OTHER: 0.02,
    ReferralSource.LEGAL_AGENCY: 0.03,
    ReferralSource.OTHER: 0.035,
    ReferralSource.ANONYMOUS: 0.015,
    ReferralSource.UNKNOWN: 0.01,
}


def _day_factor(day: dt.date) -> float:
    if not ENGLAND.is_working_day(day):
        return 0.25
    factor = MONTH_FACTOR[day.month]
    if day.month == 12 and day.day >= 20 or day.month == 1 and day.day <= 3:
        factor *= 0.45
    return factor


class Demand:
    """Per-day weights over first_day..last_day and the source mix of each day."""

    def __init__(self, first_day: dt.date, last_day: dt.date):
        self.first_day, self.last_day = first_day, last_day
        self.days = (last_day - first_day).days + 1
        today_month = add_months(last_day + dt.timedelta(days=1), 0).replace(day=1)
        self.surge_from = add_months(today_month, -SURGE_MONTHS)
        health_from = add_months(today_month, -HEALTH_SPIKE_MONTHS_AGO)
        self.health_spike = (health_from, add_months(health_from, 1) - dt.timedelta(days=1))
        codes = tuple(SOURCE_SHARES)
        usual = [SOURCE_SHARES[code] for code in codes]
        police = [
            s * (POLICE_SURGE if code == ReferralSource.POLICE else 1)
            for code, s in zip(codes, usual, strict=True)
        ]
        health = [
            s * (HEALTH_SPIKE if source_group(code) == SourceGroup.HEALTH else 1)
            for code, s in zip(codes, usual, strict=True)
        ]
        self.codes = codes
        self._mixes = {
            "usual": (_cumulative(usual), sum(usual)),
            "police": (_cumulative(police), sum(police)),
            "health": (_cumulative(health), sum(health)),
        }
        self.total = [
            _day_factor(self.day(i)) * self._mixes[self._mix_name(self.day(i))][1] for i in range(self.days)
        ]
        self.free = list(self.total)
        self._rebuild()

    def day(self, index: int) -> dt.date:
        return self.first_day + dt.timedelta(days=index)

    def _mix_name(self, day: dt.date) -> str:
        if day >= self.surge_from:
            return "police"
        if self.health_spike[0] <= day <= self.health_spike[1]:
            return "health"
        return "usual"

    def _rebuild(self) -> None:
        self._total_cum = _cumulative(self.total)
        self._free_cum = _cumulative(self.free)

    @property
    def weight_per_year(self) -> float:
        return self._total_cum[-1] * 365.25 / self.days

    def compensate(self, expected: list[float], contacts_per_weight: float) -> None:
        """`expected[i]`: contacts that open casework fixes on day i; the curve asks for
        `total[i] * contacts_per_weight` contacts that day, and free contacts make up the rest."""
        for index, extra in enumerate(expected):
            if extra > 0:
                wanted = self.total[index] * contacts_per_weight
                self.free[index] = self.total[index] * max(0.05, 1 - extra / wanted)
        self._rebuild()

    def draw_day(self, rng: random.Random, first: dt.date, last: dt.date, *, fixed: bool = False) -> dt.date:
        """A day from first to last inclusive, in proportion to the curve (first if the range is empty)."""
        cum = self._total_cum if fixed else self._free_cum
        lo = max(0, (first - self.first_day).days)
        hi = min(self.days - 1, (last - self.first_day).days)
        if hi <= lo:
            return self.day(lo) if hi == lo else first
        below = cum[lo - 1] if lo else 0.0
        point = below + rng.random() * (cum[hi] - below)
        return self.day(min(hi, max(lo, bisect.bisect_left(cum, point))))

    def draw_source(self, rng: random.Random, day: dt.date) -> str:
        cum, total = self._mixes[self._mix_name(day)]
        return self.codes[min(len(self.codes) - 1, bisect.bisect_left(cum, rng.random() * total))].value

    def weight_between(self, first: dt.date, last: dt.date) -> float:
        lo = max(0, (first - self.first_day).days)
        hi = min(self.days - 1, (last - self.first_day).days)
        if hi < lo:
            return 0.0
        return self._total_cum[hi] - (self._total_cum[lo - 1] if lo else 0.0)

    def index(self, day: dt.date) -> int:
        return (day - self.first_day).days


def _cumulative(values) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out
