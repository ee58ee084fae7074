import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from opencsc.insight.forecast import CATEGORIES, DEFAULT_WINDOW_MONTHS, Forecast, ForecastError, forecast


def _date(name: str):
    def parse(text: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"{name} must be a date written YYYY-MM-DD, not {text!r}") from None

    return parse


class Command(BaseCommand):
    help = (
        "Forecast the children looked after on --to from the records as they stood on --as-of (a stock-and-flow "
        "model over age band x placement category; 80% interval). Short breaks (V3/V4) are not counted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", dest="as_of", required=True, help="YYYY-MM-DD: what was known on this day"
        )
        parser.add_argument("--to", required=True, help="YYYY-MM-DD: the day forecast")
        parser.add_argument(
            "--window-months",
            dest="window_months",
            type=int,
            default=DEFAULT_WINDOW_MONTHS,
            help=f"the reference window ending on --as-of that the rates come from (default {DEFAULT_WINDOW_MONTHS})",
        )
        parser.add_argument(
            "--inflation",
            type=float,
            default=0.0,
            help="annual price inflation in percent applied to the weekly costs up to --to (default 0: today's prices)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, as_of: str, to: str, window_months: int, inflation: float, json: bool, **options):
        as_of_day = _date("--as-of")(as_of)
        to_day = _date("--to")(to)
        try:
            result = forecast(
                as_of=as_of_day, to=to_day, window_months=window_months, inflation_percent=inflation
            )
        except ForecastError as error:
            raise CommandError(str(error)) from None
        if json:
            self.stdout.write(_dumps(result.as_dict()))
            return
        self.stdout.write(_table(result))


def _dumps(payload: dict) -> str:
    return json.dumps(payload)


def _table(result: Forecast) -> str:
    lines = [
        f"Children looked after on {result.to}, forecast from the records of {result.as_of} "
        f"(reference window {result.window_months} months; 80% interval)",
        f"{'':24}{'expected':>12}{'low':>12}{'high':>12}",
    ]
    rows = [(category, result.by_category[category]) for category in CATEGORIES]
    rows += [("looked after", result.looked_after), ("weekly cost (£)", result.weekly_cost)]
    for name, interval in rows:
        lines.append(f"{name:24}{interval.expected:12.1f}{interval.low:12.1f}{interval.high:12.1f}")
    if result.without_birth_date:
        lines.append(
            f"{result.without_birth_date} children without a date of birth were counted as aged 10-15"
        )
    return "\n".join(lines)
