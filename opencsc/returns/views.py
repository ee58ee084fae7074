import datetime as dt
import tempfile
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from opencsc.returns.registry import kinds
from opencsc.returns.selectors import (
    can_export_annexa,
    can_see_worklist,
    latest_run,
    run_findings_for,
    run_rule_counts,
)
from opencsc.returns.services import validation_run_save

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


def _worklist_page(request, kind: str, check_form=None, status: int = 200):
    run = latest_run(kind)
    rule = request.GET.get("rule", "")[:20]
    findings, total = run_findings_for(request.user, run, rule=rule) if run else ([], 0)
    return_kind = kinds()[kind]
    if check_form is None and return_kind.validate is not None:
        check_form = CheckReturnForm(initial={"year": _default_year(timezone.localdate())})
    context = {
        "kind": return_kind,
        "run": run,
        "rule": rule,
        "counts": run_rule_counts(run) if run else [],
        "findings": findings,
        "total": total,
        "check_form": check_form,
        "can_export_annexa": can_export_annexa(request.user),
        "annexa_on": timezone.localdate().isoformat(),
    }
    return render(request, "returns/worklist.html", context, status=status)


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


def _default_year(today) -> int:
    """The latest collection year that has ended: the one ending the last 31 March."""
    return today.year if today.month >= 4 else today.year - 1


@login_required
@require_POST
def check(request, kind: str):
    """Check a return against the DfE rules, from files uploaded or from the records as they stand (the return
    exported now), and keep the findings as the worklist."""
    if not can_see_worklist(request.user):
        raise PermissionDenied("Only performance analysts, heads of service and the director check returns")
    return_kind = kinds().get(kind)
    if return_kind is None or return_kind.validate is None:
        raise Http404("That return cannot be checked")
    form = CheckReturnForm(request.POST, request.FILES)
    if not form.is_valid():
        return _worklist_page(request, kind, check_form=form, status=400)
    year = form.cleaned_data["year"]
    uploads = request.FILES.getlist("files")
    with tempfile.TemporaryDirectory(prefix="opencsc-check-") as folder:
        folder = Path(folder)
        if uploads:
            for number, upload in enumerate(uploads):
                name = Path(upload.name).name or f"upload-{number}"
                with open(folder / f"{number:02d}-{name}", "wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
            files = sorted(folder.iterdir())
            path, source = (files[0] if len(files) == 1 else folder), ", ".join(u.name for u in uploads)
        elif return_kind.export is not None:
            path = folder / "return"
            return_kind.export(year, path)
            source = f"OpenCSC records as exported {timezone.localtime():%d/%m/%Y %H:%M}"
        else:
            raise Http404("That return cannot be exported")
        try:
            result = return_kind.validate(path, year)
        except ValueError as error:
            form.add_error("files", str(error))
            return _worklist_page(request, kind, check_form=form, status=400)
    validation_run_save(actor=request.user, result=result, source=source)
    return redirect("returns:kind_worklist", kind)
