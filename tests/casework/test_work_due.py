"""The bulk due-work selector: every clock on hand-built cases across Easter 2026 (Good Friday 3 April, Easter
Monday 6 April) and the May Day bank holiday (Monday 4 May), with overdue flags and lateness bands.

Expected dates are counted by hand here, not by calling the clock engine, so the selector is checked against
the rules rather than against itself.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.casework.models import (
    Allocation,
    Assessment,
    CaseNote,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    CoreGroupMeeting,
    NoteStatus,
    NoteType,
    Section47Enquiry,
    Section47Outcome,
    StrategyDiscussion,
)
from opencsc.casework.protection_selectors import child_open_clocks
from opencsc.casework.work import (
    EARLY_HELP_WORK_RULE_IDS,
    LEGAL_WORK_RULE_IDS,
    PRIVATE_FOSTERING_WORK_RULE_IDS,
    ClockContext,
    Lateness,
    WorkingDayIndex,
    attach_people,
    due_work,
    overdue_children,
    summarise,
)
from opencsc.core.models import ClockSetting, ClosureDay
from opencsc.core.working_days import Calendar, authority_calendar
from opencsc.earlyhelp.models import EarlyHelpEpisode
from opencsc.exploitation.clocks import EXPLOITATION_RULES
from opencsc.exploitation.models import ExploitationScreening, NrmReferral
from opencsc.frontdoor.models import Referral
from opencsc.legal.models import CareProceedings, Hearing, LegalGatewayMeeting, PreProceedings
from opencsc.people.models import Child
from opencsc.privatefostering.models import PrivateFosteringArrangement

LONDON = ZoneInfo("Europe/London")
MONDAY_11_MAY = dt.datetime(2026, 5, 11, 12, 0, tzinfo=LONDON)
SATURDAY_9_MAY = dt.datetime(2026, 5, 9, 12, 0, tzinfo=LONDON)
D = dt.date

_numbers = iter(range(1, 100_000))


def make_child(team=None, **fields) -> Child:
    number = next(_numbers)
    first, last = fields.pop("first_name", f"Child{number}"), fields.pop("last_name", "Tester")
    return Child.objects.create(
        la_child_id=f"T{number:06d}",
        first_name=first,
        last_name=last,
        first_name_key=first.lower(),
        last_name_key=last.lower(),
        date_of_birth=D(2015, 1, 1),
        sex="F",
        responsible_team=team,
        **fields,
    )


def referral(child, on: dt.date) -> Referral:
    return Referral.objects.create(child=child, referral_date=on, source="1A", route="assessment")


def open_assessment(child, referred_on: dt.date, started_on: dt.date | None = None) -> Assessment:
    return Assessment.objects.create(
        child=child, referral=referral(child, referred_on), started_on=started_on or referred_on
    )


def open_s47(child, strategy_on: dt.date) -> Section47Enquiry:
    strategy = StrategyDiscussion.objects.create(child=child, held_on=strategy_on, section_47_agreed=True)
    return Section47Enquiry.objects.create(child=child, strategy_discussion=strategy, started_on=strategy_on)


def open_cp_plan(child, icpc_on: dt.date) -> ChildProtectionPlan:
    conference = ChildProtectionConference.objects.create(
        child=child, kind=ConferenceKind.INITIAL, held_on=icpc_on, plan_decided=True, category="NEG"
    )
    return ChildProtectionPlan.objects.create(
        child=child,
        initial_conference=conference,
        started_on=icpc_on,
        initial_category="NEG",
        latest_category="NEG",
    )


def visit(author, child, on: dt.date, *, seen=True, status=NoteStatus.FINAL) -> CaseNote:
    note = CaseNote.objects.create(
        note_type=NoteType.VISIT,
        title="Home visit",
        body="Visited",
        event_on=on,
        child_seen=seen,
        status=status,
        author=author,
        finalised_at=timezone.now() if status == NoteStatus.FINAL else None,
    )
    note.children.set([child])
    return note


def items_for(children, ctx=None, **options):
    ctx = ctx or ClockContext()
    return due_work(Child.objects.filter(pk__in=[c.pk for c in children]), ctx, **options)


def only(items, rule_id):
    found = [item for item in items if item.rule_id == rule_id]
    assert len(found) == 1, found
    return found[0]


def early_help_and_court(worker, child) -> None:
    """An open early help episode, pre-proceedings with no letter yet, and proceedings with a hearing whose
    outcome is not recorded."""
    EarlyHelpEpisode.objects.create(
        child=child,
        started_on=D(2026, 4, 1),
        started_by="request",
        lead_name="Pat Lead",
        lead_organisation_kind="school",
        lead_organisation="Hill School",
        recorded_by=worker,
    )
    gateway = LegalGatewayMeeting.objects.create(
        child=child, held_on=D(2026, 4, 2), decision="pre_proceedings", recorded_by=worker
    )
    PreProceedings.objects.create(child=child, gateway=gateway, started_on=D(2026, 4, 2))
    case = CareProceedings.objects.create(child=child, issued_on=D(2025, 11, 3), recorded_by=worker)
    Hearing.objects.create(proceedings=case, kind="irh", listed_for=D(2026, 5, 1))


@pytest.fixture
def worker(make_user, teams):
    return make_user(Role.SOCIAL_WORKER, teams["north"])


@time_machine.travel(MONDAY_11_MAY)
def test_assessment_45_working_days_from_the_referral_skipping_easter_and_may_day(db):
    child = make_child()
    open_assessment(child, referred_on=D(2026, 3, 2), started_on=D(2026, 3, 4))
    item = only(items_for([child]), "assessment")
    assert item.start == D(2026, 3, 2)
    assert item.due_on == D(2026, 5, 7)
    assert "45 working days from the referral on 2 March 2026" in item.explanation
    assert "Good Friday, Easter Monday and May Day skipped" in item.explanation
    assert item.is_overdue and item.working_days_overdue == 2 and item.lateness == Lateness.OVERDUE_1_5


@time_machine.travel(MONDAY_11_MAY)
def test_a_closure_day_moves_the_due_date_and_an_authorised_assessment_has_no_clock(db):
    ClosureDay.objects.create(day=D(2026, 5, 5), reason="Council closure")
    child = make_child()
    open_assessment(child, referred_on=D(2026, 3, 2))
    item = only(items_for([child]), "assessment")
    assert item.due_on == D(2026, 5, 8)
    assert "Council closure" in item.explanation
    assert item.working_days_overdue == 1

    Assessment.objects.filter(child=child).update(authorised_on=D(2026, 5, 1))
    assert items_for([child]) == []


@time_machine.travel(MONDAY_11_MAY)
def test_icpc_15_working_days_from_the_strategy_discussion_until_the_conference(db):
    child = make_child()
    enquiry = open_s47(child, strategy_on=D(2026, 3, 26))
    item = only(items_for([child]), "icpc")
    assert item.due_on == D(2026, 4, 20)
    assert "the strategy discussion on 26 March 2026" in item.explanation
    assert item.is_overdue and item.working_days_overdue == 14 and item.lateness == Lateness.OVERDUE_6_20

    ChildProtectionConference.objects.create(
        child=child,
        kind=ConferenceKind.INITIAL,
        section_47=enquiry,
        held_on=D(2026, 4, 17),
        plan_decided=False,
    )
    assert [i.rule_id for i in items_for([child])] == []


@time_machine.travel(MONDAY_11_MAY)
def test_an_enquiry_completed_as_needing_a_conference_keeps_its_clock_until_the_conference(db):
    """Concluded 'initial conference needed' but no conference held yet: the 15 working days still run, on the
    work views, the overdue counts and the child's own page alike (Working Together 2023, chapter 4)."""
    child = make_child()
    enquiry = open_s47(child, strategy_on=D(2026, 3, 26))
    enquiry.completed_on, enquiry.outcome = D(2026, 4, 9), Section47Outcome.CONCERNS_SUBSTANTIATED_ICPC
    enquiry.save()
    item = only(items_for([child]), "icpc")
    assert (item.record_id, item.due_on, item.is_overdue) == (enquiry.pk, D(2026, 4, 20), True)
    assert overdue_children(ClockContext())["icpc"] == [child.pk]
    assert [clock.due_on for clock in child_open_clocks(child) if clock.rule_id == "icpc"] == [D(2026, 4, 20)]

    ChildProtectionConference.objects.create(
        child=child,
        kind=ConferenceKind.INITIAL,
        section_47=enquiry,
        held_on=D(2026, 5, 8),
        plan_decided=False,
    )
    assert items_for([child]) == [] and overdue_children(ClockContext())["icpc"] == []
    assert [clock for clock in child_open_clocks(child) if clock.rule_id == "icpc"] == []


