"""Builders for the adoption, care leavers and sufficiency tests: a child and an SSDA903-shaped episode made
directly, without the services."""

import datetime as dt

from opencsc.looked_after.models import Episode
from opencsc.people.models import Child

TODAY = dt.date(2026, 5, 11)  # frozen by tests/looked_after/conftest.py


def make_child(n: int, team, *, born=dt.date(2020, 1, 1), first="Kid", last="Extra") -> Child:
    return Child.objects.create(
        la_child_id=f"X{n:05d}",
        first_name=f"{first}{n}",
        last_name=last,
        first_name_key=f"{first.lower()}{n}",
        last_name_key=last.lower(),
        date_of_birth=born,
        sex="F",
        responsible_team=team,
    )


def episode(child, started_on, *, rne="S", ls="C2", ended_on=None, rec="", **fields) -> Episode:
    fields.setdefault("placement_type", "U6")
    fields.setdefault("placement_provider", "PR1")
    return Episode.objects.create(
        child=child,
        started_on=started_on,
        reason_new_episode=rne,
        legal_status=ls,
        category_of_need="N1",
        ended_on=ended_on,
        reason_ceased=rec,
        **fields,
    )
