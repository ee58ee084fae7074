import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from opencsc.returns.registry import kinds
from opencsc.returns.selectors import (
    can_export_annexa,
    can_see_worklist,
    latest_run,
    run_findings_for,
    run_rule_counts,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def worklist(request, kind: str = "cin"):
    if not can_see_worklist(request.user):
        raise PermissionDenied(
            "Only performance analysts, heads of service and the director see return checks"
        )
    if kind not in kinds():
        raise Http404("No such return")
    run = latest_run(kind)
    rule = request.GET.get("rule", "")[:20]
    findings, total = run_findings_for(request.user, run, rule=rule) if run else ([], 0)
    context = {
        "kind": kinds()[kind],
        "run": run,
        "rule": rule,
        "counts": run_rule_counts(run) if run else [],
        "findings": findings,
        "total": total,
        "can_export_annexa": can_export_annexa(request.user),
        "annexa_on": timezone.localdate().isoformat(),
    }
    return render(request, "returns/worklist.html", context)


@login_required
def annexa_download(request):
    """Ofsted Annex A for a reference date, as the xlsx workbook. Every child in it is logged as exported."""
    from opencsc.returns.annexa.export import annexa_workbook_bytes
    from opencsc.returns.services import annexa_export_record

    if not can_export_annexa(request.user):
        raise PermissionDenied(
            "Only performance analysts, heads of service and the director download Annex A"
        )
    value = request.GET.get("on", "").strip()
    try:
        on = dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        on = None
    if on is None or on > timezone.localdate():
        problem = (
            "Enter the reference date as a real date, like 2026-03-31"
            if on is None
            else "The reference date cannot be in the future"
        )
        context = {"kind": kinds()["annexa"], "run": None, "counts": [], "findings": [], "total": 0}
        context |= {"can_export_annexa": True, "annexa_on": value, "annexa_error": problem}
        return render(request, "returns/worklist.html", context, status=400)
    data, rows = annexa_workbook_bytes(on)
    la_child_ids = {row[0] for number, list_rows in rows.items() if number != 11 for row in list_rows}
    annexa_export_record(
        actor=request.user,
        on=on,
        la_child_ids=la_child_ids,
        path=request.get_full_path(),
        rows=sum(len(list_rows) for list_rows in rows.values()),
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="annex-a-{on.isoformat()}.xlsx"'
    return response
