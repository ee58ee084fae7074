"""The early help service page for leaders: the year's figures (figures.py states them) and, for the figure
asked for, the children behind it (those the user may not open shown as "a restricted record"; names shown
and withheld are both logged)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from opencsc.audit.models import AccessKind
from opencsc.audit.services import record_access_log_list
from opencsc.earlyhelp import figures as eh


def _year(text: str | None, today) -> int:
    current = eh.reporting_year_of(today)
    try:
        year = int(text or current)
    except ValueError:
        return current
    return year if 2000 <= year <= current else current


@login_required
def service_page(request):
    if not eh.can_view_figures(request.user):
        raise PermissionDenied(
            "Only managers, heads of service, the director and analysts see early help figures"
        )
    today = timezone.localdate()
    figures = eh.early_help_figures(_year(request.GET.get("year"), today), today=today)
    figure = request.GET.get("figure")
    rows = eh.drill_rows(request.user, figures, figure) if figure in eh.NAMES else None
    if rows:
        path = request.get_full_path()
        record_access_log_list(
            user=request.user, child_ids=[r.episode.child_id for r in rows if r.may_open], path=path
        )
        withheld = [r.episode.child_id for r in rows if not r.may_open]
        record_access_log_list(user=request.user, child_ids=withheld, path=path, kind=AccessKind.REFUSED)
    context = {"figures": figures, "names": eh.NAMES, "figure": figure, "rows": rows}
    return render(request, "earlyhelp/service.html", context)
