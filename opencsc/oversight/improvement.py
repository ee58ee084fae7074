"""Writes for the improvement plan: inspections, recommendations, actions, status changes and evidence.

Directors, heads of service and performance analysts keep the plan; the chief executive and the improvement board
read it. Every write records an audit event in its own transaction. Editing an action checks the version the
editor opened, so two people updating the same action cannot overwrite each other unseen.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from opencsc.accounts.models import Role, User
from opencsc.audit.services import audit_event_record
from opencsc.core.errors import ConcurrentEditError
from opencsc.insight.kpis import KPIS
from opencsc.oversight.models import (
    ActionEvidence,
    ActionStatus,
    ActionStatusChange,
    ImprovementAction,
    Inspection,
    Judgement,
    Recommendation,
    Theme,
)

PLAN_EDIT_ROLES = {Role.DIRECTOR, Role.HEAD_OF_SERVICE, Role.PERFORMANCE_ANALYST}
PLAN_READ_ROLES = PLAN_EDIT_ROLES | {Role.CHIEF_EXECUTIVE, Role.IMPROVEMENT_BOARD}
# Who may own an action: the people who run the service and answer for it, not the board that holds them to it.
OWNER_ROLES = {
    Role.TEAM_MANAGER,
    Role.HEAD_OF_SERVICE,
    Role.DIRECTOR,
    Role.PERFORMANCE_ANALYST,
    Role.CHIEF_EXECUTIVE,
    Role.AUDITOR,
    Role.ADMINISTRATOR,
}
ACTION_FIELDS = ("description", "owner", "due_on", "status", "completed_on")


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_read_plan(user) -> bool:
    return _active(user) and user.role in PLAN_READ_ROLES


def can_edit_plan(user) -> bool:
    return _active(user) and user.role in PLAN_EDIT_ROLES


def _require_editor(actor) -> None:
    if not can_edit_plan(actor):
        raise PermissionDenied(
            "Only the director, heads of service and performance analysts change the improvement plan"
        )


def owner_choices():
    return User.objects.filter(is_active=True, role__in=OWNER_ROLES).order_by("last_name", "first_name")


@transaction.atomic
def inspection_record(
    *,
    actor,
    title: str,
    inspected_from: dt.date,
    inspected_to: dt.date,
    published_on: dt.date,
    overall_judgement: str,
    summary: str = "",
) -> Inspection:
    _require_editor(actor)
    errors = {}
    if not title.strip():
        errors["title"] = "Enter the inspection's title"
    if overall_judgement not in Judgement.values:
        errors["overall_judgement"] = "Choose the overall judgement"
    if inspected_to < inspected_from:
        errors["inspected_to"] = "The last day of the inspection must be on or after its first day"
    if published_on < inspected_to:
        errors["published_on"] = "The report must be published on or after the last day of the inspection"
    if errors:
        raise ValidationError(errors)
    inspection = Inspection.objects.create(
        title=title.strip(),
        inspected_from=inspected_from,
        inspected_to=inspected_to,
        published_on=published_on,
        overall_judgement=overall_judgement,
        summary=summary.strip(),
    )
    audit_event_record(actor=actor, verb="inspection.recorded", target=inspection)
    return inspection


def _check_kpi_ids(kpi_ids: list[str]) -> None:
    unknown = [kpi_id for kpi_id in kpi_ids if kpi_id not in KPIS]
    if unknown:
        raise ValidationError({"kpi_ids": f"Unknown KPI id: {', '.join(unknown)}"})


@transaction.atomic
def recommendation_add(
    *, actor, inspection: Inspection, text: str, theme: str, kpi_ids: list[str] | None = None
) -> Recommendation:
    _require_editor(actor)
    if not text.strip():
        raise ValidationError({"text": "Enter the recommendation's text"})
    if theme not in Theme.values:
        raise ValidationError({"theme": "Choose the theme"})
    kpi_ids = list(dict.fromkeys(kpi_ids or []))
    _check_kpi_ids(kpi_ids)
    number = (
        inspection.recommendations.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    recommendation = Recommendation.objects.create(
        inspection=inspection, number=number, text=text.strip(), theme=theme, kpi_ids=kpi_ids
    )
    audit_event_record(actor=actor, verb="recommendation.added", target=recommendation)
    return recommendation


def _check_action(fields: dict, *, today: dt.date, created_on: dt.date | None) -> dict:
    """Returns the cleaned fields, or raises a ValidationError naming every field that is wrong."""
    errors = action_problems(fields, today=today, created_on=created_on)
    if errors:
        raise ValidationError(errors)
    return {**fields, "description": fields["description"].strip()}


def action_problems(fields: dict, *, today: dt.date, created_on: dt.date | None = None) -> dict[str, str]:
    """What is wrong with an action's fields, by field name (empty when all is well)."""
    errors = {}
    description = (fields.get("description") or "").strip()
    if not description:
        errors["description"] = "Enter what the action is"
    owner = fields.get("owner")
    if owner is None:
        errors["owner"] = "Choose who owns the action"
    elif not owner.is_active or owner.role not in OWNER_ROLES:
        errors["owner"] = "The owner must be an active member of staff who runs part of the service"
    due_on = fields.get("due_on")
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    status = fields.get("status")
    if status not in ActionStatus.values:
        errors["status"] = "Choose the action's status"
    completed_on = fields.get("completed_on")
    if status == ActionStatus.COMPLETE:
        if completed_on is None:
            errors["completed_on"] = "Enter the date the action was completed"
        elif completed_on > today:
            errors["completed_on"] = "The completion date must be today or in the past"
        elif created_on and completed_on < created_on:
            errors["completed_on"] = "The completion date must be on or after the day the action was added"
    elif completed_on is not None:
        errors["completed_on"] = "Only a complete action has a completion date: clear it, or mark it complete"
    return errors


