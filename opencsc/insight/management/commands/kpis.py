import json

from django.core.management.base import BaseCommand

from opencsc.insight.kpis import KPIS, compute_kpis


class Command(BaseCommand):
    help = "Print the KPIs of design.md for reporting year Y (1 April Y-1 to 31 March Y)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", help='Print {"year": Y, "kpis": {id: value}}')

    def handle(self, *args, year: int, json: bool, **options):
        results = compute_kpis(year)
        if json:
            self.stdout.write(_dumps({"year": year, "kpis": {kpi: results[kpi].value for kpi in KPIS}}))
            return
        for kpi in KPIS:
            result = results[kpi]
            detail = (
                f"  ({result.numerator} of {result.denominator})" if result.denominator is not None else ""
            )
            self.stdout.write(f"{kpi:32} {'' if result.value is None else result.value}{detail}")


def _dumps(payload: dict) -> str:
    return json.dumps(payload)
