"""The daily digest (issue 12.5): at the director's and the chief executive's level, escalations arrive as one
line per clock and team with the children behind each line, and are answered once per line; every leader's home
page starts with what waits for them.

The late work: child protection visits missed in two teams (three children in Assessment North, one of them
restricted, two in Assessment South) and a contact with no child matched left undecided at the front door. Plans
from Monday 23 March 2026: visits late from 9 April, raised that day to each team manager; on the sweep of
Thursday 16 April they climb past the head of service (deadline 15 April) to the director; on Monday 20 April,
past the director's deadline of Friday 17 April, to the chief executive.
"""

import datetime as dt
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.casework.models import CoreGroupMeeting
from opencsc.oversight.digest import digest_for, group_key, waiting_for
from opencsc.oversight.digest_services import RESPONSE_MISSING, escalation_group_answer
from opencsc.oversight.models import Escalation, EscalationStep, Level, StepKind
from opencsc.oversight.services import escalation_close, escalations_sweep
from opencsc.people.models import ChildAccessGrant
from tests.factories import assert_refused

D = dt.date
LONDON = ZoneInfo("Europe/London")
RAISED, AT_DIRECTOR, NEXT_DAY, AT_CHIEF = D(2026, 4, 9), D(2026, 4, 16), D(2026, 4, 17), D(2026, 4, 20)
DIGEST = reverse("oversight:digest")
ANSWER = reverse("oversight:digest_answer")
HOME = reverse("ui:home")
PLAN = "The team manager will see each plan with the worker this week; every visit booked by Friday."


def on(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=LONDON), tick=False)


def sweep(day: dt.date):
    with on(day):
        return escalations_sweep(today=day)


@pytest.fixture
def late(cases, staff):
    def missed_visit(worker, first_name, **fields):
        child = cases.child(first_name=first_name, last_name="Late", **fields)
        cases.allocate(child, worker)
        plan = cases.cp_plan(child, D(2026, 3, 23))
        CoreGroupMeeting.objects.create(plan=plan, held_on=D(2026, 3, 30))
        return child

    children = {
        "ava": missed_visit(staff["worker"], "Ava"),
        "ben": missed_visit(staff["worker"], "Ben"),
        "rita": missed_visit(staff["other_worker"], "Rita", is_restricted=True),
        "sol": missed_visit(staff["south_worker"], "Sol"),
        "tom": missed_visit(staff["south_worker"], "Tom"),
    }
    ChildAccessGrant.objects.create(child=children["rita"], user=staff["other_worker"])
    cases.contact(D(2026, 4, 8))
    sweep(RAISED)
    return children


@pytest.fixture
def at_director(late):
    sweep(AT_DIRECTOR)
    assert set(Escalation.objects.values_list("level", flat=True)) == {Level.DIRECTOR}
    return late


def line_of(staff, team: str, rule_id: str = "cp_visit") -> str:
    team_id = staff[team].team_id if team != "front_door" else staff["front_door"].pk
    return group_key(rule_id, team_id)


def answer_post(group, response: str = PLAN) -> dict:
    prefix = group.form_prefix
    return {"line": group.key, f"{prefix}-escalations": group.ids_text, f"{prefix}-response": response}


def the_group(user, key, day=AT_DIRECTOR):
    with on(day):
        digest = digest_for(user=user, day=day)
    [group] = [group for group in digest.groups if group.key == key]
    return group


def counts() -> tuple:
    return (
        Escalation.objects.filter(closed_at__isnull=True).count(),
        EscalationStep.objects.count(),
        AuditEvent.objects.filter(verb__startswith="escalation").count(),
    )


def test_the_directors_digest_is_one_line_per_clock_and_team(at_director, staff):
    with on(AT_DIRECTOR):
        digest = digest_for(user=staff["director"], day=AT_DIRECTOR)
    lines = {group.key: group.count for group in digest.groups}
    assert lines == {
        line_of(staff, "worker"): 3,
        line_of(staff, "south_worker"): 2,
        line_of(staff, "front_door", "referral_decision"): 1,
    }
    assert [group.count for group in digest.groups] == [3, 2, 1]  # the largest first
    assert digest.total == 6 and digest.arrived_today == 6
    north = digest.groups[0]
    assert (north.rule_name, north.team_name, north.oldest_due_on) == (
        "Child protection visit",
        "Assessment North",
        D(2026, 4, 8),
    )
    with on(NEXT_DAY):
        assert digest_for(user=staff["director"], day=NEXT_DAY).arrived_today == 0


