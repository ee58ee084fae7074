"""The one-form page that every recording step uses: show the form, and on a valid POST call the service;
a ValidationError from the service lands on the form field by field, with nothing typed lost. `done_url` may be
a function of what `save` returned, for a page that creates a record and goes to it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation


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
