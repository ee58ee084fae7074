from django.db.models import Count

from opencsc.accounts.models import Role
from opencsc.people.selectors import children_visible_to
from opencsc.returns.models import ValidationFinding, ValidationRun

WORKLIST_ROLES = {Role.PERFORMANCE_ANALYST, Role.HEAD_OF_SERVICE, Role.DIRECTOR}
PAGE_SIZE = 500


def can_see_worklist(user) -> bool:
    return user.is_authenticated and user.role in WORKLIST_ROLES


def can_export_annexa(user) -> bool:
    """Annex A lists every child the authority worked with: the same people who check the returns."""
    return user.is_authenticated and user.role in WORKLIST_ROLES


def latest_run(kind: str) -> ValidationRun | None:
    return ValidationRun.objects.filter(kind=kind).first()


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
    findings = list(rows.order_by("severity", "rule", "la_child_id", "pk")[:PAGE_SIZE])
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