def test_the_children_behind_a_line_are_named_only_where_the_director_may_open_them_and_listed(
    at_director, staff, client_for
):
    with on(AT_DIRECTOR):
        response = client_for(staff["director"]).get(DIGEST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ava Late" in html and "Ben Late" in html and "Sol Late" in html
    assert "Rita" not in html
    assert "1 child not named here: record you may not open." in html
    assert "1 contact with no child matched yet." in html
    listed = set(
        RecordAccess.objects.filter(user=staff["director"], kind=AccessKind.LISTED).values_list(
            "child_id", flat=True
        )
    )
    named = {at_director[name].pk for name in ("ava", "ben", "sol", "tom")}
    assert listed == named


def test_the_chief_executive_gets_the_lines_that_climbed_to_them_and_no_child_is_named(
    at_director, staff, client_for
):
    sweep(AT_CHIEF)
    with on(AT_CHIEF):
        html = client_for(staff["chief"]).get(DIGEST).content.decode()
        director_digest = digest_for(user=staff["director"], day=AT_CHIEF)
    assert "Escalations waiting for the chief executive" in html
    assert html.count('data-testid="digest-line"') == 3
    assert not any(f"{name.title()} Late" in html for name in at_director)
    assert "2 children not named here: records you may not open." in html
    assert director_digest.total == 0
    assert not RecordAccess.objects.filter(user=staff["chief"], kind=AccessKind.LISTED).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("chief", 200),
        ("head", 403),
        ("manager", 403),
        ("worker", 403),
        ("board", 403),
        ("analyst", 403),
    ],
)
def test_who_gets_a_digest(at_director, staff, client_for, who, status):
    with on(AT_DIRECTOR):
        assert client_for(staff[who]).get(DIGEST).status_code == status


def test_answering_a_line_once_records_the_answer_on_every_escalation_in_it(at_director, staff, client_for):
    director = staff["director"]
    north = the_group(director, line_of(staff, "worker"))
    with on(AT_DIRECTOR):
        response = client_for(director).post(ANSWER, answer_post(north), follow=True)
    assert "Answered 3 escalations: your answer is recorded on each." in response.content.decode()
    answered = Escalation.objects.filter(pk__in=north.escalation_ids)
    assert answered.count() == 3
    for escalation in answered:
        assert (escalation.response, escalation.closed_by, escalation.acknowledged_by) == (
            PLAN,
            director,
            director,
        )
        closing = escalation.steps.get(kind=StepKind.CLOSED)
        assert (closing.note, closing.actor, closing.level) == (PLAN, director, Level.DIRECTOR)
        event = AuditEvent.objects.get(verb="escalation.closed", object_id=str(escalation.pk))
        assert event.actor == director and event.child_id == escalation.child_id
        assert event.payload["digest_line"] == f"director:{north.key}"
    line_event = AuditEvent.objects.get(verb="escalation_digest_line.answered")
    assert line_event.actor == director
    assert sorted(line_event.payload["escalations"]) == sorted(north.escalation_ids)
    assert Escalation.objects.filter(closed_at__isnull=True).count() == 3  # the other lines wait
    with on(AT_DIRECTOR):
        keys = [group.key for group in digest_for(user=director, day=AT_DIRECTOR).groups]
    assert north.key not in keys and len(keys) == 2


def test_an_empty_answer_is_refused_on_its_line_and_nothing_changes(at_director, staff, client_for):
    director = staff["director"]
    south = the_group(director, line_of(staff, "south_worker"))
    before = counts()
    with on(AT_DIRECTOR):
        response = client_for(director).post(ANSWER, answer_post(south, "   "))
    html = response.content.decode()
    assert response.status_code == 200 and RESPONSE_MISSING in html
    assert f'href="#id_{south.form_prefix}-response"' in html  # the error summary points at this line
    assert counts() == before


def test_a_too_long_answer_is_refused_and_what_was_typed_is_kept(at_director, staff, client_for):
    director = staff["director"]
    south = the_group(director, line_of(staff, "south_worker"))
    typed = "Visits booked. " * 400
    before = counts()
    with on(AT_DIRECTOR):
        html = client_for(director).post(ANSWER, answer_post(south, typed)).content.decode()
    assert "at most 5000 characters" in html and typed.strip() in html
    assert counts() == before


_refused = partial(assert_refused, counts=counts)


def test_the_service_refuses_an_empty_answer_a_foreign_escalation_and_a_line_already_answered(
    at_director, staff
):
    director = staff["director"]
    north = the_group(director, line_of(staff, "worker"))
    south = the_group(director, line_of(staff, "south_worker"))

    def answer(ids, response=PLAN):
        return lambda: escalation_group_answer(
            actor=director,
            rule_id="cp_visit",
            team_id=staff["worker"].team_id,
            escalation_ids=ids,
            response=response,
        )

    _refused(answer(north.escalation_ids, ""), "response", RESPONSE_MISSING)
    _refused(answer(north.escalation_ids + south.escalation_ids[:1]), None, "not on this line")
    _refused(answer([]), None, "Choose a line")
    answer(north.escalation_ids)()
    _refused(answer(north.escalation_ids), None, "answered already")


