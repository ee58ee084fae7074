"""Pages for adoption milestones. Thin: the permission check (child_record_view), a form, one service call, a
redirect."""

from django.shortcuts import render
from django.urls import reverse

from opencsc.accounts.access import can_change_child
from opencsc.looked_after import adoption
from opencsc.looked_after import adoption_forms as forms
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import posted, record_step


@child_record_view()
def adoption_page(request, child):
    context = {
        "child": child,
        "timelines": adoption.adoption_timelines(child),
        "can_change": can_change_child(request.user, child),
    }
    return render(request, "looked_after/adoption.html", context)


@child_record_view(change=True)
@creates_record
def adoption_record(request, child):
    plan = adoption.current_adoption_plan(child)
    milestone = adoption.next_milestone(plan)
    form = forms.AdoptionMilestoneForm(posted(request), milestone=milestone)
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
    return record_step(
        request,
        child,
        heading=f"Record the {words}",
        form=form,
        save=save,
        success=f"The {words} is recorded",
        back=reverse("adoption:adoption", args=[child.pk]),
        intro=intro,
    )


@child_record_view(change=True)
def adoption_cease(request, child):
    plan = adoption.current_adoption_plan(child)
    return record_step(
        request,
        child,
        heading="Adoption is no longer the plan",
        form=forms.AdoptionCeaseForm(posted(request)),
        save=lambda data: adoption.adoption_plan_cease(actor=request.user, child=child, **data),
        success="Recorded that adoption is no longer the plan",
        back=reverse("adoption:adoption", args=[child.pk]),
        missing="" if adoption.is_open(plan) else f"{child.full_name} has no open adoption plan.",
    )
