from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from opencsc.audit.services import record_access_log_list
from opencsc.ui.selectors import home_summary


@login_required
def home(request):
    summary = home_summary(user=request.user)
    named = [child.pk for child in summary.allocated_children]
    named += [alert.child_id for alert in summary.alerts_due_review]
    record_access_log_list(user=request.user, child_ids=named, path=request.get_full_path())
    return render(request, "ui/home.html", {"summary": summary})
