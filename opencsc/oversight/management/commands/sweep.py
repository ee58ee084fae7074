"""`opencsc sweep [--date YYYY-MM-DD] [--enqueue]`: the daily deadline and escalation sweep. Idempotent: run again
the same day, it raises and climbs nothing new. Started while another sweep runs, it does nothing and exits with an
error saying so."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opencsc.core.clocks import RULES
from opencsc.oversight.models import Level
from opencsc.oversight.services import escalations_sweep, level_working_days


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {text!r}") from error


class Command(BaseCommand):
    help = "Find every breach of a timescale, raise escalations and climb the unacknowledged ones."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to sweep as (default today)")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the sweep as a background task instead of running it",
        )

    def handle(self, *args, **options):
        today = _date(options["date"]) if options["date"] else timezone.localdate()
        if options["enqueue"]:
            from opencsc.oversight.tasks import sweep_task

            result = sweep_task.enqueue(date=today.isoformat())
            self.stdout.write(f"Sweep for {today:%-d %B %Y} queued as task {result.id}")
            return
        days = level_working_days()
        started = time.perf_counter()
        summary = escalations_sweep(today=today)
        seconds = time.perf_counter() - started
        if summary.skipped:
            raise CommandError(
                "Another sweep is running (its lock is held): this one did nothing. "
                "Run it again once that one has finished; it will pick up anything left."
            )
        self.stdout.write(
            f"Sweep for {today:%-d %B %Y} in {seconds:.1f}s: {summary.breaches:,} breaches found; "
            f"{summary.raised:,} escalations raised, {summary.climbed:,} climbs, "
            f"{summary.resolved:,} marked late item done (kept open for a response), "
            f"{summary.present_again:,} late again; {summary.open:,} open."
        )
        self.stdout.write(
            "Acknowledgement deadlines (working days): "
            + ", ".join(f"{Level(level).label.lower()} {number}" for level, number in days.items())
        )
        for rule_id, count in sorted(summary.raised_by_rule.items()):
            name = RULES[rule_id].name if rule_id in RULES else rule_id
            self.stdout.write(f"  raised  {count:>7,}  {name}")
        for level, count in summary.climbed_to.items():
            self.stdout.write(f"  climbed {count:>7,}  to the {Level(level).label.lower()}")
        if not summary.changed:
            self.stdout.write("Nothing new.")
