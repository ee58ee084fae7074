"""England's working-day calendar: weekends, England and Wales bank holidays (from `holidays`, offline) and the
authority's own closure days.

Counting follows design.md: the working days between a start and an end are the working days *after* the
start, up to and including the end. So the 1st working day after Friday is Monday (if Monday is not a bank
holiday), and `working_days_between(d, add_working_days(d, n)) == n` for every date d and n >= 0.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=256)
def _bank_holidays_for(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year).items())


def bank_holiday_name(day: dt.date) -> str | None:
    return _bank_holidays_for(day.year).get(day)


@dataclass(frozen=True)
class Calendar:
    """A working-day calendar. `closures` maps the authority's own non-working days to their reasons."""

    closures: tuple[tuple[dt.date, str], ...] = ()

    def non_working_reason(self, day: dt.date) -> str | None:
        if day.weekday() >= 5:
            return "weekend"
        return bank_holiday_name(day) or dict(self.closures).get(day)

    def is_working_day(self, day: dt.date) -> bool:
        return self.non_working_reason(day) is None

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The date `count` working days after `start` (start itself never counts)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        remaining = count
        while remaining:
            day += ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`; negative if `end` is before `start`."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1 for offset in range(1, (end - start).days + 1) if self.is_working_day(start + offset * ONE_DAY)
        )

    def skipped_days(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        """Bank holidays and closures (not weekends) after start up to and including end, for explanations."""
        skipped = []
        day = start + ONE_DAY
        while day <= end:
            reason = self.non_working_reason(day)
            if reason and reason != "weekend":
                skipped.append((day, reason))
            day += ONE_DAY
        return skipped


ENGLAND = Calendar()


def authority_calendar() -> Calendar:
    """England's calendar plus the closure days recorded for this authority."""
    from opencsc.core.models import ClosureDay

    return Calendar(closures=tuple(ClosureDay.objects.values_list("day", "reason")))


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later; a day the target month lacks falls back to that month's last day
    (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in range(start.day, 27, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return dt.date(year, month, start.day)


def anniversary(start: dt.date, years: int) -> dt.date:
    return add_months(start, 12 * years)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def waited_in_words(since: dt.datetime, now: dt.datetime, calendar: Calendar = ENGLAND) -> str:
    """How long something has waited, in the units of a working-day clock: hours on the day it arrived and over
    the weekend or holiday after it (a Friday evening contact read on Saturday has waited 17 hours), then the
    working days since, with the hours while the first working day runs."""
    from django.utils import timezone

    hours = max(0, int((now - since).total_seconds() // 3600))
    working_days = calendar.working_days_between(timezone.localdate(since), timezone.localdate(now))
    if working_days <= 0:
        return "less than an hour" if hours == 0 else _plural(hours, "hour")
    if working_days == 1:
        return f"1 working day ({_plural(hours, 'hour')})"
    return _plural(working_days, "working day")
