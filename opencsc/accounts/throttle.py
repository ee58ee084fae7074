"""Sign-in throttling: an exponential back-off per account and per address, never a long lock.

Each try is claimed before the password or code is checked: the rows of its account and address are locked,
a failure is counted in advance and the next try is put back by the back-off that failure earns. A try that
turns out right gives its count back. So twelve wrong passwords sent at once are twelve claims made one after
another, and only the first few are checked at all. Tries refused while waiting are not counted, so an
attacker cannot keep a colleague out for longer than the largest back-off."""

import datetime as dt
import math

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencsc.accounts.models import LoginAttempt, SignInThrottle, ThrottleKind

# An address may be shared by a whole office, so it is allowed more failures before backing off.
ADDRESS_ALLOWANCE_FACTOR = 4


def _free_failures(kind: str) -> int:
    limit = settings.LOGIN_FAILURE_LIMIT
    return limit * ADDRESS_ALLOWANCE_FACTOR if kind == ThrottleKind.ADDRESS else limit


def _longest_wait(kind: str) -> int:
    if kind == ThrottleKind.ADDRESS:
        return settings.LOGIN_ADDRESS_BACKOFF_MAX_SECONDS
    return settings.LOGIN_BACKOFF_MAX_SECONDS


def back_off_seconds(*, kind: str, failures: int) -> int:
    """The wait earned by this many failures: none for the first few, then doubling up to a ceiling."""
    over = failures - _free_failures(kind)
    if over < 0:
        return 0
    return min(settings.LOGIN_BACKOFF_SECONDS * 2 ** min(over, 30), _longest_wait(kind))


def _keys(username: str, ip_address: str | None) -> list[tuple[str, str]]:
    keys = [(ThrottleKind.ACCOUNT.value, username.lower())]
    if ip_address:
        keys.append((ThrottleKind.ADDRESS.value, ip_address))
    return keys


def _locked_rows(keys: list[tuple[str, str]]) -> list[SignInThrottle]:
    for kind, key in keys:
        SignInThrottle.objects.get_or_create(kind=kind, key=key)
    matching = Q()
    for kind, key in keys:
        matching |= Q(kind=kind, key=key)
    # A fixed order, so two claims never wait on each other's rows the other way round.
    return list(SignInThrottle.objects.select_for_update().filter(matching).order_by("kind", "key"))


def _forget_old_failures(row: SignInThrottle, now: dt.datetime) -> None:
    window = dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    waiting = row.next_try_at is not None and row.next_try_at > now
    if row.last_failure_at and row.last_failure_at < now - window and not waiting:
        row.failures = 0


def sign_in_try_claim(*, username: str, ip_address: str | None) -> int:
    """Claims one try for the account and address: 0 if it may go ahead, else the seconds left to wait."""
    with transaction.atomic():
        rows = _locked_rows(_keys(username, ip_address))
        now = timezone.now()
        waits = [(row.next_try_at - now).total_seconds() for row in rows if row.next_try_at]
        longest = max(waits, default=0)
        if longest > 0:
            return math.ceil(longest)
        for row in rows:
            _forget_old_failures(row, now)
            row.failures += 1
            row.last_failure_at = now
            row.next_try_at = now + dt.timedelta(
                seconds=back_off_seconds(kind=row.kind, failures=row.failures)
            )
            row.save(update_fields=["failures", "last_failure_at", "next_try_at"])
        return 0


def sign_in_try_settle(
    *, username: str, ip_address: str | None, succeeded: bool, stage: str, signed_in: bool = False
) -> None:
    """Records how a claimed try ended. A right answer gives back the failure counted in advance; being
    fully signed in clears the account's failures (a right password alone does not, or the second factor
    could be guessed with a fresh count after each password)."""
    LoginAttempt.objects.create(
        username=username.lower(), ip_address=ip_address, succeeded=succeeded, stage=stage
    )
    if not succeeded:
        return
    with transaction.atomic():
        for row in _locked_rows(_keys(username, ip_address)):
            clear = signed_in and row.kind == ThrottleKind.ACCOUNT
            row.failures = 0 if clear else max(row.failures - 1, 0)
            wait = back_off_seconds(kind=row.kind, failures=row.failures)
            row.next_try_at = row.last_failure_at + dt.timedelta(seconds=wait) if wait else None
            row.save(update_fields=["failures", "next_try_at"])
