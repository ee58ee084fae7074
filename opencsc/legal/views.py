"""Pages for pre-proceedings, care proceedings and orders. Thin: the permission check (child_record_view, or the
service roles for the service page), a form, one service call, back to the child's legal page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.accounts.models import Role
from opencsc.core.dates import long_date
from opencsc.legal import forms as f
from opencsc.legal import selectors, services
from opencsc.people.decorators import child_record_view
from opencsc.ui.steps import posted, record_step, step_view

SERVICE_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST}


def _back(child) -> str:
    return reverse("legal:child", args=[child.pk])


def _record(child):
    return selectors.child_legal_record(child, today=timezone.localdate())


@child_record_view()
def child_page(request, child):
    context = {"child": child, "legal": _record(child), "can_change": can_change_child(request.user, child)}
    return render(request, "legal/child.html", context)


def _step(**step):
    return step_view(back=_back, **step)


def _no_pre_proceedings(child) -> str:
    return "" if _record(child).open_pre_proceedings else f"{child.full_name} is not in pre-proceedings."


def _no_proceedings(child) -> str:
    return "" if _record(child).open_proceedings else f"{child.full_name} has no open care proceedings."


def _proceedings_open(child) -> str:
    current = _record(child).open_proceedings
    if current is None:
        return ""
    return f"Care proceedings about {child.full_name} are open (issued {long_date(current.issued_on)})."


gateway_new = _step(
    heading="Record a legal gateway meeting",
    form=f.GatewayMeetingForm,
    service=services.gateway_meeting_record,
    success="Legal gateway meeting recorded",
    intro="The legal gateway or planning meeting decides whether the threshold for proceedings is met and "
    "whether to start pre-proceedings or issue.",
    creates=True,
)
letter = _step(
    heading="Record the letter before proceedings",
    form=f.LetterForm,
    service=services.pre_proceedings_letter_record,
    success="Letter before proceedings recorded",
    missing=_no_pre_proceedings,
)
pre_meeting = _step(
    heading="Record the pre-proceedings meeting",
    form=f.PreProceedingsMeetingForm,
    service=services.pre_proceedings_meeting_record,
    success="Pre-proceedings meeting recorded",
    missing=_no_pre_proceedings,
)
pre_end = _step(
    heading="End pre-proceedings",
    form=f.PreProceedingsEndForm,
    service=services.pre_proceedings_end,
    success="Pre-proceedings ended",
    missing=_no_pre_proceedings,
    intro="To go to court, record the issue of proceedings instead: it ends pre-proceedings.",
)
issue = _step(
    heading="Record the issue of care proceedings",
    form=f.IssueForm,
    service=services.proceedings_issue,
    success="Care proceedings issued: the 26-week timetable has started",
    missing=_proceedings_open,
    creates=True,
)
extend = _step(
    heading="Record an extension of the timetable",
    form=f.ExtensionForm,
    service=services.proceedings_extend,
    success="Extension recorded",
    missing=_no_proceedings,
    creates=True,
)
hearing_new = _step(
    heading="List a hearing",
    form=f.HearingForm,
    service=services.hearing_list,
    success="Hearing listed",
    missing=_no_proceedings,
    creates=True,
)


@child_record_view(change=True)
def hearing_outcome(request, child):
    hearings = _record(child).hearings_awaiting_outcome

    def save(data):
        hearing = next(h for h in hearings if h.pk == data["hearing"])  # the form offers only these
        return services.hearing_outcome_record(
            actor=request.user, child=child, hearing=hearing, outcome=data["outcome"]
        )

    return record_step(
        request,
        child,
        heading="Record the outcome of a hearing",
        form=f.HearingOutcomeForm(posted(request), hearings=hearings),
        save=save,
        success="Hearing outcome recorded",
        back=_back(child),
        missing=""
        if hearings
        else f"No hearing of {child.full_name}'s proceedings is waiting for its outcome.",
    )


order_new = _step(
    heading="Record an order the court made",
    form=f.OrderForm,
    service=services.order_make,
    success="Order recorded",
    intro="An interim care order, a care order or a placement order changes a looked-after child's legal "
    "status (C1, C2, E1) from the day it was made.",
    creates=True,
)
conclude = _step(
    heading="Record the end of the proceedings",
    form=f.ConcludeForm,
    service=services.proceedings_conclude,
    success="Proceedings concluded",
    missing=_no_proceedings,
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
