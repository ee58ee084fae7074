"""Writes for case file audits and audit programmes.

The rules (ADR 0014):

- **Domains.** A file is graded in six domains drawn from what Ofsted's inspection of local authority children's
  services (ILACS) evaluates in the experiences and progress of children and the impact of leaders on practice,
  as councils' own audit tools group it (research/domain.md: Lancashire's audit framework, Lincolnshire's
  quality audit, Knowsley, Southwark): the child's voice and lived experience; assessment of need and risk;
  planning and review; management oversight and supervision; recording (the file tells the child's story); and
  the impact on the child. Every domain is graded and has findings.
- **Scale.** Ofsted's four points: outstanding, good, requires improvement (to be good), inadequate. The overall
  grade is the auditor's judgement, not an average of the domains (as Ofsted's overall judgement is not).
- **Who audits.** Team managers, heads of service, the director and auditors (quality assurance officers hold
  the auditor role), on a child they may open. Nobody audits a child whose case they hold (an open allocation):
  they would be grading their own work.
- **Moderation.** A second person with one of those roles, who may open the child, agrees the grade or changes
  it; a changed grade needs the reason. The auditor never moderates their own audit (refused here and by a
  database constraint), and an audit is moderated once. The grade the figures count is the moderated one where
  there is one, the auditor's until then.
- **Actions.** The auditor or the moderator sets actions for the worker, each with a due date from today on
  (within a year), assigned to the child's allocated worker where there is one; anyone who may change the
  child's record answers each action once.
- **The chronology.** Recording and moderating an audit each write a management oversight line on the child's
  chronology; every write has its audit event.
- **Programmes.** A manager draws a random sample of up to 20 children per team from each team's children with
  open statutory work that the manager may open and that have not been audited in the last six months (a team
  manager samples their own team only). An audit recorded for a drawn child marks the entry done.
"""

import datetime as dt
import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.access import can_change_child, can_view_child
from opencsc.accounts.models import Role, Team
from opencsc.audit.changes import record_change
from opencsc.audit.services import audit_event_record
from opencsc.casework.models import Allocation
from opencsc.casework.statutory import children_with_open_statutory_work
from opencsc.core.dates import long_date
from opencsc.core.errors import ConcurrentEditError
from opencsc.core.text_limits import too_long
from opencsc.people.models import Child
from opencsc.people.selectors import children_visible_to
from opencsc.quality import chronology_lines as lines
from opencsc.quality.models import (
    AuditDomain,
    AuditProgramme,
    FileAudit,
    FileAuditAction,
    FileAuditDomainGrade,
    Grade,
    ProgrammeChild,
)

AUDITING_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.AUDITOR}
MODERATING_ROLES = AUDITING_ROLES
PROGRAMME_ROLES = AUDITING_ROLES
SERVICE_WIDE_PROGRAMME_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.AUDITOR}

FINDINGS_MAX_CHARACTERS = 5_000
SUMMARY_MAX_CHARACTERS = 10_000
REASON_MAX_CHARACTERS = 5_000
ACTION_MAX_CHARACTERS = 2_000
RESPONSE_MAX_CHARACTERS = 5_000
TITLE_MAX_CHARACTERS = 120
MOST_PER_TEAM = 20
RECENTLY_AUDITED_DAYS = 182
LONGEST_ACTION_DAYS = 366

HOLDS_THE_CASE = "You hold this child's case: another person audits the file"
OWN_AUDIT = "You carried out this audit: another person moderates it"


def _text(errors: dict, field: str, value: str, *, missing: str, holder: str, limit: int) -> str:
    """The text stripped; 'missing' or 'too long' added to errors on `field`."""
    value = (value or "").strip()
    if not value:
        errors[field] = missing
    elif len(value) > limit:
        errors[field] = too_long(holder, limit, len(value))
    return value


def _grade(errors: dict, field: str, value: str, *, what: str) -> str:
    if value not in Grade.values:
        errors[field] = f"Choose the grade for {what}"
    return value


def holds_the_case(user, child: Child) -> bool:
    return Allocation.objects.filter(child=child, worker=user, ended_on__isnull=True).exists()


def _require_auditor(actor, child: Child) -> None:
    if actor.role not in AUDITING_ROLES or not can_view_child(actor, child):
        raise PermissionDenied("Only a manager or an auditor who may open this record audits the file")


# Audits ---------------------------------------------------------------------------------------------------


