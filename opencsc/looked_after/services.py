"""Every write about a looked-after child: periods of care as SSDA903 episodes, reviews, missing episodes,
health and education checks, UASC and previous permanence.

Each service runs in one transaction, checks the rules and writes its audit event (and chronology entry) in
that transaction, so a refused step leaves nothing behind. The episode rules:

- starting care opens an episode with RNE S, refused while another is open or if it overlaps an earlier one;
- a change of legal status closes the open episode with REC X1 and opens one with RNE L the same day;
- a move closes it with X1 (recording REASON_PLACE_CHANGE on the closed episode) and opens P (new carers) or
  T (same carers), or B / U when the legal status changes at the same time;
- ending care sets DEC and a REC other than X1.

Placement and home postcodes are formatted, and the distance, PL_LA and inside/outside are worked out once, at
recording, from `opencsc.geography` and stored on the episode. A well-formed postcode the directory does not
know is accepted (it may be new) and left without a location, so the page can flag it.
"""

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc import geography
from opencsc.accounts.access import can_change_child
from opencsc.audit.changes import record_change
from opencsc.audit.services import audit_event_record
from opencsc.casework.chronology import ChronologyLine
from opencsc.core.dates import long_date
from opencsc.core.event_dates import check_date_given, check_possible_date, require_possible_date
from opencsc.looked_after import chronology_lines as lines
from opencsc.looked_after.codes import (
    URN_NOT_REQUIRED,
    CategoryOfNeed,
    LegalStatus,
    MissingKind,
    PlacementProvider,
    PlacementType,
    PreviousPermanence,
    ReasonEpisodeCeased,
    ReasonPlacementChange,
    ReviewParticipation,
    SdqReason,
)
from opencsc.looked_after.iro import review_chair_problem
from opencsc.looked_after.models import (
    CareReview,
    Episode,
    HealthAndEducationCheck,
    HealthCheckKind,
    MissingEpisode,
    PreviousPermanenceRecord,
    UnaccompaniedAsylumSeeker,
)
from opencsc.people.identifiers import format_postcode, postcode_problem
from opencsc.people.models import Child

TEMPORARY_PLACEMENTS = {"T0", "T1", "T2", "T3", "T4"}
# Rules 178 and 213: no provider for T0-T3 or the Z1x placements.
PROVIDER_NOT_REQUIRED = {"T0", "T1", "T2", "T3", "Z11", "Z12", "Z13", "Z14"}
URN_PLACEHOLDER_ALLOWED = {"A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"}
URN_SHAPE = re.compile(r"^(SC\d{6}|\d{7})$")
PERMANENCE_DATE_SHAPE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
LA_PERM_CODES = {"WAL", "SCO", "NUK", "NIR"}


def _require_change(actor, child: Child) -> None:
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot change this child's record")


def _lock(child: Child) -> Child:
    """Serialise writes to one child's care record (PostgreSQL row lock; SQLite serialises writers anyway)."""
    return Child.objects.select_for_update().get(pk=child.pk)


def _open_episode(child: Child) -> Episode | None:
    return Episode.objects.filter(child=child, ended_on__isnull=True).first()


def _check_choice(errors: dict, field: str, value: str, choices, message: str) -> None:
    if value not in choices.values:
        errors[field] = message


def _check_after_open_episode(errors: dict, field: str, value: dt.date | None, episode: Episode, what: str):
    if value is not None and value < episode.started_on and field not in errors:
        errors[field] = (
            f"The {what} must be on or after {long_date(episode.started_on)}, when the current episode of care "
            "started"
        )


# Placement details ----------------------------------------------------------------------------------------


def _home_postcode_default(child: Child, on: dt.date) -> str:
    """The postcode of the address the child lived at on `on`, or their current address."""
    address = (
        child.addresses.filter(moved_in_on__lte=on)
        .exclude(moved_out_on__lt=on)
        .order_by("-moved_in_on", "-id")
        .first()
    ) or child.addresses.filter(moved_out_on__isnull=True).first()
    return address.postcode if address else ""


