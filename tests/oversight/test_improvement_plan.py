"""The improvement plan: services (rules, audit, concurrency), the plan as it stood on a day, the pages and who
may read or change them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.core.errors import ConcurrentEditError
from opencsc.oversight import improvement as services
from opencsc.oversight import improvement_selectors as selectors
from opencsc.oversight.models import ActionEvidence, ActionStatus, ImprovementAction
from opencsc.ui.navigation import sections_for
from tests.oversight.plan_builders import make_action, make_inspection, make_recommendation

S = ActionStatus
EDITORS = (Role.DIRECTOR, Role.HEAD_OF_SERVICE, Role.PERFORMANCE_ANALYST)
READERS_ONLY = (Role.CHIEF_EXECUTIVE, Role.IMPROVEMENT_BOARD)
NEITHER = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.ADMINISTRATOR, Role.AUDITOR)


@pytest.fixture
def plan(db, make_user):
    director = make_user(Role.DIRECTOR)
    inspection = make_inspection()
    allocation = make_recommendation(inspection, 1)
    records = make_recommendation(inspection, 2, theme="records", kpi_ids=["assessments_within_45wd_rate"])
    late = make_action(
        allocation,
        director,
        due_on=dt.date(2014, 12, 1),
        history=[(dt.date(2014, 9, 1), S.NOT_STARTED), (dt.date(2014, 10, 1), S.ON_TRACK)],
        description="Allocate every child on a plan",
    )
    off = make_action(
        records,
        director,
        due_on=dt.date(2015, 6, 1),
        history=[(dt.date(2014, 9, 1), S.ON_TRACK), (dt.date(2014, 11, 20), S.OFF_TRACK)],
        description="Audit 40 case files a month",
        evidence=[(dt.date(2014, 11, 15), "November audit: 12 of 40 good")],
    )
    done = make_action(
        records,
        director,
        due_on=dt.date(2015, 1, 1),
        history=[(dt.date(2014, 9, 1), S.ON_TRACK), (dt.date(2014, 12, 10), S.COMPLETE)],
        description="Recording standards issued",
    )
    return {"director": director, "inspection": inspection, "late": late, "off": off, "done": done}


def test_status_on_a_day_follows_the_history(plan):
    inspection = plan["inspection"]
    before = {
        row.action.pk: row
        for rec in selectors.plan_on(inspection, dt.date(2014, 10, 15))
        for row in rec.actions
    }
    assert before[plan["late"].pk].status == S.ON_TRACK and not before[plan["late"].pk].overdue
    assert before[plan["off"].pk].status == S.ON_TRACK
    later = {
        row.action.pk: row
        for rec in selectors.plan_on(inspection, dt.date(2014, 12, 15))
        for row in rec.actions
    }
    assert later[plan["late"].pk].overdue and later[plan["late"].pk].days_overdue == 14
    assert later[plan["off"].pk].status == S.OFF_TRACK
    assert later[plan["done"].pk].status == S.COMPLETE and not later[plan["done"].pk].overdue
    assert selectors.plan_on(inspection, dt.date(2014, 8, 31))[0].actions == []  # not yet in the plan


def test_board_meeting_puts_off_track_then_overdue_first(plan):
    meeting = selectors.board_meeting(dt.date(2014, 12, 15))
    assert [row.action.pk for row in meeting.attention] == [plan["off"].pk, plan["late"].pk]
    assert meeting.counts[S.COMPLETE] == 1 and meeting.total == 3
    changed = {row.action.pk: was for row, was in meeting.changed_since}
    assert changed == {plan["off"].pk: S.ON_TRACK, plan["done"].pk: S.ON_TRACK}
    off_row = meeting.attention[0]
    assert [item.note for item in off_row.evidence] == ["November audit: 12 of 40 good"]


def test_no_inspection_yet_gives_an_empty_meeting(plan):
    meeting = selectors.board_meeting(dt.date(2014, 1, 1))
    assert meeting.inspection is None and meeting.attention == []


def test_adding_an_action_records_status_history_and_audit(plan, make_user):
    analyst = make_user(Role.PERFORMANCE_ANALYST)
    recommendation = plan["inspection"].recommendations.get(number=1)
    action = services.action_add(
        actor=analyst,
        recommendation=recommendation,
        description="  Weekly unallocated list to the director  ",
        owner=plan["director"],
        due_on=dt.date(2030, 1, 1),
        status=S.ON_TRACK,
    )
    assert action.description == "Weekly unallocated list to the director"
    assert list(action.status_changes.values_list("status", flat=True)) == [S.ON_TRACK]
    assert AuditEvent.objects.filter(
        verb="improvement_action.added", object_id=str(action.pk), actor=analyst
    ).exists()


def test_bad_action_names_every_field_and_writes_nothing(plan, make_user):
    board = make_user(Role.IMPROVEMENT_BOARD)
    recommendation = plan["inspection"].recommendations.get(number=1)
    count = ImprovementAction.objects.count()
    with pytest.raises(ValidationError) as error:
        services.action_add(
            actor=plan["director"],
            recommendation=recommendation,
            description=" ",
            owner=board,
            due_on=None,
            status=S.COMPLETE,
        )
    assert set(error.value.message_dict) == {"description", "owner", "due_on", "completed_on"}
    assert "active member of staff" in error.value.message_dict["owner"][0]
    assert ImprovementAction.objects.count() == count


def test_completion_date_only_for_complete_actions(plan):
    with pytest.raises(ValidationError) as error:
        services.action_update(
            actor=plan["director"],
            action=plan["late"],
            expected_version=plan["late"].version,
            completed_on=dt.date(2014, 12, 1),
        )
    assert "Only a complete action" in error.value.message_dict["completed_on"][0]


def test_update_changes_status_keeps_history_and_refuses_a_stale_version(plan, make_user):
    head = make_user(Role.HEAD_OF_SERVICE)
    action = plan["late"]
    opened = action.version
    updated = services.action_update(actor=head, action=action, expected_version=opened, status=S.AT_RISK)
    assert updated.version == opened + 1
    assert list(updated.status_changes.values_list("status", flat=True))[-1] == S.AT_RISK
    event = AuditEvent.objects.get(verb="improvement_action.updated", object_id=str(action.pk))
    assert event.payload["changed"] == ["status"] and event.payload["before"]["status"] == S.ON_TRACK
    with pytest.raises(ConcurrentEditError):
        services.action_update(actor=head, action=action, expected_version=opened, description="Other words")
    action.refresh_from_db()
    assert action.description == "Allocate every child on a plan"


def test_readers_cannot_write(plan, make_user):
    for role in READERS_ONLY + NEITHER:
        with pytest.raises(PermissionDenied):
            services.evidence_add(
                actor=make_user(role), action=plan["late"], note="x", recorded_on=dt.date(2014, 12, 1)
            )


def test_evidence_needs_a_note_and_a_past_date(plan):
    with pytest.raises(ValidationError) as error:
        services.evidence_add(
            actor=plan["director"], action=plan["late"], note="", recorded_on=dt.date(2999, 1, 1)
        )
    assert set(error.value.message_dict) == {"note", "recorded_on"}


def test_unknown_kpi_id_is_refused(plan):
    with pytest.raises(ValidationError) as error:
        services.recommendation_add(
            actor=plan["director"], inspection=plan["inspection"], text="x", theme="records", kpi_ids=["nope"]
        )
    assert "nope" in error.value.message_dict["kpi_ids"][0]


# Pages -------------------------------------------------------------------------------------------------------


def _pages(plan):
    rec = plan["inspection"].recommendations.get(number=1)
    return {
        "plan": reverse("oversight:plan"),
        "meeting": reverse("oversight:board_meeting") + "?on=2014-12-15",
        "recommendation": reverse("oversight:recommendation", args=[rec.pk]),
        "action_new": reverse("oversight:action_new", args=[rec.pk]),
        "action_edit": reverse("oversight:action_edit", args=[plan["late"].pk]),
        "evidence_new": reverse("oversight:evidence_new", args=[plan["late"].pk]),
    }


READ_PAGES = ("plan", "meeting", "recommendation")
EDIT_PAGES = ("action_new", "action_edit", "evidence_new")


@pytest.mark.parametrize("role", EDITORS + READERS_ONLY + NEITHER)
def test_page_permissions(plan, make_user, client_for, role):
    client = client_for(make_user(role))
    for name, path in _pages(plan).items():
        expected = 200
        if role in NEITHER or (name in EDIT_PAGES and role in READERS_ONLY):
            expected = 403
        assert client.get(path).status_code == expected, (role, name)


def test_meeting_page_shows_off_track_first(plan, make_user, client_for):
    page = client_for(make_user(Role.IMPROVEMENT_BOARD)).get(_pages(plan)["meeting"]).content.decode()
    attention = page[page.index('id="attention"') : page.index("Changed since")]
    assert attention.index("Audit 40 case files") < attention.index("Allocate every child on a plan")
    assert "Overdue 14 days" in attention
    assert "Recording standards issued" not in attention
    assert "Add evidence" not in page  # the board reads only


def test_bad_date_on_the_plan_page_says_so(plan, make_user, client_for):
    page = client_for(make_user(Role.DIRECTOR)).get(reverse("oversight:plan") + "?on=31/12/2014")
    assert "is not a date: enter the date as YYYY-MM-DD" in page.content.decode()


def test_action_form_keeps_what_was_typed_and_names_the_problems(plan, make_user, client_for):
    client = client_for(plan["director"])
    path = _pages(plan)["action_new"]
    response = client.post(
        path,
        {
            "description": "Recruit 12 permanent social workers",
            "owner": "",
            "due_on-day": "31",
            "due_on-month": "2",
            "due_on-year": "2015",
            "status": "on_track",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose who owns the action" in page
    assert "Due date must be a real date" in page
    assert "Recruit 12 permanent social workers" in page
    response = client.post(
        path,
        {
            "description": "Recruit 12 permanent social workers",
            "owner": str(plan["director"].pk),
            "due_on-day": "28",
            "due_on-month": "2",
            "due_on-year": "2015",
            "status": "on_track",
        },
    )
    assert response.status_code == 302
    assert ImprovementAction.objects.filter(description="Recruit 12 permanent social workers").exists()


def test_edit_form_with_a_stale_version_keeps_the_text(plan, make_user, client_for):
    action = plan["late"]
    services.action_update(
        actor=plan["director"], action=action, expected_version=action.version, status=S.AT_RISK
    )
    response = client_for(plan["director"]).post(
        _pages(plan)["action_edit"],
        {
            "description": "My new wording",
            "owner": str(plan["director"].pk),
            "due_on-day": "1",
            "due_on-month": "12",
            "due_on-year": "2014",
            "status": "off_track",
            "version": "1",
        },
    )
    page = response.content.decode()
    assert "changed by someone else" in page and "My new wording" in page
    action.refresh_from_db()
    assert action.description == "Allocate every child on a plan" and action.status == S.AT_RISK


def test_evidence_form(plan, client_for):
    client = client_for(plan["director"])
    path = _pages(plan)["evidence_new"]
    response = client.post(
        path, {"note": "", "recorded_on-day": "1", "recorded_on-month": "12", "recorded_on-year": "2014"}
    )
    assert "Enter the evidence" in response.content.decode()
    response = client.post(
        path,
        {
            "note": "Unallocated down to 3",
            "recorded_on-day": "1",
            "recorded_on-month": "12",
            "recorded_on-year": "2014",
        },
    )
    assert response.status_code == 302
    assert ActionEvidence.objects.filter(note="Unallocated down to 3", author=plan["director"]).exists()


@pytest.mark.parametrize("role", EDITORS + READERS_ONLY + NEITHER)
def test_leaders_have_the_plan_in_their_navigation(db, make_user, client_for, role):
    user = make_user(role)
    client = client_for(user)
    pages = [client.get(reverse("ui:home")).content.decode()]
    pages += [client.get(section.href).content.decode() for section in sections_for(user)]
    assert any(reverse("oversight:plan") in page for page in pages) == (role in EDITORS + READERS_ONLY)


def test_kpi_progress_gives_the_last_years_and_this_year_to_the_day(plan):
    (progress,) = selectors.kpi_progress(["referrals", "not_a_kpi"], dt.date(2014, 12, 15))
    assert progress.name == "Referrals"
    assert [label for label, _ in progress.values] == ["2012-13", "2013-14", "2014-15 to 15 Dec"]
    assert [value for _, value in progress.values] == [0, 0, 0]