@transaction.atomic
def file_audit_record(
    *,
    actor,
    child: Child,
    domain_grades: dict[str, str],
    findings: dict[str, str],
    grade: str,
    summary: str,
) -> FileAudit:
    """Record a graded audit of the child's file (every domain graded with findings, the overall grade and a
    summary), ready for moderation. `domain_grades` and `findings` are keyed by AuditDomain value; errors are
    keyed `<domain>_grade`, `<domain>_findings`, `grade` and `summary`."""
    _require_auditor(actor, child)
    errors: dict = {}
    if holds_the_case(actor, child):
        errors["grade"] = HOLDS_THE_CASE
    rows = []
    for domain in AuditDomain:
        label = domain.label.lower()
        domain_grade = _grade(errors, f"{domain}_grade", domain_grades.get(domain, ""), what=label)
        text = _text(
            errors,
            f"{domain}_findings",
            findings.get(domain, ""),
            missing=f"Enter the findings for {label}",
            holder="findings",
            limit=FINDINGS_MAX_CHARACTERS,
        )
        rows.append((domain, domain_grade, text))
    if "grade" not in errors:
        _grade(errors, "grade", grade, what="the file as a whole")
    summary = _text(
        errors,
        "summary",
        summary,
        missing="Enter the summary: what the file shows about the child's experience",
        holder="a summary",
        limit=SUMMARY_MAX_CHARACTERS,
    )
    if errors:
        raise ValidationError(errors)
    audit = FileAudit.objects.create(
        child=child,
        team=child.responsible_team,
        auditor=actor,
        audited_on=timezone.localdate(),
        grade=grade,
        summary=summary,
    )
    FileAuditDomainGrade.objects.bulk_create(
        FileAuditDomainGrade(audit=audit, domain=domain, grade=domain_grade, findings=text)
        for domain, domain_grade, text in rows
    )
    ProgrammeChild.objects.filter(
        child=child, audit__isnull=True, programme__created_on__lte=audit.audited_on
    ).update(audit=audit)
    record_change(
        actor=actor,
        verb="file_audit.recorded",
        target=audit,
        child=child,
        payload={"grade": grade},
        chronology=lines.file_audit_recorded(audit),
    )
    return audit


@transaction.atomic
def file_audit_moderate(
    *, actor, audit: FileAudit, grade: str, reason: str, expected_version: int
) -> FileAudit:
    """A second person agrees the audit's grade or changes it (a change needs the reason). Once only."""
    if actor.role not in MODERATING_ROLES or not can_view_child(actor, audit.child):
        raise PermissionDenied("Only a manager or an auditor who may open this record moderates the audit")
    audit = FileAudit.objects.select_for_update().select_related("child", "auditor").get(pk=audit.pk)
    if audit.version != expected_version:
        raise ConcurrentEditError("audit")
    if audit.auditor_id == actor.pk:
        raise ValidationError({"grade": OWN_AUDIT})
    if audit.is_moderated:
        raise ValidationError(
            {
                "grade": f"This audit was moderated by {audit.moderated_by.display_name} on {long_date(audit.moderated_on)}"
            }
        )
    errors: dict = {}
    _grade(errors, "grade", grade, what="the file as a whole")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_CHARACTERS:
        errors["reason"] = too_long("a reason", REASON_MAX_CHARACTERS, len(reason))
    elif "grade" not in errors and grade != audit.grade and not reason:
        errors["reason"] = (
            f"Say why you changed the grade from {Grade(audit.grade).label.lower()} "
            f"to {Grade(grade).label.lower()}"
        )
    if errors:
        raise ValidationError(errors)
    audit.moderated_by = actor
    audit.moderated_on = timezone.localdate()
    audit.moderated_grade = grade
    audit.moderation_reason = reason
    audit.version += 1
    audit.save()
    record_change(
        actor=actor,
        verb="file_audit.moderated",
        target=audit,
        child=audit.child,
        payload={"grade": grade, "auditor_grade": audit.grade, "reason": reason},
        chronology=lines.file_audit_moderated(audit),
    )
    return audit


def can_set_actions(user, audit: FileAudit) -> bool:
    return user.pk in (audit.auditor_id, audit.moderated_by_id) and can_view_child(user, audit.child)


def allocated_worker(child: Child):
    allocation = (
        Allocation.objects.filter(child=child, ended_on__isnull=True, worker__isnull=False)
        .select_related("worker")
        .order_by("-started_on", "-id")
        .first()
    )
    return allocation.worker if allocation else None


@transaction.atomic
def file_audit_action_add(*, actor, audit: FileAudit, action: str, due_on: dt.date | None) -> FileAuditAction:
    """An action for the worker, due from today up to a year ahead, assigned to the allocated worker."""
    if not can_set_actions(actor, audit):
        raise PermissionDenied("Only the auditor or the moderator sets actions from this audit")
    errors: dict = {}
    action = _text(
        errors,
        "action",
        action,
        missing="Enter what the worker should do",
        holder="an action",
        limit=ACTION_MAX_CHARACTERS,
    )
    today = timezone.localdate()
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    elif due_on < today:
        errors["due_on"] = "The date the action is due must be today or later"
    elif due_on > today + dt.timedelta(days=LONGEST_ACTION_DAYS):
        errors["due_on"] = "The date the action is due must be within a year"
    if errors:
        raise ValidationError(errors)
    created = FileAuditAction.objects.create(
        audit=audit,
        action=action,
        due_on=due_on,
        assigned_to=allocated_worker(audit.child),
        added_by=actor,
        added_on=today,
    )
    audit_event_record(
        actor=actor,
        verb="file_audit.action_added",
        target=created,
        child=audit.child,
        payload={"audit": audit.pk, "due_on": due_on.isoformat()},
    )
    return created


