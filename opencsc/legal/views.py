"""Pages for pre-proceedings, care proceedings and orders. Thin: the permission check (child_record_view, or the
service roles for the service page), a form, one service call, back to the child's legal page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.accounts.models import Role
from opencsc.legal import forms as f
from opencsc.legal import selectors, services
from opencsc.looked_after.step_pages import posted, record_step
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record

SERVICE_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST}


def _back(child) -> str:
    return reverse("legal:child", args=[child.pk])


def _record(child):
    return selectors.child_legal_record(child, today=timezone.localdate())


@child_record_view()
def child_page(request, child):
    context = {"child": child, "legal": _record(child), "can_change": can_change_child(request.user, child)}
    return render(request, "legal/child.html", context)


def _step(request, child, **kwargs):
    return record_step(request, child, back=_back(child), **kwargs)


@child_record_view(change=True)
@creates_record
def gateway_new(request, child):
    return _step(
        request,
        child,
        heading="Record a legal gateway meeting",
        form=f.GatewayMeetingForm(posted(request)),
        save=lambda data: services.gateway_meeting_record(actor=request.user, child=child, **data),
        success="Legal gateway meeting recorded",
        intro="The legal gateway or planning meeting decides whether the threshold for proceedings is met and "
        "whether to start pre-proceedings or issue.",
    )


def _no_pre_proceedings(child, legal) -> str:
    return "" if legal.open_pre_proceedings else f"{child.full_name} is not in pre-proceedings."


def _no_proceedings(child, legal) -> str:
    return "" if legal.open_proceedings else f"{child.full_name} has no open care proceedings."


@child_record_view(change=True)
def letter(request, child):
    return _step(
        request,
        child,
        heading="Record the letter before proceedings",
        form=f.LetterForm(posted(request)),
        save=lambda data: services.pre_proceedings_letter_record(actor=request.user, child=child, **data),
        success="Letter before proceedings recorded",
        missing=_no_pre_proceedings(child, _record(child)),
    )


@child_record_view(change=True)
def pre_meeting(request, child):
    return _step(
        request,
        child,
        heading="Record the pre-proceedings meeting",
        form=f.PreProceedingsMeetingForm(posted(request)),
        save=lambda data: services.pre_proceedings_meeting_record(actor=request.user, child=child, **data),
        success="Pre-proceedings meeting recorded",
        missing=_no_pre_proceedings(child, _record(child)),
    )


@child_record_view(change=True)
def pre_end(request, child):
    return _step(
        request,
        child,
        heading="End pre-proceedings",
        form=f.PreProceedingsEndForm(posted(request)),
        save=lambda data: services.pre_proceedings_end(actor=request.user, child=child, **data),
        success="Pre-proceedings ended",
        missing=_no_pre_proceedings(child, _record(child)),
        intro="To go to court, record the issue of proceedings instead: it ends pre-proceedings.",
    )


@child_record_view(change=True)
@creates_record
def issue(request, child):
    legal = _record(child)
    current = legal.open_proceedings
    return _step(
        request,
        child,
        heading="Record the issue of care proceedings",
        form=f.IssueForm(posted(request)),
        save=lambda data: services.proceedings_issue(actor=request.user, child=child, **data),
        success="Care proceedings issued: the 26-week timetable has started",
        missing=f"Care proceedings about {child.full_name} are open (issued {current.issued_on:%-d %B %Y})."
        if current
        else "",
    )


@child_record_view(change=True)
@creates_record
def extend(request, child):
    return _step(
        request,
        child,
        heading="Record an extension of the timetable",
        form=f.ExtensionForm(posted(request)),
        save=lambda data: services.proceedings_extend(actor=request.user, child=child, **data),
        success="Extension recorded",
        missing=_no_proceedings(child, _record(child)),
    )


@child_record_view(change=True)
@creates_record
def hearing_new(request, child):
    return _step(
        request,
        child,
        heading="List a hearing",
        form=f.HearingForm(posted(request)),
        save=lambda data: services.hearing_list(actor=request.user, child=child, **data),
        success="Hearing listed",
        missing=_no_proceedings(child, _record(child)),
    )


@child_record_view(change=True)
def hearing_outcome(request, child):
    legal = _record(child)
    hearings = legal.hearings_awaiting_outcome

    def save(data):
        hearing = next(h for h in hearings if h.pk == data["hearing"])  # the form offers only these
        return services.hearing_outcome_record(
            actor=request.user, child=child, hearing=hearing, outcome=data["outcome"]
        )

    return _step(
        request,
        child,
        heading="Record the outcome of a hearing",
        form=f.HearingOutcomeForm(posted(request), hearings=hearings),
        save=save,
        success="Hearing outcome recorded",
        missing=""
        if hearings
        else f"No hearing of {child.full_name}'s proceedings is waiting for its outcome.",
    )


@child_record_view(change=True)
@creates_record
def order_new(request, child):
    return _step(
        request,
        child,
        heading="Record an order the court made",
        form=f.OrderForm(posted(request)),
        save=lambda data: services.order_make(actor=request.user, child=child, **data),
        success="Order recorded",
        intro="An interim care order, a care order or a placement order changes a looked-after child's legal "
        "status (C1, C2, E1) from the day it was made.",
    )


@child_record_view(change=True)
def conclude(request, child):
    return _step(
        request,
        child,
        heading="Record the end of the proceedings",
        form=f.ConcludeForm(posted(request)),
        save=lambda data: services.proceedings_conclude(actor=request.user, child=child, **data),
        success="Proceedings concluded",
        missing=_no_proceedings(child, _record(child)),
    )


def can_view_proceedings(user) -> bool:
    return user.role in SERVICE_ROLES


@login_required
def service_page(request):
    if not can_view_proceedings(request.user):
        raise PermissionDenied("Only managers, heads of service, the director and analysts see proceedings")
    figures = selectors.proceedings_by_week(today=timezone.localdate())
    chosen = next((band for band in figures.bands if band.key == request.GET.get("band")), None)
    listing = None
    if chosen is not None:
        children, hidden = selectors.band_children(request.user, chosen, path=request.get_full_path())
        listing = {"band": chosen, "children": children, "hidden": hidden}
    return render(request, "legal/service.html", {"figures": figures, "listing": listing})
