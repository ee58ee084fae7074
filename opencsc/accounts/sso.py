"""Single sign-on: which OpenCSC account a provider's verified identity is, and the log of every outcome.

The provider proves who someone is; OpenCSC alone decides what they may do (role and team stay on the account).
Rules, in order:
- An identity linked by an earlier sign-in (issuer and subject) is that account, whatever its email now says.
- Otherwise, at a first sign-in, the configured claim (OIDC_MATCH_CLAIM: Entra ID's `preferred_username`, the UPN,
  or `email`) is compared, ignoring case, with each account's email address and username. Exactly one account
  must match; it is then linked, so a later change of address at the provider cannot move the person to another
  account. With `email`, a provider that says the address is unverified (`email_verified` false) is refused.
  With `none`, only identities linked before are accepted.
- An account already linked to another identity at the same provider is not linked again (a re-created
  directory account with a recycled name must not inherit someone's record access): an administrator decides.
- An unknown identity, two matching accounts or a deactivated account is refused. Every refusal and every
  success is written to the sign-in log (LoginAttempt, stage "sso") and to the audit trail with the claims that
  were used, so the refused person can be found even though they have no account.

The multi-factor signal is the `amr` claim (RFC 8176) containing "mfa", as Entra ID and most providers send it
after a second factor; without it OpenCSC's own code is asked for.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencsc.accounts.models import ExternalIdentity, LoginAttempt, User
from opencsc.audit.services import audit_event_record

SSO_STAGE = "sso"
MFA_METHOD = "mfa"


class SsoRefusal(Exception):
    """A sign-in the provider vouched for (or failed to) that OpenCSC will not accept."""

    MESSAGES = {
        "unknown": "There is no OpenCSC account for {who}. Ask your administrator to add you.",
        "inactive": "The OpenCSC account for {who} has been closed. Ask your administrator if you need access.",
        "ambiguous": "More than one OpenCSC account matches {who}. Ask your administrator to correct the accounts.",
        "linked_elsewhere": (
            "The OpenCSC account for {who} is already linked to a different identity at your council's provider. "
            "Ask your administrator."
        ),
        "unverified_email": "Your provider has not verified the email address {who}. Ask your administrator.",
        "no_identifier": "Your provider did not say who you are. Ask your administrator to check the set-up.",
        "provider_error": "Your council's sign-in service did not sign you in. Start again.",
        "invalid_response": "The sign-in could not be completed or was already used. Start again.",
    }

    def __init__(self, reason: str, who: str = ""):
        self.reason = reason
        self.who = who
        super().__init__(self.MESSAGES[reason].format(who=who or "you"))


@dataclass(frozen=True)
class ProviderIdentity:
    """The claims of a verified ID token that OpenCSC uses."""

    issuer: str
    subject: str
    match_value: str
    email_verified: bool | None
    amr: tuple[str, ...]

    @property
    def passed_mfa(self) -> bool:
        return MFA_METHOD in self.amr

    @property
    def who(self) -> str:
        return self.match_value or self.subject


def sso_links_of(user: User) -> list[ExternalIdentity]:
    return list(ExternalIdentity.objects.filter(user=user).order_by("linked_at"))


def identity_from_claims(*, issuer: str, claims: dict) -> ProviderIdentity:
    """The identity in an ID token whose signature, issuer, audience, expiry and nonce were already checked."""
    subject = str(claims.get("oid") or claims.get("sub") or "")
    claim = settings.OIDC_MATCH_CLAIM
    match_value = "" if claim == "none" else str(claims.get(claim) or "").strip()
    amr = claims.get("amr") or ()
    return ProviderIdentity(
        issuer=issuer,
        subject=subject,
        match_value=match_value,
        email_verified=claims.get("email_verified"),
        amr=tuple(str(method) for method in amr) if isinstance(amr, list | tuple) else (),
    )


def sso_sign_in_resolve(*, identity: ProviderIdentity, ip_address: str | None) -> User:
    """The active account this identity signs in as, linked on a first sign-in; raises SsoRefusal (logged)."""
    try:
        with transaction.atomic():
            user = _linked_or_matched_user(identity)
    except SsoRefusal as refusal:
        sso_refusal_log(refusal=refusal, identity=identity, ip_address=ip_address)
        raise
    _log(identity=identity, ip_address=ip_address, user=user, reason="")
    return user


def sso_refusal_log(
    *, refusal: SsoRefusal, identity: ProviderIdentity | None, ip_address: str | None
) -> None:
    _log(identity=identity, ip_address=ip_address, user=None, reason=refusal.reason, who=refusal.who)


def _linked_or_matched_user(identity: ProviderIdentity) -> User:
    if not identity.subject:
        raise SsoRefusal("no_identifier")
    linked = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=identity.issuer, subject=identity.subject)
        .first()
    )
    if linked is not None:
        _require_active(linked.user, identity)
        linked.last_signed_in_at = timezone.now()
        linked.save(update_fields=["last_signed_in_at"])
        return linked.user
    user = _matching_user(identity)
    _require_active(user, identity)
    if ExternalIdentity.objects.filter(user=user, issuer=identity.issuer).exists():
        raise SsoRefusal("linked_elsewhere", identity.who)
    link = ExternalIdentity.objects.create(
        user=user, issuer=identity.issuer, subject=identity.subject, last_signed_in_at=timezone.now()
    )
    audit_event_record(
        actor=user,
        verb="user.sso_linked",
        target=link,
        payload={"issuer": identity.issuer, "subject": identity.subject, "matched_on": identity.match_value},
    )
    return user


def _matching_user(identity: ProviderIdentity) -> User:
    if not identity.match_value:
        raise SsoRefusal("unknown", identity.who)
    if settings.OIDC_MATCH_CLAIM == "email" and identity.email_verified is False:
        raise SsoRefusal("unverified_email", identity.who)
    value = identity.match_value
    matches = list(User.objects.filter(Q(email__iexact=value) | Q(username__iexact=value))[:2])
    if not matches:
        raise SsoRefusal("unknown", identity.who)
    if len(matches) > 1:
        raise SsoRefusal("ambiguous", identity.who)
    return matches[0]


def _require_active(user: User, identity: ProviderIdentity) -> None:
    if not user.is_active:
        raise SsoRefusal("inactive", identity.who)


def _log(
    *,
    identity: ProviderIdentity | None,
    ip_address: str | None,
    user: User | None,
    reason: str,
    who: str = "",
) -> None:
    """One sign-in log row and one audit event for each outcome. The log's username is the account's where
    there is one, else the name the provider gave, so a refused stranger is searchable by what they tried."""
    name = user.username if user else (who or (identity.who if identity else ""))
    with transaction.atomic():
        attempt = LoginAttempt.objects.create(
            username=name.lower()[:150],
            ip_address=ip_address,
            succeeded=user is not None,
            stage=SSO_STAGE,
            reason=reason,
        )
        payload = {"reason": reason} if reason else {}
        if identity is not None:
            payload |= {
                "issuer": identity.issuer,
                "subject": identity.subject,
                "claimed": identity.match_value,
                "mfa": identity.passed_mfa,
            }
        verb = "user.sso_signed_in" if user else "user.sso_refused"
        audit_event_record(actor=user, verb=verb, target=attempt, payload=payload)