def _placement_fields(
    errors: dict,
    *,
    placement_type: str,
    placement_provider: str,
    urn: str,
    carer_name: str,
    placement_postcode: str,
    home_postcode: str,
) -> dict:
    """Check the placement details and return them with the location worked out from the postcodes."""
    placement_provider = (placement_provider or "").strip()
    urn = (urn or "").strip().upper()
    _check_choice(errors, "placement_type", placement_type, PlacementType, "Select the type of placement")
    if placement_provider:
        _check_choice(
            errors,
            "placement_provider",
            placement_provider,
            PlacementProvider,
            "Select the placement provider",
        )
    elif placement_type not in PROVIDER_NOT_REQUIRED:
        errors["placement_provider"] = "Select the placement provider"
    if urn:
        if urn == "XXXXXXX":
            if placement_type not in URN_PLACEHOLDER_ALLOWED:
                errors["urn"] = "XXXXXXX is allowed only for adoption and foster placements (A3-A6, U1-U6)"
        elif not URN_SHAPE.match(urn):
            errors["urn"] = "Enter the URN as SC followed by 6 numbers, or 7 numbers, like SC123456"
    elif placement_type and placement_type not in URN_NOT_REQUIRED:
        errors["urn"] = "Enter the provider's Ofsted URN: it is needed for this type of placement"
    placement_postcode = (placement_postcode or "").strip()
    home_postcode = (home_postcode or "").strip()
    if not placement_postcode:
        errors["placement_postcode"] = "Enter the placement postcode"
    elif problem := postcode_problem(placement_postcode):
        errors["placement_postcode"] = problem
    if home_postcode and (problem := postcode_problem(home_postcode)):
        errors["home_postcode"] = problem
    if errors:
        return {}
    placement_postcode = format_postcode(placement_postcode)
    home_postcode = format_postcode(home_postcode) if home_postcode else ""
    return {
        "placement_type": placement_type,
        "placement_provider": placement_provider,
        "urn": urn,
        "carer_name": (carer_name or "").strip(),
        **placement_location(placement_postcode=placement_postcode, home_postcode=home_postcode),
    }


def placement_location(*, placement_postcode: str, home_postcode: str) -> dict:
    """PL_POST, HOME_POST, PL_LA, inside/outside and the distance, from the geography package. An unknown
    postcode leaves the location (and the distance) empty: never guessed."""
    distance = geography.placement_distance(home_postcode, placement_postcode) if home_postcode else None
    return {
        "placement_postcode": placement_postcode,
        "home_postcode": home_postcode,
        "placement_la_code": geography.placement_la_code(placement_postcode) or "",
        "placement_inside_authority": geography.is_inside_authority(
            placement_postcode, settings.AUTHORITY_ONS_CODE
        ),
        "distance_miles": None if distance is None else Decimal(str(distance)),
    }


def _record_episode_change(actor, verb: str, episode: Episode, line: ChronologyLine, **payload) -> None:
    record_change(
        actor=actor,
        verb=verb,
        target=episode,
        child=episode.child,
        payload={
            "started_on": episode.started_on.isoformat(),
            "rne": episode.reason_new_episode,
            "legal_status": episode.legal_status,
            "placement_type": episode.placement_type,
            **payload,
        },
        chronology=line,
    )


def _save_episode(episode: Episode) -> Episode:
    episode.full_clean(exclude=["child", "recorded_by"], validate_constraints=False)
    episode.save()
    return episode


def _refuse_duplicate_start(child: Child, started_on: dt.date, rne: str, field: str) -> None:
    if Episode.objects.filter(child=child, started_on=started_on, reason_new_episode=rne).exists():
        raise ValidationError(
            {field: f"An episode with the same reason ({rne}) already starts on {long_date(started_on)}"}
        )


# Episodes -------------------------------------------------------------------------------------------------


