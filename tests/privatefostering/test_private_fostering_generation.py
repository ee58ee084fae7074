"""The synthetic authority's private fostering. At the national rate (about 1.2 notifications a year for every
10,000 children) a test-sized authority has none, so these tests raise the rate to see many: the arrangements
keep the services' rules, their chronology lines read as the services write them, and some first visits and
statutory visits are late, so the sweep has something to find.
"""

import datetime as dt

import pytest
from django.core.management import call_command

from opencsc.casework.work import ClockContext
from opencsc.core.working_days import anniversary
from opencsc.looked_after.models import Episode
from opencsc.privatefostering.models import PrivateFosteringArrangement, VisitKind
from opencsc.privatefostering.selectors import visit_rule
from opencsc.synthetic import privatefostering as generated
from opencsc.synthetic.generator import clear_generated_data
from tests.test_chronology_lines import generated_lines_rebuilt

TODAY = dt.date(2025, 11, 20)
RAISED_RATE = 400  # a year for every 10,000 children: about 45 arrangements among 200 children


@pytest.fixture(scope="module")
def authority(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(generated, "NOTIFICATIONS_PER_10000_A_YEAR", RAISED_RATE)
        call_command("generate", children=200, seed=7, today=TODAY, verbosity=0, replace=True)
        yield
        clear_generated_data()


def _arrangements():
    return list(PrivateFosteringArrangement.objects.prefetch_related("visits").select_related("child"))


@pytest.mark.django_db
def test_generated_lines_read_as_the_services_write_them(authority):
    seen, differ = generated_lines_rebuilt({"private-fostering", "private-fostering-visit"})
    assert not differ, differ[:5]
    assert seen["private-fostering"] >= 30 and seen["private-fostering-visit"] >= 30


@pytest.mark.django_db
def test_generated_arrangements_keep_the_services_rules(authority):
    arrangements = _arrangements()
    assert len(arrangements) >= 30
    open_per_child: dict[int, int] = {}
    for a in arrangements:
        born = a.child.date_of_birth
        assert born <= min(a.starts_on, a.notified_on) and a.deemed_start < anniversary(born, 16)
        visits = sorted(v.visited_on for v in a.visits.all())
        last = max([a.notified_on, *visits, *([a.decided_on] if a.decided_on else [])])
        assert all(day >= a.notified_on for day in visits) and last < TODAY
        assert a.ended_on is None or a.ended_on >= last
        if a.decided_on:
            assert visits and a.decided_on >= visits[0]
        kinds = {v.visited_on: v.kind for v in a.visits.all()}
        assert not visits or kinds[visits[0]] == VisitKind.FIRST
        care = Episode.objects.filter(child=a.child, started_on__lte=a.ended_on or TODAY).exclude(
            ended_on__lt=min(a.starts_on, a.notified_on)
        )
        assert not care.exists(), "a privately fostered child is not looked after"
        if a.ended_on is None:
            open_per_child[a.child_id] = open_per_child.get(a.child_id, 0) + 1
    assert set(open_per_child.values()) <= {1}
    assert any(a.notified_late for a in arrangements) and any(not a.notified_late for a in arrangements)


@pytest.mark.django_db
def test_some_generated_visits_are_late(authority):
    ctx = ClockContext(today=TODAY)
    late_first = late_statutory = 0
    for a in _arrangements():
        visits = sorted(v.visited_on for v in a.visits.all())
        if visits and visits[0] > ctx.due("private_fostering_first_visit", a.notified_on).due_on:
            late_first += 1
        for before, after in zip(visits, visits[1:], strict=False):
            start = max(before, a.deemed_start)
            if after > ctx.due(visit_rule(a.deemed_start, start), start).due_on:
                late_statutory += 1
    assert late_first >= 3 and late_statutory >= 3
