"""A lock per scheduled job, so that two runs of one job (cron and a manual run, two app servers' timers) never
overlap.

PostgreSQL: a transaction-level advisory lock (`pg_try_advisory_xact_lock`) keyed by the job's name. It is taken
inside the job's transaction and let go when that transaction commits or rolls back, so a crashed run never leaves
it held. A second run that finds it held is told so at once and does nothing.

SQLite: nothing to take. Every transaction begins with the database's single write lock
(`transaction_mode = IMMEDIATE` in settings), so a second run waits for the first to commit and then finds its
work done; the function only checks that it is called inside a transaction.
"""

import zlib

from django.db import connection


def job_lock_key(name: str) -> int:
    """A stable 32-bit key for the job's name (PostgreSQL advisory locks are keyed by numbers)."""
    return zlib.crc32(f"opencsc:{name}".encode())


def job_lock_try(*, name: str) -> bool:
    """Take the job's lock until the current transaction ends: False if another transaction holds it."""
    if not connection.in_atomic_block:
        raise RuntimeError("job_lock_try must be called inside the job's transaction")
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [job_lock_key(name)])
        return bool(cursor.fetchone()[0])