@time_machine.travel(MONDAY_11_MAY)
def test_s47_marked_as_needing_no_conference_has_no_icpc_clock(db):
    child = make_child()
    enquiry = open_s47(child, strategy_on=D(2026, 3, 26))
    enquiry.icpc_not_required = True
    enquiry.save()
    assert items_for([child]) == []


@time_machine.travel(MONDAY_11_MAY)
def test_protection_plan_core_group_review_and_visits(db, worker):
    child = make_child()
    plan = open_cp_plan(child, icpc_on=D(2026, 4, 1))
    visit(worker, child, D(2026, 4, 30))
    visit(worker, child, D(2026, 5, 6), seen=False)  # not seen: does not stop the clock
    visit(worker, child, D(2026, 5, 7), status=NoteStatus.DRAFT)  # a draft does not count
    items = items_for([child])
    assert sorted(i.rule_id for i in items) == ["core_group_first", "cp_review_first", "cp_visit"]

    core_group = only(items, "core_group_first")
    assert core_group.due_on == D(2026, 4, 17)
    assert "Good Friday and Easter Monday skipped" in core_group.explanation
    assert core_group.is_overdue and core_group.working_days_overdue == 15

    review = only(items, "cp_review_first")
    assert review.due_on == D(2026, 7, 1) and not review.is_overdue and review.lateness is None

    seen = only(items, "cp_visit")
    assert seen.start == D(2026, 4, 30) and seen.due_on == D(2026, 5, 15)
    assert "May Day skipped" in seen.explanation
    assert not seen.is_overdue and seen.working_days_until_due == 4 and seen.lateness == Lateness.DUE_SOON

    CoreGroupMeeting.objects.create(plan=plan, held_on=D(2026, 4, 15))
    ChildProtectionConference.objects.create(
        child=child, kind=ConferenceKind.REVIEW, plan=plan, held_on=D(2026, 5, 8), plan_decided=True
    )
    items = items_for([child])
    assert sorted(i.rule_id for i in items) == ["core_group", "cp_review", "cp_visit"]
    following = only(items, "core_group")  # the authority's frequency, by default 20 working days
    assert following.start == D(2026, 4, 15) and following.due_on == D(2026, 5, 14)
    assert "May Day skipped" in following.explanation and not following.is_overdue
    later = only(items, "cp_review")
    assert later.due_on == D(2026, 11, 8) and "6 months from the previous review" in later.explanation