@transaction.atomic
def episode_start_care(
    *,
    actor,
    child: Child,
    started_on: dt.date,
    legal_status: str,
    category_of_need: str,
    placement_type: str,
    placement_provider: str = "",
    urn: str = "",
    carer_name: str = "",
    placement_postcode: str,
    home_postcode: str = "",
) -> Episode:
    """The child starts to be looked after: the first episode of a period of care, RNE S."""
    _require_change(actor, child)
    child = _lock(child)
    errors: dict[str, str] = {}
    check_date_given(errors, "started_on", started_on, "date the child started to be looked after", child)
    _check_choice(errors, "legal_status", legal_status, LegalStatus, "Select the legal status")
    _check_choice(errors, "category_of_need", category_of_need, CategoryOfNeed, "Select the category of need")
    open_episode = _open_episode(child)
    if open_episode is not None:
        errors["started_on"] = (
            f"{child.full_name} is already looked after (since {long_date(open_episode.started_on)}). "
            "Record a move, a change of legal status or the end of care instead"
        )
    elif started_on and "started_on" not in errors:
        clash = (
            Episode.objects.filter(child=child, ended_on__gte=started_on).order_by("started_on").first()
            or Episode.objects.filter(child=child, started_on__gte=started_on).order_by("started_on").first()
        )
        if clash is not None:
            errors["started_on"] = (
                f"The date the child started to be looked after overlaps an earlier episode of care "
                f"({long_date(clash.started_on)} to {long_date(clash.ended_on)}): it must be after {long_date(clash.ended_on)}"
            )
    if not home_postcode and started_on:
        home_postcode = _home_postcode_default(child, started_on)
    placement = _placement_fields(
        errors,
        placement_type=placement_type,
        placement_provider=placement_provider,
        urn=urn,
        carer_name=carer_name,
        placement_postcode=placement_postcode,
        home_postcode=home_postcode,
    )
    if errors:
        raise ValidationError(errors)
    episode = _save_episode(
        Episode(
            child=child,
            started_on=started_on,
            reason_new_episode="S",
            legal_status=legal_status,
            category_of_need=category_of_need,
            recorded_by=actor,
            **placement,
        )
    )
    _record_episode_change(actor, "care.started", episode, lines.care_started(episode))
    return episode


def _require_open_episode(child: Child, field: str, what: str) -> Episode:
    episode = _open_episode(child)
    if episode is None:
        raise ValidationError(
            {
                field: f"{child.full_name} is not looked after, so there is no {what} to record. Start care first"
            }
        )
    return episode


def _close_for_new_episode(open_episode: Episode, on: dt.date, reason_placement_changed: str = "") -> None:
    open_episode.ended_on = on
    open_episode.reason_ceased = ReasonEpisodeCeased.X1
    open_episode.reason_placement_changed = reason_placement_changed
    open_episode.save(update_fields=["ended_on", "reason_ceased", "reason_placement_changed", "updated_at"])


@transaction.atomic
def episode_change_legal_status(
    *, actor, child: Child, changed_on: dt.date, legal_status: str, category_of_need: str = ""
) -> Episode:
    """The legal status changes and the placement does not: close with X1, open RNE L the same day."""
    _require_change(actor, child)
    child = _lock(child)
    open_episode = _require_open_episode(child, "changed_on", "legal status to change")
    errors: dict[str, str] = {}
    check_date_given(errors, "changed_on", changed_on, "date the legal status changed", child)
    _check_after_open_episode(errors, "changed_on", changed_on, open_episode, "date the legal status changed")
    _check_choice(errors, "legal_status", legal_status, LegalStatus, "Select the new legal status")
    if legal_status == open_episode.legal_status:
        errors["legal_status"] = (
            f"The legal status is already {legal_status} ({open_episode.get_legal_status_display()}): "
            "select the new one"
        )
    category_of_need = category_of_need or open_episode.category_of_need
    _check_choice(errors, "category_of_need", category_of_need, CategoryOfNeed, "Select the category of need")
    if errors:
        raise ValidationError(errors)
    _refuse_duplicate_start(child, changed_on, "L", "changed_on")
    _close_for_new_episode(open_episode, changed_on)
    episode = _save_episode(
        Episode(
            child=child,
            started_on=changed_on,
            reason_new_episode="L",
            legal_status=legal_status,
            category_of_need=category_of_need,
            placement_type=open_episode.placement_type,
            placement_provider=open_episode.placement_provider,
            urn=open_episode.urn,
            carer_name=open_episode.carer_name,
            home_postcode=open_episode.home_postcode,
            placement_postcode=open_episode.placement_postcode,
            placement_la_code=open_episode.placement_la_code,
            placement_inside_authority=open_episode.placement_inside_authority,
            distance_miles=open_episode.distance_miles,
            recorded_by=actor,
        )
    )
    _record_episode_change(
        actor,
        "care.legal_status_changed",
        episode,
        lines.legal_status_changed(episode, open_episode.legal_status),
        previous=open_episode.legal_status,
    )
    return episode


