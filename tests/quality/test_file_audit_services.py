"""Case file audits (issue 13 point 6): recording, moderation, actions and programmes through the services; each
refusal names its field and writes nothing."""

import datetime as dt
import random
from functools import partial

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ChronologyCategory, ChronologyEntry
from opencsc.core.errors import ConcurrentEditError
from opencsc.people.models import ChildAccessGrant
from opencsc.quality import services
from opencsc.quality.models import (
    AuditDomain,
    AuditProgramme,
    FileAudit,
    FileAuditAction,
    FileAuditDomainGrade,
    Grade,
    ProgrammeChild,
)
from tests.factories import assert_refused
from tests.quality import builders

ROW_MODELS = (
    FileAudit,
    FileAuditDomainGrade,
    FileAuditAction,
    AuditProgramme,
    ProgrammeChild,
    AuditEvent,
    ChronologyEntry,
)
TODAY = dt.date(2026, 3, 20)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(
        dt.datetime(2026, 3, 20, 12, 0, tzinfo=timezone.get_current_timezone()), tick=False
    ):
        yield


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


_refused = partial(assert_refused, counts=_counts)


@pytest.fixture
def world(teams, make_user):
    north = teams["north"]
    worker = make_user(Role.SOCIAL_WORKER, north)
    child = builders.child(worker, north)
    builders.allocate(child, worker)
    return {
        "north": north,
        "south": teams["south"],
        "worker": worker,
        "child": child,
        "manager": make_user(Role.TEAM_MANAGER, north),
        "auditor": make_user(Role.AUDITOR),
        "head": make_user(Role.HEAD_OF_SERVICE),
    }


# Recording ------------------------------------------------------------------------------------------------


def test_an_audit_grades_every_domain_and_goes_on_the_chronology_as_management_oversight(world):
    audit = builders.record(world["auditor"], world["child"], Grade.REQUIRES_IMPROVEMENT)

    assert audit.audited_on == TODAY and audit.team == world["north"] and not audit.is_moderated
    assert audit.final_grade == Grade.REQUIRES_IMPROVEMENT
    assert {row.domain for row in audit.domain_grades.all()} == set(AuditDomain.values)
    event = AuditEvent.objects.get(verb="file_audit.recorded")
    assert event.child == world["child"] and event.actor == world["auditor"]
    line = ChronologyEntry.objects.get(child=world["child"], category=ChronologyCategory.OVERSIGHT)
    assert line.occurred_on == TODAY and line.recorded_by == world["auditor"]
    assert "Case file audit by" in line.summary and "requires improvement" in line.summary


@pytest.mark.parametrize(
    "overrides, field, text",
    [
        ({"domain_grades": {}}, "voice_of_child_grade", "Choose the grade for the child's voice"),
        (
            {"domain_grades": {d.value: "excellent" for d in AuditDomain}},
            "outcomes_grade",
            "Choose the grade",
        ),
        (
            {"findings": {d.value: "  " for d in AuditDomain}},
            "planning_findings",
            "Enter the findings for planning",
        ),
        (
            {"findings": {d.value: "x" * 5_001 for d in AuditDomain}},
            "recording_findings",
            "Too long: the most findings can hold is 5,000 characters",
        ),
        ({"grade": ""}, "grade", "Choose the grade for the file as a whole"),
        ({"summary": ""}, "summary", "Enter the summary"),
    ],
)
def test_an_incomplete_audit_is_refused_on_the_field_and_nothing_is_written(world, overrides, field, text):
    _refused(lambda: builders.record(world["auditor"], world["child"], **overrides), field, text)


def test_the_worker_who_holds_the_case_does_not_audit_it(world):
    held = builders.child(world["worker"], world["north"], "Held")
    builders.allocate(held, world["manager"])
    _refused(lambda: builders.record(world["manager"], held), "grade", services.HOLDS_THE_CASE)


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.PERFORMANCE_ANALYST, Role.ADMINISTRATOR])
def test_roles_that_do_not_audit_are_refused(world, make_user, role):
    before = _counts()
    with pytest.raises(PermissionDenied):
        builders.record(make_user(role, world["north"]), world["child"])
    assert _counts() == before


def test_a_manager_who_may_not_open_the_child_is_refused_and_a_restricted_child_needs_the_name(
    world, make_user
):
    other_manager = make_user(Role.TEAM_MANAGER, world["south"])
    with pytest.raises(PermissionDenied):
        builders.record(other_manager, world["child"])
    hidden = builders.child(world["worker"], world["north"], "Hidden", restricted=True)
    with pytest.raises(PermissionDenied):
        builders.record(world["auditor"], hidden)
    ChildAccessGrant.objects.create(child=hidden, user=world["auditor"], granted_by=world["head"])
    assert builders.record(world["auditor"], hidden).child == hidden


# Moderation -----------------------------------------------------------------------------------------------


