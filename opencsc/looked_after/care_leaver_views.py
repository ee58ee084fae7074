"""Pages for care leavers: the young person's leaving-care record, contacts, pathway plan reviews and the care
leavers list. Thin: the permission check (child_record_view, or the role for the list), a form, one service call,
a redirect."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.accounts.models import Role
from opencsc.audit.services import record_access_log_list
from opencsc.looked_after import care_leaver_forms as forms
from opencsc.looked_after import care_leavers
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import posted, record_step

CARE_LEAVER_LIST_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST}


@child_record_view()
def leaving_care(request, child):
    context = {
        "child": child,
        "record": care_leavers.care_leaver_record(child),
        "can_change": can_change_child(request.user, child),
    }
    return render(request, "looked_after/leaving_care.html", context)


@child_record_view(change=True)
@creates_record
def leaving_care_contact(request, child):
    form = forms.CareLeaverContactForm(posted(request), advisers=care_leavers.personal_advisers())
    return record_step(
        request,
        child,
        heading="Record a contact with a care leaver",
        form=form,
        save=lambda data: care_leavers.care_leaver_contact_record(actor=request.user, child=child, **data),
        success="Contact recorded",
        back=reverse("care_leavers:leaving_care", args=[child.pk]),
    )


@child_record_view(change=True)
@creates_record
def pathway_plan_review(request, child):
    plan = care_leavers.pathway_plan(child)
    intro = ""
    if plan.next_due:
        intro = f"Last reviewed {plan.last_reviewed_on:%-d %B %Y}; next review due {plan.next_due.due_on:%-d %B %Y}."
    return record_step(
        request,
        child,
        heading="Record a pathway plan review",
        form=forms.PathwayPlanReviewForm(posted(request)),
        save=lambda data: care_leavers.pathway_plan_review_record(actor=request.user, child=child, **data),
        success="Pathway plan review recorded",
        back=reverse("care_leavers:leaving_care", args=[child.pk]),
        intro=intro,
    )


def _day(text: str | None) -> tuple[dt.date, str]:
    today = timezone.localdate()
    if not text:
        return today, ""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return today, "Enter the date as YYYY-MM-DD: showing today instead"
    if day > today:
        return today, "The date must be today or in the past: showing today instead"
    return day, ""


@login_required
def care_leavers_list(request):
    if request.user.role not in CARE_LEAVER_LIST_ROLES:
        raise PermissionDenied(
            "Only managers, heads of service, the director and analysts see the care leavers list"
        )
    on, problem = _day(request.GET.get("on"))
    show = request.GET.get("show", "all")
    if show not in care_leavers.FILTERS:
        show = "all"
    overview = care_leavers.care_leavers_on(request.user, on)
    record_access_log_list(
        user=request.user,
        child_ids=[row.child.pk for row in overview.listed(show)],
        path=request.get_full_path(),
    )
    context = {
        "on": on,
        "problem": problem,
        "overview": overview,
        "show": show,
        "show_label": care_leavers.FILTERS[show],
        "filters": care_leavers.FILTERS,
        "rows": overview.listed(show),
        "hidden": overview.hidden(show),
    }
    return render(request, "looked_after/care_leavers.html", context)
