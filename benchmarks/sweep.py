"""The escalation sweep on a large synthetic authority: prints how long `escalations_sweep` takes and what it did,
run twice on the same day (the second run must raise nothing), then on a later day when every unacknowledged
escalation climbs.

    OPENCSC_DATA_DIR=/tmp/opencsc-sweep-bench .venv/bin/python benchmarks/sweep.py [--reuse]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/sweep.py [--reuse]

Builds a 100,000-child authority with `opencsc generate --children 100000 --seed 7` (unless --reuse finds one),
then adds open casework (assessments, section 47 enquiries, protection and child-in-need plans, a share of them
late) with the same bulk insert the work-views benchmark uses, since the generator writes no casework yet. Each
measured run starts from no escalations (`--keep` leaves earlier ones). It prints figures; it asserts nothing.
"""

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-sweep-bench")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")  # measure without the per-query log DEBUG keeps

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from opencsc.core.working_days import authority_calendar  # noqa: E402
from opencsc.oversight.models import Escalation, EscalationStep  # noqa: E402
from opencsc.oversight.services import escalations_sweep, level_working_days  # noqa: E402
from opencsc.people.models import Child  # noqa: E402
from opencsc.synthetic.demo_users import ensure_demo_users  # noqa: E402


def _work_views_benchmark():
    """The work-views benchmark module, for its bulk insert of open casework."""
    spec = importlib.util.spec_from_file_location(
        "work_views_benchmark", ROOT / "benchmarks" / "work_views.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="use the authority already in the database")
    parser.add_argument(
        "--extra-open", type=int, default=12_000, help="unallocated children given open work too"
    )
    parser.add_argument("--keep", action="store_true", help="keep escalations from earlier runs")
    return parser.parse_args()


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed_sweep(label: str, today) -> None:
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        summary = escalations_sweep(today=today)
    seconds = time.perf_counter() - started
    print(
        f"{label:<34} {seconds:>7.2f}s  {counter.count:>5} queries  breaches {summary.breaches:>7,}  "
        f"raised {summary.raised:>7,}  climbed {summary.climbed:>7,}  resolved {summary.resolved:>6,}  "
        f"open {summary.open:>7,}"
    )
    if summary.raised_by_rule:
        print(
            "    raised by rule: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(summary.raised_by_rule.items()))
        )
    if summary.climbed_to:
        print("    climbed to: " + ", ".join(f"{k} {v:,}" for k, v in summary.climbed_to.items()))


def main() -> None:
    arguments = parse_arguments()
    work_views = _work_views_benchmark()
    work_views.prepare_database(arguments)
    ensure_demo_users()
    work_views.seed_open_casework(arguments)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics after the bulk load (both databases)
    if not arguments.keep:
        EscalationStep.objects.all().delete()
        Escalation.objects.all().delete()
    print(
        f"{connection.vendor}: {Child.objects.count():,} children; acknowledgement deadlines {level_working_days()}"
    )
    today = timezone.localdate()
    timed_sweep("first sweep (raises)", today)
    timed_sweep("second sweep, same day", today)
    later = authority_calendar().add_working_days(today, 3)
    timed_sweep(f"sweep on {later} (climbs)", later)
    timed_sweep(f"again on {later}", later)
    print(f"Escalation steps recorded: {EscalationStep.objects.count():,}")


if __name__ == "__main__":
    call_command("migrate", interactive=False, verbosity=0)
    main()
