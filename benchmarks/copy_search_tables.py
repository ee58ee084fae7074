"""Copy the tables a child search reads from a PostgreSQL authority into a fresh SQLite database.

    OPENCSC_DATA_DIR=/tmp/opencsc-search-sqlite .venv/bin/python benchmarks/copy_search_tables.py \
        postgres://postgres@127.0.0.1:5432/opencsc_bench

Generating 100,000 children takes over half an hour; copying the teams, staff, children, their aliases,
addresses, access grants and allocations of an authority already generated on PostgreSQL takes about a minute,
and gives both databases the same children to search. The SQLite database is migrated first and its copies of
those tables are replaced (the staff's two-factor secrets are left out); nothing else is copied, so use it for
the search benchmark only.
"""

import datetime as dt
import os
import sqlite3
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-search-sqlite")
Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

TABLES = [
    "accounts_team",
    "accounts_user",
    "people_child",
    "people_childalias",
    "people_childaddress",
    "people_childaccessgrant",
    "casework_allocation",
]
BATCH = 5000

# Stored as Django stores them in SQLite: dates ISO, datetimes naive UTC.
sqlite3.register_adapter(dt.date, lambda value: value.isoformat())
sqlite3.register_adapter(
    dt.datetime, lambda value: value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
)


def copy_table(source: psycopg.Connection, target: sqlite3.Connection, table: str) -> int:
    columns = [row[1] for row in target.execute(f"PRAGMA table_info({table})")]
    column_list = ", ".join(f'"{column}"' for column in columns)
    placeholders = ", ".join("?" for _ in columns)
    target.execute(f"DELETE FROM {table}")
    copied = 0
    with source.cursor(name=f"copy_{table}") as cursor:
        cursor.execute(f"SELECT {column_list} FROM {table} ORDER BY id")
        while rows := cursor.fetchmany(BATCH):
            target.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", rows)
            copied += len(rows)
    return copied


def main() -> None:
    source_url = sys.argv[1]
    call_command("migrate", interactive=False, verbosity=0)
    target = sqlite3.connect(settings.DATABASES["default"]["NAME"], detect_types=0)
    target.execute("PRAGMA foreign_keys = OFF")
    with psycopg.connect(source_url) as source:
        for table in reversed(TABLES):
            target.execute(f"DELETE FROM {table}")
        for table in TABLES:
            started = time.perf_counter()
            copied = copy_table(source, target, table)
            print(f"{table}: {copied:,} rows in {time.perf_counter() - started:.1f}s")
    target.execute("UPDATE accounts_user SET totp_secret = ''")  # stored encrypted; not needed to search
    target.commit()
    target.execute("ANALYZE")
    target.close()


if __name__ == "__main__":
    main()
