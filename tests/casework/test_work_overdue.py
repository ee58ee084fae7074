"""The dashboard's overdue-by-clock counts (`overdue_children`) against the full due-work list (`due_work`): the
same overdue items, clock by clock, on a small random authority built by hand, taken on many days across Easter
and the May Day bank holiday, with a local visit limit and a closure day."""

import datetime as dt
import random
from collections import Counter

import pytest

from opencsc.accounts.models import Role
from opencsc.casework.models import (
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ConferenceKind,
    CoreGroupMeeting,
    NoteStatus,
    Section47Enquiry,
    Section47Outcome,
)
from opencsc.casework.work import (
    WORK_RULE_IDS,
    ClockContext,
    Scope,
    due_work,
    latest_overdue_start,
    overdue_children,
)
from opencsc.core.models import ClockSetting, ClosureDay
from tests.casework.test_work_due import make_child, open_assessment, open_cp_plan, open_s47, referral, visit

D = dt.date
FIRST = D(2026, 1, 5)


def _day(rng: random.Random, span: int = 150) -> dt.date:
    return FIRST + dt.timedelta(days=rng.randrange(span))


def _random_child(rng: random.Random, worker) -> None:
    child = make_child()
    if rng.random() < 0.5:
        referred = _day(rng)
        if rng.random() < 0.7:
            open_assessment(
                child, referred_on=referred, started_on=referred + dt.timedelta(days=rng.randrange(5))
            )
        else:
            Assessment.objects.create(child=child, started_on=referred)  # no referral: timed from its start
    if rng.random() < 0.4:
        if rng.random() < 0.7:
            enquiry = open_s47(child, _day(rng))
        else:
            enquiry = Section47Enquiry.objects.create(child=child, started_on=_day(rng))
        if rng.random() < 0.2:
            enquiry.outcome = Section47Outcome.NOT_SUBSTANTIATED
            enquiry.save()
        elif rng.random() < 0.2:
            ChildProtectionConference.objects.create(
                child=child,
                kind=ConferenceKind.INITIAL,
                section_47=enquiry,
                held_on=_day(rng),
                plan_decided=False,
            )
    if rng.random() < 0.5:
        plan = open_cp_plan(child, icpc_on=_day(rng))
        if rng.random() < 0.5:
            CoreGroupMeeting.objects.create(plan=plan, held_on=plan.started_on + dt.timedelta(days=7))
        for _ in range(rng.choice([0, 0, 1, 2])):
            ChildProtectionConference.objects.create(
                child=child, kind=ConferenceKind.REVIEW, plan=plan, held_on=_day(rng), plan_decided=True
            )
        if rng.random() < 0.15:
            plan.ended_on = plan.started_on + dt.timedelta(days=30)
            plan.save()
    if rng.random() < 0.5:
        ChildInNeedPlan.objects.create(child=child, started_on=_day(rng))
    for _ in range(rng.choice([0, 1, 2, 3])):
        visit(
            worker,
            child,
            _day(rng),
            seen=rng.random() < 0.8,
            status=NoteStatus.FINAL if rng.random() < 0.85 else NoteStatus.DRAFT,
        )
    if rng.random() < 0.1:
        referral(child, _day(rng))  # a referral with no work: no clock


def _overdue_from_due_work(ctx: ClockContext) -> dict[str, Counter]:
    found = {rule_id: Counter() for rule_id in WORK_RULE_IDS}
    for item in due_work(Scope(), ctx):
        if item.is_overdue:
            found[item.rule_id][item.child_id] += 1
    return found


@pytest.mark.parametrize("seed", [1, 2])
def test_overdue_counts_match_the_full_due_work_list_on_every_day(db, make_user, teams, seed):
    worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    ClockSetting.objects.create(rule_id="cp_visit", limit=7)
    ClosureDay.objects.create(day=D(2026, 4, 7), reason="Local closure")
    rng = random.Random(seed)
    for _ in range(60):
        _random_child(rng, worker)
    overdue_seen = 0
    for today in [FIRST + dt.timedelta(days=offset) for offset in range(0, 260, 9)] + [D(2026, 4, 4)]:
        expected = _overdue_from_due_work(ClockContext(today=today))
        found = overdue_children(ClockContext(today=today))
        assert {rule: Counter(children) for rule, children in found.items()} == expected, today
        overdue_seen += sum(sum(counts.values()) for counts in expected.values())
    assert overdue_seen > 100  # the comparison covered real overdue work


@pytest.mark.parametrize("rule_id", WORK_RULE_IDS)
def test_latest_overdue_start_splits_starts_into_overdue_and_not(db, rule_id):
    for today in [D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 9), D(2026, 8, 31), D(2027, 3, 1)]:
        ctx = ClockContext(today=today)
        boundary = latest_overdue_start(ctx, rule_id)
        for start in [boundary - dt.timedelta(days=back) for back in range(1, 40)]:
            assert ctx.due(rule_id, start).due_on < today
        for start in [boundary + dt.timedelta(days=ahead) for ahead in range(0, 40)]:
            assert ctx.due(rule_id, start).due_on >= today
