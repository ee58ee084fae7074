"""Historical timestamps for generated rows.

Rows made by the services get `created_at` from the clock. A generated history must instead carry the time the
event happened, and must come out the same for the same seed, so while the generator writes, the models'
auto_now and auto_now_add switches are turned off and every row is given its timestamps explicitly.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import models
from django.utils import timezone


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A moment on a day, in the authority's time zone."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def stamp(obj: models.Model, moment: dt.datetime, updated: dt.datetime | None = None) -> models.Model:
    obj.created_at = moment
    obj.updated_at = updated or moment
    return obj


def _clock_fields() -> list[models.DateTimeField]:
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)
    ]


@contextmanager
def historical_timestamps() -> Iterator[None]:
    fields = _clock_fields()
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    try:
        for field in fields:
            field.auto_now = field.auto_now_add = False
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
