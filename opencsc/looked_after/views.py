"""Pages for recording care. Thin: the permission check (child_record_view), a form, one service call, a
redirect to the child's care history."""

from django.shortcuts import render
from django.urls import reverse

from opencsc.accounts.access import can_change_child
from opencsc.looked_after import forms as f
from opencsc.looked_after import selectors, services
from opencsc.looked_after.codes import URN_NOT_REQUIRED
from opencsc.looked_after.iro import can_assign_iro
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import form_step

STEP_TEMPLATE = "looked_after/step.html"


def _posted(request):
    """The submitted data on a POST (even an empty one, such as a form with only optional fields)."""
    return request.POST if request.method == "POST" else None


def _step(request, child, *, heading, form, save, success, missing="", intro="", button="Save", clocks=()):
    context = {"child": child, "heading": heading, "intro": intro, "clocks": list(clocks)}
    if missing:
        return render(request, STEP_TEMPLATE, {**context, "missing": missing})
    return form_step(
        request,
        form=form,
        save=save,
        success=success,
        done_url=reverse("looked_after:history", args=[child.pk]),
        template=STEP_TEMPLATE,
        context={**context, "button": button},
    )


def _not_looked_after(child) -> str:
    return f"{child.full_name} is not looked after. Start care first."


def _placement_intro(child) -> str:
    summary = selectors.care_summary(child)
    if summary.episode is None:
        return ""
    episode = summary.episode
    where = episode.placement_postcode
    if episode.carer_name:
        where = f"{episode.carer_name}, {where}"
    return (
        f"Looked after since {summary.period_started_on:%-d %B %Y}. Legal status {episode.legal_status} "
        f"({episode.get_legal_status_display()}). Placement since {summary.placement.started_on:%-d %B %Y}: "
        f"{episode.placement_type} ({episode.get_placement_type_display()}), {where}."
    )


def _placement_args(data: dict) -> dict:
    return {
        key: data[key]
        for key in (
            "placement_type",
            "placement_provider",
            "urn",
            "carer_name",
            "placement_postcode",
            "home_postcode",
        )
    }


@child_record_view()
def history(request, child):
    care = selectors.care_history(child)
    return render(
        request,
        "looked_after/history.html",
        {
            "child": child,
            "care": care,
            "summary": care.summary,
            "can_change": can_change_child(request.user, child),
            "can_assign_iro": can_assign_iro(request.user, child),
            "iro_history": selectors.iro_history(child),
            "reviews": selectors.review_recommendations(child),
            "urn_not_required": sorted(URN_NOT_REQUIRED),
        },
    )


@child_record_view(change=True)
@creates_record
def start_care(request, child):
    current = selectors.open_episode(child)
    form = f.StartCareForm(_posted(request))
    return _step(
        request,
        child,
        heading="Start care",
        form=form,
        save=lambda data: services.episode_start_care(
            actor=request.user,
            child=child,
            started_on=data["started_on"],
            legal_status=data["legal_status"],
            category_of_need=data["category_of_need"],
            **_placement_args(data),
        ),
        success=f"{child.full_name} is looked after",
        missing=f"{child.full_name} is already looked after (since {current.started_on:%-d %B %Y}). "
        "Record a move, a change of legal status or the end of care instead."
        if current
        else "",
        intro="The first episode of a period of care (reason S). The distance from home and whether the "
        "placement is inside the authority are worked out from the postcodes.",
        button="Start care",
    )


@child_record_view(change=True)
@creates_record
def change_legal_status(request, child):
    current = selectors.open_episode(child)
    return _step(
        request,
        child,
        heading="Record a change of legal status",
        form=f.LegalStatusForm(_posted(request)),
        save=lambda data: services.episode_change_legal_status(
            actor=request.user,
            child=child,
            changed_on=data["changed_on"],
            legal_status=data["legal_status"],
            category_of_need=data["category_of_need"],
        ),
        success="Legal status changed",
        missing="" if current else _not_looked_after(child),
        intro=_placement_intro(child) + " The placement stays the same (a new episode with reason L).",
    )


@child_record_view(change=True)
@creates_record
def move_placement(request, child):
    current = selectors.open_episode(child)
    return _step(
        request,
        child,
        heading="Record a placement move",
        form=f.MovePlacementForm(_posted(request)),
        save=lambda data: services.episode_move_placement(
            actor=request.user,
            child=child,
            moved_on=data["moved_on"],
            same_carers=data["same_carers"],
            reason_placement_changed=data["reason_placement_changed"],
            legal_status=data["legal_status"],
            category_of_need=data["category_of_need"],
            **_placement_args(data),
        ),
        success="Placement move recorded: the visit clock restarts from the move",
        missing="" if current else _not_looked_after(child),
        intro=_placement_intro(child),
        button="Record the move",
    )


