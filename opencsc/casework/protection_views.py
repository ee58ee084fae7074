"""Pages for the statutory casework. Thin: the permission check (child_record_view), a form, one service call,
a redirect to the child's casework page. Each step page shows the clock it belongs to."""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.casework import protection
from opencsc.casework import protection_forms as f
from opencsc.casework import protection_selectors as selectors
from opencsc.documents.selectors import documents_by_record
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import form_step

STEP_TEMPLATE = "protection/step.html"


def _step(
    request,
    child,
    *,
    heading: str,
    form_class=None,
    save=None,
    success: str = "",
    missing: str = "",
    clocks=(),
    initial=None,
    intro: str = "",
    button: str = "Save",
):
    """A one-form step. `missing` explains why the step cannot be taken yet (nothing to record it against)."""
    context = {"child": child, "heading": heading, "clocks": [c for c in clocks if c], "intro": intro}
    if missing:
        return render(request, STEP_TEMPLATE, {**context, "missing": missing})
    return form_step(
        request,
        form=form_class(request.POST or None, initial=initial),
        save=save,
        success=success,
        done_url=reverse("protection:casework", args=[child.pk]),
        template=STEP_TEMPLATE,
        context={**context, "button": button},
    )


@child_record_view()
def casework(request, child):
    summary = selectors.casework_summary(child)
    context = {
        "child": child,
        "summary": summary,
        "can_change": can_change_child(request.user, child),
        "can_authorise": request.user.role in protection.AUTHORISING_ROLES,
        "open_referral": selectors.open_referral(child),
        "referrals_to_assess": selectors.referrals_awaiting_assessment(child),
        "open_assessment": selectors.open_assessment(child),
        "awaiting_conference": selectors.section_47_awaiting_conference(child),
        "open_section_47": selectors.open_section_47(child),
        "protection_plan": selectors.open_protection_plan(child),
        "cin_plan": selectors.open_cin_plan(child),
        "documents": documents_by_record(child),
    }
    return render(request, "protection/casework.html", context)


# Assessments ----------------------------------------------------------------------------------------------


def _no_assessment(child) -> str:
    return f"{child.full_name} has no assessment in progress. Start one first."


def _no_referral_to_assess(child) -> str:
    referral = selectors.open_referral(child)
    if referral is None:
        return f"{child.full_name} has no open referral. An assessment starts from a referral."
    return f"{child.full_name} has no referral waiting for an assessment. {protection.referral_assessment_problem(referral)}."


@child_record_view(change=True)
@creates_record
def assessment_start(request, child):
    referrals = selectors.referrals_awaiting_assessment(child)
    chosen = {str(referral.pk): referral for referral in referrals}
    return _step(
        request,
        child,
        heading="Start an assessment",
        form_class=partial(f.AssessmentStartForm, referrals=referrals),
        save=lambda data: protection.assessment_start(
            actor=request.user,
            child=child,
            referral=chosen.get(data.get("referral"), referrals[0] if len(referrals) == 1 else None),
            started_on=data["started_on"],
        ),
        success="Assessment started",
        missing="" if referrals else _no_referral_to_assess(child),
        clocks=[
            selectors.clock_for(
                "assessment", r.referral_date, what=f"Complete the assessment ({f.referral_label(r)})"
            )
            for r in referrals
        ],
        intro=f"This assessment answers the {f.referral_label(referrals[0])}." if len(referrals) == 1 else "",
        button="Start the assessment",
    )


def _assessment_step(request, child, *, heading, form_class, service, success, initial=None, button="Save"):
    assessment = selectors.open_assessment(child)
    return _step(
        request,
        child,
        heading=heading,
        form_class=form_class,
        save=lambda data: service(actor=request.user, assessment=assessment, **data),
        success=success,
        missing="" if assessment else _no_assessment(child),
        clocks=[selectors.assessment_clock(assessment)] if assessment else [],
        initial=initial(assessment) if (initial and assessment) else None,
        button=button,
    )


@child_record_view(change=True)
def assessment_child_seen(request, child):
    return _assessment_step(
        request,
        child,
        heading="Record when the child was seen",
        form_class=f.ChildSeenForm,
        service=protection.assessment_record_child_seen,
        success="Date the child was seen recorded",
        initial=lambda a: {"seen_on": a.child_seen_on},
    )


@child_record_view(change=True)
def assessment_factors(request, child):
    return _assessment_step(
        request,
        child,
        heading="Record the factors identified",
        form_class=f.FactorsForm,
        service=protection.assessment_record_factors,
        success="Factors recorded",
        initial=lambda a: {"factors": a.factors},
    )


@child_record_view(change=True)
def assessment_outcome(request, child):
    return _assessment_step(
        request,
        child,
        heading="Record the outcome of the assessment",
        form_class=f.OutcomeForm,
        service=protection.assessment_record_outcome,
        success="Outcome recorded",
        initial=lambda a: {"outcome": a.outcome},
    )


@child_record_view(change=True)
def assessment_submit(request, child):
    return _assessment_step(
        request,
        child,
        heading="Submit the assessment for authorisation",
        form_class=f.SubmitForm,
        service=protection.assessment_submit,
        success="Assessment submitted for authorisation",
        button="Submit for authorisation",
    )


@child_record_view(change=True)
def assessment_authorise(request, child):
    if request.user.role not in protection.AUTHORISING_ROLES:
        raise PermissionDenied("Only a team manager, head of service or director can authorise an assessment")
    assessment = selectors.open_assessment(child)
    missing = ""
    if assessment is None:
        missing = _no_assessment(child)
    elif assessment.completed_on is None:
        missing = "The assessment has not been submitted for authorisation yet."
    return _step(
        request,
        child,
        heading="Authorise the assessment",
        form_class=f.AuthoriseForm,
        save=lambda data: protection.assessment_authorise(actor=request.user, assessment=assessment, **data),
        initial={"authorised_on": timezone.localdate()},
        success="Assessment authorised",
        missing=missing,
        clocks=[selectors.assessment_clock(assessment)] if assessment else [],
        intro=(
            f"Outcome: {assessment.get_outcome_display()}. Factors: {', '.join(assessment.factors)}."
            if assessment and not missing
            else ""
        ),
        button="Authorise",
    )