@time_machine.travel(MONDAY_11_MAY)
def test_cp_visits_use_the_authoritys_own_limit_and_start_at_the_plan_when_never_seen(db, worker):
    ClockSetting.objects.create(rule_id="cp_visit", limit=5)
    child = make_child()
    open_cp_plan(child, icpc_on=D(2026, 4, 1))
    visit(worker, child, D(2026, 3, 1))  # before the plan: the plan start counts instead
    item = only(items_for([child], rules={"cp_visit"}), "cp_visit")
    assert item.start == D(2026, 4, 1) and item.due_on == D(2026, 4, 10)
    assert item.explanation.startswith("5 working days from the plan start or the last visit on 1 April 2026")


@time_machine.travel(MONDAY_11_MAY)
def test_cin_visit_from_the_plan_start_and_none_while_on_a_protection_plan(db, worker):
    child = make_child()
    ChildInNeedPlan.objects.create(child=child, started_on=D(2026, 3, 2))
    item = only(items_for([child]), "cin_visit")
    assert item.due_on == D(2026, 3, 30)
    assert item.is_overdue and item.working_days_overdue == 27 and item.lateness == Lateness.OVERDUE_21_PLUS

    visit(worker, child, D(2026, 5, 8))
    assert only(items_for([child]), "cin_visit").due_on == D(2026, 6, 8)  # 25 May bank holiday skipped

    open_cp_plan(child, icpc_on=D(2026, 5, 1))
    assert "cin_visit" not in {i.rule_id for i in items_for([child])}


