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
