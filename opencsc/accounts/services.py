"""Writes to staff accounts. Only administrators manage accounts; every change is audited.

No one raises their own privileges: nobody changes their own role or team, and an authority-wide role (or the
administrator's own role) is only asked for here; it takes effect when a director other than the person asking
and the person themselves approves it (role_grant_approve)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.access import LA_WIDE_READ_ROLES
from opencsc.accounts.models import ExternalIdentity, GrantOutcome, Role, RoleGrant, Team, User
from opencsc.audit.services import audit_event_record

ACCOUNT_FIELDS = ("first_name", "last_name", "email", "role", "team", "job_title")
ROLES_NEEDING_APPROVAL = frozenset(LA_WIDE_READ_ROLES | {Role.ADMINISTRATOR})


def _require_administrator(actor) -> None:
    if actor.role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only administrators manage staff accounts")


@transaction.atomic
def user_create(*, actor, username: str, password: str, **fields) -> User:
    """A new account. One asked for with an authority-wide role is created inactive, with the role waiting for a
    director's approval."""
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
    needs_approval = user.role in ROLES_NEEDING_APPROVAL
    user.is_active = not needs_approval
    user.password_change_required = True
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_event_record(actor=actor, verb="user.created", target=user, payload={"role": user.role})
    if needs_approval:
        _grant_request(actor=actor, user=user, role=user.role, activates_account=True)
    return user


def _check_team_for_role(role: str, team: Team | None) -> None:
    if role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER) and team is None:
        raise ValidationError({"team": "Social workers and team managers must belong to a team"})


def _refuse_own_privileges(*, actor, user: User, fields: dict) -> None:
    if user.pk != actor.pk:
        return
    problems = {}
    if "role" in fields and fields["role"] != user.role:
        problems["role"] = "You cannot change your own role: ask another administrator"
    if "team" in fields and fields["team"] != user.team:
        problems["team"] = "You cannot change your own team: ask another administrator"
    if problems:
        raise ValidationError(problems)


def _refuse_activation_before_approval(user: User) -> None:
    grants = RoleGrant.objects.filter(user=user, activates_account=True, role=user.role)
    if grants.exists() and not grants.filter(outcome=GrantOutcome.APPROVED).exists():
        raise ValidationError(
            {
                "is_active": f"This account can be used once a director approves the role {user.get_role_display()}"
            }
        )


@transaction.atomic
def user_update(*, actor, user: User, is_active: bool, **fields) -> User:
    """Changes an account. A move to an authority-wide role is asked for, not made: the user keeps their role
    until a director approves the new one."""
    _require_administrator(actor)
    if user.pk == actor.pk and not is_active:
        raise ValidationError({"is_active": "You cannot deactivate your own account"})
    _refuse_own_privileges(actor=actor, user=user, fields=fields)
    requested_role = fields.pop("role", user.role)
    changed = {}
    for field in ACCOUNT_FIELDS:
        if field in fields and getattr(user, field) != fields[field]:
            changed[field] = [str(getattr(user, field) or ""), str(fields[field] or "")]
            setattr(user, field, fields[field])
    asks_for_role = requested_role != user.role and requested_role in ROLES_NEEDING_APPROVAL
    if requested_role != user.role and not asks_for_role:
        changed["role"] = [user.role, requested_role]
        user.role = requested_role
        _withdraw_pending_grants(actor=actor, user=user)
    if user.is_active != is_active:
        if is_active:
            _refuse_activation_before_approval(user)
        changed["is_active"] = [str(user.is_active), str(is_active)]
        user.is_active = is_active
    _check_team_for_role(requested_role if asks_for_role else user.role, user.team)
    user.full_clean()
    user.save()
    audit_event_record(actor=actor, verb="user.updated", target=user, payload={"changed": changed})
    if asks_for_role:
        _grant_request(actor=actor, user=user, role=requested_role, activates_account=False)
    return user