@time_machine.travel(SATURDAY_9_MAY)
def test_due_on_friday_is_overdue_on_saturday_by_no_working_day(db):
    child = make_child()
    ChildInNeedPlan.objects.create(child=child, started_on=D(2026, 4, 9))  # 20 WD: Friday 8 May
    item = only(items_for([child]), "cin_visit")
    assert item.due_on == D(2026, 5, 8)
    assert item.is_overdue and item.working_days_overdue == 0 and item.lateness == Lateness.OVERDUE_1_5


@time_machine.travel(MONDAY_11_MAY)
def test_items_sort_most_overdue_first_filter_by_rule_and_lateness_and_summarise(db, worker, teams):
    first, second = make_child(team=teams["north"]), make_child(team=teams["south"])
    open_assessment(first, referred_on=D(2026, 3, 2))  # due 7 May: overdue 2
    ChildInNeedPlan.objects.create(child=first, started_on=D(2026, 3, 2))  # due 30 March: overdue 27
    open_cp_plan(second, icpc_on=D(2026, 4, 1))  # core group 17 April, review 1 July, visit 17 April
    items = items_for([first, second])
    assert [i.due_on for i in items] == sorted(i.due_on for i in items)
    assert items[0].rule_id == "cin_visit"

    summary = summarise(items)
    assert summary.items == 6 and summary.children == 2  # the CIN review is due 2 June: not overdue
    assert summary.overdue == 4  # CIN visit, assessment, core group, CP visit (never seen since 1 April)
    assert summary.by_lateness[Lateness.OVERDUE_21_PLUS] == 1
    assert summary.by_rule["assessment"] == 1

    assert [i.rule_id for i in items_for([first, second], rules={"assessment"})] == ["assessment"]
    late = items_for([first, second], lateness=Lateness.OVERDUE_6_20)
    assert {i.rule_id for i in late} == {"core_group_first", "cp_visit"}

    Allocation.objects.create(child=first, worker=worker, team=teams["north"], started_on=D(2026, 3, 2))
    attach_people(items)
    by_child = {i.child_id: i for i in items}
    assert by_child[first.pk].worker == worker and by_child[first.pk].team == teams["north"]
    assert by_child[second.pk].worker is None and by_child[second.pk].team == teams["south"]


