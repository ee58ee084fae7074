"""`opencsc demandwatch [--as-of YYYY-MM-DD]`: compare each source's recent contacts with the same months a year
earlier and raise an alert to the head of service for each that fires. Safe to run daily: an alert is raised once
per source and period."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from opencsc.frontdoor.demand import demand_alerts_raise, demand_check, demand_settings


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {text!r}") from error


class Command(BaseCommand):
    help = "Alert the head of service when a source's contacts are well above the same months last year."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="the day to run the watch as of (default today)")

    def handle(self, *args, **options):
        from django.utils import timezone

        as_of = _date(options["as_of"]) if options["as_of"] else timezone.localdate()
        configured = demand_settings()
        self.stdout.write(
            f"Demand watch as of {as_of:%-d %B %Y}: last {configured['recent_months']} complete months against "
            f"the same months a year earlier; alert at +{configured['margin_percent']}% "
            f"with at least {configured['minimum_recent']} contacts."
        )
        findings = demand_check(as_of=as_of)
        created = {(alert.source_group, alert.period_end) for alert in demand_alerts_raise(as_of=as_of)}
        if not findings:
            self.stdout.write("Nothing fired.")
            return
        for finding in findings:
            status = "alert raised" if (finding.group, finding.period_end) in created else "already raised"
            self.stdout.write(f"FIRED {finding.explanation} ({status})")
