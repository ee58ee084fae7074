"""The board pack: who may open it, what it shows (the plan, escalations that reached the director or chief
executive and whether answered), that it names no child, that every view is recorded, and that the PDF is a real
PDF with the same content."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pypdf import PdfReader

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.audit.models import AuditEvent
from opencsc.oversight.board_pack import board_pack_for, senior_escalations
from opencsc.oversight.board_pdf import board_pack_pdf, chart_drawing
from opencsc.oversight.models import ActionStatus, Escalation, EscalationStep, Level, StepKind
from opencsc.people.models import Child
from tests.oversight.plan_builders import make_action, make_inspection, make_recommendation

S = ActionStatus
LONDON = ZoneInfo("Europe/London")
DAY = dt.date(2014, 12, 15)
READERS = (
    Role.DIRECTOR,
    Role.HEAD_OF_SERVICE,
    Role.PERFORMANCE_ANALYST,
    Role.CHIEF_EXECUTIVE,
    Role.IMPROVEMENT_BOARD,
)
REFUSED = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.ADMINISTRATOR, Role.AUDITOR)


def _escalation(child, team, *, raised_on, steps, closed=None, acknowledged=None, number=1):
    escalation = Escalation.objects.create(
        rule_id="cp_visit",
        subject_key=f"cp_visit:plan:{number}",
        child=child,
        team=team,
        due_on=raised_on - dt.timedelta(days=1),
        explanation="Visit late",
        raised_on=raised_on,
        level=steps[-1][1],
        level_started_on=steps[-1][0],
        level_deadline=steps[-1][0] + dt.timedelta(days=3),
        assigned_to=steps[-1][2],
    )
    for index, (on, level, holder) in enumerate(steps):
        EscalationStep.objects.create(
            escalation=escalation,
            kind=StepKind.RAISED if index == 0 else StepKind.CLIMBED,
            level=level,
            assigned_to=holder,
            on=on,
        )
    if acknowledged:
        on, by = acknowledged
        escalation.acknowledged_at = dt.datetime.combine(on, dt.time(10), tzinfo=LONDON)
        escalation.acknowledged_by = by
    if closed:
        on, by = closed
        escalation.closed_at = dt.datetime.combine(on, dt.time(11), tzinfo=LONDON)
        escalation.closed_by = by
        escalation.response = "Visited Zebedee Quartermaine at home"
    escalation.save()
    return escalation


@pytest.fixture
def world(db, make_user):
    team = Team.objects.create(name="Child in Need North", kind=TeamKind.CHILD_IN_NEED)
    manager = make_user(Role.TEAM_MANAGER, team)
    head = make_user(Role.HEAD_OF_SERVICE)
    director = make_user(Role.DIRECTOR, first_name="Dana", last_name="Director")
    chief = make_user(Role.CHIEF_EXECUTIVE, first_name="Chris", last_name="Chief")
    child = Child.objects.create(
        la_child_id="BP00001",
        first_name="Zebedee",
        last_name="Quartermaine",
        first_name_key="zebedee",
        last_name_key="quartermaine",
        date_of_birth=dt.date(2010, 1, 1),
        sex="M",
        responsible_team=team,
    )
    inspection = make_inspection()
    recommendation = make_recommendation(inspection, 1)
    make_action(
        recommendation,
        director,
        due_on=dt.date(2014, 12, 1),
        history=[(dt.date(2014, 9, 1), S.ON_TRACK), (dt.date(2014, 11, 1), S.OFF_TRACK)],
        description="Every child on a plan has a named social worker",
        evidence=[(dt.date(2014, 11, 30), "Unallocated down from 140 to 61")],
    )
    waiting = _escalation(
        child,
        team,
        raised_on=dt.date(2014, 12, 1),
        steps=[
            (dt.date(2014, 12, 1), Level.TEAM_MANAGER, manager),
            (dt.date(2014, 12, 4), Level.HEAD_OF_SERVICE, head),
            (dt.date(2014, 12, 8), Level.DIRECTOR, director),
            (dt.date(2014, 12, 11), Level.CHIEF_EXECUTIVE, chief),
        ],
        number=1,
    )
    answered = _escalation(
        child,
        team,
        raised_on=dt.date(2014, 11, 1),
        steps=[
            (dt.date(2014, 11, 1), Level.TEAM_MANAGER, manager),
            (dt.date(2014, 11, 5), Level.DIRECTOR, director),
        ],
        closed=(dt.date(2014, 11, 10), director),
        number=2,
    )
    only_manager = _escalation(
        child,
        team,
        raised_on=dt.date(2014, 12, 2),
        steps=[(dt.date(2014, 12, 2), Level.TEAM_MANAGER, manager)],
        number=3,
    )
    later = _escalation(
        child,
        team,
        raised_on=dt.date(2014, 12, 10),
        steps=[
            (dt.date(2014, 12, 10), Level.TEAM_MANAGER, manager),
            (dt.date(2014, 12, 20), Level.DIRECTOR, director),
        ],
        number=4,
    )
    return {
        "director": director,
        "chief": chief,
        "waiting": waiting,
        "answered": answered,
        "only_manager": only_manager,
        "later": later,
    }


def test_senior_escalations_on_a_day(world):
    rows = senior_escalations(DAY)
    assert [row.escalation for row in rows] == [world["waiting"], world["answered"]]
    waiting, answered = rows
    assert waiting.level == Level.CHIEF_EXECUTIVE and waiting.reached_on == dt.date(2014, 12, 11)
    assert waiting.state == "waiting" and "Not answered (14 days" in waiting.state_label
    assert (
        answered.state == "answered"
        and answered.state_label == "Answered on 10 November 2014 by Dana Director"
    )
    # On 9 November the second one had reached the director but was not yet answered.
    assert [row.state for row in senior_escalations(dt.date(2014, 11, 9))] == ["waiting"]
    # Answered over three months before: no longer news.
    in_march = [row.escalation for row in senior_escalations(dt.date(2015, 3, 1))]
    assert in_march == [world["waiting"], world["later"]]


@pytest.mark.parametrize("role", READERS + REFUSED)
def test_who_may_open_the_pack(world, make_user, client_for, role):
    client = client_for(make_user(role))
    for name in ("board:pack", "board:pack_pdf"):
        response = client.get(reverse(name) + "?on=2014-12-15")
        assert response.status_code == (200 if role in READERS else 403), (role, name)


def test_page_shows_plan_and_escalations_and_no_child_name(world, make_user, client_for):
    board = make_user(Role.IMPROVEMENT_BOARD)
    response = client_for(board).get(reverse("board:pack") + "?on=2014-12-15")
    page = response.content.decode()
    assert "Every child on a plan has a named social worker" in page
    assert "Unallocated down from 140 to 61" in page
    assert "Overdue 14 days" in page
    assert "Chief executive, 11 December 2014 (Chris Chief)" in page
    assert "On 10 November 2014 by Dana Director" in page
    assert "Zebedee" not in page and "Quartermaine" not in page and "BP00001" not in page
    assert "board-pack.css" in page
    event = AuditEvent.objects.get(verb="board_pack.viewed", actor=board)
    assert event.payload == {"on": "2014-12-15", "form": "page"}


def test_pdf_is_a_pdf_with_the_pack_in_it(world, make_user, client_for):
    chief = world["chief"]
    response = client_for(chief).get(reverse("board:pack_pdf") + "?on=2014-12-15")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "Improvement board pack: 15 December 2014" in flat
    assert "Every child on a plan has a named social worker" in flat
    assert "Escalations that reached the director or chief executive" in flat
    assert "Not answered" in flat and "Dana Director" in flat
    assert "Zebedee" not in flat and "Quartermaine" not in flat
    assert reader.metadata.title == "Improvement board pack 2014-12-15"
    assert AuditEvent.objects.filter(
        verb="board_pack.downloaded", actor=chief, object_id="2014-12-15"
    ).exists()


def test_bad_date(world, client_for):
    client = client_for(world["director"])
    page = client.get(reverse("board:pack") + "?on=15-12-2014").content.decode()
    assert "is not a date" in page
    response = client.get(reverse("board:pack_pdf") + "?on=2999-01-01")
    assert response.status_code == 400 and "today or in the past" in response.content.decode()


def test_svg_chart_becomes_a_drawing_of_the_asked_width():
    svg = (
        '<svg viewBox="0 0 200 100" width="100%" xmlns="http://www.w3.org/2000/svg">'
        '<rect x="0" y="0" width="100" height="50" fill="#1d70b8"/><text x="5" y="90">Police 120</text></svg>'
    )
    drawing = chart_drawing(svg, 300)
    assert round(drawing.width) == 300 and round(drawing.height) == 150


def test_pack_without_a_plan_still_builds(db, make_user):
    director = make_user(Role.DIRECTOR)
    pdf = board_pack_pdf(board_pack_for(day=DAY, user=director))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "No inspection or improvement plan had been recorded" in " ".join(text.split())


def test_a_long_list_is_summarised_and_cut_to_the_longest_waiting(world, make_user, monkeypatch):
    from opencsc.oversight import board_pack as module

    monkeypatch.setattr(module, "ESCALATIONS_LISTED", 1)
    pack = board_pack_for(day=DAY, user=world["director"])
    assert pack.escalation_summary == [("Child protection visit", 1, 0, 1)]
    assert [row.escalation for row in pack.escalations_listed] == [world["waiting"]]
    assert pack.escalations_not_listed == 1
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(board_pack_pdf(pack))).pages)
    assert "And 1 more, counted in the table above" in " ".join(text.split())


def test_the_escalation_figure_says_answered_and_waiting_at_each_level(world, make_user, client_for):
    pack = board_pack_for(day=DAY, user=world["director"])
    director, chief = pack.escalations_by_level
    assert (
        director.level,
        director.waiting,
        director.acknowledged,
        director.lines_waiting,
        director.answered,
    ) == (
        Level.DIRECTOR,
        0,
        0,
        0,
        1,
    )
    assert (chief.level, chief.waiting, chief.lines_waiting, chief.answered) == (
        Level.CHIEF_EXECUTIVE,
        1,
        1,
        0,
    )
    sentence = (
        "at the director of children's services, 0 waiting for an answer (on 0 lines by timescale and team; "
        "0 of them acknowledged), 1 answered; at the chief executive, 1 waiting for an answer (on 1 line by "
        "timescale and team; 0 of them acknowledged), 0 answered."
    )
    assert pack.escalations_in_brief.endswith(sentence)
    page = client_for(make_user(Role.IMPROVEMENT_BOARD)).get(reverse("board:pack") + "?on=2014-12-15")
    assert sentence.replace("'", "&#39;") in page.content.decode()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(board_pack_pdf(pack))).pages)
    assert "1 waiting for an answer (on 1 line by timescale and team" in " ".join(text.split())
