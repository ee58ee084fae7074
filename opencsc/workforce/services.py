"""Every change to staff records and the funded establishment, each audited in its own transaction."""

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q

from opencsc.audit.services import audit_event_record
from opencsc.core.errors import ConcurrentEditError
from opencsc.workforce.codes import ContractType
from opencsc.workforce.models import SWE_NUMBER_PATTERN, Absence, Post, StaffRecord

STAFF_FIELDS = (
    "user",
    "first_name",
    "last_name",
    "team",
    "job_title",
    "org_role",
    "contract",
    "agency_name",
    "fte",
    "swe_number",
    "birth_date",
    "gender",
    "ethnicity",
    "qualification_institution",
    "qualification_level",
    "step_up_graduate",
    "frontline_graduate",
    "knowledge_and_skills_status",
    "start_date",
    "start_origin",
)
LEAVING_FIELDS = ("leaving_date", "leaving_reason", "leaver_destination")


def _staff_problems(record: StaffRecord) -> dict[str, str]:
    problems = {}
    if record.fte is None or not (Decimal(0) < Decimal(record.fte) <= Decimal(1)):
        problems["fte"] = "Full-time equivalent must be more than 0 and no more than 1, like 0.6"
    if record.swe_number and not re.fullmatch(SWE_NUMBER_PATTERN, record.swe_number):
        problems["swe_number"] = (
            "Enter the Social Work England registration number as SW and digits, like SW123456"
        )
    if record.org_role and not record.swe_number:
        problems["swe_number"] = (
            "Enter the Social Work England registration number: a social work post needs one"
        )
    if record.contract == ContractType.AGENCY and not record.agency_name:
        problems["agency_name"] = "Enter the agency that supplies this worker"
    if record.birth_date and record.birth_date >= record.start_date:
        problems["birth_date"] = "Date of birth must be before the start date"
    if record.leaving_date is not None:
        if record.leaving_date < record.start_date:
            problems["leaving_date"] = "Leaving date must be on or after the start date"
        if not record.leaving_reason:
            problems["leaving_reason"] = "Select the reason for leaving"
    elif record.leaving_reason or record.leaver_destination:
        problems["leaving_date"] = "Enter the leaving date, or remove the reason for leaving"
    return problems


def _overlapping_record(record: StaffRecord) -> StaffRecord | None:
    """Another record of the same account in post on some day this one is: a person holds one post at a time
    (a change of contract ends one record on the day the next starts)."""
    if record.user_id is None:
        return None
    others = StaffRecord.objects.filter(user_id=record.user_id).exclude(pk=record.pk)
    if record.leaving_date is not None:
        others = others.filter(start_date__lt=record.leaving_date)
    others = others.filter(Q(leaving_date__isnull=True) | Q(leaving_date__gt=record.start_date))
    return others.order_by("start_date").first()


def _check(record: StaffRecord) -> None:
    problems = _staff_problems(record)
    if "start_date" not in problems and "leaving_date" not in problems:
        other = _overlapping_record(record)
        if other is not None:
            problems["user"] = (
                f"This account already has a record in post from {other.start_date:%-d %B %Y}: record that "
                "person leaving first, or choose another account"
            )
    if problems:
        raise ValidationError(problems)


def _save_with_version(record, expected_version: int | None, what: str) -> None:
    """Save, refusing if someone else saved the record after `expected_version` was read. The version is
    claimed with one conditional UPDATE, so two saves racing from the same version cannot both win."""
    model = type(record)
    claimed = model.objects.filter(pk=record.pk)
    if expected_version is not None:
        claimed = claimed.filter(version=expected_version)
    if not claimed.update(version=F("version") + 1):
        raise ConcurrentEditError(what)
    record.version = model.objects.filter(pk=record.pk).values_list("version", flat=True).get()
    record.save()


def _payload(record: StaffRecord, fields) -> dict:
    payload = {}
    for name in fields:
        value = getattr(record, name if name not in ("user", "team") else f"{name}_id")
        payload[name] = (
            value.isoformat() if isinstance(value, dt.date) else str(value) if value is not None else None
        )
    return payload


