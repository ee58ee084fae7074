"""Sign-in in two steps: password, then a TOTP code (enrolling the app on first sign-in)."""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from opencsc.accounts.forms import PasswordChangeForm, SignInForm, TwoFactorForm
from opencsc.accounts.middleware import (
    SIGN_IN_METHOD_KEY,
    SIGNED_IN_AT_SESSION_KEY,
    TWO_FACTOR_SESSION_KEY,
)
from opencsc.accounts.models import User
from opencsc.accounts.oidc import sso_enabled
from opencsc.accounts.services import user_password_change
from opencsc.accounts.throttle import sign_in_try_claim, sign_in_try_settle
from opencsc.accounts.two_factor import new_secret, provisioning_qr_svg, totp_verify
from opencsc.audit.context import client_ip
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation

PENDING_USER_KEY = "pending_user_id"
NEXT_KEY = "after_sign_in"
THROTTLED_MESSAGE = "Too many failed attempts"


def throttled_message(wait_seconds: int) -> str:
    wait = f"{wait_seconds} seconds" if wait_seconds < 120 else f"{math.ceil(wait_seconds / 60)} minutes"
    return f"{THROTTLED_MESSAGE}. Wait {wait} and try again, or ask your administrator."


def safe_next(request) -> str:
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


@require_http_methods(["GET", "POST"])
def sign_in(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username, ip = form.cleaned_data["username"], client_ip(request)
        wait = sign_in_try_claim(username=username, ip_address=ip)
        if wait:
            form.add_error(None, throttled_message(wait))
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            sign_in_try_settle(
                username=username,
                ip_address=ip,
                succeeded=user is not None,
                stage="password",
                signed_in=user is not None and not settings.REQUIRE_TWO_FACTOR,
            )
            if user is None:
                form.add_error(None, "The username or password is not right")
            else:
                request.session.cycle_key()
                request.session.pop(SIGN_IN_METHOD_KEY, None)
                request.session[PENDING_USER_KEY] = user.pk
                request.session[NEXT_KEY] = safe_next(request)
                if not settings.REQUIRE_TWO_FACTOR:
                    return complete_sign_in(request, user)
                return redirect("accounts:two_factor")
    context = {
        "form": form,
        "error_summary_params": error_summary(form),
        "sso_enabled": sso_enabled(),
        "sso_provider_name": settings.OIDC_PROVIDER_NAME,
        "next": safe_next(request),
    }
    return render(request, "accounts/sign_in.html", context)


def complete_sign_in(request, user):
    target = request.session.pop(NEXT_KEY, "") or settings.LOGIN_REDIRECT_URL
    request.session.pop(PENDING_USER_KEY, None)
    method = request.session.pop(SIGN_IN_METHOD_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if method:
        request.session[SIGN_IN_METHOD_KEY] = method
    request.session[TWO_FACTOR_SESSION_KEY] = True
    request.session[SIGNED_IN_AT_SESSION_KEY] = timezone.now().timestamp()
    return redirect(target)


@require_http_methods(["GET", "POST"])
def two_factor(request):
    user = User.objects.filter(pk=request.session.get(PENDING_USER_KEY), is_active=True).first()
    if user is None:
        return redirect("accounts:login")
    if not user.totp_secret:
        user.totp_secret = new_secret()
        user.save(update_fields=["totp_secret"])
    form = TwoFactorForm(request.POST or None)
    ip = client_ip(request)
    if request.method == "POST" and form.is_valid():
        wait = sign_in_try_claim(username=user.username, ip_address=ip)
        if wait:
            form.add_error("code", throttled_message(wait))
        elif totp_verify(user=user, code=form.cleaned_data["code"]):
            sign_in_try_settle(
                username=user.username, ip_address=ip, succeeded=True, stage="totp", signed_in=True
            )
            return complete_sign_in(request, user)
        else:
            sign_in_try_settle(username=user.username, ip_address=ip, succeeded=False, stage="totp")
            form.add_error("code", "The code is not right or has already been used: enter the code shown now")
    enrolling = user.totp_confirmed_at is None
    context = {
        "form": form,
        "enrolling": enrolling,
        "secret": user.totp_secret if enrolling else "",
        "qr_svg": provisioning_qr_svg(user) if enrolling else "",
        "error_summary_params": error_summary(form),
    }
    return render(request, "accounts/two_factor.html", context)


@require_POST
def sign_out(request):
    logout(request)
    return redirect("accounts:login")


def sign_out_page(request):
    return render(request, "accounts/sign_out.html")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_password_change(
                actor=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            update_session_auth_hash(request, request.user)  # stay signed in here; other sessions end
            messages.success(request, "Your password has been changed")
            return redirect(settings.LOGIN_REDIRECT_URL)
    context = {
        "form": form,
        "required": request.user.password_change_required,
        "error_summary_params": error_summary(form),
    }
    return render(request, "accounts/password_change.html", context)
