"""The one-form step shared by the adoption and care leaver pages: the form, one service call, back to the page
the step was opened from (or, when the step does not apply, the reason and the way back)."""

from django.shortcuts import render

from opencsc.ui.steps import form_step

STEP_TEMPLATE = "looked_after/record_step.html"


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