def test_one_answered_meanwhile_or_climbed_away_is_left_as_it_is(at_director, staff):
    director, chief = staff["director"], staff["chief"]
    north = the_group(director, line_of(staff, "worker"))
    first, second, third = Escalation.objects.filter(pk__in=north.escalation_ids).order_by("pk")
    with on(AT_DIRECTOR):
        escalation_close(actor=director, escalation=first, response="Seen to on its own")
    Escalation.objects.filter(pk=second.pk).update(level=Level.CHIEF_EXECUTIVE, assigned_to=chief)
    with on(AT_DIRECTOR):
        result = escalation_group_answer(
            actor=director,
            rule_id="cp_visit",
            team_id=staff["worker"].team_id,
            escalation_ids=north.escalation_ids,
            response=PLAN,
        )
    assert (result.answered, result.already_answered, result.moved_on) == ([third.pk], 1, 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.response == "Seen to on its own" and second.closed_at is None


@pytest.mark.parametrize("who", ["head", "manager", "board", "analyst"])
def test_only_the_director_and_the_chief_executive_answer_a_line(at_director, staff, client_for, who):
    north = the_group(staff["director"], line_of(staff, "worker"))
    with pytest.raises(PermissionDenied):
        escalation_group_answer(
            actor=staff[who],
            rule_id="cp_visit",
            team_id=staff["worker"].team_id,
            escalation_ids=north.escalation_ids,
            response=PLAN,
        )
    with on(AT_DIRECTOR):
        assert client_for(staff[who]).post(ANSWER, answer_post(north)).status_code == 403
    assert Escalation.objects.filter(closed_at__isnull=True).count() == 6


def test_the_chief_executive_cannot_answer_the_directors_line_through_the_digest(at_director, staff):
    north = the_group(staff["director"], line_of(staff, "worker"))
    with pytest.raises(PermissionDenied), on(AT_DIRECTOR):
        escalation_group_answer(
            actor=staff["chief"],
            rule_id="cp_visit",
            team_id=staff["worker"].team_id,
            escalation_ids=north.escalation_ids,
            response=PLAN,
        )


# Home pages --------------------------------------------------------------------------------------------------


def home(client_for, user, day) -> str:
    with on(day):
        return client_for(user).get(HOME).content.decode()


def starts_with_what_waits(html: str) -> str:
    """The 'Waiting for you' list comes before anything else on the page's body."""
    assert 'data-testid="waiting-for-you"' in html
    start = html.index('data-testid="waiting-for-you"')
    assert start < html.index("Children allocated to you")
    return html[start : html.index("</ul>", start)]


def test_the_directors_home_page_starts_with_the_digest(at_director, staff, client_for):
    waiting = starts_with_what_waits(home(client_for, staff["director"], AT_DIRECTOR))
    assert f'href="{DIGEST}"' in waiting
    assert "6</span> escalations waiting for your answer, in 3 lines by timescale and team" in waiting
    assert "6 arrived on today&#39;s sweep" in waiting or "6 arrived on today's sweep" in waiting


def test_the_chief_executives_home_page_starts_with_their_digest(at_director, staff, client_for):
    sweep(AT_CHIEF)
    waiting = starts_with_what_waits(home(client_for, staff["chief"], AT_CHIEF))
    assert f'href="{DIGEST}"' in waiting and "6</span> escalations waiting for your answer" in waiting


def test_a_team_manager_and_the_head_of_service_see_the_escalations_they_hold(late, staff, client_for):
    waiting = starts_with_what_waits(home(client_for, staff["manager"], RAISED))
    assert "3</span> escalations held by you" in waiting and "3 not yet acknowledged" in waiting
    assert f'href="{reverse("oversight:escalations")}"' in waiting
    sweep(D(2026, 4, 14))
    waiting = starts_with_what_waits(home(client_for, staff["head"], D(2026, 4, 14)))
    assert "6</span> escalations held by you" in waiting


def test_the_improvement_board_sees_what_the_director_and_chief_executive_have_not_answered(
    at_director, staff, client_for
):
    waiting = starts_with_what_waits(home(client_for, staff["board"], AT_DIRECTOR))
    assert "6</span> escalations at the director or chief executive not yet answered" in waiting
    assert f'href="{reverse("board:pack")}#escalations"' in waiting


def test_people_who_lead_no_one_have_nothing_waiting(at_director, staff):
    for who in ("worker", "analyst"):
        assert waiting_for(user=staff[who], day=AT_DIRECTOR) == []


def test_my_escalations_points_the_director_to_the_digest(at_director, staff, client_for):
    with on(AT_DIRECTOR):
        html = client_for(staff["director"]).get(reverse("oversight:escalations")).content.decode()
        manager_html = client_for(staff["manager"]).get(reverse("oversight:escalations")).content.decode()
    assert f'href="{DIGEST}"' in html and f'href="{DIGEST}"' not in manager_html
