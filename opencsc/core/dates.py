"""Dates in words, as OpenCSC writes them everywhere: "7 December 2026" (the GOV.UK style: the day without a
leading zero, the month in full).

Chronology lines, breach reasons, return text, letters and the synthetic authority's documents all depend on this
exact form, so every one of them writes a date with `long_date`. The day is written from `day.day` rather than
with `%-d`, which only some C libraries understand.
"""

import datetime as dt


def long_date(day: dt.date) -> str:
    """ "7 December 2026"."""
    return f"{day.day} {day:%B %Y}"


def long_date_with_weekday(day: dt.date) -> str:
    """ "Monday 7 December 2026", for letters giving the day of a meeting."""
    return f"{day:%A} {long_date(day)}"


def reporting_year_of(day: dt.date) -> int:
    """The reporting year `day` falls in, named by the year it ends: year Y runs 1 April Y-1 to 31 March Y."""
    return day.year + 1 if day.month >= 4 else day.year


def reporting_year_asked(text: str | None, today: dt.date) -> int:
    """The reporting year a page was asked for (its `?year=`), or the current one when none is asked for or the
    one asked for is unreadable, before 2000 or still to come."""
    current = reporting_year_of(today)
    try:
        year = int(text or current)
    except ValueError:
        return current
    return year if 2000 <= year <= current else current
