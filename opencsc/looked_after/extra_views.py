"""Pages for adoption milestones and care leavers. Thin: the permission check (child_record_view, or the role
for the care leavers list), a form, one service call, a redirect."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.accounts.models import Role
from opencsc.audit.services import record_access_log_list
from opencsc.looked_after import adoption, care_leavers
from opencsc.looked_after import extra_forms as f
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import form_step

STEP_TEMPLATE = "looked_after_extra/step.html"
CARE_LEAVER_LIST_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST}


def _posted(request):
    return request.POST if request.method == "POST" else None


def _step(request, child, *, heading, form, save, success, back, intro="", missing=""):
    context = {"child": child, "heading": heading, "intro": intro, "back": back, "missing": missing}
    if missing:
        return render(request, STEP_TEMPLATE, context)
    return form_step(
        request, form=form, save=save, success=success, done_url=back, template=STEP_TEMPLATE, context=context
    )


# Adoption --------------------------------------------------------------------------------------------------


@child_record_view()
def adoption_page(request, child):
    context = {
        "child": child,
        "timelines": adoption.adoption_timelines(child),
        "can_change": can_change_child(request.user, child),
    }
    return render(request, "looked_after_extra/adoption.html", context)


@child_record_view(change=True)
@creates_record
def adoption_record(request, child):
    plan = adoption.current_adoption_plan(child)
    milestone = adoption.next_milestone(plan)
    form = f.AdoptionMilestoneForm(_posted(request), milestone=milestone)
    words = adoption.milestone_words(milestone)

    def save(data):
        extra = {}
        if milestone == "matched_on":
            extra = {
                key: data[key]
                for key in (
                    "foster_carer_adopting",
                    "number_of_adopters",
                    "adopters_sex",
                    "adopters_legal_status",
                )
            }
        adoption.adoption_milestone_record(
            actor=request.user, child=child, milestone=milestone, on=data[milestone], **extra
        )

    intro = ""
    if adoption.is_open(plan):
        intro = f"Adoption has been the plan since {plan.decided_on:%-d %B %Y}. Next: the {words}."
    return _step(
        request,
        child,
        heading=f"Record the {words}",
        form=form,
        save=save,
        success=f"The {words} is recorded",
        back=reverse("looked_after_extra:adoption", args=[child.pk]),
        intro=intro,
    )


@child_record_view(change=True)
def adoption_cease(request, child):
    plan = adoption.current_adoption_plan(child)
    return _step(
        request,
        child,
        heading="Adoption is no longer the plan",
        form=f.AdoptionCeaseForm(_posted(request)),
        save=lambda data: adoption.adoption_plan_cease(actor=request.user, child=child, **data),
        success="Recorded that adoption is no longer the plan",
        back=reverse("looked_after_extra:adoption", args=[child.pk]),
        missing="" if adoption.is_open(plan) else f"{child.full_name} has no open adoption plan.",
    )


# Care leavers ----------------------------------------------------------------------------------------------


@child_record_view()
def leaving_care(request, child):
    context = {
        "child": child,
        "record": care_leavers.care_leaver_record(child),
        "can_change": can_change_child(request.user, child),
    }
    return render(request, "looked_after_extra/leaving_care.html", context)


@child_record_view(change=True)
@creates_record
def leaving_care_contact(request, child):
    form = f.CareLeaverContactForm(_posted(request), advisers=care_leavers.personal_advisers())
    return _step(
        request,
        child,
        heading="Record a contact with a care leaver",
        form=form,
        save=lambda data: care_leavers.care_leaver_contact_record(actor=request.user, child=child, **data),
        success="Contact recorded",
        back=reverse("looked_after_extra:leaving_care", args=[child.pk]),
    )


@child_record_view(change=True)
@creates_record
def pathway_plan_review(request, child):
    plan = care_leavers.pathway_plan(child)
    intro = ""
    if plan.next_due:
        intro = f"Last reviewed {plan.last_reviewed_on:%-d %B %Y}; next review due {plan.next_due.due_on:%-d %B %Y}."
    return _step(
        request,
        child,
        heading="Record a pathway plan review",
        form=f.PathwayPlanReviewForm(_posted(request)),
        save=lambda data: care_leavers.pathway_plan_review_record(actor=request.user, child=child, **data),
        success="Pathway plan review recorded",
        back=reverse("looked_after_extra:leaving_care", args=[child.pk]),
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
    return render(request, "looked_after_extra/care_leavers.html", context)
