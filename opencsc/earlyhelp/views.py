"""Early help pages: the child's early help (episodes, due dates, history) and one step page for each thing
recorded on it, the two doors included. Thin: `child_record_view` checks access and logs the read, a form, one
service call, back to the child's early help page."""

from django.shortcuts import render
from django.urls import reverse

from opencsc.accounts.access import can_change_child
from opencsc.core.dates import long_date
from opencsc.earlyhelp import forms, selectors, services
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import posted, record_step, step_view

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


episode_open = step_view(
    heading="Start early help",
    form=forms.EpisodeOpenForm,
    service=services.early_help_episode_open,
    success="Early help started",
    back=_back,
    creates=True,
)


def _current_episode(child) -> dict:
    return {"episode": selectors.child_early_help(child).current}


def _no_episode(child) -> str:
    return "" if selectors.child_early_help(child).current else NO_EPISODE


def _episode_step(**step):
    """A step recorded on the child's open early help episode."""
    return step_view(back=_back, subject=_current_episode, missing=_no_episode, creates=True, **step)


assessment_start = _episode_step(
    heading="Record the start of the early help assessment",
    form=forms.AssessmentStartForm,
    service=services.early_help_assessment_start,
    success="Assessment start recorded",
)
assessment_complete = _episode_step(
    heading="Record the early help assessment as completed",
    form=forms.AssessmentCompleteForm,
    service=services.early_help_assessment_complete,
    success="Assessment completed",
)
family_review = _episode_step(
    heading="Record a team around the family review",
    form=forms.FamilyReviewForm,
    service=services.family_review_record,
    success="Review recorded",
)
episode_close = _episode_step(
    heading="End early help",
    form=forms.EpisodeCloseForm,
    service=services.early_help_episode_close,
    success="Early help ended",
)
step_up = _episode_step(
    heading="Step up to children's social care",
    form=forms.StepUpForm,
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
            f"This closes the case opened by the referral of {long_date(case.referral_date)} and starts early "
            "help the same day with the lead professional named here."
            if case
            else ""
        ),
        missing="" if case else "There is no open social care case to step down.",
    )
