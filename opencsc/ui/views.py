from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from opencsc.audit.services import record_access_log_list
from opencsc.ui.navigation import SECTIONS_BY_SLUG, sections_for
from opencsc.ui.selectors import home_summary


@login_required
def home(request):
    summary = home_summary(user=request.user)
    named = [child.pk for child in summary.allocated_children]
    named += [alert.child_id for alert in summary.alerts_due_review]
    record_access_log_list(user=request.user, child_ids=named, path=request.get_full_path())
    return render(request, "ui/home.html", {"summary": summary})


@login_required
def section(request, slug):
    """A section's landing page: the pages of the section the person may open, each with what it is for."""
    if slug not in SECTIONS_BY_SLUG:
        raise Http404("No such section")
    entry = next((entry for entry in sections_for(request.user) if entry.section.slug == slug), None)
    if entry is None:
        raise PermissionDenied
    return render(request, "ui/section.html", {"entry": entry})
