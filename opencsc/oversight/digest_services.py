"""Answering a line of the daily digest once: the answer is recorded on every escalation in the line.

The line is the set of escalations the leader was shown (their ids come back with the answer), so an escalation
that reached the line after the page was drawn is not answered unseen. Under row locks, taken in id order as the
sweep takes them, each one is checked again: one answered meanwhile, or climbed away to someone else, is left as it
is and counted; the rest are closed with the answer, each with its own step and audit event, and one audit event
records the answer to the line.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.audit.context import current_ip
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import audit_event_record
from opencsc.oversight.digest import digest_level, group_key
from opencsc.oversight.models import Escalation, EscalationStep, StepKind
from opencsc.oversight.services import can_act_on

RESPONSE_MISSING = "Enter what will be done about these, and by whom"
NOTHING_CHOSEN = "Choose a line of the digest to answer"
MOST_IN_A_LINE = 5000


@dataclass
class GroupAnswer:
    answered: list[int] = field(default_factory=list)
    already_answered: int = 0  # closed by someone else since the digest was drawn
    moved_on: int = 0  # climbed to another level or holder since: not the leader's to answer now


class DigestLine:
    """The audit row's object: a line of the digest has no table row of its own, so it is named by its key."""

    def __init__(self, level: str, rule_id: str, team_id: int | None):
        self.pk = f"{level}:{group_key(rule_id, team_id)}"


def _check(actor, escalation_ids: list[int], response: str) -> tuple[str, str]:
    level = digest_level(actor)
    if level is None:
        raise PermissionDenied("Digests are for the director and the chief executive")
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": RESPONSE_MISSING})
    if not escalation_ids or len(escalation_ids) > MOST_IN_A_LINE:
        raise ValidationError(NOTHING_CHOSEN)
    return level, response


def _close(escalation: Escalation, actor, response: str, now: dt.datetime, today: dt.date) -> EscalationStep:
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at, escalation.acknowledged_by = now, actor
    escalation.closed_at, escalation.closed_by, escalation.response = now, actor, response
    escalation.updated_at = now
    return EscalationStep(
        escalation=escalation,
        kind=StepKind.CLOSED,
        level=escalation.level,
        assigned_to_id=escalation.assigned_to_id,
        actor=actor,
        on=today,
        note=response,
    )


def _closed_event(escalation: Escalation, actor, line: DigestLine) -> AuditEvent:
    return AuditEvent(
        actor=actor,
        verb="escalation.closed",
        object_type="Escalation",
        object_id=str(escalation.pk),
        child_id=escalation.child_id,
        payload={
            "level": escalation.level,
            "breach_resolved": escalation.breach_resolved_on is not None,
            "digest_line": line.pk,
        },
        ip_address=current_ip.get(),
    )


@transaction.atomic
def escalation_group_answer(
    *, actor, rule_id: str, team_id: int | None, escalation_ids: list[int], response: str
) -> GroupAnswer:
    """Answer one line of the actor's digest (one clock, one team) with what will be done."""
    level, response = _check(actor, escalation_ids, response)
    locked = list(
        Escalation.objects.select_for_update()
        .filter(pk__in=escalation_ids, rule_id=rule_id, team_id=team_id)
        .order_by("pk")
    )
    if len(locked) != len(set(escalation_ids)):
        raise ValidationError("Some of these escalations are not on this line of the digest")
    result = GroupAnswer()
    line = DigestLine(level, rule_id, team_id)
    now, today = timezone.now(), timezone.localdate()
    closing, steps = [], []
    for escalation in locked:
        if escalation.closed_at is not None:
            result.already_answered += 1
        elif escalation.level != level or not can_act_on(actor, escalation):
            result.moved_on += 1
        else:
            steps.append(_close(escalation, actor, response, now, today))
            closing.append(escalation)
    if not closing:
        if result.already_answered:
            raise ValidationError("Every escalation on this line has been answered already")
        raise PermissionDenied("These escalations are no longer yours to answer")
    fields = ["acknowledged_at", "acknowledged_by", "closed_at", "closed_by", "response", "updated_at"]
    Escalation.objects.bulk_update(closing, fields)
    EscalationStep.objects.bulk_create(steps)
    AuditEvent.objects.bulk_create(_closed_event(escalation, actor, line) for escalation in closing)
    result.answered = [escalation.pk for escalation in closing]
    audit_event_record(
        actor=actor,
        verb="escalation_digest_line.answered",
        target=line,
        payload={
            "level": level,
            "rule_id": rule_id,
            "team_id": team_id,
            "escalations": result.answered,
            "already_answered": result.already_answered,
            "moved_on": result.moved_on,
        },
    )
    return result
