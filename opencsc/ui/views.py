from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from opencsc.ui.selectors import home_summary


@login_required
def home(request):
    return render(request, "ui/home.html", {"summary": home_summary(user=request.user)})


def permission_denied(request, exception=None):
    return render(request, "ui/403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "ui/404.html", status=404)


def server_error(request):
    return render(request, "ui/500.html", status=500)
