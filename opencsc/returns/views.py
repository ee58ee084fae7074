import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from opencsc.audit.services import record_access_log_list
from opencsc.returns.registry import kinds
from opencsc.returns.selectors import (
    can_export_annexa,
    can_import_returns,
    can_see_worklist,
    checked_years,
    checks_under_way,
    import_flags_run,
    imports_under_way,
    latest_import_run,
    latest_run,
    return_check,
    return_import,
    run_findings_for,
    run_rule_counts,
)
from opencsc.returns.services import (
    WEB_IMPORTS,
    return_check_request,
    return_export_record,
    return_import_request,
)
from opencsc.returns.uploads import too_large_message, upload_too_large
from opencsc.ui.form_tokens import creates_record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def worklist(request, kind: str = "cin"):
    if not can_see_worklist(request.user):
        raise PermissionDenied(
            "Only performance analysts, heads of service and the director see return checks"
        )
    if kind not in kinds():
        raise Http404("No such return")
    return _worklist_page(request, kind)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)


class CheckReturnForm(forms.Form):
    year = forms.IntegerField(
        label="Collection year",
        help_text="The year ending 31 March: 2026 is 1 April 2025 to 31 March 2026",
        min_value=2015,
        max_value=2100,
        error_messages={"required": "Enter the collection year, like 2026"},
    )
    files = MultipleFileField(
        label="Files to check (optional)",
        help_text="Leave empty to check the return made from the records as they stand",
        required=False,
        widget=MultipleFileInput(attrs={"multiple": True}),
    )


def _worklist_page(request, kind: str, check_form=None, status: int = 200, download_error: str = ""):
    years = checked_years(kind)
    year = _int_or_none(request.GET.get("year", ""))
    run = latest_run(kind, year) if year is not None else (years[0] if years else None)
    rule = request.GET.get("rule", "")[:20]
    findings, total = run_findings_for(request.user, run, rule=rule) if run else ([], 0)
    record_access_log_list(
        user=request.user,
        child_ids=[row["child_id"] for row in findings if row["child_id"]],
        path=request.path,
    )
    return_kind = kinds()[kind]
    default_year = _default_year(timezone.localdate())
    if check_form is None and return_kind.validate is not None:
        check_form = CheckReturnForm(initial={"year": default_year})
    context = {
        "kind": return_kind,
        "run": run,
        "years": years,
        "year": year if year is not None else (run.year if run else None),
        "checks": checks_under_way(kind),
        "rule": rule,
        "counts": run_rule_counts(run) if run else [],
        "findings": findings,
        "total": total,
        "check_form": check_form,
        "can_export_annexa": can_export_annexa(request.user),
        "can_import": can_import_returns(request.user) and kind in WEB_IMPORTS,
        "annexa_on": timezone.localdate().isoformat(),
        "download_year": request.GET.get("download_year", default_year) if download_error else default_year,
        "download_error": download_error,
        **_import_flags(request, kind),
    }
    return render(request, "returns/worklist.html", context, status=status)


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip().isdigit() and len(value.strip()) <= 4 else None


def _import_flags(request, kind: str) -> dict:
    """What the latest import of this return flagged, for the worklist's second part."""
    run = latest_import_run(kind)
    rule = request.GET.get("import_rule", "")[:20]
    findings, total = run_findings_for(request.user, run, rule=rule) if run else ([], 0)
    return {
        "import_run": run,
        "import_rule": rule,
        "import_counts": run_rule_counts(run) if run else [],
        "import_findings": findings,
        "import_total": total,
    }


