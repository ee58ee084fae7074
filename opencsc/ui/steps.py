"""The one-form pages that every recording step uses.

`form_step`: show the form, and on a valid POST call the service; a ValidationError from the service lands on the
form field by field, with nothing typed lost. `done_url` may be a function of what `save` returned, for a page that
creates a record and goes to it.

`record_step`: a step on a child's record (the heading, the form, back to the page the step was opened from), or,
when the step does not apply now, the reason (`missing`) and the way back.

`step_view`: a whole step page, for a step that is one service call on the child (or on what `subject` finds on
the child's record): the access check and its log (`child_record_view(change=True)`), one submission only for a
step that creates records (`creates_record`), the form, the service, back.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation

STEP_TEMPLATE = "looked_after/record_step.html"


def form_step(request, *, form, save, success: str, done_url, template: str, context: dict):
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, success)
            return redirect(done_url(saved) if callable(done_url) else done_url)
    return render(request, template, {**context, "form": form, "error_summary_params": error_summary(form)})


def posted(request):
    """The submitted data on a POST (even an empty one), else None."""
    return request.POST if request.method == "POST" else None


def record_step(request, child, *, heading, form, save, success, back, intro="", missing=""):
    context = {"child": child, "heading": heading, "intro": intro, "back": back, "missing": missing}
    if missing:
        return render(request, STEP_TEMPLATE, context)
    return form_step(
        request, form=form, save=save, success=success, done_url=back, template=STEP_TEMPLATE, context=context
    )


def the_child(child) -> dict:
    return {"child": child}


def step_view(
    *,
    heading: str,
    form,
    service: Callable,
    success: str,
    back: Callable[..., str],
    subject: Callable[..., dict] = the_child,
    missing: Callable[..., str] | None = None,
    intro: str = "",
    creates: bool = False,
):
    """The view of a step: `service(actor=the user, **subject(child), **the form's data)`, then back to `back(child)`.

    `subject(child)` gives the keyword arguments naming what the step is recorded on (the child, or its open
    episode); `missing(child)` the reason the step does not apply now, "" when it does.
    """

    def view(request, child):
        return record_step(
            request,
            child,
            heading=heading,
            form=form(posted(request)),
            save=lambda data: service(actor=request.user, **subject(child), **data),
            success=success,
            back=back(child),
            intro=intro,
            missing=missing(child) if missing else "",
        )

    return child_record_view(change=True)(creates_record(view) if creates else view)
