"""Allegation services: every write about an allegation, its initial consideration, strategy discussion,
outcome, regulator referrals and access grants. Each is keyword-only, checks that the actor is in the designated
officer's team (`access.py`), runs in one transaction with the allegation's row locked, and writes its audit event
through `record_change` with no child and no chronology line: a line or a child-linked event would tell every
reader of the child's record that the child is named in an allegation (ADR 0037).

Rules (each refusal names its field):
- the referral is dated today or earlier, never before the birth of a linked child; it names the referrer and
  their organisation, the person it is about with their role, employer and sector, the harm test limb, the
  category and what is alleged, and at least one child (a name, or a child's record by its ID);
- the initial consideration is recorded once, on or after receipt, with its decision;
- a strategy discussion is recorded only when the initial consideration decided one, on or after that
  consideration; the child's own strategy discussion it links to is one of a linked child's, on the same day;
- the outcome is recorded once, after the initial consideration, no earlier than the last recorded step;
- a referral to the DBS or a regulator is made once per body, on or after receipt, and not in the future;
- only a team manager of the designated officer's team grants someone outside it access to one allegation.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.models import User
from opencsc.allegations.access import (
    can_change_allegation,
    can_grant_allegation_access,
    can_record_allegation,
    is_designated_officer,
)
from opencsc.allegations.models import (
    Allegation,
    AllegationAccessGrant,
    AllegationChild,
    HarmCategory,
    HarmTest,
    InitialDecision,
    Outcome,
    RegulatorBody,
    RegulatorReferral,
    Sector,
)
from opencsc.audit.changes import record_change
from opencsc.casework.models import StrategyDiscussion
from opencsc.core.dates import long_date
from opencsc.core.event_dates import event_date_problem
from opencsc.people.models import Child

NOT_IN_TEAM = "Only the designated officer's team records allegations"
REQUIRED_TEXT = {
    "referrer_name": "Enter the referrer's name",
    "referrer_organisation": "Enter the referrer's organisation",
    "subject_name": "Enter the name of the person the allegation is about",
    "subject_role": "Enter their role",
    "subject_employer": "Enter their employer or organisation",
    "details": "Say what is alleged",
}


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_day(
    errors: dict, field: str, day, what: str, *, not_before: dt.date | None = None, since=""
) -> bool:
    if day is None:
        errors[field] = f"Enter the {what}"
    elif day > timezone.localdate():
        errors[field] = f"The {what} must be today or in the past"
    elif not_before is not None and day < not_before:
        errors[field] = f"The {what} cannot be before {since} on {long_date(not_before)}"
    return field not in errors


def _check_choice(errors: dict, field: str, value: str, choices, message: str) -> None:
    if value not in choices.values:
        errors[field] = message


def _children_from(
    errors: dict, names_given: str, child_ids: str, received_on
) -> list[tuple[Child | None, str]]:
    names = [line.strip() for line in names_given.splitlines() if line.strip()]
    ids = list(
        dict.fromkeys(part.strip().upper() for part in child_ids.replace(",", " ").split() if part.strip())
    )
    found = {c.la_child_id.upper(): c for c in Child.objects.filter(la_child_id__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        errors["child_ids"] = f"No child's record has the ID {', '.join(missing)}"
    elif received_on is not None and "received_on" not in errors:
        for child in found.values():
            label = f"The date received (for child record {child.la_child_id})"
            if problem := event_date_problem(received_on, child=child, label=label):
                errors["received_on"] = problem
                break
    if not names and not ids:
        errors["children_named"] = (
            "Name at least one child the allegation concerns, or give a child's record ID"
        )
    return [(found[i], "") for i in ids if i in found] + [(None, name) for name in names]


def _audit(actor, verb: str, allegation: Allegation, payload: dict) -> None:
    record_change(actor=actor, verb=verb, target=allegation, payload=payload)


@transaction.atomic
def allegation_record(
    *,
    actor: User,
    received_on: dt.date | None,
    referrer_name: str,
    referrer_organisation: str,
    subject_name: str,
    subject_role: str,
    subject_employer: str,
    sector: str,
    harm_test: str,
    harm_category: str,
    details: str,
    referrer_role: str = "",
    subject_is_volunteer: bool = False,
    children_named: str = "",
    child_ids: str = "",
) -> Allegation:
    """Record an allegation referred to the designated officer; its initial consideration is due one working day
    after receipt. `children_named` holds one name a line; `child_ids` the LA IDs of children with records."""
    if not can_record_allegation(actor):
        raise PermissionDenied(NOT_IN_TEAM)
    text = {
        "referrer_name": referrer_name,
        "referrer_organisation": referrer_organisation,
        "subject_name": subject_name,
        "subject_role": subject_role,
        "subject_employer": subject_employer,
        "details": details,
    }
    errors: dict = {field: REQUIRED_TEXT[field] for field, value in text.items() if not value.strip()}
    _check_day(errors, "received_on", received_on, "date received")
    _check_choice(errors, "sector", sector, Sector, "Select the sector the person works in")
    _check_choice(
        errors, "harm_test", harm_test, HarmTest, "Select which part of the harm test the allegation meets"
    )
    _check_choice(errors, "harm_category", harm_category, HarmCategory, "Select the category of harm")
    children = _children_from(errors, children_named, child_ids, received_on)
    _raise(errors)
    allegation = Allegation.objects.create(
        received_on=received_on,
        referrer_role=referrer_role.strip(),
        subject_is_volunteer=subject_is_volunteer,
        sector=sector,
        harm_test=harm_test,
        harm_category=harm_category,
        recorded_by=actor,
        **{field: value.strip() for field, value in text.items()},
    )
    AllegationChild.objects.bulk_create(
        AllegationChild(allegation=allegation, child=child, name_given=name) for child, name in children
    )
    _audit(
        actor,
        "allegation.received",
        allegation,
        {"on": received_on.isoformat(), "sector": sector, "children": len(children)},
    )
    return allegation


def _locked(actor, allegation: Allegation) -> Allegation:
    if not can_change_allegation(actor, allegation):
        raise PermissionDenied(NOT_IN_TEAM)
    return Allegation.objects.select_for_update().get(pk=allegation.pk)


def _refuse_if_concluded(allegation: Allegation) -> None:
    if allegation.concluded_on:
        raise ValidationError(f"This allegation was concluded on {long_date(allegation.concluded_on)}")


@transaction.atomic
def allegation_initial_consideration(
    *, actor: User, allegation: Allegation, considered_on: dt.date | None, decision: str
) -> Allegation:
    """Record the designated officer's initial consideration (the harm test) and what follows from it."""
    allegation = _locked(actor, allegation)
    _refuse_if_concluded(allegation)
    errors: dict = {}
    if allegation.considered_on:
        errors["considered_on"] = (
            f"The initial consideration was recorded on {long_date(allegation.considered_on)}"
        )
    else:
        _check_day(
            errors,
            "considered_on",
            considered_on,
            "date of the initial consideration",
            not_before=allegation.received_on,
            since="the allegation was received",
        )
    _check_choice(
        errors, "decision", decision, InitialDecision, "Select the decision of the initial consideration"
    )
    _raise(errors)
    allegation.considered_on = considered_on
    allegation.initial_decision = decision
    allegation.save(update_fields=["considered_on", "initial_decision", "updated_at"])
    _audit(
        actor, "allegation.considered", allegation, {"on": considered_on.isoformat(), "decision": decision}
    )
    return allegation


