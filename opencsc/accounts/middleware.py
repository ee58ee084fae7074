from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

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
