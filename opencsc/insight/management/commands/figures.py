"""`opencsc figures check|refresh [--month YYYY-MM | --from YYYY-MM --to YYYY-MM]`: the stored month-end figures
(opencsc.insight.figures, ADR 0018).

- `check` recomputes each closed month from the records and lists every stored figure that differs (or is
  missing); it exits 1 if any does. A month marked for refresh is listed apart: nothing reads it as it stands.
- `refresh` computes and stores the months given; with no months, every closed month that is missing, marked or
  stored under older definitions (what the nightly task does); `--all` recomputes the whole history; `--enqueue`
  leaves the work to the background worker.
Without months, both cover the whole history: every month end from the first record's month to the last closed one.
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opencsc.insight.figures import (
    figures_check,
    figures_refresh,
    history_month_ends,
    last_closed_month_end,
    month_end_of,
    month_ends_between,
    months_needing_refresh,
)


def _month(text: str, option: str) -> dt.date:
    try:
        return month_end_of(dt.datetime.strptime(text, "%Y-%m").date())
    except ValueError:
        raise CommandError(f"{option} must be a month as YYYY-MM, not {text!r}") from None


def chosen_months(month: str | None, first: str | None, last: str | None) -> list[dt.date] | None:
    """The month ends asked for, or None when none were (the whole history). Only closed months are allowed."""
    if month and (first or last):
        raise CommandError("Give either --month or --from and --to, not both")
    if bool(first) != bool(last):
        raise CommandError("Give both --from and --to (months as YYYY-MM)")
    if month:
        months = [_month(month, "--month")]
    elif first:
        start, end = _month(first, "--from"), _month(last, "--to")
        if start > end:
            raise CommandError("--from must be on or before --to")
        months = month_ends_between(start, end)
    else:
        return None
    closed = last_closed_month_end()
    if months[-1] > closed:
        raise CommandError(
            f"{months[-1]:%B %Y} is not closed yet: the open month is computed live, never stored "
            f"(the last closed month is {closed:%B %Y})"
        )
    return months


class Command(BaseCommand):
    help = "Check the stored month-end figures against the records, or (re)compute them."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "refresh"])
        parser.add_argument("--month", help="one month, YYYY-MM")
        parser.add_argument("--from", dest="first", help="the first month, YYYY-MM")
        parser.add_argument("--to", dest="last", help="the last month, YYYY-MM")
        parser.add_argument("--all", action="store_true", help="refresh: recompute every closed month")
        parser.add_argument(
            "--enqueue", action="store_true", help="refresh: queue it for the background worker"
        )

    def handle(self, *args, action: str, month, first, last, all: bool, enqueue: bool, **options):
        months = chosen_months(month, first, last)
        if action == "check":
            self._check(history_month_ends() if months is None else months)
        else:
            self._refresh(months, everything=all, enqueue=enqueue)

    def _check(self, months: list[dt.date]) -> None:
        started = time.perf_counter()
        report = figures_check(months)
        span = f"{months[0]:%B %Y} to {months[-1]:%B %Y}" if months else "no months (no records yet)"
        for difference in report.marked:
            self.stdout.write(
                f"marked for refresh  {difference.month_end:%Y-%m} {difference.kpi_id}: {difference.what}"
            )
        for difference in report.differences:
            self.stdout.write(
                f"DIFFERS  {difference.month_end:%Y-%m} {difference.kpi_id}: {difference.what}; stored "
                f"{difference.stored or 'nothing'}, computed {difference.computed}"
            )
        self.stdout.write(
            f"Checked {report.figures:,} figures over {len(report.months)} months ({span}) in "
            f"{time.perf_counter() - started:.1f} s: {len(report.differences):,} differ"
            + (f", {len(report.marked):,} on months marked for refresh" if report.marked else "")
            + "."
        )
        if report.differences:
            raise CommandError(
                "Stored figures differ from the records: run `opencsc figures refresh` for those months"
            )

    def _refresh(self, months: list[dt.date] | None, *, everything: bool, enqueue: bool) -> None:
        if months is not None and everything:
            raise CommandError("Give either months or --all, not both")
        if enqueue:
            from opencsc.insight.tasks import figures_refresh_task

            if months is not None or everything:
                raise CommandError("--enqueue queues the nightly refresh (months missing or marked) only")
            result = figures_refresh_task.enqueue()
            self.stdout.write(f"Refresh of the missing and marked months queued as task {result.id}")
            return
        if months is None:
            months = history_month_ends() if everything else months_needing_refresh()
        started = time.perf_counter()
        stored = figures_refresh(months)
        when = timezone.localdate()
        self.stdout.write(
            f"Stored the figures of {len(stored)} months"
            + (f" ({min(stored):%B %Y} to {max(stored):%B %Y})" if stored else "")
            + f" in {time.perf_counter() - started:.1f} s, on {when:%-d %B %Y}."
        )