@transaction.atomic
def file_audit_action_answer(*, actor, action: FileAuditAction, response: str) -> FileAuditAction:
    """The worker's answer to an action: once, by someone who may change the child's record."""
    child = action.audit.child
    if not can_change_child(actor, child):
        raise PermissionDenied("Only someone who works on this child's record answers the audit's actions")
    action = FileAuditAction.objects.select_for_update().get(pk=action.pk)
    if action.is_answered:
        raise ValidationError(
            {
                "response": f"This action was answered by {action.answered_by.display_name} on {long_date(action.answered_on)}"
            }
        )
    errors: dict = {}
    response = _text(
        errors,
        "response",
        response,
        missing="Enter what was done about the action",
        holder="an answer",
        limit=RESPONSE_MAX_CHARACTERS,
    )
    if errors:
        raise ValidationError(errors)
    action.response = response
    action.answered_by = actor
    action.answered_on = timezone.localdate()
    action.save()
    audit_event_record(
        actor=actor,
        verb="file_audit.action_answered",
        target=action,
        child=child,
        payload={"audit": action.audit_id},
    )
    return action


# Programmes -------------------------------------------------------------------------------------------------


def teams_to_sample(user):
    """The teams whose files this user may sample: a team manager's own team, every team for the others."""
    if user.role == Role.TEAM_MANAGER:
        return Team.objects.filter(pk=user.team_id)
    if user.role in SERVICE_WIDE_PROGRAMME_ROLES:
        return Team.objects.order_by("name")
    return Team.objects.none()


def sampling_frame(actor, team: Team) -> list[int]:
    """Ids of the team's children that a programme may draw: open statutory work, open to the actor (so no
    restricted record the actor is not named on), no audit in the last six months. Sorted, for the draw."""
    recently = timezone.localdate() - dt.timedelta(days=RECENTLY_AUDITED_DAYS)
    audited = FileAudit.objects.filter(audited_on__gte=recently).values("child_id")
    candidates = (
        children_visible_to(actor)
        .filter(responsible_team=team, pk__in=list(children_with_open_statutory_work()))
        .exclude(pk__in=audited)
    )
    return sorted(candidates.values_list("pk", flat=True))


@transaction.atomic
def audit_programme_create(
    *, actor, title: str, teams: list[Team], per_team: int | None, rng: random.Random | None = None
) -> AuditProgramme:
    """Draw up to `per_team` children at random from each team's sampling frame."""
    if actor.role not in PROGRAMME_ROLES:
        raise PermissionDenied("Only a manager or an auditor draws an audit programme")
    errors: dict = {}
    title = _text(
        errors,
        "title",
        title,
        missing="Enter a name for the programme, such as 'March 2026 audits'",
        holder="a name",
        limit=TITLE_MAX_CHARACTERS,
    )
    if per_team is None or not 1 <= per_team <= MOST_PER_TEAM:
        errors["per_team"] = f"Files from each team must be a number from 1 to {MOST_PER_TEAM}"
    allowed = set(teams_to_sample(actor).values_list("pk", flat=True))
    if not teams:
        errors["teams"] = "Choose at least one team"
    elif any(team.pk not in allowed for team in teams):
        errors["teams"] = "A team manager draws files from their own team only"
    if errors:
        raise ValidationError(errors)
    rng = rng or random.SystemRandom()
    drawn = []
    for team in sorted(teams, key=lambda team: team.name):
        frame = sampling_frame(actor, team)
        drawn += [(team, child_id) for child_id in rng.sample(frame, min(per_team, len(frame)))]
    if not drawn:
        raise ValidationError(
            {
                "teams": "None of these teams has a child with open statutory work left to audit (a child audited in "
                "the last six months is not drawn again)"
            }
        )
    programme = AuditProgramme.objects.create(
        title=title, per_team=per_team, created_by=actor, created_on=timezone.localdate()
    )
    ProgrammeChild.objects.bulk_create(
        ProgrammeChild(programme=programme, team=team, child_id=child_id) for team, child_id in drawn
    )
    audit_event_record(
        actor=actor,
        verb="audit_programme.drawn",
        target=programme,
        payload={"teams": [team.pk for team in teams], "per_team": per_team, "drawn": len(drawn)},
    )
    return programme