def strategy_discussions_for(allegation: Allegation):
    """The linked children's own strategy discussions held on or after the allegation was received."""
    child_ids = allegation.children.filter(child__isnull=False).values("child_id")
    return StrategyDiscussion.objects.filter(
        child_id__in=child_ids, held_on__gte=allegation.received_on
    ).order_by("-held_on", "-id")


@transaction.atomic
def allegation_strategy_record(
    *,
    actor: User,
    allegation: Allegation,
    held_on: dt.date | None,
    strategy_discussion: StrategyDiscussion | None = None,
) -> Allegation:
    """Record the strategy discussion about the allegation, linked to a child's strategy discussion when it ran
    the child protection route for that child."""
    allegation = _locked(actor, allegation)
    _refuse_if_concluded(allegation)
    errors: dict = {}
    if allegation.initial_decision != InitialDecision.STRATEGY:
        errors["held_on"] = "Record an initial consideration deciding on a strategy discussion first"
    elif allegation.strategy_held_on:
        errors["held_on"] = (
            f"The strategy discussion was recorded on {long_date(allegation.strategy_held_on)}"
        )
    else:
        _check_day(
            errors,
            "held_on",
            held_on,
            "date of the strategy discussion",
            not_before=allegation.considered_on,
            since="the initial consideration",
        )
    if strategy_discussion is not None and "held_on" not in errors:
        if not strategy_discussions_for(allegation).filter(pk=strategy_discussion.pk).exists():
            errors["strategy_discussion"] = (
                "Select a strategy discussion about a child linked to this allegation"
            )
        elif strategy_discussion.held_on != held_on:
            errors["strategy_discussion"] = (
                f"That strategy discussion was held on {long_date(strategy_discussion.held_on)}, "
                "not on the date given"
            )
    _raise(errors)
    allegation.strategy_held_on = held_on
    allegation.strategy_discussion = strategy_discussion
    allegation.save(update_fields=["strategy_held_on", "strategy_discussion", "updated_at"])
    _audit(
        actor,
        "allegation.strategy_held",
        allegation,
        {
            "on": held_on.isoformat(),
            "strategy_discussion": strategy_discussion.pk if strategy_discussion else None,
        },
    )
    return allegation