@login_required
def annexa_download(request):
    """Ofsted Annex A for a reference date, as the xlsx workbook. Every child in it is logged as exported."""
    from opencsc.returns.annexa.export import annexa_children, annexa_workbook_bytes

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
        context |= _import_flags(request, "annexa")
        context |= {"can_export_annexa": True, "annexa_on": value, "annexa_error": problem}
        return render(request, "returns/worklist.html", context, status=400)
    data, rows = annexa_workbook_bytes(on)
    return_export_record(
        actor=request.user,
        kind="annexa",
        la_child_ids=annexa_children(rows),
        path=request.get_full_path(),
        payload={
            "reference_date": on.isoformat(),
            "rows": sum(len(list_rows) for list_rows in rows.values()),
        },
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="annex-a-{on.isoformat()}.xlsx"'
    return response


@login_required
def download(request, kind: str):
    """A return for one collection year as a file (the CIN census as XML, the 903 as a zip of its CSVs). Every
    child in it is logged as exported, as for Annex A."""
    if not can_export_annexa(request.user):
        raise PermissionDenied(
            "Only performance analysts, heads of service and the director download returns"
        )
    return_kind = kinds().get(kind)
    if return_kind is None or return_kind.download is None:
        raise Http404("That return cannot be downloaded")
    value = request.GET.get("download_year", "").strip()
    year = _int_or_none(value)
    latest = _default_year(timezone.localdate()) + 1
    if year is None or not 2015 <= year <= latest:
        problem = f"Collection year: enter a year from 2015 to {latest}, like 2026"
        return _worklist_page(request, kind, status=400, download_error=problem)
    exported = return_kind.download(year)
    return_export_record(
        actor=request.user,
        kind=kind,
        la_child_ids=exported.la_child_ids,
        path=request.get_full_path(),
        payload={"year": year},
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


def _default_year(today) -> int:
    """The latest collection year that has ended: the one ending the last 31 March."""
    return today.year if today.month >= 4 else today.year - 1


@login_required
@require_POST
def check(request, kind: str):
    """Ask for a return to be checked against the DfE rules, from files uploaded or from the records as they
    stand; the background worker runs the check and the status page follows it."""
    if not can_see_worklist(request.user):
        raise PermissionDenied("Only performance analysts, heads of service and the director check returns")
    return_kind = kinds().get(kind)
    if return_kind is None or return_kind.validate is None:
        raise Http404("That return cannot be checked")
    form = CheckReturnForm(request.POST, request.FILES)
    valid = form.is_valid()
    if upload_too_large(request):
        form.add_error("files", too_large_message())
        return _worklist_page(request, kind, check_form=form, status=413)
    if not valid:
        return _worklist_page(request, kind, check_form=form, status=400)
    uploads = [(upload.name, upload.read()) for upload in request.FILES.getlist("files")]
    check_request = return_check_request(
        actor=request.user, kind=kind, year=form.cleaned_data["year"], uploads=uploads
    )
    return redirect("returns:check_status", kind, check_request.pk)


@login_required
def check_status(request, kind: str, check_id: int):
    """How far a background check has got; the page refreshes itself until the check has finished."""
    if not can_see_worklist(request.user):
        raise PermissionDenied(
            "Only performance analysts, heads of service and the director see return checks"
        )
    check_request = return_check(kind, check_id)
    if check_request is None:
        raise Http404("No such check")
    context = {"kind": kinds()[kind], "check": check_request, "refresh_seconds": 3}
    return render(request, "returns/check_status.html", context)


IMPORT_HELP = {
    "cin": "One or more CIN census XML files",
    "903": "The SSDA903 set's CSV files (header, episodes, reviews, ...), or the zip OpenCSC downloads",
    "annexa": "One or more Annex A workbooks (xlsx)",
}
IMPORT_SUFFIXES = {"cin": (".xml",), "903": (".csv", ".zip"), "annexa": (".xlsx",)}


class ImportReturnForm(forms.Form):
    files = MultipleFileField(
        label="Files to import",
        widget=MultipleFileInput(attrs={"multiple": True}),
        error_messages={"required": "Choose the files to import"},
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["files"].help_text = IMPORT_HELP[kind]

    def clean_files(self):
        files = self.cleaned_data["files"]
        files = [f for f in (files if isinstance(files, list) else [files]) if f]
        if not files:  # a multiple file input sends an empty list, which the field does not call missing
            raise forms.ValidationError("Choose the files to import")
        wanted = IMPORT_SUFFIXES[self.kind]
        wrong = [f.name for f in files if not f.name.lower().endswith(wanted)]
        if wrong:
            raise forms.ValidationError(
                f"{', '.join(wrong)}: not a file of this return (it takes {' or '.join(wanted)} files)"
            )
        return files


def _importable(request, kind: str):
    if not can_import_returns(request.user):
        raise PermissionDenied(
            "Only performance analysts, heads of service and the director import return files"
        )
    if kind not in WEB_IMPORTS or kinds().get(kind) is None:
        raise Http404("That return cannot be imported here")
    return kinds()[kind]


@login_required
@creates_record
def import_files(request, kind: str):
    """Upload a return's files to import: the background worker imports them and the status page follows it.
    A form sent twice imports once (its token, ADR 0012)."""
    return_kind = _importable(request, kind)
    posted = request.method == "POST"
    form = ImportReturnForm(request.POST if posted else None, request.FILES if posted else None, kind=kind)
    status = 200
    if posted:
        valid = form.is_valid()
        if upload_too_large(request):
            form.add_error("files", too_large_message())
            status = 413
        elif valid:
            uploads = [(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
            record = return_import_request(actor=request.user, kind=kind, uploads=uploads)
            return redirect("returns:import_status", kind, record.pk)
        else:
            status = 400
    context = {"kind": return_kind, "form": form, "imports": imports_under_way(kind)}
    return render(request, "returns/import.html", context, status=status)


@login_required
def import_status(request, kind: str, import_id: int):
    """How far a background import has got (children done of total), refreshing itself until it has
    finished; then its report, the flags through the worklist's selector (a restricted child is not named)."""
    return_kind = _importable(request, kind)
    record = return_import(kind, import_id)
    if record is None:
        raise Http404("No such import")
    context = {"kind": return_kind, "record": record, "refresh_seconds": 2, "import_run": None}
    run = import_flags_run(record)
    if run is not None:
        findings, total = run_findings_for(request.user, run)
        record_access_log_list(
            user=request.user,
            child_ids=[row["child_id"] for row in findings if row["child_id"]],
            path=request.path,
        )
        context |= {
            "import_run": run,
            "import_rule": "",
            "import_counts": run_rule_counts(run),
            "import_findings": findings,
            "import_total": total,
        }
    return render(request, "returns/import_status.html", context)