@child_record_view(change=True)
def end_care(request, child):
    current = selectors.open_episode(child)
    return _step(
        request,
        child,
        heading="End care",
        form=f.EndCareForm(_posted(request)),
        save=lambda data: services.episode_end_care(
            actor=request.user, child=child, ended_on=data["ended_on"], reason_ceased=data["reason_ceased"]
        ),
        success=f"{child.full_name} is no longer looked after",
        missing="" if current else _not_looked_after(child),
        intro=_placement_intro(child),
        button="End care",
    )


@child_record_view(change=True)
@creates_record
def review_new(request, child):
    summary = selectors.care_summary(child)
    form = f.ReviewForm(_posted(request), officers=selectors.reviewing_officers())
    return _step(
        request,
        child,
        heading="Record a looked-after review",
        form=form,
        save=lambda data: services.care_review_record(
            actor=request.user,
            child=child,
            held_on=data["held_on"],
            participation=data["participation"],
            reviewing_officer=data["reviewing_officer"],
        ),
        success="Review recorded",
        missing="" if summary.ever_looked_after else _not_looked_after(child),
        clocks=[c for c in summary.clocks if c.rule_id.startswith("cla_review")],
    )


@child_record_view(change=True)
@creates_record
def missing_new(request, child):
    form = f.MissingEpisodeForm(_posted(request))
    return _step(
        request,
        child,
        heading="Record a missing or away episode",
        form=form,
        save=lambda data: services.missing_episode_record(
            actor=request.user,
            child=child,
            kind=data["kind"],
            started_at=data["started_at"],
            returned_at=data["returned_at"],
            interview_offered_at=data["interview_offered_at"],
            interview_done_at=data["interview_done_at"],
            interview_declined=data["interview_declined"],
        ),
        success="Missing episode recorded",
        intro="Once the child is back, a return home interview is due within 72 hours of their return. Leave "
        "the return blank if they are still missing.",
    )


@child_record_view(change=True)
def missing_update(request, child):
    episodes = selectors.missing_episodes_to_update(child)
    form = f.MissingUpdateForm(
        _posted(request),
        episodes=episodes,
        initial={"missing_episode": episodes[0].pk} if len(episodes) == 1 else None,
    )

    def save(data):
        episode = selectors.missing_episode_for(child, data["missing_episode"])
        services.missing_episode_update(
            actor=request.user,
            missing_episode=episode,
            returned_at=data["returned_at"],
            interview_offered_at=data["interview_offered_at"],
            interview_done_at=data["interview_done_at"],
            interview_declined=data["interview_declined"],
        )

    return _step(
        request,
        child,
        heading="Record a return or return home interview",
        form=form,
        save=save,
        success="Missing episode updated",
        missing=""
        if episodes
        else f"{child.full_name} has no missing episode waiting for a return or a return home interview.",
        clocks=[c for c in selectors.care_summary(child).clocks if c.rule_id == "return_home_interview"],
    )


@child_record_view(change=True)
@creates_record
def check_new(request, child):
    summary = selectors.care_summary(child)
    return _step(
        request,
        child,
        heading="Record a health or education check",
        form=f.CareCheckForm(_posted(request)),
        save=lambda data: services.care_check_record(
            actor=request.user,
            child=child,
            kind=data["kind"],
            done_on=data["done_on"],
            sdq_score=data["sdq_score"],
            sdq_reason=data["sdq_reason"],
        ),
        success="Check recorded",
        missing="" if summary.ever_looked_after else _not_looked_after(child),
        clocks=[
            c
            for c in summary.clocks
            if c.rule_id != "return_home_interview" and not c.rule_id.startswith("cla_")
        ],
        intro="Personal education plans are due within 20 school days of becoming looked after; school days "
        "are counted as working days because term dates are not held.",
    )


@child_record_view(change=True)
def uasc(request, child):
    record = selectors.child_uasc(child)
    return _step(
        request,
        child,
        heading="Unaccompanied asylum-seeking child",
        form=f.UascForm(_posted(request), initial={"ceased_on": record.ceased_on} if record else None),
        save=lambda data: services.uasc_record(actor=request.user, child=child, ceased_on=data["ceased_on"]),
        success="Recorded as an unaccompanied asylum-seeking child",
        intro="Saving records the child as an unaccompanied asylum-seeking child (UASC)."
        + (" They are already recorded as one." if record else ""),
    )


@child_record_view(change=True)
def previous_permanence(request, child):
    record = selectors.child_previous_permanence(child)
    initial = (
        {"kind": record.kind, "order_date": record.order_date, "la_code": record.la_code} if record else None
    )
    return _step(
        request,
        child,
        heading="Previous permanence order",
        form=f.PreviousPermanenceForm(_posted(request), initial=initial),
        save=lambda data: services.previous_permanence_record(
            actor=request.user,
            child=child,
            kind=data["kind"],
            order_date=data["order_date"],
            la_code=data["la_code"],
        ),
        success="Previous permanence recorded",
        intro="Whether the child was adopted or under a special guardianship, residence or child arrangements "
        "order before this period of care.",
    )
