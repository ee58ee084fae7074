"""API clients, for the system administrator: the list, a new client (its token shown once, on the page the form
leads to, then forgotten), each client's recent calls, and revoking it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from opencsc.accounts.models import Role
from opencsc.api import services
from opencsc.api.forms import NewApiClientForm
from opencsc.api.models import ApiClient
from opencsc.audit.models import ApiCall
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation

SHOWN_ONCE = "api_token_shown_once"
RECENT_CALLS = 50


def _require_administrator(request) -> None:
    if request.user.role != Role.ADMINISTRATOR:
        raise PermissionDenied(services.ONLY_ADMINISTRATORS)


@login_required
def client_list(request):
    _require_administrator(request)
    return render(request, "api/client_list.html", {"clients": ApiClient.objects.all()})


@login_required
@creates_record
def client_new(request):
    _require_administrator(request)
    form = NewApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_client_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            request.session[SHOWN_ONCE] = {"client": issued.client.pk, "token": issued.token}
            return redirect("api_clients:detail", client_id=issued.client.pk)
    return render(
        request, "api/client_form.html", {"form": form, "error_summary_params": error_summary(form)}
    )


@login_required
def client_detail(request, client_id: int):
    _require_administrator(request)
    client = get_object_or_404(ApiClient, pk=client_id)
    shown = request.session.pop(SHOWN_ONCE, None)
    token = shown["token"] if shown and shown["client"] == client.pk else None
    calls = ApiCall.objects.filter(client=client)[:RECENT_CALLS]
    return render(request, "api/client_detail.html", {"client": client, "token": token, "calls": calls})


@require_POST
@login_required
def client_revoke(request, client_id: int):
    _require_administrator(request)
    client = get_object_or_404(ApiClient, pk=client_id)
    try:
        services.api_client_revoke(actor=request.user, client=client)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The credentials of {client.name} are revoked: its calls are now refused")
    return redirect("api_clients:detail", client_id=client.pk)