@child_record_view(change=True)
def case_close(request, child):
    referral = selectors.open_referral(child)
    return _step(
        request,
        child,
        heading="Close the case",
        form_class=f.CloseCaseForm,
        save=lambda data: protection.referral_close(actor=request.user, referral=referral, **data),
        success="Case closed",
        missing="" if referral else f"{child.full_name} has no open referral to close.",
        intro=f"Referral of {referral.referral_date:%-d %B %Y}." if referral else "",
        button="Close the case",
    )


# Strategy discussions, enquiries, conferences, plans -----------------------------------------------------


@child_record_view(change=True)
@creates_record
def strategy_discussion_new(request, child):
    return _step(
        request,
        child,
        heading="Record a strategy discussion",
        form_class=f.StrategyDiscussionForm,
        save=lambda data: protection.strategy_discussion_record(actor=request.user, child=child, **data),
        success="Strategy discussion recorded",
        missing=""
        if selectors.open_referral(child)
        else f"{child.full_name} has no open referral. A strategy discussion is recorded within a referral.",
        intro="If a section 47 enquiry is agreed, the initial conference is due 15 working days from this "
        "discussion.",
    )


@child_record_view(change=True)
def section_47_outcome(request, child):
    enquiry = selectors.open_section_47(child)
    return _step(
        request,
        child,
        heading="Record the outcome of the section 47 enquiry",
        form_class=f.Section47OutcomeForm,
        save=lambda data: protection.section_47_complete(actor=request.user, enquiry=enquiry, **data),
        success="Outcome of the enquiry recorded",
        missing="" if enquiry else f"{child.full_name} has no section 47 enquiry open.",
        clocks=[selectors.icpc_clock(enquiry)] if enquiry else [],
    )


@child_record_view(change=True)
@creates_record
def initial_conference_new(request, child):
    enquiry = selectors.section_47_awaiting_conference(child)
    return _step(
        request,
        child,
        heading="Record the initial child protection conference",
        form_class=f.InitialConferenceForm,
        save=lambda data: protection.initial_conference_record(actor=request.user, enquiry=enquiry, **data),
        success="Initial conference recorded",
        missing=""
        if enquiry
        else f"{child.full_name} has no section 47 enquiry waiting for an initial conference.",
        clocks=[selectors.icpc_clock(enquiry)] if enquiry else [],
    )


@child_record_view(change=True)
@creates_record
def core_group_new(request, child):
    plan = selectors.open_protection_plan(child)
    return _step(
        request,
        child,
        heading="Record a core group meeting",
        form_class=f.CoreGroupForm,
        save=lambda data: protection.core_group_record(actor=request.user, plan=plan, **data),
        success="Core group recorded",
        missing="" if plan else f"{child.full_name} is not on a child protection plan.",
        clocks=[selectors.core_group_clock(plan)] if plan else [],
    )


@child_record_view(change=True)
@creates_record
def review_conference_new(request, child):
    plan = selectors.open_protection_plan(child)
    return _step(
        request,
        child,
        heading="Record a review child protection conference",
        form_class=f.ReviewConferenceForm,
        save=lambda data: protection.review_conference_record(actor=request.user, plan=plan, **data),
        success="Review conference recorded",
        missing="" if plan else f"{child.full_name} is not on a child protection plan.",
        clocks=[selectors.plan_review_clock(plan)] if plan else [],
        intro=f"Current category: {plan.get_latest_category_display()}." if plan else "",
    )


@child_record_view(change=True)
def protection_plan_end(request, child):
    plan = selectors.open_protection_plan(child)
    return _step(
        request,
        child,
        heading="End the child protection plan",
        form_class=f.EndPlanForm,
        save=lambda data: protection.protection_plan_end(actor=request.user, plan=plan, **data),
        success="Child protection plan ended",
        missing="" if plan else f"{child.full_name} is not on a child protection plan.",
        intro="A plan usually ends at a review conference: record the review instead if there was one.",
        button="End the plan",
    )


@child_record_view(change=True)
@creates_record
def cin_plan_new(request, child):
    return _step(
        request,
        child,
        heading="Start a child in need plan",
        form_class=f.ChildInNeedPlanForm,
        save=lambda data: protection.cin_plan_start(actor=request.user, child=child, **data),
        success="Child in need plan started",
        missing=""
        if selectors.open_referral(child)
        else f"{child.full_name} has no open referral. A child in need plan is made within a referral.",
    )


@child_record_view(change=True)
@creates_record
def cin_review_new(request, child):
    plan = selectors.open_cin_plan(child)
    return _step(
        request,
        child,
        heading="Record a child in need review",
        form_class=f.ChildInNeedReviewForm,
        save=lambda data: protection.cin_review_record(actor=request.user, plan=plan, **data),
        success="Review recorded",
        missing="" if plan else f"{child.full_name} has no child in need plan.",
    )


@child_record_view(change=True)
def cin_plan_end(request, child):
    plan = selectors.open_cin_plan(child)
    return _step(
        request,
        child,
        heading="End the child in need plan",
        form_class=f.EndPlanForm,
        save=lambda data: protection.cin_plan_end(actor=request.user, plan=plan, **data),
        success="Child in need plan ended",
        missing="" if plan else f"{child.full_name} has no child in need plan.",
        button="End the plan",
    )