@transaction.atomic
def action_add(
    *,
    actor,
    recommendation: Recommendation,
    description: str,
    owner,
    due_on: dt.date | None,
    status: str = ActionStatus.NOT_STARTED,
    completed_on: dt.date | None = None,
) -> ImprovementAction:
    _require_editor(actor)
    today = timezone.localdate()
    fields = _check_action(
        {
            "description": description,
            "owner": owner,
            "due_on": due_on,
            "status": status,
            "completed_on": completed_on,
        },
        today=today,
        created_on=None,
    )
    action = ImprovementAction.objects.create(recommendation=recommendation, **fields)
    ActionStatusChange.objects.create(action=action, status=action.status, on=today, changed_by=actor)
    audit_event_record(
        actor=actor,
        verb="improvement_action.added",
        target=action,
        payload={"recommendation": recommendation.number, "status": action.status},
    )
    return action


def _snapshot(action: ImprovementAction) -> dict:
    return {
        "description": action.description,
        "owner": action.owner_id,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "status": action.status,
        "completed_on": action.completed_on.isoformat() if action.completed_on else None,
    }


@transaction.atomic
def action_update(*, actor, action: ImprovementAction, expected_version: int, **fields) -> ImprovementAction:
    """Change an action's description, owner, due date, status or completion date. A change of status is kept
    in the action's history, dated today."""
    _require_editor(actor)
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown action fields: {sorted(unknown)}")
    locked = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    if locked.version != expected_version:
        raise ConcurrentEditError("action")
    today = timezone.localdate()
    merged = {name: getattr(locked, name) for name in ACTION_FIELDS} | fields
    cleaned = _check_action(merged, today=today, created_on=locked.created_at.date())
    before = _snapshot(locked)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    after = _snapshot(locked)
    changed = [name for name in ACTION_FIELDS if before[name] != after[name]]
    if not changed:
        return locked
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db(fields=["version"])
    if "status" in changed:
        ActionStatusChange.objects.create(action=locked, status=locked.status, on=today, changed_by=actor)
    audit_event_record(
        actor=actor,
        verb="improvement_action.updated",
        target=locked,
        payload={"changed": changed, "before": {k: before[k] for k in changed}},
    )
    return locked


@transaction.atomic
def evidence_add(
    *, actor, action: ImprovementAction, note: str, recorded_on: dt.date | None
) -> ActionEvidence:
    _require_editor(actor)
    errors = {}
    if not (note or "").strip():
        errors["note"] = "Enter the evidence: what was done, and what it shows"
    if recorded_on is None:
        errors["recorded_on"] = "Enter the date the evidence is from"
    elif recorded_on > timezone.localdate():
        errors["recorded_on"] = "The date of the evidence must be today or in the past"
    if errors:
        raise ValidationError(errors)
    evidence = ActionEvidence.objects.create(
        action=action, note=note.strip(), recorded_on=recorded_on, author=actor
    )
    audit_event_record(
        actor=actor, verb="improvement_evidence.added", target=evidence, payload={"action": action.pk}
    )
    return evidence
