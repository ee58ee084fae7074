"""Writing many generated rows quickly.

bulk_create builds a model instance for every row and prepares every value through the query compiler; for rows
whose new ids nobody needs afterwards (document versions, reviews, audit events, chronology lines) that takes most
of the writing time. `insert_rows` takes each row as a dict of column values (by attribute name: `child_id`),
or as unsaved model instances, fills what is missing from a dict with the field's default, adapts dates, times and JSON as the database backend does, and
sends each batch with one executemany. Models' save() and signals are not run, as bulk_create does not run them
either.
"""

from collections.abc import Callable, Iterable

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Model

BATCH = 2_000


def _adapter(field: models.Field, connection) -> Callable:
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else ops.adapt_json_value(value, field.encoder)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return lambda value: value


def insert_rows(model: type[Model], rows: Iterable[dict | Model], batch: int = BATCH) -> int:
    """Insert `rows` (dicts by attribute name, or unsaved instances) into `model`'s table; returns how many were
    written."""
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    columns_of_a_row = [(field.attname, field.get_default(), _adapter(field, connection)) for field in fields]
    pending, written = [], 0
    with connection.cursor() as cursor:
        for row in rows:
            if isinstance(row, Model):
                pending.append([adapt(getattr(row, name)) for name, _, adapt in columns_of_a_row])
            else:
                pending.append([adapt(row.get(name, default)) for name, default, adapt in columns_of_a_row])
            if len(pending) >= batch:
                cursor.executemany(sql, pending)
                written, pending = written + len(pending), []
        if pending:
            cursor.executemany(sql, pending)
            written += len(pending)
    return written
