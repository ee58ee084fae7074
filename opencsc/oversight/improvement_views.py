"""Improvement plan pages: the plan, a recommendation, adding and editing an action, adding evidence, and the
board-meeting view."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from opencsc.oversight import improvement as services
from opencsc.oversight import improvement_selectors as selectors
from opencsc.oversight.forms import ActionForm, EvidenceForm
from opencsc.oversight.models import ActionStatus
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation


def parse_day(text: str | None, *, allow_future: bool = False) -> tuple[dt.date, str]:
    """The day asked for in ?on=, or today with a message saying why the day asked for was not used."""
    today = timezone.localdate()
    if not text:
        return today, ""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return (
            today,
            f"'{text}' is not a date: enter the date as YYYY-MM-DD, for example 2015-03-27. Showing today.",
        )
    if day > today and not allow_future:
        return today, "The date must be today or in the past: showing today instead"
    return day, ""


def _require_reader(user) -> None:
    if not services.can_read_plan(user):
        raise PermissionDenied(
            "The improvement plan is for the director, heads of service, performance analysts, the chief "
            "executive and the improvement board"
        )


def _require_editor(user) -> None:
    if not services.can_edit_plan(user):
        raise PermissionDenied(
            "Only the director, heads of service and performance analysts change the improvement plan"
        )


def _base_context(request, day, problem) -> dict:
    return {
        "day": day,
        "today": timezone.localdate(),
        "date_problem": problem,
        "can_edit": services.can_edit_plan(request.user),
        "status_tag": selectors.STATUS_TAG,
        "status_label": selectors.status_label,
        "kpi_name": selectors.kpi_name,
    }


@login_required
def plan_overview(request):
    _require_reader(request.user)
    day, problem = parse_day(request.GET.get("on"))
    inspection = selectors.current_inspection(day)
    recommendations = selectors.plan_on(inspection, day) if inspection else []
    context = _base_context(request, day, problem) | {
        "inspection": inspection,
        "recommendations": recommendations,
        "statuses": selectors.STATUS_ORDER,
        "kpis": selectors.kpi_progress(
            sorted({k for row in recommendations for k in row.recommendation.kpi_ids}), day
        ),
    }
    return render(request, "oversight/plan.html", context)


def _recommendation_or_404(recommendation_id: int):
    recommendation = selectors.recommendation_get(recommendation_id)
    if recommendation is None:
        raise Http404("No such recommendation")
    return recommendation


def _action_or_404(action_id: int):
    action = selectors.action_get(action_id)
    if action is None:
        raise Http404("No such action")
    return action


@login_required
def recommendation_detail(request, recommendation_id: int):
    _require_reader(request.user)
    recommendation = _recommendation_or_404(recommendation_id)
    day, problem = parse_day(request.GET.get("on"))
    context = _base_context(request, day, problem) | {
        "recommendation": recommendation,
        "row": selectors.recommendation_on(recommendation, day),
        "kpis": selectors.kpi_progress(recommendation.kpi_ids, day),
    }
    return render(request, "oversight/recommendation.html", context)


def _add_service_problems(form: ActionForm, action=None) -> None:
    """When the form itself is wrong (a date that is not a date), also name what the service would refuse in
    the other fields, so every problem is listed at once."""
    if form.is_valid() or not hasattr(form, "cleaned_data"):
        return
    fields = {name: value for name, value in form.action_fields().items() if name not in form.errors}
    if action is not None:
        fields = {name: getattr(action, name) for name in services.ACTION_FIELDS} | fields
    created_on = action.created_at.date() if action else None
    for name, problem in services.action_problems(
        fields, today=timezone.localdate(), created_on=created_on
    ).items():
        if name not in form.errors and name in form.cleaned_data:
            form.add_error(name, problem)


def _action_form_page(request, *, form, recommendation, action=None, status=200):
    if request.method == "POST":
        _add_service_problems(form, action)
    return render(
        request,
        "oversight/action_form.html",
        {
            "form": form,
            "recommendation": recommendation,
            "action": action,
            "error_summary_params": error_summary(form),
            "page_has_errors": bool(form.errors),
        },
        status=status,
    )


@login_required
@creates_record
def action_new(request, recommendation_id: int):
    _require_editor(request.user)
    recommendation = _recommendation_or_404(recommendation_id)
    owners = list(services.owner_choices())
    form = ActionForm(request.POST or None, owners=owners, initial={"status": ActionStatus.NOT_STARTED})
    if request.method == "POST" and form.is_valid():
        try:
            services.action_add(actor=request.user, recommendation=recommendation, **form.action_fields())
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, "Action added to the plan")
            return redirect("oversight:recommendation", recommendation.pk)
    return _action_form_page(request, form=form, recommendation=recommendation)


@login_required
def action_edit(request, action_id: int):
    _require_editor(request.user)
    action = _action_or_404(action_id)
    owners = list(services.owner_choices())
    if action.owner not in owners:
        owners.append(action.owner)  # an owner who has since left stays choosable until replaced
    initial = {
        "description": action.description,
        "owner": str(action.owner_id),
        "due_on": action.due_on,
        "status": action.status,
        "completed_on": action.completed_on,
        "version": action.version,
    }
    form = ActionForm(request.POST or None, owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            services.action_update(
                actor=request.user,
                action=action,
                expected_version=version if version is not None else action.version,
                **form.action_fields(),
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, "Action updated")
            return redirect("oversight:recommendation", action.recommendation_id)
    return _action_form_page(request, form=form, recommendation=action.recommendation, action=action)


@login_required
@creates_record
def evidence_new(request, action_id: int):
    _require_editor(request.user)
    action = _action_or_404(action_id)
    form = EvidenceForm(request.POST or None, initial={"recorded_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_add(
                actor=request.user,
                action=action,
                note=form.cleaned_data.get("note") or "",
                recorded_on=form.cleaned_data.get("recorded_on"),
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, "Evidence added")
            return redirect("oversight:recommendation", action.recommendation_id)
    return render(
        request,
        "oversight/evidence_form.html",
        {
            "form": form,
            "action": action,
            "recommendation": action.recommendation,
            "error_summary_params": error_summary(form),
            "page_has_errors": bool(form.errors),
        },
    )


@login_required
def board_meeting(request):
    _require_reader(request.user)
    day, problem = parse_day(request.GET.get("on"), allow_future=True)
    meeting = selectors.board_meeting(day)
    context = _base_context(request, day, problem) | {
        "meeting": meeting,
        "statuses": selectors.STATUS_ORDER,
    }
    return render(request, "oversight/board_meeting.html", context)