def _latest_step(allegation: Allegation) -> tuple[dt.date, str]:
    steps = [(allegation.received_on, "the allegation was received")]
    if allegation.considered_on:
        steps.append((allegation.considered_on, "the initial consideration"))
    if allegation.strategy_held_on:
        steps.append((allegation.strategy_held_on, "the strategy discussion"))
    return max(steps)


@transaction.atomic
def allegation_conclude(
    *, actor: User, allegation: Allegation, concluded_on: dt.date | None, outcome: str, summary: str = ""
) -> Allegation:
    """Record the outcome of the allegation and the date it was concluded; its clocks stop."""
    allegation = _locked(actor, allegation)
    _refuse_if_concluded(allegation)
    errors: dict = {}
    if not allegation.considered_on:
        errors["concluded_on"] = "Record the initial consideration before the outcome"
    else:
        latest, what = _latest_step(allegation)
        _check_day(errors, "concluded_on", concluded_on, "date concluded", not_before=latest, since=what)
    _check_choice(errors, "outcome", outcome, Outcome, "Select the outcome of the allegation")
    _raise(errors)
    allegation.concluded_on = concluded_on
    allegation.outcome = outcome
    allegation.outcome_summary = summary.strip()
    allegation.save(update_fields=["concluded_on", "outcome", "outcome_summary", "updated_at"])
    _audit(actor, "allegation.concluded", allegation, {"on": concluded_on.isoformat(), "outcome": outcome})
    return allegation


@transaction.atomic
def regulator_referral_record(
    *, actor: User, allegation: Allegation, body: str, referred_on: dt.date | None
) -> RegulatorReferral:
    """Record a referral of the person to the Disclosure and Barring Service or a regulator."""
    allegation = _locked(actor, allegation)
    errors: dict = {}
    _check_choice(errors, "body", body, RegulatorBody, "Select who the person was referred to")
    if "body" not in errors and allegation.regulator_referrals.filter(body=body).exists():
        errors["body"] = f"A referral to the {RegulatorBody(body).label} is already recorded"
    _check_day(
        errors,
        "referred_on",
        referred_on,
        "date of the referral",
        not_before=allegation.received_on,
        since="the allegation was received",
    )
    _raise(errors)
    referral = RegulatorReferral.objects.create(allegation=allegation, body=body, referred_on=referred_on)
    _audit(actor, "allegation.regulator_referred", allegation, {"on": referred_on.isoformat(), "body": body})
    return referral


@transaction.atomic
def allegation_access_grant(*, actor: User, allegation: Allegation, user: User) -> AllegationAccessGrant:
    """Let one person outside the designated officer's team read this allegation."""
    if not can_grant_allegation_access(actor):
        raise PermissionDenied("Only a team manager of the designated officer's team grants access")
    allegation = Allegation.objects.select_for_update().get(pk=allegation.pk)
    if is_designated_officer(user):
        raise ValidationError({"user": f"{user.get_full_name() or user} already sees every allegation"})
    if allegation.access_grants.filter(user=user).exists():
        raise ValidationError({"user": f"{user.get_full_name() or user} already has access"})
    grant = AllegationAccessGrant.objects.create(allegation=allegation, user=user, granted_by=actor)
    _audit(actor, "allegation.access_granted", allegation, {"user": user.pk})
    return grant