def test_a_second_person_agrees_the_grade_without_a_reason(world):
    audit = builders.record(world["auditor"], world["child"], Grade.GOOD)
    moderated = services.file_audit_moderate(
        actor=world["head"], audit=audit, grade=Grade.GOOD, reason="", expected_version=audit.version
    )
    assert moderated.is_moderated and not moderated.grade_changed and moderated.final_grade == Grade.GOOD
    assert moderated.moderated_on == TODAY and moderated.version == audit.version + 1
    line = ChronologyEntry.objects.get(source_key=f"file-audit-{audit.pk}-moderated")
    assert line.category == ChronologyCategory.OVERSIGHT and "agreed the grade, good" in line.summary


def test_a_changed_grade_needs_its_reason_and_then_counts(world):
    audit = builders.record(world["auditor"], world["child"], Grade.GOOD)
    _refused(
        lambda: services.file_audit_moderate(
            actor=world["head"], audit=audit, grade=Grade.REQUIRES_IMPROVEMENT, reason=" ", expected_version=1
        ),
        "reason",
        "Say why you changed the grade from good to requires improvement",
    )
    moderated = services.file_audit_moderate(
        actor=world["head"],
        audit=audit,
        grade=Grade.REQUIRES_IMPROVEMENT,
        reason="No visit for eight weeks.",
        expected_version=1,
    )
    assert moderated.grade == Grade.GOOD and moderated.final_grade == Grade.REQUIRES_IMPROVEMENT
    line = ChronologyEntry.objects.get(source_key=f"file-audit-{audit.pk}-moderated")
    assert "changed the grade from good to requires improvement: No visit for eight weeks." in line.summary


def test_nobody_moderates_their_own_audit_and_an_audit_is_moderated_once(world, make_user):
    audit = builders.record(world["auditor"], world["child"])
    _refused(
        lambda: services.file_audit_moderate(
            actor=world["auditor"], audit=audit, grade=Grade.GOOD, reason="", expected_version=1
        ),
        "grade",
        services.OWN_AUDIT,
    )
    services.file_audit_moderate(
        actor=world["head"], audit=audit, grade=Grade.GOOD, reason="", expected_version=1
    )
    _refused(
        lambda: services.file_audit_moderate(
            actor=world["manager"], audit=audit, grade=Grade.INADEQUATE, reason="Worse", expected_version=2
        ),
        "grade",
        "This audit was moderated by",
    )


def test_the_database_also_refuses_an_auditor_as_moderator(world):
    audit = builders.record(world["auditor"], world["child"])
    with pytest.raises(IntegrityError), transaction.atomic():
        FileAudit.objects.filter(pk=audit.pk).update(
            moderated_by=world["auditor"], moderated_on=TODAY, moderated_grade=Grade.GOOD
        )


def test_a_moderation_from_a_page_opened_before_another_is_refused(world):
    audit = builders.record(world["auditor"], world["child"])
    before = _counts()
    with pytest.raises(ConcurrentEditError):
        services.file_audit_moderate(
            actor=world["head"], audit=audit, grade=Grade.GOOD, reason="", expected_version=audit.version - 1
        )
    assert _counts() == before


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.PERFORMANCE_ANALYST, Role.CHIEF_EXECUTIVE])
def test_roles_that_do_not_moderate_are_refused(world, make_user, role):
    audit = builders.record(world["auditor"], world["child"])
    with pytest.raises(PermissionDenied):
        services.file_audit_moderate(
            actor=make_user(role, world["north"]),
            audit=audit,
            grade=Grade.GOOD,
            reason="",
            expected_version=1,
        )
    audit.refresh_from_db()
    assert not audit.is_moderated


# Actions --------------------------------------------------------------------------------------------------


def _add(world, audit, due_on=TODAY + dt.timedelta(days=14), action="Update the chronology", actor=None):
    return services.file_audit_action_add(
        actor=actor or world["auditor"], audit=audit, action=action, due_on=due_on
    )


def test_an_action_is_for_the_allocated_worker_who_answers_it_once(world):
    audit = builders.record(world["auditor"], world["child"])
    action = _add(world, audit)
    assert action.assigned_to == world["worker"] and not action.is_answered

    answered = services.file_audit_action_answer(
        actor=world["worker"], action=action, response="Chronology brought up to date."
    )
    assert answered.answered_by == world["worker"] and answered.answered_on == TODAY
    _refused(
        lambda: services.file_audit_action_answer(actor=world["manager"], action=action, response="Again"),
        "response",
        "This action was answered by",
    )
    assert set(AuditEvent.objects.filter(child=world["child"]).values_list("verb", flat=True)) >= {
        "file_audit.action_added",
        "file_audit.action_answered",
    }