def move_reason_code(*, same_carers: bool, legal_status_changes: bool) -> str:
    """RNE for a change of placement: P or T, or B or U when the legal status changes at the same time."""
    if legal_status_changes:
        return "U" if same_carers else "B"
    return "T" if same_carers else "P"


@transaction.atomic
def episode_move_placement(
    *,
    actor,
    child: Child,
    moved_on: dt.date,
    same_carers: bool,
    reason_placement_changed: str,
    placement_type: str,
    placement_provider: str = "",
    urn: str = "",
    carer_name: str = "",
    placement_postcode: str,
    home_postcode: str = "",
    legal_status: str = "",
    category_of_need: str = "",
) -> Episode:
    """The child moves placement: close with X1 (with the reason for the change), open P, T, B or U."""
    _require_change(actor, child)
    child = _lock(child)
    open_episode = _require_open_episode(child, "moved_on", "placement to move from")
    errors: dict[str, str] = {}
    check_date_given(errors, "moved_on", moved_on, "date of the move", child)
    _check_after_open_episode(errors, "moved_on", moved_on, open_episode, "date of the move")
    legal_status = legal_status or open_episode.legal_status
    _check_choice(errors, "legal_status", legal_status, LegalStatus, "Select the legal status")
    category_of_need = category_of_need or open_episode.category_of_need
    _check_choice(errors, "category_of_need", category_of_need, CategoryOfNeed, "Select the category of need")
    temporary = placement_type in TEMPORARY_PLACEMENTS or open_episode.placement_type in TEMPORARY_PLACEMENTS
    if reason_placement_changed:
        _check_choice(
            errors,
            "reason_placement_changed",
            reason_placement_changed,
            ReasonPlacementChange,
            "Select the reason the placement changed",
        )
    elif not temporary:
        errors["reason_placement_changed"] = "Select the reason the placement changed"
    placement = _placement_fields(
        errors,
        placement_type=placement_type,
        placement_provider=placement_provider,
        urn=urn,
        carer_name=carer_name,
        placement_postcode=placement_postcode,
        home_postcode=home_postcode or open_episode.home_postcode,
    )
    if errors:
        raise ValidationError(errors)
    rne = move_reason_code(
        same_carers=same_carers, legal_status_changes=legal_status != open_episode.legal_status
    )
    _refuse_duplicate_start(child, moved_on, rne, "moved_on")
    _close_for_new_episode(open_episode, moved_on, reason_placement_changed)
    episode = _save_episode(
        Episode(
            child=child,
            started_on=moved_on,
            reason_new_episode=rne,
            legal_status=legal_status,
            category_of_need=category_of_need,
            recorded_by=actor,
            **placement,
        )
    )
    _record_episode_change(
        actor,
        "care.placement_moved",
        episode,
        lines.placement_moved(episode, reason_placement_changed),
        reason_placement_changed=reason_placement_changed,
    )
    return episode


@transaction.atomic
def episode_end_care(*, actor, child: Child, ended_on: dt.date, reason_ceased: str) -> Episode:
    """The period of care ends: the open episode gets DEC and a REC other than X1."""
    _require_change(actor, child)
    child = _lock(child)
    open_episode = _require_open_episode(child, "ended_on", "care to end")
    errors: dict[str, str] = {}
    check_date_given(errors, "ended_on", ended_on, "date care ended", child)
    _check_after_open_episode(errors, "ended_on", ended_on, open_episode, "date care ended")
    if reason_ceased == ReasonEpisodeCeased.X1:
        errors["reason_ceased"] = (
            "X1 is for an episode followed by another the same day: record a move or a change of legal "
            "status instead, or select why care ended"
        )
    else:
        _check_choice(errors, "reason_ceased", reason_ceased, ReasonEpisodeCeased, "Select why care ended")
    if errors:
        raise ValidationError(errors)
    open_episode.ended_on = ended_on
    open_episode.reason_ceased = reason_ceased
    open_episode.save(update_fields=["ended_on", "reason_ceased", "updated_at"])
    _record_episode_change(
        actor,
        "care.ended",
        open_episode,
        lines.care_ended(open_episode),
        ended_on=ended_on.isoformat(),
        reason_ceased=reason_ceased,
    )
    return open_episode


# Reviews --------------------------------------------------------------------------------------------------


