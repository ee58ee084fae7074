"""Staff account management, for administrators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from opencsc.accounts import services
from opencsc.accounts.forms import EditAccountForm, NewAccountForm
from opencsc.accounts.models import GrantOutcome, Role, RoleGrant, User
from opencsc.accounts.sso import sso_links_of
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation


def _require_administrator(request) -> None:
    if request.user.role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only administrators manage staff accounts")


def _pending_grant(user: User) -> RoleGrant | None:
    return RoleGrant.objects.filter(user=user, outcome=GrantOutcome.PENDING).first()


def _waiting_note(user: User) -> str:
    grant = _pending_grant(user)
    if grant is None:
        return ""
    return f". The role {grant.get_role_display()} waits for a director's approval"


@login_required
def staff_list(request):
    _require_administrator(request)
    users = User.objects.select_related("team").order_by("last_name", "first_name")
    return render(request, "accounts/staff_list.html", {"users": users})


@login_required
@creates_record
def staff_new(request):
    _require_administrator(request)
    form = NewAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, f"Account created for {user.display_name}{_waiting_note(user)}")
            return redirect("accounts:staff_list")
    return render(
        request,
        "accounts/staff_form.html",
        {"form": form, "heading": "Add a member of staff", "error_summary_params": error_summary(form)},
    )


@login_required
def staff_edit(request, user_id: int):
    _require_administrator(request)
    user = get_object_or_404(User, pk=user_id)
    initial = {field: getattr(user, field) for field in (*services.ACCOUNT_FIELDS, "is_active")}
    form = EditAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, f"Account updated for {user.display_name}{_waiting_note(user)}")
            return redirect("accounts:staff_list")
    return render(
        request,
        "accounts/staff_form.html",
        {
            "form": form,
            "heading": f"Change {user.display_name}",
            "staff_member": user,
            "pending_grant": _pending_grant(user),
            "sso_links": sso_links_of(user),
            "error_summary_params": error_summary(form),
        },
    )


@require_POST
@login_required
def staff_reset_two_factor(request, user_id: int):
    _require_administrator(request)
    user = get_object_or_404(User, pk=user_id)
    services.user_reset_two_factor(actor=request.user, user=user)
    messages.success(
        request, f"{user.display_name} will set up a new authenticator app at their next sign-in"
    )
    return redirect("accounts:staff_edit", user_id=user.pk)


@require_POST
@login_required
def staff_unlink_sso(request, user_id: int):
    _require_administrator(request)
    user = get_object_or_404(User, pk=user_id)
    if services.user_sso_unlink(actor=request.user, user=user):
        messages.success(
            request, f"{user.display_name}'s next single sign-on will be matched to an account afresh"
        )
    return redirect("accounts:staff_edit", user_id=user.pk)


@login_required
def role_approvals(request):
    """Directors approve or decline the authority-wide roles administrators have asked for."""
    if request.user.role != Role.DIRECTOR:
        raise PermissionDenied("Only a director approves authority-wide roles")
    if request.method == "POST":
        grant = get_object_or_404(RoleGrant, pk=request.POST.get("grant"))
        decide = services.role_grant_approve if request.POST.get("decision") == "approve" else None
        try:
            if decide:
                decide(actor=request.user, grant=grant)
            else:
                services.role_grant_decline(actor=request.user, grant=grant)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            verb = "approved" if decide else "declined"
            messages.success(request, f"{grant.get_role_display()} for {grant.user.display_name}: {verb}")
        return redirect("accounts:role_approvals")
    grants = RoleGrant.objects.filter(outcome=GrantOutcome.PENDING).select_related("user", "requested_by")
    return render(request, "accounts/role_approvals.html", {"grants": grants})
