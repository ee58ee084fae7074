"""Pages for the independent reviewing officer: assigning the child's IRO, the IRO's caseload, the review's
recommendations and the social worker's answers, and the placement plan's agreement. Thin: the permission check
(child_record_view, which logs every view and refusal), a form, one service call, a redirect."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.services import record_access_log_list
from opencsc.looked_after import iro, placement_plans, selectors
from opencsc.looked_after import iro_forms as forms
from opencsc.looked_after.models import CareReview, ReviewRecommendation
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import posted, record_step


def _history(child) -> str:
    return reverse("looked_after:history", args=[child.pk])


@child_record_view(change=True)
@creates_record
def iro_assign(request, child):
    if not iro.can_assign_iro(request.user, child):
        raise PermissionDenied("Only a manager who may change this child's record assigns the IRO")
    current = iro.current_iro_assignment(child)
    return record_step(
        request,
        child,
        heading="Assign the independent reviewing officer",
        form=forms.IroAssignForm(posted(request), officers=selectors.independent_reviewing_officers()),
        save=lambda data: iro.iro_assign(actor=request.user, child=child, **data),
        success="Independent reviewing officer assigned",
        back=_history(child),
        intro=f"The IRO now is {current.iro.display_name}, since {current.started_on:%-d %B %Y}."
        if current
        else "",
    )


@child_record_view(change=True)
@creates_record
def placement_plan_agree(request, child):
    started_on = placement_plans.current_placement_start(child)
    return record_step(
        request,
        child,
        heading="Record that the placement plan is agreed",
        form=forms.PlacementPlanAgreeForm(posted(request)),
        save=lambda data: placement_plans.placement_plan_agree(actor=request.user, child=child, **data),
        success="Placement plan agreed",
        back=_history(child),
        intro=f"For the placement from {started_on:%-d %B %Y}." if started_on else "",
        missing="" if started_on else f"{child.full_name} has no current placement.",
    )


@login_required
def caseload(request):
    if request.user.role != Role.INDEPENDENT_REVIEWING_OFFICER:
        raise PermissionDenied("Only independent reviewing officers have an IRO caseload")
    children = selectors.iro_caseload(request.user)
    record_access_log_list(
        user=request.user, child_ids=[c.pk for c in children], path=request.get_full_path()
    )
    return render(request, "looked_after/iro_caseload.html", {"children": children})


@login_required
def recommendation_add(request, review_id: int):
    review = get_object_or_404(CareReview, pk=review_id)
    return _recommendation_add(request, review.child_id, review)


# The view that creates is the inner one, inside the access check, so that a refusal is logged outside its
# transaction; the route is marked as creating records like any other.
recommendation_add.creates_record = True


@child_record_view()
@creates_record
def _recommendation_add(request, child, review):
    if review.reviewing_officer_id != request.user.pk:
        raise PermissionDenied("Only the IRO who chaired this review records its recommendations")
    return record_step(
        request,
        child,
        heading=f"Recommendation of the review on {review.held_on:%-d %B %Y}",
        form=forms.RecommendationForm(posted(request)),
        save=lambda data: iro.review_recommendation_add(actor=request.user, review=review, **data),
        success="Recommendation recorded",
        back=_history(child),
    )


@login_required
def recommendation_answer(request, recommendation_id: int):
    recommendation = get_object_or_404(
        ReviewRecommendation.objects.select_related("review"), pk=recommendation_id
    )
    return _recommendation_answer(request, recommendation.review.child_id, recommendation)


@child_record_view(change=True)
def _recommendation_answer(request, child, recommendation):
    form = forms.RecommendationAnswerForm(posted(request), initial={"version": recommendation.version})
    return record_step(
        request,
        child,
        heading="Answer the IRO's recommendation",
        form=form,
        save=lambda data: iro.review_recommendation_answer(
            actor=request.user, recommendation=recommendation, **data
        ),
        success="Answer recorded",
        back=_history(child),
        intro=f"{recommendation.text} (due by {recommendation.due_on:%-d %B %Y})",
        missing="" if recommendation.is_outstanding else "This recommendation is answered.",
    )
