import datetime as dt

from django.utils import timezone

from opencsc.core.dates import long_date
from opencsc.people.identifiers import format_postcode as _format_postcode


def format_date(value: dt.date | None, empty: str = "Not recorded") -> str:
    if not value:
        return empty
    return long_date(value)


def format_datetime(value: dt.datetime | None, empty: str = "Not recorded") -> str:
    if not value:
        return empty
    local = timezone.localtime(value)
    return f"{long_date(local)} at {local:%H:%M}"


def format_postcode(value: str | None) -> str:
    return _format_postcode(value) if value else ""


def age_in_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
