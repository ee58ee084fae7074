"""Refuses sign-in after too many recent failures from one username or one address."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from opencsc.accounts.models import LoginAttempt


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_is_throttled(*, username: str, ip_address: str | None) -> bool:
    recent_failures = LoginAttempt.objects.filter(succeeded=False, at__gte=_window_start())
    by_name = recent_failures.filter(username=username.lower()).count()
    by_address = recent_failures.filter(ip_address=ip_address).count() if ip_address else 0
    limit = settings.LOGIN_FAILURE_LIMIT
    # An address may be shared by a whole office, so it gets a larger allowance than one account.
    return by_name >= limit or by_address >= limit * 4


def login_attempt_record(*, username: str, ip_address: str | None, succeeded: bool, stage: str) -> None:
    LoginAttempt.objects.create(
        username=username.lower(), ip_address=ip_address, succeeded=succeeded, stage=stage
    )