def _looked_after_on(child: Child, day: dt.date) -> bool:
    return Episode.objects.filter(child=child, started_on__lte=day).exclude(ended_on__lt=day).exists()


def _age_on(child: Child, day: dt.date) -> int | None:
    born = child.date_of_birth
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@transaction.atomic
def care_review_record(
    *, actor, child: Child, held_on: dt.date, participation: str, reviewing_officer=None
) -> CareReview:
    """A looked-after review, with the child's participation (REVIEW_CODE), chaired by the child's independent
    reviewing officer on that day (`iro.review_chair_problem`)."""
    _require_change(actor, child)
    child = _lock(child)
    errors: dict[str, str] = {}
    check_date_given(errors, "held_on", held_on, "date of the review", child)
    _check_choice(
        errors, "participation", participation, ReviewParticipation, "Select how the child took part"
    )
    if held_on and "held_on" not in errors:
        reviewing_officer, chair_problem = review_chair_problem(child, held_on, reviewing_officer)
        if chair_problem:
            errors["reviewing_officer"] = chair_problem
        if not _looked_after_on(child, held_on):
            errors["held_on"] = f"{child.full_name} was not looked after on {long_date(held_on)}"
        elif CareReview.objects.filter(child=child, held_on=held_on).exists():
            errors["held_on"] = f"A review on {long_date(held_on)} is already recorded"
        age = _age_on(child, held_on)
        if age is not None and participation in ReviewParticipation.values:
            if participation == "PN0" and age >= 4:
                errors["participation"] = "PN0 is only for a child aged under 4 at the review"
            elif participation != "PN0" and age < 4:
                errors["participation"] = "The child was under 4 at the review: select PN0"
    if errors:
        raise ValidationError(errors)
    review = CareReview.objects.create(
        child=child, held_on=held_on, participation=participation, reviewing_officer=reviewing_officer
    )
    record_change(
        actor=actor,
        verb="care.review_recorded",
        target=review,
        child=child,
        payload={"held_on": held_on.isoformat(), "participation": participation},
        chronology=lines.care_review(review),
    )
    return review


# Missing episodes -----------------------------------------------------------------------------------------


def _check_missing(errors: dict, *, child, started_at, returned_at, offered_at, done_at, declined) -> None:
    if started_at is None:
        errors["started_on"] = "Enter the date and time the child went missing"
    check_possible_date(
        errors, started_at, child=child, field="started_on", label="The date and time the child went missing"
    )
    returned = check_possible_date(
        errors, returned_at, child=child, field="returned_on", label="The date and time the child returned"
    )
    if returned and started_at is not None and returned_at < started_at:
        errors["returned_on"] = "The child must return after they went missing"
    for field, value, what in (
        ("interview_offered_on", offered_at, "interview was offered"),
        ("interview_done_on", done_at, "interview was done"),
    ):
        if not check_possible_date(errors, value, child=child, field=field, label=f"The date the {what}"):
            continue
        if returned_at is None:
            errors[field] = f"Record when the child returned before recording when the {what}"
        elif value < returned_at:
            errors[field] = f"The {what} must be after the child returned"
    if declined and done_at is not None:
        errors["interview_declined"] = "An interview that was done was not declined: choose one"
    if declined and returned_at is None:
        errors["interview_declined"] = "Record when the child returned before recording a declined interview"


@transaction.atomic
def missing_episode_record(
    *,
    actor,
    child: Child,
    kind: str,
    started_at: dt.datetime,
    returned_at: dt.datetime | None = None,
    interview_offered_at: dt.datetime | None = None,
    interview_done_at: dt.datetime | None = None,
    interview_declined: bool = False,
) -> MissingEpisode:
    """A missing (M) or away-without-authorisation (A) episode. Once the child returns, a return home
    interview is due within 72 hours."""
    _require_change(actor, child)
    child = _lock(child)
    errors: dict[str, str] = {}
    _check_choice(errors, "kind", kind, MissingKind, "Select whether the child was missing or away")
    _check_missing(
        errors,
        child=child,
        started_at=started_at,
        returned_at=returned_at,
        offered_at=interview_offered_at,
        done_at=interview_done_at,
        declined=interview_declined,
    )
    if started_at is not None and "started_on" not in errors:
        if MissingEpisode.objects.filter(child=child, returned_at__isnull=True).exists():
            errors["started_on"] = (
                f"{child.full_name} is already recorded as missing: record their return on that episode first"
            )
        elif MissingEpisode.objects.filter(
            child=child, started_at__lte=returned_at or started_at, returned_at__gte=started_at
        ).exists():
            errors["started_on"] = "This overlaps a missing episode already recorded"
    if errors:
        raise ValidationError(errors)
    episode = MissingEpisode.objects.create(
        child=child,
        kind=kind,
        started_at=started_at,
        returned_at=returned_at,
        interview_offered_at=interview_offered_at,
        interview_done_at=interview_done_at,
        interview_declined=interview_declined,
    )
    record_change(
        actor=actor,
        verb="care.missing_recorded",
        target=episode,
        child=child,
        payload={"kind": kind, "started_at": started_at.isoformat()},
        chronology=lines.missing_started(episode),
    )
    return episode


