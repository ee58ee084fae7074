"""The synthetic authority's allegations: the designated officer's team, about 2 allegations a year for every 100
children with a record, every one obeying the services' rules (dates in order, none after the last day, an
outcome only after the initial consideration and the strategy discussion it decided), some late, and the sweep
finding what is still late on the day after the last."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F, Q

from opencsc.accounts.models import Role, TeamKind, User
from opencsc.allegations.models import Allegation, AllegationChild, InitialDecision
from opencsc.core.working_days import authority_calendar
from opencsc.oversight.breaches import FINDERS, SweepContext
from opencsc.synthetic.generator import clear_generated_data

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 11, 20)
CHILDREN = 1000


@pytest.fixture
def generated(frozen_today):
    call_command("generate", children=CHILDREN, seed=11, today=TODAY, verbosity=0)


def test_the_designated_officers_team_its_allegations_some_late_and_cleared_away(generated):
    team_kinds = User.objects.filter(team__kind=TeamKind.DESIGNATED_OFFICER).values_list("role", flat=True)
    assert sorted(team_kinds) == [Role.SOCIAL_WORKER, Role.SOCIAL_WORKER, Role.TEAM_MANAGER]
    first = Allegation.objects.order_by("received_on").first().received_on
    per_year = Allegation.objects.count() / ((TODAY - first).days / 365)
    assert 0.015 * CHILDREN <= per_year <= 0.025 * CHILDREN
    last_day = TODAY - dt.timedelta(days=1)
    assert not Allegation.objects.filter(
        Q(received_on__gt=last_day) | Q(considered_on__gt=last_day) | Q(concluded_on__gt=last_day)
    ).exists()
    assert not Allegation.objects.filter(concluded_on__isnull=False, considered_on__isnull=True).exists()
    assert not Allegation.objects.filter(
        initial_decision=InitialDecision.STRATEGY, concluded_on__isnull=False, strategy_held_on__isnull=True
    ).exists()
    assert not Allegation.objects.filter(strategy_held_on__lt=F("considered_on")).exists()
    linked = AllegationChild.objects.filter(child__isnull=False).select_related("child", "allegation")
    assert linked.exists()
    assert all(row.child.date_of_birth < row.allegation.received_on for row in linked)
    _some_late_and_swept()
    clear_generated_data()
    assert not Allegation.objects.exists()
    assert not User.objects.filter(team__kind=TeamKind.DESIGNATED_OFFICER).exists()


def _some_late_and_swept() -> None:
    """Between 5% and 30% considered late; the sweep, run on the day before a late consideration was recorded,
    finds it (and no breach names a child)."""
    calendar = authority_calendar()
    rows = Allegation.objects.filter(considered_on__isnull=False).values_list(
        "pk", "received_on", "considered_on"
    )
    late = [(pk, c) for pk, r, c in rows if c > calendar.add_working_days(r, 1)]
    assert 0.05 <= len(late) / len(rows) <= 0.3
    found = []
    for pk, considered_on in late:
        breaches = FINDERS["lado_initial_consideration"](
            SweepContext(today=considered_on - dt.timedelta(days=1))
        )
        assert all(breach.child_id is None for breach in breaches)
        found += [b for b in breaches if b.subject_key == f"allegation:{pk}:lado_initial_consideration"]
    assert found
