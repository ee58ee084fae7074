from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

TWO_FACTOR_SESSION_KEY = "two_factor_verified"


class RequireTwoFactorMiddleware:
    """A signed-in session that never passed the second factor is signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.REQUIRE_TWO_FACTOR
            and user.is_authenticated
            and not request.session.get(TWO_FACTOR_SESSION_KEY)
        ):
            logout(request)
            return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class RequirePasswordChangeMiddleware:
    """Someone still on the temporary password an administrator gave them changes it before anything else."""

    ALLOWED = ("accounts:password_change", "accounts:logout", "accounts:logout_confirm")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.password_change_required:
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect("accounts:password_change")
        return self.get_response(request)