@time_machine.travel(MONDAY_11_MAY)
def test_the_number_of_queries_does_not_grow_with_the_number_of_children(db, worker):
    def build(count):
        children = []
        for offset in range(count):
            child = make_child()
            open_assessment(child, referred_on=D(2026, 3, 2) + dt.timedelta(days=offset % 20))
            open_s47(child, strategy_on=D(2026, 4, 1))
            open_cp_plan(child, icpc_on=D(2026, 4, 1))
            visit(worker, child, D(2026, 4, 20))
            ChildInNeedPlan.objects.create(child=child, started_on=D(2026, 3, 2))
            early_help_and_court(worker, child)
            ExploitationScreening.objects.create(
                child=child,
                screened_on=D(2026, 3, 2),
                sexual_risk="high",
                criminal_risk="none",
                recorded_by=worker,
            )
            NrmReferral.objects.create(
                child=child, referred_on=D(2026, 5, 1), exploitation_type="sexual", recorded_by=worker
            )
            PrivateFosteringArrangement.objects.create(
                child=child,
                notified_on=D(2026, 4, 1),
                notified_by="school",
                notifier_name="Ms Patel",
                carer_name="Grace Mensah",
                carer_address="4 Oak Road",
                starts_on=D(2026, 4, 1),
                recorded_by=worker,
            )
            children.append(child)
        return children

    small, large = build(2), build(25)
    counts = []
    for children in (small, large):
        ctx = ClockContext()
        for rule_id in (
            "cp_visit",
            "cin_visit",
            *EARLY_HELP_WORK_RULE_IDS,
            *LEGAL_WORK_RULE_IDS,
            *EXPLOITATION_RULES,
            *PRIVATE_FOSTERING_WORK_RULE_IDS,
        ):
            ctx.limit(rule_id)
        with CaptureQueriesContext(connection) as queries:
            items = items_for(children, ctx)
        counts.append(len(queries))
        # five casework clocks (no CIN visit while on a protection plan), two early help clocks, five
        # legal ones (the letter, the pre-proceedings decision, the hearing's outcome, the case management
        # hearing and the timetable), two exploitation ones (the screening's review and the NRM decision) and two
        # of private fostering (the first visit and the decision)
        assert len(items) == (5 + 2 + 5 + 2 + 2) * len(children)
        assert summarise(items).by_rule["hearing_outcome"] == len(children)
    # one query per family of clocks (protection, CIN, care, placement plans, IRO recommendations), one for
    # early help, one for each kind of legal record, and three for exploitation (each child's latest screening day,
    # the screenings of those days, the NRM referrals) and one for private fostering
    assert counts[0] == counts[1] <= 16


def test_working_day_index_agrees_with_the_calendar(db):
    ClosureDay.objects.create(day=D(2026, 12, 29), reason="Christmas closure")
    calendar = authority_calendar()
    index = WorkingDayIndex(calendar)
    rng = random.Random(4)
    base = D(2025, 12, 1)
    for _ in range(300):
        start = base + dt.timedelta(days=rng.randint(-400, 400))
        end = start + dt.timedelta(days=rng.randint(-60, 60))
        assert index.between(start, end) == calendar.working_days_between(start, end), (start, end)


def test_date_n_working_days_before_today_is_the_oversight_threshold(db):
    ctx = ClockContext(today=D(2026, 4, 9), calendar=Calendar())  # Thursday after Easter
    since = ctx.date_working_days_before_today(5)
    assert ctx.working_days_between(since, ctx.today) == 5
    assert ctx.working_days_between(since - dt.timedelta(days=1), ctx.today) == 6
    assert since == D(2026, 3, 31)  # Wed 1, Thu 2, Tue 7, Wed 8, Thu 9 April: Easter skipped
    weekend = ClockContext(today=D(2026, 5, 9), calendar=Calendar())
    assert weekend.date_working_days_before_today(0) == D(2026, 5, 8)


@time_machine.travel(MONDAY_11_MAY)
def test_service_scope_leaves_out_restricted_children_whether_listed_or_queried(db, make_user):
    from opencsc.casework.work import Scope, hidden_children, service_children
    from opencsc.people.models import ChildAccessGrant

    head = make_user(Role.HEAD_OF_SERVICE)
    open_child, restricted = make_child(), make_child(is_restricted=True)
    for child in (open_child, restricted):
        open_assessment(child, referred_on=D(2026, 3, 2))

    listed = service_children(head)
    assert listed.hidden_ids == (restricted.pk,)
    for scope in (listed, Scope(hidden=hidden_children(head))):
        assert {item.child_id for item in due_work(scope, ClockContext())} == {open_child.pk}
        assert set(scope.queryset().values_list("pk", flat=True)) == {open_child.pk}

    ChildAccessGrant.objects.create(child=restricted, user=head)
    named = service_children(head)
    assert named.hidden_ids == ()
    assert {item.child_id for item in due_work(named, ClockContext())} == {open_child.pk, restricted.pk}
