"""Pages for leaders: the KPIs for a reporting year, the dashboard, the children behind each number, and
the targets. Numbers for every leader; children's names only for those who may open their records, and every
list of names is written to the record-access log."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from opencsc.audit.services import record_access_log_list
from opencsc.core.dates import reporting_year_of
from opencsc.finance.selectors import can_view_budget
from opencsc.finance.summary import budget_summary
from opencsc.insight.catalogue import CATALOGUE, part_label
from opencsc.insight.comparators import (
    LoadRefused,
    PublishedSet,
    can_load_comparators,
    comparators_load,
    loads_made,
    neighbours_listed,
    years_loaded,
)
from opencsc.insight.dashboard import (
    can_drill,
    can_view_dashboard,
    dashboard_for,
    last_month_end,
    panel_children,
    period_to,
)
from opencsc.insight.drill import Drill, current_allocations, kpi_drill
from opencsc.insight.figures import kpis_for_year
from opencsc.insight.kpis import KPIS, ReportingYear
from opencsc.insight.published import MEASURE_DATA_SET
from opencsc.insight.targets import can_set_targets, kpi_target_reset, kpi_target_set, kpi_targets
from opencsc.insight.views import _day
from opencsc.people.selectors import children_visible_to
from opencsc.returns.views import MultipleFileField, MultipleFileInput
from opencsc.ui.form_tokens import creates_record

PAGE_SIZE = 100
PARTS = ("numerator", "missed", "denominator")


def _require_dashboard(request) -> None:
    if not can_view_dashboard(request.user):
        raise PermissionDenied("Only leaders and performance analysts see the dashboard")


def _require_drill(request) -> None:
    _require_dashboard(request)
    if not can_drill(request.user):
        raise PermissionDenied("You see the numbers, not the children behind them")


def _year(request) -> tuple[int, str]:
    this_year = reporting_year_of(timezone.localdate())
    text = request.GET.get("year", "").strip()
    if not text:
        return this_year, ""
    if not text.isdigit() or not 2000 <= int(text) <= this_year:
        return this_year, f"Enter the year as 4 digits, 2000 to {this_year}: showing {this_year} instead"
    return int(text), ""


@login_required
def dashboard(request):
    _require_dashboard(request)
    day, problem = _day(request.GET.get("on"))
    board = dashboard_for(on=day, user=request.user)
    budget = budget_summary(day) if can_view_budget(request.user) else None
    return render(
        request,
        "insight/dashboard.html",
        {
            "board": board,
            "problem": problem,
            "can_set_targets": can_set_targets(request.user),
            "budget": budget,
        },
    )


@login_required
def kpis_page(request):
    _require_dashboard(request)
    year, problem = _year(request)
    results = kpis_for_year(year)
    drill = can_drill(request.user)
    rows = [(info, results[kpi_id]) for kpi_id, info in CATALOGUE.items()]
    published = PublishedSet()
    comparisons = {
        kpi_id: published.comparison(kpi_id, year, from_records=results[kpi_id].value)
        if kpi_id in MEASURE_DATA_SET
        else None
        for kpi_id in CATALOGUE
    }
    return render(
        request,
        "insight/kpis.html",
        {
            "year": year,
            "reporting_year": ReportingYear(year),
            "problem": problem,
            "rows": rows,
            "drill": drill,
            "targets": kpi_targets(),
            "comparisons": comparisons,
            "can_load": can_load_comparators(request.user),
            "years": list(range(reporting_year_of(timezone.localdate()), 2000, -1))[:10],
        },
    )


def _period_of(request):
    """?year=Y (a reporting year) or ?on=DATE (the 12 months ending on DATE)."""
    if request.GET.get("year"):
        year, problem = _year(request)
        if problem:
            raise Http404(problem)
        return ReportingYear(year), {"year": year}
    day, problem = _day(request.GET.get("on"))
    if problem:
        raise Http404(problem)
    return period_to(day), {"on": day.isoformat()}


def _visible_rows(user, ids: set[int]) -> list[tuple[int, str, str, str]]:
    """(pk, first name, last name, LA child ID) of the children in `ids` that `user` may see, by name."""
    ordered = sorted(ids)
    rows = []
    for start in range(0, len(ordered), 900):
        rows += (
            children_visible_to(user)
            .filter(pk__in=ordered[start : start + 900])
            .values_list("pk", "first_name", "last_name", "la_child_id")
        )
    rows.sort(key=lambda row: (row[2].lower(), row[1].lower(), row[0]))
    return rows


def _page_of(request, rows: list) -> tuple[list, int, int]:
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    text = request.GET.get("page", "1")
    number = min(max(int(text), 1), pages) if text.isdigit() else 1
    return rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE], number, pages


def _children_page(request, *, title: str, ids: set[int], context: dict):
    rows = _visible_rows(request.user, ids)
    shown, number, pages = _page_of(request, rows)
    record_access_log_list(
        user=request.user, child_ids=[row[0] for row in shown], path=request.get_full_path()
    )
    links = _page_links(request, number, pages)
    return render(
        request,
        "insight/children.html",
        {
            "title": title,
            "children": shown,
            "total": len(ids),
            "listed": len(rows),
            "hidden": len(ids) - len(rows),
            "page": number,
            "pages": pages,
            "links": links,
            **context,
        },
    )


def _visible_names(user, ids: set[int]) -> dict[int, tuple[str, str, str]]:
    return {pk: (first, last, la_id) for pk, first, last, la_id in _visible_rows(user, ids)}


def _records_page(request, *, title: str, drill: Drill, context: dict):
    """The records behind a KPI, one row each, for the children the user may open; the rest counted."""
    names = _visible_names(request.user, drill.children)
    rows = [row for row in drill.rows if row.child_id in names]
    shown, number, pages = _page_of(request, rows)
    shown_children = list(dict.fromkeys(row.child_id for row in shown))
    record_access_log_list(user=request.user, child_ids=shown_children, path=request.get_full_path())
    allocated = current_allocations(set(shown_children))
    return render(
        request,
        "insight/children.html",
        {
            "title": title,
            "columns": drill.columns,
            "order": drill.order,
            "unit": drill.unit,
            "record_count": len(rows),
            "records": [
                (row.child_id, *names[row.child_id], row.cells, allocated.get(row.child_id, "Not allocated"))
                for row in shown
            ],
            "total": len(drill.children),
            "listed": len(names),
            "hidden": len(drill.children) - len(names),
            "page": number,
            "pages": pages,
            "links": _page_links(request, number, pages),
            **context,
        },
    )


def _page_links(request, number: int, pages: int) -> dict[str, str]:
    query = request.GET.copy()
    links = {}
    for name, target in (("previous", number - 1), ("next", number + 1)):
        if 1 <= target <= pages:
            query["page"] = str(target)
            links[name] = f"?{query.urlencode()}"
    return links


@login_required
def kpi_children(request, kpi_id: str):
    _require_drill(request)
    if kpi_id not in KPIS:
        raise Http404("No such KPI")
    part = request.GET.get("part", "numerator")
    if part not in PARTS:
        raise Http404("No such part of a KPI")
    info = CATALOGUE[kpi_id]
    if part != "numerator" and not info.is_rate:
        raise Http404("Only a rate has a denominator")
    period, query = _period_of(request)
    drill = kpi_drill(kpi_id, period, part)
    parts = [(name, part_label(kpi_id, name)) for name in PARTS] if info.is_rate else []
    return _records_page(
        request,
        title=part_label(kpi_id, part),
        drill=drill,
        context={
            "info": info,
            "result": drill.result,
            "period": period,
            "part": part,
            "parts": parts,
            "query": query,
            "back": ("numbers:kpis", f"?year={query['year']}")
            if "year" in query
            else ("numbers:dashboard", f"?on={query['on']}"),
        },
    )


@login_required
def panel_children_page(request, panel: str, key: str):
    _require_drill(request)
    day, problem = _day(request.GET.get("on"))
    if problem:
        raise Http404(problem)
    found = panel_children(panel, key, day)
    if found is None:
        raise Http404("No such number on the dashboard")
    title, ids = found
    return _children_page(
        request,
        title=title,
        ids=ids,
        context={"on": day, "back": ("numbers:dashboard", f"?on={day.isoformat()}")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def targets_page(request):
    _require_dashboard(request)
    editable = can_set_targets(request.user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Only the director and performance analysts set targets")
        kpi_id = request.POST.get("kpi_id", "")
        if kpi_id not in CATALOGUE:
            raise Http404("No such KPI")
        try:
            if request.POST.get("reset"):
                kpi_target_reset(actor=request.user, kpi_id=kpi_id)
                messages.success(request, f"{CATALOGUE[kpi_id].title}: back to the default target")
            else:
                kpi_target_set(
                    actor=request.user,
                    kpi_id=kpi_id,
                    target=request.POST.get("target", ""),
                    direction=request.POST.get("direction", ""),
                )
                messages.success(request, f"{CATALOGUE[kpi_id].title}: target saved")
            return redirect("numbers:targets")
        except ValidationError as error:
            errors = {
                kpi_id: "; ".join(
                    message for messages_ in error.message_dict.values() for message in messages_
                )
            }
    return render(
        request,
        "insight/targets.html",
        {
            "catalogue": list(CATALOGUE.values()),
            "targets": kpi_targets(),
            "editable": editable,
            "errors": errors,
            "posted": request.POST if errors else {},
            "month_end": last_month_end(timezone.localdate()),
        },
    )


class ComparatorsForm(forms.Form):
    year = forms.IntegerField(
        label="Reporting year",
        help_text="As the files' time_period column gives it: 2025 is the year to 31 March 2025 (children in need) "
        "or the census at 30 September 2025 (workforce)",
        min_value=2010,
        max_value=2100,
        error_messages={"required": "Enter the reporting year, like 2025"},
    )
    files = MultipleFileField(
        label="Published files",
        help_text="The EES data files (CSV) and the statistical neighbours list (the CSSNBT workbook or its "
        "'LA SN Groups' sheet as CSV)",
        required=False,  # an empty choice is refused in clean_files, with the message
        widget=MultipleFileInput(attrs={"multiple": True, "accept": ".csv,.xlsx"}),
    )

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if not files:
            raise forms.ValidationError("Choose at least one published file")
        return files


@login_required
@creates_record
def comparators_page(request):
    """The analyst loads the DfE's published files for a year (all or nothing) and sees what is loaded."""
    if not can_load_comparators(request.user):
        raise PermissionDenied("Only performance analysts load the published figures")
    form = ComparatorsForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        files = [(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
        try:
            load = comparators_load(actor=request.user, files=files, year=form.cleaned_data["year"])
        except LoadRefused as refused:
            problems = refused.problems
        else:
            messages.success(request, f"Loaded {len(load.files)} file(s) for {load.year}")
            return redirect("numbers:comparators")
    context = {"form": form, "problems": problems, "loads": loads_made()}
    context |= {"neighbours": neighbours_listed(), "loaded": years_loaded()}
    return render(request, "insight/comparators.html", context, status=400 if problems else 200)
