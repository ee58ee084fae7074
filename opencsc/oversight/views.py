"""Escalation pages: mine, the whole chain, and one escalation with its acknowledge and close forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from opencsc.audit.services import record_access_log_list
from opencsc.oversight import selectors, services
from opencsc.oversight.digest import can_view_digest
from opencsc.oversight.forms import ChainFilterForm, CloseForm
from opencsc.oversight.models import Escalation
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation


def _escalation_or_404(escalation_id: int) -> Escalation:
    try:
        return Escalation.objects.select_related("team").get(pk=escalation_id)
    except Escalation.DoesNotExist as missing:
        raise Http404("No such escalation") from missing


def _visible_escalation(request, escalation_id: int) -> Escalation:
    escalation = _escalation_or_404(escalation_id)
    if not selectors.can_view_escalation(request.user, escalation):
        raise PermissionDenied("This escalation is not one you hold, held or oversee")
    return escalation


def _log_named(request, rows) -> None:
    record_access_log_list(
        user=request.user,
        child_ids=[row.child_id for row in rows if row.child_id],
        path=request.get_full_path(),
    )


@login_required
def escalation_list(request):
    today = timezone.localdate()
    page = selectors.paginate(selectors.escalations_mine(request.user), request.GET.get("page"))
    rows = selectors.escalation_rows(request.user, page.object_list, today=today, with_steps=False)
    _log_named(request, rows)
    return render(
        request,
        "oversight/escalations.html",
        {
            "page": page,
            "rows": rows,
            "can_view_chain": selectors.can_view_chain(request.user),
            "can_view_digest": can_view_digest(request.user),
            "is_social_worker": request.user.role == "social_worker",
        },
    )


@login_required
def escalation_chain_page(request):
    if not selectors.can_view_chain(request.user):
        raise PermissionDenied(
            "The whole escalation chain is for the head of service, director, chief "
            "executive and improvement board"
        )
    today = timezone.localdate()
    form = ChainFilterForm(request.GET or None, choices=selectors.filter_choices())
    filters = form.cleaned_data if form.is_valid() else {}
    escalations = selectors.escalation_chain(
        level=filters.get("level") or "",
        rule_id=filters.get("rule") or "",
        team_id=filters.get("team"),
        status=filters.get("status") or "open",
    )
    page = selectors.paginate(escalations, request.GET.get("page"))
    rows = selectors.escalation_rows(request.user, page.object_list, today=today)
    _log_named(request, rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "oversight/chain.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": selectors.chain_counts(),
            "status": filters.get("status") or "open",
            "names_hidden": selectors.names_hidden(request.user),
            "query_string": query.urlencode(),
        },
    )


def _detail(request, escalation: Escalation, *, close_form: CloseForm | None = None, status: int = 200):
    today = timezone.localdate()
    row = selectors.escalation_rows(request.user, Escalation.objects.filter(pk=escalation.pk), today=today)[0]
    _log_named(request, [row])
    close_form = close_form or CloseForm()
    return render(
        request,
        "oversight/escalation.html",
        {
            "row": row,
            "escalation": row.escalation,
            "close_form": close_form,
            "error_summary_params": error_summary(close_form),
            "page_has_errors": bool(close_form.errors),
            "can_view_chain": selectors.can_view_chain(request.user),
        },
        status=status,
    )


@login_required
def escalation_detail(request, escalation_id: int):
    return _detail(request, _visible_escalation(request, escalation_id))


@require_POST
@login_required
def escalation_acknowledge_view(request, escalation_id: int):
    escalation = _visible_escalation(request, escalation_id)
    if not services.can_act_on(request.user, escalation):
        raise PermissionDenied(
            "Only the person holding this escalation, or someone above them, can acknowledge it"
        )
    try:
        services.escalation_acknowledge(actor=request.user, escalation=escalation)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, "Acknowledged: it will not climb further. Record a response to close it.")
    return redirect("oversight:escalation", escalation.pk)


@require_POST
@login_required
def escalation_close_view(request, escalation_id: int):
    escalation = _visible_escalation(request, escalation_id)
    if not services.can_act_on(request.user, escalation):
        raise PermissionDenied("Only the person holding this escalation, or someone above them, can close it")
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.escalation_close(
                actor=request.user, escalation=escalation, response=form.cleaned_data["response"]
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, "Response recorded and the escalation closed")
            return redirect("oversight:escalation", escalation.pk)
    return _detail(request, escalation, close_form=form)
