"""Every write about pre-proceedings, care proceedings and court orders.

Each service runs in one transaction, refuses what breaks a rule with a message on the field, and writes its
audit event and chronology line together (`record_change`). The rules:

- a legal gateway meeting records its decision; a decision to start pre-proceedings opens them (refused while
  pre-proceedings or proceedings are open), and a decision to issue is refused while proceedings are open;
- the letter before proceedings is sent once, on or after the start; the pre-proceedings meeting is held once,
  on or after the letter; pre-proceedings end (concerns reduced, or another reason) on or after their start, or
  end with "proceedings issued" when proceedings are issued;
- one open set of proceedings per child; the timetable is extended by 1 to 8 weeks at a time, with the reason,
  on or after the issue; a hearing is listed on or after the issue (it may be listed ahead) and its outcome is
  recorded once, from the day it was listed for; proceedings conclude on or after their issue;
- an order is made on or after the issue of the open proceedings it belongs to (an order with no open
  proceedings, such as a placement order after care proceedings ended, stands alone); a final order ends the
  interim orders it replaces, and a special guardianship or child arrangements order discharges a care order;
- when an order confers a legal status (interim care C1, care C2, placement E1) on a child who is looked after,
  the legal status of the open episode changes on the day the order was made (through the looked-after service,
  so the SSDA903 episodes are the same as if the change were recorded there). An order made before the current
  period of care started leaves the episode alone.

Dates of events are checked with the one rule (not in the future, not before birth), except the day a hearing is
listed for, which may be ahead.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.audit.changes import record_change
from opencsc.core.dates import long_date
from opencsc.core.event_dates import check_date_given
from opencsc.legal import chronology_lines as lines
from opencsc.legal.clocks import timetable_week
from opencsc.legal.models import (
    ORDER_LEGAL_STATUS,
    REPLACES,
    CareProceedings,
    CourtOrder,
    GatewayDecision,
    Hearing,
    HearingKind,
    LegalGatewayMeeting,
    OrderKind,
    PreProceedings,
    PreProceedingsOutcome,
    TimetableExtension,
)
from opencsc.looked_after.models import Episode
from opencsc.looked_after.services import episode_change_legal_status
from opencsc.people.models import Child

MAX_EXTENSION_WEEKS = 8
REASON_MAX_CHARACTERS = 2000


def _require_change(actor, child: Child) -> Child:
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot change this child's record")
    return Child.objects.select_for_update().get(pk=child.pk)


def _open_pre_proceedings(child: Child) -> PreProceedings | None:
    return PreProceedings.objects.filter(child=child, ended_on__isnull=True).first()


def _open_proceedings(child: Child) -> CareProceedings | None:
    return CareProceedings.objects.filter(child=child, concluded_on__isnull=True).first()


def _require_pre_proceedings(child: Child, field: str) -> PreProceedings:
    pre = _open_pre_proceedings(child)
    if pre is None:
        raise ValidationError({field: f"{child.full_name} is not in pre-proceedings"})
    return pre


def _require_proceedings(child: Child, field: str) -> CareProceedings:
    proceedings = _open_proceedings(child)
    if proceedings is None:
        raise ValidationError({field: f"{child.full_name} has no open care proceedings"})
    return proceedings


def _not_before(
    errors: dict, field: str, on: dt.date | None, earliest: dt.date, what: str, since: str
) -> None:
    if on is not None and field not in errors and on < earliest:
        errors[field] = f"The {what} must be on or after {long_date(earliest)}, when {since}"


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _record(actor, verb: str, target, child: Child, line, **payload) -> None:
    record_change(actor=actor, verb=verb, target=target, child=child, payload=payload, chronology=line)


# Pre-proceedings -------------------------------------------------------------------------------------------


@transaction.atomic
def gateway_meeting_record(*, actor, child: Child, held_on: dt.date, decision: str) -> LegalGatewayMeeting:
    """The legal gateway or planning meeting and its decision; a decision to start pre-proceedings opens them."""
    child = _require_change(actor, child)
    errors: dict[str, str] = {}
    check_date_given(errors, "held_on", held_on, "date of the legal gateway meeting", child)
    if decision not in GatewayDecision.values:
        errors["decision"] = "Select the decision of the meeting"
    elif decision == GatewayDecision.PRE_PROCEEDINGS and (pre := _open_pre_proceedings(child)):
        errors["decision"] = (
            f"{child.full_name} has been in pre-proceedings since {long_date(pre.started_on)}"
        )
    elif decision != GatewayDecision.NOT_MET and (proceedings := _open_proceedings(child)):
        errors["decision"] = (
            f"Care proceedings about {child.full_name} are open (issued {long_date(proceedings.issued_on)})"
        )
    _raise(errors)
    meeting = LegalGatewayMeeting.objects.create(
        child=child, held_on=held_on, decision=decision, recorded_by=actor
    )
    _record(actor, "legal.gateway_held", meeting, child, lines.gateway_held(meeting), decision=decision)
    if decision == GatewayDecision.PRE_PROCEEDINGS:
        pre = PreProceedings.objects.create(child=child, gateway=meeting, started_on=held_on)
        record_change(actor=actor, verb="legal.pre_proceedings_started", target=pre, child=child)
    return meeting


@transaction.atomic
def pre_proceedings_letter_record(*, actor, child: Child, sent_on: dt.date) -> PreProceedings:
    child = _require_change(actor, child)
    pre = _require_pre_proceedings(child, "sent_on")
    errors: dict[str, str] = {}
    check_date_given(errors, "sent_on", sent_on, "date the letter before proceedings was sent", child)
    if pre.letter_sent_on is not None:
        errors["sent_on"] = f"The letter before proceedings was sent on {long_date(pre.letter_sent_on)}"
    _not_before(errors, "sent_on", sent_on, pre.started_on, "letter", "pre-proceedings started")
    _raise(errors)
    pre.letter_sent_on = sent_on
    pre.save(update_fields=["letter_sent_on", "updated_at"])
    _record(actor, "legal.letter_sent", pre, child, lines.letter_sent(pre), sent_on=sent_on.isoformat())
    return pre


@transaction.atomic
def pre_proceedings_meeting_record(*, actor, child: Child, held_on: dt.date) -> PreProceedings:
    child = _require_change(actor, child)
    pre = _require_pre_proceedings(child, "held_on")
    errors: dict[str, str] = {}
    check_date_given(errors, "held_on", held_on, "date of the pre-proceedings meeting", child)
    if pre.letter_sent_on is None:
        errors["held_on"] = "Record the letter before proceedings first: the meeting follows it"
    elif pre.meeting_held_on is not None:
        errors["held_on"] = f"The pre-proceedings meeting was held on {long_date(pre.meeting_held_on)}"
    else:
        _not_before(errors, "held_on", held_on, pre.letter_sent_on, "meeting", "the letter was sent")
    _raise(errors)
    pre.meeting_held_on = held_on
    pre.save(update_fields=["meeting_held_on", "updated_at"])
    _record(
        actor,
        "legal.pre_proceedings_meeting",
        pre,
        child,
        lines.meeting_held(pre),
        held_on=held_on.isoformat(),
    )
    return pre


@transaction.atomic
def pre_proceedings_end(*, actor, child: Child, ended_on: dt.date, outcome: str) -> PreProceedings:
    """Pre-proceedings end without proceedings (issuing proceedings ends them by itself)."""
    child = _require_change(actor, child)
    pre = _require_pre_proceedings(child, "ended_on")
    errors: dict[str, str] = {}
    check_date_given(errors, "ended_on", ended_on, "date pre-proceedings ended", child)
    _not_before(errors, "ended_on", ended_on, pre.started_on, "end", "pre-proceedings started")
    if outcome not in (PreProceedingsOutcome.STEPPED_DOWN, PreProceedingsOutcome.OTHER):
        errors["outcome"] = (
            "Select why pre-proceedings ended (to issue proceedings, record the issue instead)"
        )
    _raise(errors)
    _close_pre_proceedings(actor, pre, ended_on, outcome)
    return pre


def _close_pre_proceedings(actor, pre: PreProceedings, ended_on: dt.date, outcome: str) -> None:
    pre.ended_on = ended_on
    pre.outcome = outcome
    pre.save(update_fields=["ended_on", "outcome", "updated_at"])
    _record(
        actor,
        "legal.pre_proceedings_ended",
        pre,
        pre.child,
        lines.pre_proceedings_ended(pre),
        outcome=outcome,
    )


# Proceedings -----------------------------------------------------------------------------------------------


@transaction.atomic
def proceedings_issue(*, actor, child: Child, issued_on: dt.date, case_number: str = "") -> CareProceedings:
    """Care proceedings are issued: the 26-week timetable starts, and open pre-proceedings end."""
    child = _require_change(actor, child)
    errors: dict[str, str] = {}
    check_date_given(errors, "issued_on", issued_on, "date proceedings were issued", child)
    if proceedings := _open_proceedings(child):
        errors["issued_on"] = (
            f"Care proceedings about {child.full_name} are open (issued {long_date(proceedings.issued_on)})"
        )
    pre = _open_pre_proceedings(child)
    if pre is not None:
        _not_before(errors, "issued_on", issued_on, pre.started_on, "issue", "pre-proceedings started")
    case_number = (case_number or "").strip()
    if len(case_number) > 40:
        errors["case_number"] = "The court case number must be 40 characters or fewer"
    _raise(errors)
    gateway = pre.gateway if pre is not None else _latest_decision_to_issue(child, issued_on)
    proceedings = CareProceedings.objects.create(
        child=child, gateway=gateway, issued_on=issued_on, case_number=case_number, recorded_by=actor
    )
    if pre is not None:
        _close_pre_proceedings(actor, pre, issued_on, PreProceedingsOutcome.PROCEEDINGS)
    _record(
        actor,
        "legal.proceedings_issued",
        proceedings,
        child,
        lines.proceedings_issued(proceedings),
        issued_on=issued_on.isoformat(),
    )
    return proceedings


def _latest_decision_to_issue(child: Child, issued_on: dt.date) -> LegalGatewayMeeting | None:
    return (
        LegalGatewayMeeting.objects.filter(
            child=child, decision=GatewayDecision.ISSUE, held_on__lte=issued_on
        )
        .order_by("-held_on", "-pk")
        .first()
    )


@transaction.atomic
def proceedings_extend(
    *, actor, child: Child, granted_on: dt.date, weeks: int, reason: str
) -> TimetableExtension:
    """The court extends the timetable by up to 8 weeks, with its reasons (Children Act 1989 s32(5))."""
    child = _require_change(actor, child)
    proceedings = _require_proceedings(child, "granted_on")
    errors: dict[str, str] = {}
    check_date_given(errors, "granted_on", granted_on, "date the extension was granted", child)
    _not_before(
        errors, "granted_on", granted_on, proceedings.issued_on, "extension", "proceedings were issued"
    )
    if weeks is None or not 1 <= weeks <= MAX_EXTENSION_WEEKS:
        errors["weeks"] = f"Enter the weeks of the extension, from 1 to {MAX_EXTENSION_WEEKS}"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Enter the court's reasons for the extension"
    elif len(reason) > REASON_MAX_CHARACTERS:
        errors["reason"] = f"The reasons must be {REASON_MAX_CHARACTERS} characters or fewer"
    _raise(errors)
    extension = TimetableExtension.objects.create(
        proceedings=proceedings, granted_on=granted_on, weeks=weeks, reason=reason
    )
    _record(
        actor, "legal.timetable_extended", extension, child, lines.timetable_extended(extension), weeks=weeks
    )
    return extension


@transaction.atomic
def hearing_list(*, actor, child: Child, kind: str, listed_for: dt.date) -> Hearing:
    """A hearing listed in the open proceedings (the day may be ahead)."""
    child = _require_change(actor, child)
    proceedings = _require_proceedings(child, "listed_for")
    errors: dict[str, str] = {}
    if kind not in HearingKind.values:
        errors["kind"] = "Select the kind of hearing"
    if listed_for is None:
        errors["listed_for"] = "Enter the date the hearing is listed for"
    _not_before(errors, "listed_for", listed_for, proceedings.issued_on, "hearing", "proceedings were issued")
    if (
        not errors
        and Hearing.objects.filter(proceedings=proceedings, kind=kind, listed_for=listed_for).exists()
    ):
        errors["listed_for"] = (
            f"A {HearingKind(kind).label.lower()} is already listed for {long_date(listed_for)}"
        )
    _raise(errors)
    hearing = Hearing.objects.create(proceedings=proceedings, kind=kind, listed_for=listed_for)
    record_change(
        actor=actor, verb="legal.hearing_listed", target=hearing, child=child, payload={"kind": kind}
    )
    return hearing


@transaction.atomic
def hearing_outcome_record(*, actor, child: Child, hearing: Hearing, outcome: str) -> Hearing:
    """What happened at a hearing, recorded once, from the day it was listed for."""
    child = _require_change(actor, child)
    hearing = Hearing.objects.select_related("proceedings").get(pk=hearing.pk)
    if hearing.proceedings.child_id != child.pk:
        raise PermissionDenied("That hearing is not in this child's proceedings")
    errors: dict[str, str] = {}
    today = timezone.localdate()
    outcome = (outcome or "").strip()
    if hearing.outcome_recorded_on is not None:
        errors["outcome"] = (
            f"The outcome of this hearing was recorded on {long_date(hearing.outcome_recorded_on)}"
        )
    elif hearing.listed_for > today:
        errors["outcome"] = (
            f"The hearing is listed for {long_date(hearing.listed_for)}: record its outcome from that day"
        )
    elif not outcome:
        errors["outcome"] = "Enter what happened at the hearing"
    elif len(outcome) > REASON_MAX_CHARACTERS:
        errors["outcome"] = f"The outcome must be {REASON_MAX_CHARACTERS} characters or fewer"
    _raise(errors)
    hearing.outcome = outcome
    hearing.outcome_recorded_on = today
    hearing.save(update_fields=["outcome", "outcome_recorded_on", "updated_at"])
    _record(actor, "legal.hearing_outcome", hearing, child, lines.hearing_outcome(hearing), kind=hearing.kind)
    return hearing


@transaction.atomic
def proceedings_conclude(*, actor, child: Child, concluded_on: dt.date) -> CareProceedings:
    child = _require_change(actor, child)
    proceedings = _require_proceedings(child, "concluded_on")
    errors: dict[str, str] = {}
    check_date_given(errors, "concluded_on", concluded_on, "date the proceedings concluded", child)
    _not_before(
        errors, "concluded_on", concluded_on, proceedings.issued_on, "conclusion", "proceedings were issued"
    )
    _raise(errors)
    proceedings.concluded_on = concluded_on
    proceedings.save(update_fields=["concluded_on", "updated_at"])
    weeks = timetable_week(proceedings.issued_on, concluded_on)
    _record(
        actor,
        "legal.proceedings_concluded",
        proceedings,
        child,
        lines.proceedings_concluded(proceedings, weeks),
        concluded_on=concluded_on.isoformat(),
        week=weeks,
    )
    return proceedings


# Orders ----------------------------------------------------------------------------------------------------


@transaction.atomic
def order_make(*, actor, child: Child, kind: str, made_on: dt.date) -> CourtOrder:
    """An order the court made; a looked-after child's legal status follows it (see the module docstring)."""
    child = _require_change(actor, child)
    errors: dict[str, str] = {}
    check_date_given(errors, "made_on", made_on, "date the order was made", child)
    if kind not in OrderKind.values:
        errors["kind"] = "Select the order the court made"
    proceedings = _open_proceedings(child)
    if proceedings is not None:
        _not_before(errors, "made_on", made_on, proceedings.issued_on, "order", "proceedings were issued")
    if not errors and CourtOrder.objects.filter(child=child, kind=kind, made_on=made_on).exists():
        errors["kind"] = f"A {OrderKind(kind).label.lower()} made on {long_date(made_on)} is already recorded"
    _raise(errors)
    order = CourtOrder.objects.create(
        child=child, proceedings=proceedings, kind=kind, made_on=made_on, recorded_by=actor
    )
    replaced = CourtOrder.objects.filter(
        child=child, ended_on__isnull=True, kind__in=_replaced_by(kind), made_on__lte=made_on
    ).exclude(pk=order.pk)
    replaced.update(ended_on=made_on, updated_at=timezone.now())
    _record(
        actor,
        "legal.order_made",
        order,
        child,
        lines.order_made(order),
        kind=kind,
        legal_status=order.legal_status,
    )
    _follow_legal_status(actor, child, order)
    return order


def _replaced_by(kind: str) -> set[str]:
    replaced = set(REPLACES.get(kind, ()))
    if kind in (OrderKind.SPECIAL_GUARDIANSHIP, OrderKind.CHILD_ARRANGEMENTS):
        replaced.add(OrderKind.CARE)  # Children Act 1989 s91(1) and s91(5A): the care order is discharged
    return replaced


def _follow_legal_status(actor, child: Child, order: CourtOrder) -> None:
    status = ORDER_LEGAL_STATUS.get(order.kind)
    episode = Episode.objects.filter(child=child, ended_on__isnull=True).first()
    if not status or episode is None or episode.legal_status == status or order.made_on < episode.started_on:
        return
    try:
        episode_change_legal_status(actor=actor, child=child, changed_on=order.made_on, legal_status=status)
    except ValidationError as error:
        raise ValidationError({"made_on": " ".join(error.messages)}) from error