@transaction.atomic
def staff_record_create(*, actor, **fields) -> StaffRecord:
    record = StaffRecord(**{name: fields[name] for name in STAFF_FIELDS if name in fields})
    _check(record)
    record.save()
    audit_event_record(
        actor=actor, verb="workforce.staff_added", target=record, payload=_payload(record, STAFF_FIELDS)
    )
    return record


@transaction.atomic
def staff_record_update(*, actor, record: StaffRecord, expected_version: int | None, **fields) -> StaffRecord:
    before = _payload(record, STAFF_FIELDS)
    for name in STAFF_FIELDS:
        if name in fields:
            setattr(record, name, fields[name])
    _check(record)
    _save_with_version(record, expected_version, "staff record")
    after = _payload(record, STAFF_FIELDS)
    changed = {
        name: {"from": before[name], "to": after[name]}
        for name in STAFF_FIELDS
        if before[name] != after[name]
    }
    audit_event_record(actor=actor, verb="workforce.staff_changed", target=record, payload=changed)
    return record


@transaction.atomic
def staff_record_leave(
    *,
    actor,
    record: StaffRecord,
    expected_version: int | None,
    leaving_date: dt.date,
    leaving_reason: str,
    leaver_destination: str = "",
) -> StaffRecord:
    """Record that the person leaves (or left) on `leaving_date`, their last day, and why."""
    record.leaving_date = leaving_date
    record.leaving_reason = leaving_reason
    record.leaver_destination = leaver_destination
    _check(record)
    _save_with_version(record, expected_version, "staff record")
    audit_event_record(
        actor=actor, verb="workforce.staff_left", target=record, payload=_payload(record, LEAVING_FIELDS)
    )
    return record


def _post_problems(post: Post) -> dict[str, str]:
    problems = {}
    if post.funded_fte is None or Decimal(post.funded_fte) <= 0:
        problems["funded_fte"] = "Funded full-time equivalent must be more than 0, like 6.5"
    if post.funded_until is not None and post.funded_until <= post.funded_from:
        problems["funded_until"] = "The end of funding must be after its start"
    return problems


@transaction.atomic
def post_create(
    *, actor, team, title: str, org_role: str, funded_fte, funded_from: dt.date, funded_until=None
) -> Post:
    post = Post(
        team=team,
        title=title,
        org_role=org_role,
        funded_fte=funded_fte,
        funded_from=funded_from,
        funded_until=funded_until,
    )
    problems = _post_problems(post)
    if problems:
        raise ValidationError(problems)
    post.save()
    audit_event_record(
        actor=actor,
        verb="workforce.post_funded",
        target=post,
        payload={
            "team": team.pk,
            "org_role": org_role,
            "fte": str(funded_fte),
            "from": funded_from.isoformat(),
        },
    )
    return post


@transaction.atomic
def post_end_funding(*, actor, post: Post, funded_until: dt.date, expected_version: int | None) -> Post:
    post.funded_until = funded_until
    problems = _post_problems(post)
    if problems:
        raise ValidationError(problems)
    _save_with_version(post, expected_version, "post")
    audit_event_record(
        actor=actor,
        verb="workforce.post_funding_ended",
        target=post,
        payload={"until": funded_until.isoformat()},
    )
    return post


@transaction.atomic
def absence_record(
    *, actor, staff: StaffRecord, reason: str, starts_on: dt.date, ends_on: dt.date | None
) -> Absence:
    """A spell of absence while in post, for the census's working days lost and absence on 30 September."""
    problems = {}
    if starts_on < staff.start_date:
        problems["starts_on"] = (
            f"The absence must start on or after the start date, {staff.start_date:%-d %B %Y}"
        )
    elif staff.leaving_date is not None and starts_on >= staff.leaving_date:
        problems["starts_on"] = (
            f"The absence must start before the leaving date, {staff.leaving_date:%-d %B %Y}"
        )
    if ends_on is not None and ends_on < starts_on:
        problems["ends_on"] = "The last day of absence must be on or after the first"
    if problems:
        raise ValidationError(problems)
    absence = Absence.objects.create(staff=staff, reason=reason, starts_on=starts_on, ends_on=ends_on)
    audit_event_record(
        actor=actor,
        verb="workforce.absence_recorded",
        target=absence,
        payload={
            "staff": staff.pk,
            "reason": reason,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
        },
    )
    return absence
