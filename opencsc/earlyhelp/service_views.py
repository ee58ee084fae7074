"""The early help service page for leaders: the year's figures (figures.py states them) and, for the figure
asked for, the children behind it (those the user may not open shown as "a restricted record"; names shown
and withheld are both logged)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from opencsc.audit.services import record_listing_with_withheld
from opencsc.core.dates import reporting_year_asked
from opencsc.earlyhelp import figures as eh


@login_required
def service_page(request):
    if not eh.can_view_figures(request.user):
        raise PermissionDenied(
            "Only managers, heads of service, the director and analysts see early help figures"
        )
    today = timezone.localdate()
    figures = eh.early_help_figures(reporting_year_asked(request.GET.get("year"), today), today=today)
    figure = request.GET.get("figure")
    rows = eh.drill_rows(request.user, figures, figure) if figure in eh.NAMES else None
    if rows:
        record_listing_with_withheld(
            user=request.user,
            path=request.get_full_path(),
            shown=[r.episode.child_id for r in rows if r.may_open],
            withheld=[r.episode.child_id for r in rows if not r.may_open],
        )
    context = {"figures": figures, "names": eh.NAMES, "figure": figure, "rows": rows}
    return render(request, "earlyhelp/service.html", context)
