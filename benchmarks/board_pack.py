"""The board pack on a synthetic authority: prints how long the pack takes to build, as a page and as a PDF.

    OPENCSC_DATA_DIR=/tmp/opencsc-bench-board .venv/bin/python benchmarks/board_pack.py [--children N] [--reuse]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/board_pack.py [--reuse]

Builds an authority (20,000 children unless --children says otherwise, or the one already there with --reuse),
sweeps the last fortnight daily so escalations climb to the director and chief executive, then times, as an
improvement board member: the pack's data (`board_pack_for`), the PDF from that data, GET /board/pack/ and
GET /board/pack.pdf. It prints figures and the PDF's size and pages; it asserts nothing about them.
"""

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-bench-board")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY  # noqa: E402
from opencsc.accounts.models import Role, User  # noqa: E402
from opencsc.oversight.board_pack import board_pack_for  # noqa: E402
from opencsc.oversight.board_pdf import board_pack_pdf  # noqa: E402
from opencsc.oversight.services import escalations_sweep  # noqa: E402
from opencsc.people.models import Child  # noqa: E402


def timed(what: str, action, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"  {what:<40} p50 {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms   (n={repeat})")
    return result


def board_client(member: User) -> Client:
    client = Client()
    client.force_login(member)
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--reuse", action="store_true", help="use the authority already in the database")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    if not (options.reuse and Child.objects.exists()):
        started = time.perf_counter()
        call_command("generate", children=options.children, seed=options.seed, replace=True, verbosity=0)
        for back in (14, 10, 6, 3, 0):
            escalations_sweep(today=today - dt.timedelta(days=back))
        print(f"generated {options.children:,} children and swept: {time.perf_counter() - started:.0f} s")
    member = User.objects.filter(role=Role.IMPROVEMENT_BOARD, is_active=True).first()
    client = board_client(member)
    print(f"board pack for {today} ({Child.objects.count():,} children), as {member.username}:")
    pack = timed("board_pack_for (data)", lambda: board_pack_for(day=today, user=member), options.repeat)
    pdf = timed("board_pack_pdf (PDF from the data)", lambda: board_pack_pdf(pack), options.repeat)
    timed("GET /board/pack/", lambda: client.get(f"/board/pack/?on={today}"), options.repeat)
    timed("GET /board/pack.pdf", lambda: client.get(f"/board/pack.pdf?on={today}"), options.repeat)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"  PDF: {len(pdf) / 1024:.0f} KB, {pages} pages; {len(pack.escalations)} senior escalations")


if __name__ == "__main__":
    main()