@transaction.atomic
def missing_episode_update(
    *,
    actor,
    missing_episode: MissingEpisode,
    returned_at: dt.datetime | None,
    interview_offered_at: dt.datetime | None = None,
    interview_done_at: dt.datetime | None = None,
    interview_declined: bool = False,
) -> MissingEpisode:
    """Record the return and the return home interview (offered, done or declined) on a missing episode."""
    child = missing_episode.child
    _require_change(actor, child)
    _lock(child)
    episode = MissingEpisode.objects.select_for_update().get(pk=missing_episode.pk)
    returned_at = returned_at or episode.returned_at
    offered = interview_offered_at or episode.interview_offered_at
    done = interview_done_at or episode.interview_done_at
    interview_declined = interview_declined or episode.interview_declined
    errors: dict[str, str] = {}
    _check_missing(
        errors,
        child=child,
        started_at=episode.started_at,
        returned_at=returned_at,
        offered_at=offered,
        done_at=done,
        declined=interview_declined,
    )
    if returned_at is None:
        errors.setdefault("returned_on", "Enter the date and time the child returned")
    if errors:
        raise ValidationError(errors)
    episode.returned_at = returned_at
    episode.interview_offered_at = offered
    episode.interview_done_at = done
    episode.interview_declined = interview_declined
    episode.save()
    record_change(
        actor=actor,
        verb="care.missing_updated",
        target=episode,
        child=child,
        payload={"returned_at": returned_at.isoformat(), "interview_declined": interview_declined},
        chronology=lines.missing_returned(episode),
    )
    return episode


# Health and education, UASC, previous permanence ----------------------------------------------------------


@transaction.atomic
def care_check_record(
    *,
    actor,
    child: Child,
    kind: str,
    done_on: dt.date,
    sdq_score: int | None = None,
    sdq_reason: str = "",
) -> HealthAndEducationCheck:
    """A health assessment, dental check, immunisations, SDQ or personal education plan, as done."""
    _require_change(actor, child)
    child = _lock(child)
    errors: dict[str, str] = {}
    _check_choice(errors, "kind", kind, HealthCheckKind, "Select what was done")
    check_date_given(errors, "done_on", done_on, "date it was done", child)
    if kind == HealthCheckKind.SDQ:
        if sdq_score is None and not sdq_reason:
            errors["sdq_score"] = "Enter the SDQ score, or the reason there is no score"
        if sdq_score is not None and not 0 <= sdq_score <= 40:
            errors["sdq_score"] = "The SDQ score must be between 0 and 40"
        if sdq_score is not None and sdq_reason:
            errors["sdq_reason"] = "Give a score or a reason there is no score, not both"
        if sdq_reason:
            _check_choice(errors, "sdq_reason", sdq_reason, SdqReason, "Select the reason there is no score")
    elif sdq_score is not None or sdq_reason:
        errors["sdq_score"] = "A score is recorded only for a strengths and difficulties questionnaire"
    if (
        done_on
        and "done_on" not in errors
        and not Episode.objects.filter(child=child, started_on__lte=done_on).exists()
    ):
        errors["done_on"] = f"{child.full_name} had not become looked after by {long_date(done_on)}"
    if errors:
        raise ValidationError(errors)
    check = HealthAndEducationCheck.objects.create(
        child=child, kind=kind, done_on=done_on, sdq_score=sdq_score, sdq_reason=sdq_reason or ""
    )
    record_change(
        actor=actor,
        verb="care.check_recorded",
        target=check,
        child=child,
        payload={"kind": kind, "done_on": done_on.isoformat()},
        chronology=lines.care_check(check),
    )
    return check


