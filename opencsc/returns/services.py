from django.db import transaction

from opencsc.audit.context import current_ip
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.audit.services import audit_event_record
from opencsc.people.models import Child
from opencsc.returns.models import ValidationFinding, ValidationRun
from opencsc.returns.registry import ValidationResult


@transaction.atomic
def validation_run_save(*, actor, result: ValidationResult, source: str) -> ValidationRun:
    """Keep a validator's findings as a data-quality worklist, each linked to the child's record when the
    LA child ID names one."""
    run = ValidationRun.objects.create(
        kind=result.kind,
        year=result.year,
        source=source[:300],
        run_by=actor if actor is not None and actor.is_authenticated else None,
        error_count=len(result.errors),
        query_count=len(result.queries),
        notes=result.notes,
    )
    ids = sorted({f.la_child_id for f in result.findings if f.la_child_id})
    children: dict[str, int] = {}
    for chunk in range(0, len(ids), 500):
        batch = Child.objects.filter(la_child_id__in=ids[chunk : chunk + 500]).values_list(
            "la_child_id", "pk"
        )
        children.update(batch)
    ValidationFinding.objects.bulk_create(
        [
            ValidationFinding(
                run=run,
                child_id=children.get(f.la_child_id),
                la_child_id=f.la_child_id[:40],
                rule=f.rule,
                severity=f.severity,
                message=f.message,
                fields=f.fields,
            )
            for f in result.findings
        ],
        batch_size=1000,
    )
    audit_event_record(
        actor=run.run_by,
        verb=f"validate.{result.kind}",
        target=run,
        payload={"year": result.year, "errors": run.error_count, "queries": run.query_count},
    )
    return run


@transaction.atomic
def annexa_export_record(*, actor, on, la_child_ids: set[str], path: str, rows: int) -> int:
    """Log a downloaded Annex A as an export of each child's record in it (the child's "Who has looked at
    this record" page shows it), and the download itself as an audit event. Returns the children logged."""
    ids = sorted(la_child_ids)
    child_pks: list[int] = []
    for chunk in range(0, len(ids), 500):
        child_pks.extend(
            Child.objects.filter(la_child_id__in=ids[chunk : chunk + 500]).values_list("pk", flat=True)
        )
    address = current_ip.get()
    RecordAccess.objects.bulk_create(
        [
            RecordAccess(user=actor, child_id=pk, kind=AccessKind.EXPORT, path=path[:300], ip_address=address)
            for pk in child_pks
        ],
        batch_size=1000,
    )
    audit_event_record(
        actor=actor,
        verb="export.annexa",
        target=actor,
        payload={"reference_date": on.isoformat(), "children": len(child_pks), "rows": rows},
    )
    return len(child_pks)
