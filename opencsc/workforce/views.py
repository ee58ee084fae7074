"""Workforce pages for leaders: the rates by team and over time, the staff list, and staff record changes."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from opencsc.accounts.models import Team
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation
from opencsc.workforce import selectors, services
from opencsc.workforce.chart import rates_chart
from opencsc.workforce.codes import ContractType
from opencsc.workforce.forms import AbsenceForm, LeaverForm, PostForm, StaffRecordForm
from opencsc.workforce.models import StaffRecord
from opencsc.workforce.national import NATIONAL_2023

TREND_MONTHS = 36


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("Your role cannot see or change this workforce page")


def _day_from(request) -> tuple[dt.date, str]:
    """The day asked for in ?on=YYYY-MM-DD (today if none), and a message if it could not be read."""
    today = timezone.localdate()
    text = request.GET.get("on", "").strip()
    if not text:
        return today, ""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return today, f"'{text}' is not a date like 2024-09-30: showing today"
    if day > today:
        return today, "The date is in the future: showing today"
    return day, ""


def _team_from(request) -> Team | None:
    team_id = request.GET.get("team", "")
    return Team.objects.filter(pk=team_id).first() if team_id.isdigit() else None


@login_required
def overview(request):
    _require(selectors.can_view_workforce(request.user))
    day, problem = _day_from(request)
    team = _team_from(request)
    trend = selectors.workforce_trend(selectors.month_ends(day, TREND_MONTHS), team=team)
    total_on_day = trend[-1] if team is None else selectors.workforce_figures(day)
    return render(
        request,
        "workforce/overview.html",
        {
            "day": day,
            "problem": problem,
            "team": team,
            "teams": Team.objects.order_by("name"),
            "total": trend[-1],
            "total_on_day": total_on_day,
            "chart": rates_chart(trend),
            "by_team": selectors.figures_by_team(day),
            "trend": list(reversed(trend)),
            "national": NATIONAL_2023,
            "can_view_staff": selectors.can_view_staff(request.user),
            "can_change_staff": selectors.can_change_staff(request.user),
        },
    )


@login_required
def staff_list(request):
    _require(selectors.can_view_staff(request.user))
    today = timezone.localdate()
    show_all = request.GET.get("show") == "all"
    team = _team_from(request)
    contract = request.GET.get("contract", "")
    contract = contract if contract in ContractType.values else ""
    records = selectors.staff_records(team=team, current_on=None if show_all else today, contract=contract)
    return render(
        request,
        "workforce/staff_list.html",
        {
            "records": records,
            "today": today,
            "show_all": show_all,
            "team": team,
            "teams": Team.objects.order_by("name"),
            "contract": contract,
            "contracts": ContractType.choices,
            "can_change_staff": selectors.can_change_staff(request.user),
        },
    )


def _form_page(request, form, heading: str, record: StaffRecord | None = None):
    return render(
        request,
        "workforce/staff_form.html",
        {"form": form, "heading": heading, "record": record, "error_summary_params": error_summary(form)},
    )


@login_required
@creates_record
def staff_new(request):
    _require(selectors.can_change_staff(request.user))
    form = StaffRecordForm(request.POST or None, initial={"contract": ContractType.PERMANENT, "fte": "1"})
    if request.method == "POST" and form.is_valid():
        try:
            record = services.staff_record_create(actor=request.user, **form.record_fields())
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, f"Staff record added for {record.display_name}")
            return redirect("workforce:staff_list")
    return _form_page(request, form, "Add a staff record")


@login_required
def staff_edit(request, record_id: int):
    _require(selectors.can_change_staff(request.user))
    record = get_object_or_404(StaffRecord, pk=record_id)
    initial = {name: getattr(record, name) for name in services.STAFF_FIELDS}
    initial["version"] = record.version
    form = StaffRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            services.staff_record_update(
                actor=request.user,
                record=record,
                expected_version=version if version is not None else record.version,
                **form.record_fields(),
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, f"Staff record updated for {record.display_name}")
            return redirect("workforce:staff_list")
    return _form_page(request, form, f"Change {record.display_name}'s record", record)


@login_required
def staff_leave(request, record_id: int):
    _require(selectors.can_change_staff(request.user))
    record = get_object_or_404(StaffRecord, pk=record_id)
    initial = {
        "leaving_date": record.leaving_date,
        "leaving_reason": record.leaving_reason,
        "leaver_destination": record.leaver_destination,
        "version": record.version,
    }
    form = LeaverForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            services.staff_record_leave(
                actor=request.user,
                record=record,
                expected_version=version if version is not None else record.version,
                leaving_date=form.cleaned_data["leaving_date"],
                leaving_reason=form.cleaned_data["leaving_reason"],
                leaver_destination=form.cleaned_data["leaver_destination"],
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(
                request, f"{record.display_name} recorded as leaving on {record.leaving_date:%-d %B %Y}"
            )
            return redirect("workforce:staff_list")
    return render(
        request,
        "workforce/leaver_form.html",
        {"form": form, "record": record, "error_summary_params": error_summary(form)},
    )


@login_required
def posts(request):
    _require(selectors.can_view_staff(request.user))
    today = timezone.localdate()
    return render(
        request,
        "workforce/posts.html",
        {
            "posts": selectors.funded_posts(on=today),
            "today": today,
            "can_change_staff": selectors.can_change_staff(request.user),
        },
    )


@login_required
@creates_record
def post_new(request):
    _require(selectors.can_change_staff(request.user))
    form = PostForm(request.POST or None, initial={"funded_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, "Funded posts added")
            return redirect("workforce:posts")
    return render(
        request, "workforce/post_form.html", {"form": form, "error_summary_params": error_summary(form)}
    )


@login_required
@creates_record
def staff_absences(request, record_id: int):
    _require(selectors.can_change_staff(request.user))
    record = get_object_or_404(StaffRecord, pk=record_id)
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.absence_record(actor=request.user, staff=record, **form.cleaned_data)
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, f"Absence recorded for {record.display_name}")
            return redirect("workforce:staff_absences", record.pk)
    return render(
        request,
        "workforce/absences.html",
        {
            "form": form,
            "record": record,
            "absences": record.absences.order_by("-starts_on", "-pk"),
            "error_summary_params": error_summary(form),
        },
    )
