"""The private fostering service page for leaders: the year's figures (figures.py states them) and, for the
figure asked for, the children behind it (those the user may not open shown as "a restricted record"; names
shown and withheld are both logged)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from opencsc.audit.models import AccessKind
from opencsc.audit.services import record_access_log_list
from opencsc.privatefostering import figures as pf


def _year(text: str | None, today) -> int:
    current = pf.reporting_year_of(today)
    try:
        year = int(text or current)
    except ValueError:
        return current
    return year if 2000 <= year <= current else current


@login_required
def service_page(request):
    if not pf.can_view_figures(request.user):
        raise PermissionDenied(
            "Only managers, heads of service, the director and analysts see private fostering figures"
        )
    today = timezone.localdate()
    figures = pf.private_fostering_figures(_year(request.GET.get("year"), today), today=today)
    figure = request.GET.get("figure")
    rows = pf.drill_rows(request.user, figures, figure) if figure in pf.NAMES else None
    if rows:
        path = request.get_full_path()
        record_access_log_list(
            user=request.user, child_ids=[r.arrangement.child_id for r in rows if r.may_open], path=path
        )
        withheld = [r.arrangement.child_id for r in rows if not r.may_open]
        record_access_log_list(user=request.user, child_ids=withheld, path=path, kind=AccessKind.REFUSED)
    context = {"figures": figures, "names": pf.NAMES, "figure": figure, "rows": rows}
    return render(request, "privatefostering/service.html", context)
