from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

TWO_FACTOR_SESSION_KEY = "two_factor_verified"
SIGNED_IN_AT_SESSION_KEY = "signed_in_at"
SIGN_IN_METHOD_KEY = "signed_in_with"  # "sso" after single sign-on; absent after a password
SSO_METHOD = "sso"


class RequireTwoFactorMiddleware:
    """A signed-in session that never passed the second factor, or has lasted longer than the absolute limit,
    is signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and (
            (settings.REQUIRE_TWO_FACTOR and not request.session.get(TWO_FACTOR_SESSION_KEY))
            or _past_absolute_limit(request.session)
        ):
            logout(request)
            return redirect(settings.LOGIN_URL)
        return self.get_response(request)


def _past_absolute_limit(session) -> bool:
    """A session lasts at most SESSION_ABSOLUTE_SECONDS from signing in, however active it is."""
    now = timezone.now().timestamp()
    signed_in_at = session.setdefault(
        SIGNED_IN_AT_SESSION_KEY, now
    )  # sessions from before the limit start now
    return now - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS


class RequirePasswordChangeMiddleware:
    """Someone still on the temporary password an administrator gave them changes it before anything else."""

    ALLOWED = ("accounts:password_change", "accounts:logout", "accounts:logout_confirm")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # Someone who signed in through the council's provider does not use an OpenCSC password.
        signed_in_with_sso = request.session.get(SIGN_IN_METHOD_KEY) == SSO_METHOD
        if user.is_authenticated and user.password_change_required and not signed_in_with_sso:
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect("accounts:password_change")
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """Pages for signed-in staff show children's records: no browser or proxy may keep a copy (the Back button
    after signing out, a shared computer)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
