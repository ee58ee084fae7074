"""Writes to staff accounts. Only administrators manage accounts; every change is audited."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from opencsc.accounts.models import Role, Team, User
from opencsc.audit.services import audit_event_record

ACCOUNT_FIELDS = ("first_name", "last_name", "email", "role", "team", "job_title")


def _require_administrator(actor) -> None:
    if actor.role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only administrators manage staff accounts")


@transaction.atomic
def user_create(*, actor, username: str, password: str, **fields) -> User:
    _require_administrator(actor)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is already taken"})
    user = User(
        username=username, **{field: fields.get(field) for field in ACCOUNT_FIELDS if field in fields}
    )
    try:
        validate_password(password, user)
    except ValidationError as weak:
        raise ValidationError({"password": weak.messages}) from weak
    _check_team_for_role(user.role, user.team)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_event_record(actor=actor, verb="user.created", target=user, payload={"role": user.role})
    return user


def _check_team_for_role(role: str, team: Team | None) -> None:
    if role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER) and team is None:
        raise ValidationError({"team": "Social workers and team managers must belong to a team"})


@transaction.atomic
def user_update(*, actor, user: User, is_active: bool, **fields) -> User:
    _require_administrator(actor)
    if user.pk == actor.pk and not is_active:
        raise ValidationError({"is_active": "You cannot deactivate your own account"})
    changed = {}
    for field in ACCOUNT_FIELDS:
        if field in fields and getattr(user, field) != fields[field]:
            changed[field] = [str(getattr(user, field) or ""), str(fields[field] or "")]
            setattr(user, field, fields[field])
    if user.is_active != is_active:
        changed["is_active"] = [str(user.is_active), str(is_active)]
        user.is_active = is_active
    _check_team_for_role(user.role, user.team)
    user.full_clean()
    user.save()
    audit_event_record(actor=actor, verb="user.updated", target=user, payload={"changed": changed})
    return user


@transaction.atomic
def user_reset_two_factor(*, actor, user: User) -> None:
    """Clears the user's authenticator so they enrol a new one at their next sign-in."""
    _require_administrator(actor)
    user.totp_secret = ""
    user.totp_confirmed_at = None
    user.totp_last_used_step = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_used_step"])
    audit_event_record(actor=actor, verb="user.two_factor_reset", target=user)