@pytest.mark.parametrize(
    "due_on, action, field, text",
    [
        (None, "Visit", "due_on", "Enter the date the action is due"),
        (TODAY - dt.timedelta(days=1), "Visit", "due_on", "must be today or later"),
        (TODAY + dt.timedelta(days=400), "Visit", "due_on", "must be within a year"),
        (TODAY, "", "action", "Enter what the worker should do"),
        (TODAY, "x" * 2_001, "action", "Too long: the most an action can hold is 2,000 characters"),
    ],
)
def test_a_bad_action_is_refused_on_the_field(world, due_on, action, field, text):
    audit = builders.record(world["auditor"], world["child"])
    _refused(lambda: _add(world, audit, due_on=due_on, action=action), field, text)


def test_only_the_auditor_or_moderator_sets_actions_and_only_the_childs_workers_answer(world, make_user):
    audit = builders.record(world["auditor"], world["child"])
    with pytest.raises(PermissionDenied):
        _add(world, audit, actor=world["manager"])
    action = _add(world, audit)
    with pytest.raises(PermissionDenied):
        services.file_audit_action_answer(actor=world["auditor"], action=action, response="Done")
    with pytest.raises(PermissionDenied):
        services.file_audit_action_answer(
            actor=make_user(Role.SOCIAL_WORKER, world["south"]), action=action, response="Done"
        )
    _refused(
        lambda: services.file_audit_action_answer(actor=world["worker"], action=action, response=""),
        "response",
        "Enter what was done",
    )


# Programmes -----------------------------------------------------------------------------------------------


def _team_with_open_work(world, team, count: int, prefix: str):
    children = []
    for number in range(count):
        made = builders.child(world["head"], team, f"{prefix}{number}")
        builders.open_assessment(made, world["head"])
        children.append(made)
    return children


def test_a_programme_draws_at_random_from_each_teams_open_work_and_an_audit_marks_it_done(world):
    north = _team_with_open_work(world, world["north"], 6, "North")
    south = _team_with_open_work(world, world["south"], 2, "South")
    builders.child(world["head"], world["north"], "Closed")  # no open statutory work: never drawn
    builders.record(world["auditor"], north[0])  # audited this month: not drawn again
    hidden = _team_with_open_work(world, world["north"], 1, "Hidden")[0]
    type(hidden).objects.filter(pk=hidden.pk).update(is_restricted=True)

    programme = services.audit_programme_create(
        actor=world["head"],
        title="March 2026",
        teams=[world["north"], world["south"]],
        per_team=3,
        rng=random.Random(4),
    )

    entries = list(programme.entries.all())
    drawn_north = {e.child_id for e in entries if e.team == world["north"]}
    assert len(drawn_north) == 3 and drawn_north <= {c.pk for c in north[1:]}
    assert {e.child_id for e in entries if e.team == world["south"]} == {c.pk for c in south}
    assert AuditEvent.objects.filter(verb="audit_programme.drawn").count() == 1

    first = entries[0]
    builders.record(world["auditor"], first.child)
    first.refresh_from_db()
    assert first.audit is not None and programme.entries.filter(audit__isnull=True).count() == 4


def test_a_team_manager_draws_from_their_own_team_only(world):
    _team_with_open_work(world, world["north"], 2, "North")
    _refused(
        lambda: services.audit_programme_create(
            actor=world["manager"], title="March", teams=[world["south"]], per_team=2
        ),
        "teams",
        "A team manager draws files from their own team only",
    )
    programme = services.audit_programme_create(
        actor=world["manager"], title="March", teams=[world["north"]], per_team=2
    )
    assert programme.entries.count() == 2


@pytest.mark.parametrize(
    "title, per_team, with_team, field, text",
    [
        ("", 3, True, "title", "Enter a name for the programme"),
        ("March", 0, True, "per_team", "a number from 1 to 20"),
        ("March", 21, True, "per_team", "a number from 1 to 20"),
        ("March", None, True, "per_team", "a number from 1 to 20"),
        ("March", 3, False, "teams", "Choose at least one team"),
    ],
)
def test_a_bad_programme_is_refused_on_the_field(world, title, per_team, with_team, field, text):
    _team_with_open_work(world, world["north"], 2, "North")
    _refused(
        lambda: services.audit_programme_create(
            actor=world["head"], title=title, teams=[world["north"]] if with_team else [], per_team=per_team
        ),
        field,
        text,
    )


def test_a_programme_with_nothing_to_draw_is_refused(world):
    _refused(
        lambda: services.audit_programme_create(
            actor=world["head"], title="March", teams=[world["south"]], per_team=3
        ),
        "teams",
        "None of these teams has a child with open statutory work left to audit",
    )


def test_a_social_worker_does_not_draw_programmes(world):
    with pytest.raises(PermissionDenied):
        services.audit_programme_create(
            actor=world["worker"], title="Mine", teams=[world["north"]], per_team=1
        )
