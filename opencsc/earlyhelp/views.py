"""Early help pages: the child's early help (episodes, due dates, history) and one step page for each thing
recorded on it, the two doors included. Thin: `child_record_view` checks access and logs the read, a form, one
service call, back to the child's early help page."""

from django.shortcuts import render
from django.urls import reverse

from opencsc.accounts.access import can_change_child
from opencsc.earlyhelp import forms, selectors, services
from opencsc.looked_after.step_pages import posted, record_step
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record

NO_EPISODE = "There is no open early help episode for this child."


def _back(child) -> str:
    return reverse("earlyhelp:child", args=[child.pk])


@child_record_view()
def child_page(request, child):
    context = {
        "child": child,
        "record": selectors.child_early_help(child),
        "open_case": selectors.open_case_of(child),
        "can_change": can_change_child(request.user, child),
    }
    return render(request, "earlyhelp/child.html", context)


@child_record_view(change=True)
@creates_record
def episode_open(request, child):
    return record_step(
        request,
        child,
        heading="Start early help",
        form=forms.EpisodeOpenForm(posted(request)),
        save=lambda data: services.early_help_episode_open(actor=request.user, child=child, **data),
        success="Early help started",
        back=_back(child),
    )


def _episode_step(request, child, *, heading, form, service, success, intro=""):
    episode = selectors.child_early_help(child).current
    return record_step(
        request,
        child,
        heading=heading,
        form=form,
        save=lambda data: service(actor=request.user, episode=episode, **data),
        success=success,
        back=_back(child),
        intro=intro,
        missing="" if episode else NO_EPISODE,
    )


@child_record_view(change=True)
@creates_record
def assessment_start(request, child):
    return _episode_step(
        request,
        child,
        heading="Record the start of the early help assessment",
        form=forms.AssessmentStartForm(posted(request)),
        service=services.early_help_assessment_start,
        success="Assessment start recorded",
    )


@child_record_view(change=True)
@creates_record
def assessment_complete(request, child):
    return _episode_step(
        request,
        child,
        heading="Record the early help assessment as completed",
        form=forms.AssessmentCompleteForm(posted(request)),
        service=services.early_help_assessment_complete,
        success="Assessment completed",
    )


@child_record_view(change=True)
@creates_record
def family_review(request, child):
    return _episode_step(
        request,
        child,
        heading="Record a team around the family review",
        form=forms.FamilyReviewForm(posted(request)),
        service=services.family_review_record,
        success="Review recorded",
    )


@child_record_view(change=True)
@creates_record
def episode_close(request, child):
    return _episode_step(
        request,
        child,
        heading="End early help",
        form=forms.EpisodeCloseForm(posted(request)),
        service=services.early_help_episode_close,
        success="Early help ended",
    )


@child_record_view(change=True)
@creates_record
def step_up(request, child):
    return _episode_step(
        request,
        child,
        heading="Step up to children's social care",
        form=forms.StepUpForm(posted(request)),
        service=services.early_help_step_up,
        success="Stepped up: the front door has the contact with the early help history",
        intro="The front door receives a contact from the lead professional, with this child's early help "
        "history; early help ends on the date of the step-up.",
    )


@child_record_view(change=True)
@creates_record
def step_down(request, child):
    case = selectors.open_case_of(child)
    return record_step(
        request,
        child,
        heading="Step down to early help",
        form=forms.StepDownForm(posted(request)),
        save=lambda data: services.early_help_step_down(actor=request.user, referral=case, **data),
        success="Case closed to early help, and early help started",
        back=_back(child),
        intro=(
            f"This closes the case opened by the referral of {case.referral_date:%-d %B %Y} and starts early "
            "help the same day with the lead professional named here."
            if case
            else ""
        ),
        missing="" if case else "There is no open social care case to step down.",
    )
