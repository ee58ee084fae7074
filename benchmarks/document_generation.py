"""How long the synthetic authority's practice documents add to generating it, and what they are. Prints figures;
asserts nothing.

    OPENCSC_DATA_DIR=/tmp/opencsc-doc-gen .venv/bin/python benchmarks/document_generation.py [--children 1500]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/document_generation.py --children 10000

Runs `opencsc generate --children N --seed S --today D --replace`, timing the whole run and the documents step
(opencsc/synthetic/documents.py) inside it, then prints the documents by type and status, their versions,
returns, and the share authorised late.
"""

import argparse
import datetime as dt
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-doc-gen")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from opencsc.documents.models import DocumentReview, DocumentVersion, PracticeDocument  # noqa: E402
from opencsc.people.models import Child  # noqa: E402
from opencsc.synthetic import generator  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 4, 20))
    options = parser.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    timed = {}
    write_documents = generator.write_practice_documents

    def timed_documents(sim, workforce):
        started = time.perf_counter()
        written = write_documents(sim, workforce)
        timed["documents"] = time.perf_counter() - started
        return written

    generator.write_practice_documents = timed_documents
    started = time.perf_counter()
    call_command(
        "generate",
        children=options.children,
        seed=options.seed,
        today=options.today,
        replace=True,
        verbosity=0,
    )
    total = time.perf_counter() - started
    print(
        f"{connection.vendor}: generate --children {options.children:,} ({Child.objects.count():,} children)"
    )
    print(
        f"  whole run {total:.1f} s; documents step {timed['documents']:.1f} s ({timed['documents'] / total:.0%})"
    )
    documents = PracticeDocument.objects.count()
    print(
        f"  documents {documents:,}, versions {DocumentVersion.objects.count():,}, "
        f"returned once {DocumentReview.objects.filter(decision='returned').count():,}"
    )
    by_status = Counter(PracticeDocument.objects.values_list("status", flat=True))
    print("  by status: " + ", ".join(f"{status} {count:,}" for status, count in sorted(by_status.items())))
    by_type = Counter(PracticeDocument.objects.values_list("document_type", flat=True))
    for document_type, count in sorted(by_type.items()):
        print(f"    {document_type:<30} {count:>8,}")


if __name__ == "__main__":
    main()
