"""What the return benchmarks share: the database they run in, and their wall time, CPU time and SQL statement
figures.

`setup_django(prefix)`, called before anything imports a model: the benchmark's own data folder (a temporary
one), and the database: a fresh SQLite one in that folder, or, with `--postgres URL` on the command line, that
PostgreSQL database (DATABASE_URL from the environment is never used: a benchmark must not write to a database
it was not named). `empty_database()` migrates it (not counted) and, for PostgreSQL, empties it with `flush`,
and names it for the figures. `Timer(width)` prints each figure with its label padded to `width`.
"""

import os
import sys
import tempfile
import time


def postgres_url() -> str:
    return sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else ""


def setup_django(prefix: str) -> str:
    """Configure and start Django for a benchmark; the PostgreSQL URL it was given, or "" for SQLite."""
    postgres = postgres_url()
    os.environ.pop("DATABASE_URL", None)
    if postgres:
        os.environ["DATABASE_URL"] = postgres
    os.environ["OPENCSC_DATA_DIR"] = tempfile.mkdtemp(prefix=prefix)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
    os.environ.setdefault("OPENCSC_DEBUG", "0")

    import django

    django.setup()
    return postgres


def empty_database(postgres: str) -> str:
    """Migrate the benchmark's database, empty it if it is PostgreSQL, and name it ("SQLite", "PostgreSQL 16")."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if postgres:
        call_command("flush", interactive=False, verbosity=0)
    return f"PostgreSQL {connection.pg_version // 10000}" if postgres else "SQLite"


class Statements:
    """Counts the SQL statements run while it is active (without keeping them, unlike DEBUG)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class Timer:
    """Prints figures with their labels padded to `width` characters."""

    def __init__(self, width: int):
        self.width = width

    def timed(self, label: str, func, *args, **kwargs):
        """Wall time, and this process's CPU time beside it (the machine may be shared)."""
        start, cpu = time.perf_counter(), time.process_time()
        value = func(*args, **kwargs)
        print(
            f"{label:{self.width}} {time.perf_counter() - start:8.2f} s (CPU {time.process_time() - cpu:.2f} s)"
        )
        return value

    def counted(self, label: str, func, *args, **kwargs):
        """`timed`, and the number of SQL statements run."""
        from django.db import connection

        statements = Statements()
        with connection.execute_wrapper(statements):
            value = self.timed(label, func, *args, **kwargs)
        print(f"{'':{self.width}} {statements.count} SQL statements")
        return value
