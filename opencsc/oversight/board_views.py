"""The board pack for a chosen day: a printable page and the same pack as a PDF. Both are recorded."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from opencsc.oversight import board_pack
from opencsc.oversight.board_pdf import board_pack_pdf
from opencsc.oversight.improvement_selectors import STATUS_ORDER, STATUS_TAG, status_label
from opencsc.oversight.improvement_views import parse_day


def _require_board_pack(user) -> None:
    if not board_pack.can_view_board_pack(user):
        raise PermissionDenied(
            "The board pack is for the director, heads of service, performance analysts, the chief executive "
            "and the improvement board"
        )


@login_required
def pack_page(request):
    _require_board_pack(request.user)
    day, problem = parse_day(request.GET.get("on"))
    pack = board_pack.board_pack_for(day=day, user=request.user)
    board_pack.board_pack_viewed(user=request.user, day=day, form="page")
    context = {
        "pack": pack,
        "day": day,
        "date_problem": problem,
        "statuses": STATUS_ORDER,
        "status_tag": STATUS_TAG,
        "status_label": status_label,
        "can_edit": False,
    }
    return render(request, "oversight/board_pack.html", context)


@login_required
def pack_pdf(request):
    _require_board_pack(request.user)
    day, problem = parse_day(request.GET.get("on"))
    if problem:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    pack = board_pack.board_pack_for(day=day, user=request.user)
    pdf = board_pack_pdf(pack)
    board_pack.board_pack_viewed(user=request.user, day=day, form="pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="board-pack-{day.isoformat()}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
