"""Single sign-on pages: the start (off to the council's provider) and the callback (back with a code).

The callback signs in only an identity the provider vouched for in a verified ID token and OpenCSC knows
(opencsc/accounts/sso.py). The session is then renewed exactly as after a password: a new session key, the
absolute time limit, and the two-factor step, which the provider's `amr` "mfa" satisfies; without it the person
enters their OpenCSC code (enrolling an authenticator on the first sign-in). Every refusal gets a page that says
why and is logged. Neither page exists while no provider is configured."""

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError

from opencsc.accounts.middleware import SIGN_IN_METHOD_KEY, SSO_METHOD
from opencsc.accounts.oidc import ProviderMisconfigured, provider_client, sso_enabled
from opencsc.accounts.sso import (
    ProviderIdentity,
    SsoRefusal,
    identity_from_claims,
    sso_refusal_log,
    sso_sign_in_resolve,
)
from opencsc.accounts.views import (
    NEXT_KEY,
    PENDING_USER_KEY,
    complete_sign_in,
    safe_next,
)
from opencsc.audit.context import client_ip

logger = logging.getLogger(__name__)
UNREACHABLE = (requests.RequestException, ProviderMisconfigured, ValueError)


def _require_sso() -> None:
    if not sso_enabled():
        raise Http404("Single sign-on is not set up")


@require_GET
def sso_start(request):
    _require_sso()
    request.session[NEXT_KEY] = safe_next(request)
    callback = request.build_absolute_uri(reverse("accounts:sso_callback"))
    try:
        return provider_client().authorize_redirect(request, callback)
    except UNREACHABLE as problem:
        logger.warning("Single sign-on provider unavailable: %s", problem)
        return _refused(request, SsoRefusal("provider_error"), identity=None)


@require_GET
def sso_callback(request):
    _require_sso()
    try:
        identity = _verified_identity(request)
    except SsoRefusal as refusal:
        return _refused(request, refusal, identity=None)
    try:
        user = sso_sign_in_resolve(identity=identity, ip_address=client_ip(request))
    except SsoRefusal as refusal:
        return render(request, "accounts/sso_refused.html", {"message": str(refusal)}, status=403)
    request.session.cycle_key()
    request.session[PENDING_USER_KEY] = user.pk
    request.session[SIGN_IN_METHOD_KEY] = SSO_METHOD
    if identity.passed_mfa or not settings.REQUIRE_TWO_FACTOR:
        return complete_sign_in(request, user)
    return redirect("accounts:two_factor")


def _verified_identity(request) -> ProviderIdentity:
    """The identity in the provider's answer, or SsoRefusal if the provider refused or the answer fails a check."""
    if request.GET.get("error"):
        logger.info("Provider refused sign-in: %s", request.GET.get("error"))
        raise SsoRefusal("provider_error")
    try:
        token = provider_client().authorize_access_token(request)
    except UNREACHABLE as problem:
        logger.warning("Single sign-on provider unavailable: %s", problem)
        raise SsoRefusal("provider_error") from problem
    except (AuthlibBaseError, JoseError) as problem:
        logger.warning("Single sign-on answer refused: %r", problem)
        raise SsoRefusal("invalid_response") from problem
    claims = token.get("userinfo")
    if not claims:
        raise SsoRefusal("invalid_response")
    return identity_from_claims(issuer=settings.OIDC_ISSUER, claims=dict(claims))


def _refused(request, refusal: SsoRefusal, *, identity: ProviderIdentity | None):
    sso_refusal_log(refusal=refusal, identity=identity, ip_address=client_ip(request))
    return render(request, "accounts/sso_refused.html", {"message": str(refusal)}, status=403)
