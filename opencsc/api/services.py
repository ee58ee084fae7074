"""Writes for API clients, by a system administrator: make one (its secret returned once, never stored) and revoke
one. Each writes its audit event in the same transaction."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.models import Role, User
from opencsc.api.credentials import hash_secret, new_key_id, new_secret, token_for
from opencsc.api.models import ApiClient, Scope
from opencsc.audit.services import audit_event_record

MAX_RATE_LIMIT = 10_000
ONLY_ADMINISTRATORS = "Only a system administrator manages API clients"
NAME_TAKEN = "An API client with this name already exists: choose another name"
NO_SCOPE = "Choose at least one scope"
UNKNOWN_SCOPE = "Choose scopes from the list"
RATE_LIMIT_RANGE = f"Enter a rate limit from 1 to {MAX_RATE_LIMIT:,} calls a minute"
ALREADY_REVOKED = "These credentials were already revoked"


@dataclass(frozen=True)
class IssuedClient:
    client: ApiClient
    token: str  # KEYID.SECRET: shown once, to be given to the partner; only the secret's hash is kept


def _require_administrator(actor: User) -> None:
    if actor.role != Role.ADMINISTRATOR or not actor.is_active:
        raise ValidationError(ONLY_ADMINISTRATORS)


def _check(*, name: str, scopes: list[str], rate_limit_per_minute: int) -> None:
    errors: dict[str, str] = {}
    if ApiClient.objects.filter(name__iexact=name.strip()).exists():
        errors["name"] = NAME_TAKEN
    if not scopes:
        errors["scopes"] = NO_SCOPE
    elif set(scopes) - set(Scope.values):
        errors["scopes"] = UNKNOWN_SCOPE
    if not 1 <= rate_limit_per_minute <= MAX_RATE_LIMIT:
        errors["rate_limit_per_minute"] = RATE_LIMIT_RANGE
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def api_client_create(
    *,
    actor: User,
    name: str,
    organisation: str,
    contact_email: str,
    scopes: list[str],
    rate_limit_per_minute: int = 60,
) -> IssuedClient:
    _require_administrator(actor)
    _check(name=name, scopes=scopes, rate_limit_per_minute=rate_limit_per_minute)
    secret = new_secret()
    client = ApiClient.objects.create(
        name=name.strip(),
        organisation=organisation.strip(),
        contact_email=contact_email.strip(),
        key_id=new_key_id(),
        secret_hash=hash_secret(secret),
        scopes=sorted(set(scopes)),
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=actor,
    )
    audit_event_record(
        actor=actor,
        verb="api_client.create",
        target=client,
        payload={"name": client.name, "scopes": client.scopes, "rate_limit": rate_limit_per_minute},
    )
    return IssuedClient(client=client, token=token_for(client.key_id, secret))


@transaction.atomic
def api_client_revoke(*, actor: User, client: ApiClient) -> ApiClient:
    _require_administrator(actor)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise ValidationError(ALREADY_REVOKED)
    client.revoked_at = timezone.now()
    client.revoked_by = actor
    client.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_event_record(actor=actor, verb="api_client.revoke", target=client, payload={"name": client.name})
    return client
