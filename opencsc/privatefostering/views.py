"""Private fostering pages: the child's private fostering (the arrangement, due dates, visits, history) and one
step page for each thing recorded on it. Thin: `child_record_view` checks access and logs the read, a form, one
service call, back to the child's private fostering page."""

from django.shortcuts import render
from django.urls import reverse

from opencsc.accounts.access import can_change_child
from opencsc.people.decorators import child_record_view
from opencsc.privatefostering import forms, selectors, services
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import posted, record_step

NO_ARRANGEMENT = "There is no open private fostering arrangement for this child."


def _back(child) -> str:
    return reverse("privatefostering:child", args=[child.pk])


@child_record_view()
def child_page(request, child):
    context = {
        "child": child,
        "record": selectors.child_private_fostering(child),
        "can_change": can_change_child(request.user, child),
    }
    return render(request, "privatefostering/child.html", context)


@child_record_view(change=True)
@creates_record
def notify(request, child):
    return record_step(
        request,
        child,
        heading="Record a private fostering notification",
        form=forms.NotificationForm(posted(request)),
        save=lambda data: services.private_fostering_notify(actor=request.user, child=child, **data),
        success="Notification recorded: the first visit is due within 7 working days",
        back=_back(child),
    )


def _arrangement_step(request, child, *, heading, form, service, success):
    arrangement = selectors.child_private_fostering(child).current
    return record_step(
        request,
        child,
        heading=heading,
        form=form,
        save=lambda data: service(actor=request.user, arrangement=arrangement, **data),
        success=success,
        back=_back(child),
        missing="" if arrangement else NO_ARRANGEMENT,
    )


@child_record_view(change=True)
@creates_record
def visit(request, child):
    return _arrangement_step(
        request,
        child,
        heading="Record a private fostering visit",
        form=forms.VisitForm(posted(request)),
        service=services.private_fostering_visit_record,
        success="Visit recorded",
    )


@child_record_view(change=True)
@creates_record
def decide(request, child):
    return _arrangement_step(
        request,
        child,
        heading="Record the decision on the arrangement",
        form=forms.DecisionForm(posted(request)),
        service=services.private_fostering_decide,
        success="Decision recorded",
    )


@child_record_view(change=True)
@creates_record
def end(request, child):
    return _arrangement_step(
        request,
        child,
        heading="End the private fostering arrangement",
        form=forms.EndForm(posted(request)),
        service=services.private_fostering_end,
        success="Arrangement ended",
    )
