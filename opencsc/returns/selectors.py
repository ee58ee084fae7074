from django.db.models import Count

from opencsc.accounts.models import Role
from opencsc.people.selectors import children_visible_to
from opencsc.returns.models import (
    CheckStatus,
    ReturnCheck,
    ReturnImport,
    RunOrigin,
    ValidationFinding,
    ValidationRun,
)

WORKLIST_ROLES = {Role.PERFORMANCE_ANALYST, Role.HEAD_OF_SERVICE, Role.DIRECTOR}
PAGE_SIZE = 500


def can_see_worklist(user) -> bool:
    return user.is_authenticated and user.role in WORKLIST_ROLES


def can_export_annexa(user) -> bool:
    """Annex A lists every child the authority worked with: the same people who check the returns."""
    return user.is_authenticated and user.role in WORKLIST_ROLES


def can_import_returns(user) -> bool:
    """Importing return files writes children's records in bulk: the people who check the returns."""
    return user.is_authenticated and user.role in WORKLIST_ROLES


def return_import(kind: str, import_id: int) -> ReturnImport | None:
    return ReturnImport.objects.filter(kind=kind, pk=import_id).select_related("requested_by").first()


def import_flags_run(record: ReturnImport) -> ValidationRun | None:
    """The worklist run holding what a finished import flagged (the latest, when it read several files)."""
    runs = record.report.get("runs", []) if record.finished else []
    return ValidationRun.objects.filter(pk__in=runs).first() if runs else None


def imports_under_way(kind: str) -> list[ReturnImport]:
    return list(ReturnImport.objects.filter(kind=kind, status__in=[CheckStatus.QUEUED, CheckStatus.RUNNING]))


def latest_run(kind: str, year: int | None = None) -> ValidationRun | None:
    """The latest check of one year's return against the DfE rules; without a year, the latest of any year."""
    runs = ValidationRun.objects.filter(kind=kind, origin=RunOrigin.CHECK)
    return (runs.filter(year=year) if year is not None else runs).first()


def checked_years(kind: str) -> list[ValidationRun]:
    """The latest check of each collection year that has been checked, most recent year first."""
    latest_ids = []
    checks = ValidationRun.objects.filter(kind=kind, origin=RunOrigin.CHECK)
    for year in checks.values_list("year", flat=True).distinct():
        latest_ids.append(latest_run(kind, year).pk)
    return list(ValidationRun.objects.filter(pk__in=latest_ids).order_by("-year"))


def latest_import_run(kind: str) -> ValidationRun | None:
    """The latest import of the return's files that flagged something, with what it flagged."""
    return ValidationRun.objects.filter(kind=kind, origin=RunOrigin.IMPORT).first()


def checks_under_way(kind: str) -> list[ReturnCheck]:
    return list(ReturnCheck.objects.filter(kind=kind, status__in=[CheckStatus.QUEUED, CheckStatus.RUNNING]))


def return_check(kind: str, check_id: int) -> ReturnCheck | None:
    return ReturnCheck.objects.filter(kind=kind, pk=check_id).select_related("run").first()


def run_rule_counts(run: ValidationRun) -> list[dict]:
    return list(
        ValidationFinding.objects.filter(run=run)
        .values("rule", "severity", "message")
        .annotate(count=Count("id"))
        .order_by("severity", "rule")
    )


def run_findings_for(user, run: ValidationRun, *, rule: str = "") -> tuple[list[dict], int]:
    """The run's findings (one rule's when `rule` is given, at most PAGE_SIZE), each with the child's record
    when this user may open it, and how many there are in all."""
    rows = ValidationFinding.objects.filter(run=run)
    if rule:
        rows = rows.filter(rule=rule)
    total = rows.count()
    findings = list(rows.order_by("severity", "rule", "la_child_id", "file", "line", "pk")[:PAGE_SIZE])
    visible = set(
        children_visible_to(user).filter(return_findings__run=run).values_list("pk", flat=True).distinct()
    )
    return [
        {
            "finding": f,
            "child_id": f.child_id if f.child_id in visible else None,
            "hidden": f.child_id is not None and f.child_id not in visible,
        }
        for f in findings
    ], total
