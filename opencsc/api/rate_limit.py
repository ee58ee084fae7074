"""The rate limit of each API client: at most `rate_limit_per_minute` calls in each fixed minute (a window starting
on the minute, counted in the database so every app process shares one count).

A call is counted with one conditional UPDATE (calls < limit), atomic in SQLite and PostgreSQL alike, so two
processes cannot both take the last call of a window. A refused call is not counted. It is told how many seconds
remain until the next window (the Retry-After header, RFC 9110 s10.2.3). Windows older than an hour are deleted
when the client's next window opens."""

import datetime as dt
import math

from django.db.models import F
from django.utils import timezone

from opencsc.api.models import ApiClient, RateWindow

WINDOW = dt.timedelta(minutes=1)
KEEP = dt.timedelta(hours=1)


def _window_start(now: dt.datetime) -> dt.datetime:
    return now.replace(second=0, microsecond=0)


def rate_limit_take(*, client: ApiClient, now: dt.datetime | None = None) -> int | None:
    """Count one call. None if it is within the limit, else the seconds to wait before the next window."""
    now = now or timezone.now()
    start = _window_start(now)
    _, opened = RateWindow.objects.get_or_create(client=client, window_start=start)
    if opened:
        RateWindow.objects.filter(client=client, window_start__lt=start - KEEP).delete()
    taken = RateWindow.objects.filter(
        client=client, window_start=start, calls__lt=client.rate_limit_per_minute
    ).update(calls=F("calls") + 1)
    if taken:
        return None
    return max(1, math.ceil((start + WINDOW - now).total_seconds()))