def _grant_request(*, actor, user: User, role: str, activates_account: bool) -> RoleGrant:
    _withdraw_pending_grants(actor=actor, user=user)
    grant = RoleGrant.objects.create(
        user=user, role=role, activates_account=activates_account, requested_by=actor
    )
    audit_event_record(
        actor=actor, verb="user.role_grant_requested", target=user, payload={"role": role, "grant": grant.pk}
    )
    return grant


def _withdraw_pending_grants(*, actor, user: User) -> None:
    for grant in RoleGrant.objects.filter(user=user, outcome=GrantOutcome.PENDING):
        _decide(actor=actor, grant=grant, outcome=GrantOutcome.WITHDRAWN)


def _decide(*, actor, grant: RoleGrant, outcome: str) -> None:
    grant.outcome, grant.decided_by, grant.decided_at = outcome, actor, timezone.now()
    grant.save(update_fields=["outcome", "decided_by", "decided_at"])
    audit_event_record(
        actor=actor,
        verb=f"user.role_grant_{outcome}",
        target=grant.user,
        payload={"role": grant.role, "grant": grant.pk},
    )


def _locked_pending_grant_for_director(*, actor, grant: RoleGrant) -> RoleGrant:
    if actor.role != Role.DIRECTOR:
        raise PermissionDenied("Only a director approves authority-wide roles")
    locked = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if locked.outcome != GrantOutcome.PENDING:
        raise ValidationError(
            {"grant": f"This request has already been {locked.get_outcome_display().lower()}"}
        )
    if actor.pk in (locked.requested_by_id, locked.user_id):
        raise ValidationError(
            {"grant": "A second person must decide: you asked for this role or would receive it"}
        )
    return locked


@transaction.atomic
def role_grant_approve(*, actor, grant: RoleGrant) -> User:
    grant = _locked_pending_grant_for_director(actor=actor, grant=grant)
    user = grant.user
    previous = user.role
    user.role = grant.role
    if grant.activates_account:
        user.is_active = True
    _check_team_for_role(user.role, user.team)
    user.save(update_fields=["role", "is_active"])
    _decide(actor=actor, grant=grant, outcome=GrantOutcome.APPROVED)
    audit_event_record(
        actor=actor, verb="user.updated", target=user, payload={"changed": {"role": [previous, user.role]}}
    )
    return user


@transaction.atomic
def role_grant_decline(*, actor, grant: RoleGrant) -> None:
    grant = _locked_pending_grant_for_director(actor=actor, grant=grant)
    _decide(actor=actor, grant=grant, outcome=GrantOutcome.DECLINED)


@transaction.atomic
def user_password_change(*, actor, current_password: str, new_password: str) -> None:
    """The signed-in person replaces their own password (a temporary one must be replaced at first sign-in)."""
    if not actor.check_password(current_password):
        raise ValidationError({"current_password": "Your current password is not right"})
    if new_password == current_password:
        raise ValidationError({"new_password": "The new password must be different from the current one"})
    try:
        validate_password(new_password, actor)
    except ValidationError as weak:
        raise ValidationError({"new_password": weak.messages}) from weak
    actor.set_password(new_password)
    actor.password_change_required = False
    actor.save(update_fields=["password", "password_change_required"])
    audit_event_record(actor=actor, verb="user.password_changed", target=actor)


@transaction.atomic
def user_reset_two_factor(*, actor, user: User) -> None:
    """Clears the user's authenticator so they enrol a new one at their next sign-in."""
    _require_administrator(actor)
    user.totp_secret = ""
    user.totp_confirmed_at = None
    user.totp_last_used_step = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_used_step"])
    audit_event_record(actor=actor, verb="user.two_factor_reset", target=user)


@transaction.atomic
def user_sso_unlink(*, actor, user: User) -> int:
    """Forgets the provider identities linked to the account (the person's directory account was replaced), so
    their next single sign-on is matched afresh. Returns how many links were removed."""
    _require_administrator(actor)
    links = list(ExternalIdentity.objects.select_for_update().filter(user=user))
    for link in links:
        audit_event_record(
            actor=actor,
            verb="user.sso_unlinked",
            target=user,
            payload={"issuer": link.issuer, "subject": link.subject},
        )
        link.delete()
    return len(links)