@transaction.atomic
def uasc_record(*, actor, child: Child, ceased_on: dt.date | None = None) -> UnaccompaniedAsylumSeeker:
    """Mark the child as an unaccompanied asylum-seeking child, with the date the status ceased if it has."""
    _require_change(actor, child)
    child = _lock(child)
    require_possible_date(ceased_on, child=child, field="ceased_on", label="The date UASC status ceased")
    record, created = UnaccompaniedAsylumSeeker.objects.update_or_create(
        child=child, defaults={"ceased_on": ceased_on}
    )
    audit_event_record(
        actor=actor,
        verb="care.uasc_recorded",
        target=record,
        child=child,
        payload={"ceased_on": ceased_on.isoformat() if ceased_on else None, "created": created},
    )
    return record


def permanence_date_problem(order_date: str, today: dt.date) -> str | None:
    """DATE_PERM is dd/mm/yyyy; a day or month that is not known may be given as zeros (00/00/2015)."""
    match = PERMANENCE_DATE_SHAPE.match(order_date)
    if not match:
        return "Enter the date of the order as dd/mm/yyyy, with 00 for a day or month not known"
    day, month, year = (int(part) for part in match.groups())
    if year < 1900:
        return "Enter a real year for the date of the order"
    if year > today.year:
        return "The date of the order must be today or in the past"
    if month == 0 and day != 0:
        return "If the month is not known, enter 00 for the day as well"
    if month and day:
        try:
            day_value = dt.date(year, month, day)
        except ValueError:
            return "The date of the order must be a real date"
        if day_value > today:
            return "The date of the order must be today or in the past"
    elif month and not 1 <= month <= 12:
        return "The date of the order must be a real date"
    return None


def _latest_day_of(order_date: str) -> dt.date:
    """The latest day a well-formed DATE_PERM can mean (00/00/2015 is at the latest 31 December 2015)."""
    day, month, year = (int(part) for part in PERMANENCE_DATE_SHAPE.match(order_date).groups())
    if day:
        return dt.date(year, month, day)
    following = dt.date(year + 1, 1, 1) if month in (0, 12) else dt.date(year, month + 1, 1)
    return min(following - dt.timedelta(days=1), timezone.localdate())


@transaction.atomic
def previous_permanence_record(
    *, actor, child: Child, kind: str, la_code: str = "", order_date: str = ""
) -> PreviousPermanenceRecord:
    """Whether the child had a permanence order before this period of care (PrevPerm)."""
    _require_change(actor, child)
    child = _lock(child)
    errors: dict[str, str] = {}
    _check_choice(errors, "kind", kind, PreviousPermanence, "Select the previous permanence order")
    la_code = (la_code or "").strip().upper()
    order_date = (order_date or "").strip()
    if kind == "Z1":
        if order_date:
            errors["order_date"] = "Leave the date blank when there was no previous permanence order"
        if la_code:
            errors["la_code"] = "Leave the authority blank when there was no previous permanence order"
    elif kind in PreviousPermanence.values:
        if not order_date:
            errors["order_date"] = "Enter the date of the order (00 for a day or month not known)"
        elif problem := permanence_date_problem(order_date, timezone.localdate()):
            errors["order_date"] = problem
        else:
            check_possible_date(
                errors,
                _latest_day_of(order_date),
                child=child,
                field="order_date",
                label="The date of the order",
            )
    if la_code and not (la_code in LA_PERM_CODES or re.fullmatch(r"\d{3}", la_code)):
        errors["la_code"] = "Enter the 3-digit DfE number of the authority, or WAL, SCO, NIR or NUK"
    if errors:
        raise ValidationError(errors)
    record, _ = PreviousPermanenceRecord.objects.update_or_create(
        child=child, defaults={"kind": kind, "la_code": la_code, "order_date": order_date}
    )
    audit_event_record(
        actor=actor,
        verb="care.previous_permanence_recorded",
        target=record,
        child=child,
        payload={"kind": kind, "la_code": la_code, "order_date": order_date},
    )
    return record
