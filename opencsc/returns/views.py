from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from opencsc.returns.registry import kinds
from opencsc.returns.selectors import can_see_worklist, latest_run, run_findings_for, run_rule_counts


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
    }
    return render(request, "returns/worklist.html", context)
