import logging
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from opencsc.audit.context import current_ip
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.audit.services import audit_event_record
from opencsc.people.models import Child
from opencsc.returns.flags import IMPORT_RULES, ImportFlag
from opencsc.returns.models import (
    CheckStatus,
    ReturnCheck,
    ReturnCheckFile,
    ReturnImport,
    ReturnImportFile,
    RunOrigin,
    ValidationFinding,
    ValidationRun,
)
from opencsc.returns.registry import ValidationResult, get_kind

logger = logging.getLogger(__name__)


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
    children = _child_pks({f.la_child_id for f in result.findings if f.la_child_id})
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


def _child_pks(la_child_ids: set[str]) -> dict[str, int]:
    ids = sorted(la_child_ids)
    children: dict[str, int] = {}
    for chunk in range(0, len(ids), 500):
        batch = Child.objects.filter(la_child_id__in=ids[chunk : chunk + 500]).values_list(
            "la_child_id", "pk"
        )
        children.update(batch)
    return children


@transaction.atomic
def import_flags_save(*, actor, kind: str, year: int, source: str, flags: list[ImportFlag]) -> ValidationRun:
    """Keep what an import flagged as a run of the data-quality worklist: each flag with its rule, reason,
    file and line (or sheet and row), linked to the child's record the import kept. Called inside the
    import's transaction, so the flags stand or fall with what was imported; an import that flagged nothing
    saves no run (a clean file read again writes nothing at all)."""
    run = ValidationRun.objects.create(
        kind=kind,
        origin=RunOrigin.IMPORT,
        year=year,
        source=source[:300],
        run_by=actor if actor is not None and actor.is_authenticated else None,
        error_count=len(flags),
    )
    children = _child_pks({f.la_child_id for f in flags if f.la_child_id})
    ValidationFinding.objects.bulk_create(
        [
            ValidationFinding(
                run=run,
                child_id=children.get(f.la_child_id),
                la_child_id=f.la_child_id[:40],
                rule=f.rule,
                severity="error",
                message=IMPORT_RULES[f.rule],
                fields=f.fields,
                reason=f.reason,
                file=f.file[-300:],
                sheet=f.sheet[:60],
                line=f.line,
            )
            for f in flags
        ],
        batch_size=1000,
    )
    audit_event_record(
        actor=run.run_by, verb=f"import.{kind}.flags", target=run, payload={"year": year, "flags": len(flags)}
    )
    return run


@transaction.atomic
def return_export_record(
    *, actor, kind: str, la_child_ids: Iterable[str], path: str, payload: dict | None = None
) -> int:
    """Log an exported return (downloaded or written by `opencsc export`) as an export of each child's record
    in it (the child's "Who has looked at this record" page shows it), and the export itself as an audit event.
    `actor` is None for a command-line export run without --as; `path` then says who ran it. Returns the
    children logged."""
    ids = sorted(set(la_child_ids))
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
        verb=f"export.{kind}",
        target=ReturnExport(kind),
        payload={"children": len(child_pks), "via": path[:300]} | (payload or {}),
    )
    return len(child_pks)


class ReturnExport:
    """What an export audit event is about: the return, not one record."""

    def __init__(self, kind: str):
        self.pk = kind


@transaction.atomic
def return_check_request(*, actor, kind: str, year: int, uploads: Iterable[tuple[str, bytes]]) -> ReturnCheck:
    """Ask the background worker to check a return: the uploaded files (name, content), or with none the
    return exported from the records when the worker runs. The task is queued in the same transaction, so a
    check is never queued without its files nor its files kept without a check."""
    from opencsc.returns.tasks import return_check_task

    uploads = list(uploads)
    names = ", ".join(name for name, _ in uploads)
    check = ReturnCheck.objects.create(
        kind=kind,
        year=year,
        source=(names or "OpenCSC records as they stand when the check runs")[:300],
        requested_by=actor,
        stage=CheckStatus.QUEUED.label,
    )
    ReturnCheckFile.objects.bulk_create(
        ReturnCheckFile(check_request=check, name=name[:200], size=len(content), content=content)
        for name, content in uploads
    )
    audit_event_record(
        actor=actor,
        verb=f"check.{kind}.request",
        target=check,
        payload={
            "year": year,
            "files": [name for name, _ in uploads],
            "bytes": sum(len(c) for _, c in uploads),
        },
    )
    return_check_task.enqueue(check_id=check.pk)
    return check


CHECK_STAGES = (
    "Reading the files",  # or exporting the return from the records
    "Checking against the DfE rules",
    "Saving the findings",
)


def _check_stage(check: ReturnCheck, step: int, stage: str) -> None:
    """Record how far a running check has got; written at once (outside any transaction) so that the status
    page shows it while the check goes on."""
    ReturnCheck.objects.filter(pk=check.pk).update(status=CheckStatus.RUNNING, steps_done=step, stage=stage)


def return_check_run(*, check_id: int) -> ReturnCheck:
    """Run a queued check: write its files to a private folder (or export the return), validate them, and keep
    the findings as the worklist for that year. A file the validator cannot read fails the check with its
    reason; nothing is saved."""
    check = ReturnCheck.objects.select_related("requested_by").get(pk=check_id)
    if check.finished:
        return check
    return_kind = get_kind(check.kind)
    with tempfile.TemporaryDirectory(prefix="opencsc-check-") as folder:
        try:
            path = _check_input(check, return_kind, Path(folder))
            _check_stage(check, 1, CHECK_STAGES[1])
            result = return_kind.validate(path, check.year)
        except ValueError as error:
            return _check_failed(check, str(error))
        except Exception:
            logger.exception("Return check %s stopped with an unexpected error", check.pk)
            _check_failed(
                check, "The check stopped with an unexpected error; the service's log has the details."
            )
            raise
    _check_stage(check, 2, f"{CHECK_STAGES[2]}: {len(result.findings):,}")
    with transaction.atomic():
        run = validation_run_save(actor=check.requested_by, result=result, source=check.source)
        _check_finish(check, status=CheckStatus.DONE, run=run)
    logger.info("Return check %s: %s errors, %s queries", check.pk, run.error_count, run.query_count)
    return check


def _check_input(check: ReturnCheck, return_kind, folder: Path) -> Path:
    files = list(check.files.all())
    if not files:
        _check_stage(check, 0, "Exporting the return from the records")
        path = folder / "return"
        return_kind.export(check.year, path)
        check.source = f"OpenCSC records as exported {timezone.localtime():%d/%m/%Y %H:%M}"
        ReturnCheck.objects.filter(pk=check.pk).update(source=check.source)
        return path
    _check_stage(check, 0, f"{CHECK_STAGES[0]}: {len(files)}")
    for number, upload in enumerate(files):
        name = Path(upload.name).name or f"upload-{number}"
        (folder / f"{number:02d}-{name}").write_bytes(bytes(upload.content))
    written = sorted(folder.iterdir())
    return written[0] if len(written) == 1 else folder


@transaction.atomic
def _check_failed(check: ReturnCheck, problem: str) -> ReturnCheck:
    check.problem = problem
    _check_finish(check, status=CheckStatus.FAILED, run=None)
    audit_event_record(
        actor=check.requested_by,
        verb=f"check.{check.kind}.failed",
        target=check,
        payload={"problem": problem},
    )
    return check


def _check_finish(check: ReturnCheck, *, status: CheckStatus, run: ValidationRun | None) -> None:
    check.status, check.run, check.finished_at = status, run, timezone.now()
    check.steps_done, check.stage = check.steps_total, status.label
    check.save(update_fields=["status", "run", "finished_at", "steps_done", "stage", "problem"])
    check.files.all().delete()


# Returns that can be imported from the web, and what one upload of each is: one or more CIN XML files, a 903 set
# (its CSV files, or the zip OpenCSC downloads), one or more Annex A workbooks.
WEB_IMPORTS = {"cin", "903", "annexa"}


@transaction.atomic
def return_import_request(*, actor, kind: str, uploads: Iterable[tuple[str, bytes]]) -> ReturnImport:
    """Ask the background worker to import uploaded return files (name, content). The task is queued in the
    same transaction, so an import is never queued without its files nor its files kept without an import."""
    from opencsc.returns.tasks import return_import_task

    uploads = list(uploads)
    record = ReturnImport.objects.create(
        kind=kind,
        source=", ".join(name for name, _ in uploads)[:300],
        requested_by=actor,
        stage=CheckStatus.QUEUED.label,
    )
    ReturnImportFile.objects.bulk_create(
        ReturnImportFile(import_request=record, name=name[:200], size=len(content), content=content)
        for name, content in uploads
    )
    audit_event_record(
        actor=actor,
        verb=f"import.{kind}.request",
        target=record,
        payload={"files": [name for name, _ in uploads], "bytes": sum(len(c) for _, c in uploads)},
    )
    return_import_task.enqueue(import_id=record.pk)
    return record


class _ImportProgress:
    """Writes how far a running import has got on a database connection of its own, so that the status page
    sees it while the import's transaction is still open. Best effort: on SQLite a write waits for no other
    writer (a short busy timeout) and one that cannot be made at once is left for the next."""

    def __init__(self, record: ReturnImport):
        self.pk = record.pk
        self.last = (0, 0, "")
        self.connection = connections.create_connection("default")

    def __call__(self, done: int, total: int, what: str) -> None:
        self.last = (done, total, what[:40])
        stage = f"Reading and checking the {what}" if done < total else f"Writing the {what}"
        table = ReturnImport._meta.db_table
        try:
            with self.connection.cursor() as cursor:
                if self.connection.vendor == "sqlite":
                    cursor.execute("PRAGMA busy_timeout = 100")
                cursor.execute(
                    f"UPDATE {table} SET status = %s, done = %s, total = %s, what = %s, stage = %s WHERE id = %s",
                    [CheckStatus.RUNNING, done, total, what[:40], stage, self.pk],
                )
        except DatabaseError:
            logger.info(
                "Import %s: progress %s of %s not written (the database is busy)", self.pk, done, total
            )

    def close(self) -> None:
        self.connection.close()


def return_import_run(*, import_id: int) -> ReturnImport:
    """Run a queued import: write its files to a private folder and import them as `opencsc import` does
    (each file or set in one transaction, every readable child kept, what breaks a rule flagged), showing
    progress as it goes; then keep the report. A file the importer refuses is in the report with its line and
    reason; the others are imported."""
    record = ReturnImport.objects.select_related("requested_by").get(pk=import_id)
    if record.finished:
        return record
    return_kind = get_kind(record.kind)
    ReturnImport.objects.filter(pk=record.pk).update(status=CheckStatus.RUNNING, stage="Reading the files")
    progress = _ImportProgress(record)
    try:
        with tempfile.TemporaryDirectory(prefix="opencsc-import-") as folder:
            paths = _import_input(record, Path(folder))
            report = return_kind.import_files(paths, actor=record.requested_by, progress=progress)
            summary = _import_summary(report, Path(folder))
    except Exception:
        logger.exception("Import %s stopped with an unexpected error", record.pk)
        record.problem = "The import stopped with an unexpected error; nothing of it was kept. The service's log has the details."
        _import_finish(record, status=CheckStatus.FAILED, report={})
        raise
    finally:
        progress.close()
    record.done, record.total, record.what = progress.last
    _import_finish(record, status=CheckStatus.DONE, report=summary)
    return record


def _import_input(record: ReturnImport, folder: Path) -> list[Path]:
    """The uploaded files in `folder` under their own names: for a 903 set the folder itself (a zip unpacked
    into it), for the others each file."""
    for number, upload in enumerate(record.files.all()):
        name = Path(upload.name).name or f"upload-{number}"
        path = folder / name
        if path.exists():
            path = folder / f"{number:02d}-{name}"
        path.write_bytes(bytes(upload.content))
        if record.kind == "903" and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    if not member.is_dir() and Path(member.filename).name:
                        (folder / Path(member.filename).name).write_bytes(archive.read(member))
            path.unlink()
    return [folder] if record.kind == "903" else sorted(folder.iterdir())


def _import_summary(report, folder: Path) -> dict:
    """What the import did, for the status page: files by their uploaded names, problems by file, line and
    reason (no child named: a skipped record's child may be one the reader may not open)."""

    def name(path: str) -> str:
        return path.replace(f"{folder}/", "").replace(str(folder), "the uploaded set")

    return {
        "files_read": [name(path) for path in report.files_read],
        "counts": dict(sorted(report.counts.items())),
        "refused": [
            {"file": name(p.file), "line": p.line, "unit": p.unit, "reason": p.reason}
            for p in [*report.files_refused, *report.skipped]
        ],
        "flags": len(report.flags),
        "runs": report.runs,
    }


@transaction.atomic
def _import_finish(record: ReturnImport, *, status: CheckStatus, report: dict) -> None:
    record.status, record.report, record.finished_at = status, report, timezone.now()
    record.stage = status.label
    record.save(
        update_fields=["status", "report", "finished_at", "stage", "problem", "done", "total", "what"]
    )
    record.files.all().delete()
    audit_event_record(
        actor=record.requested_by,
        verb=f"import.{record.kind}.{'done' if status == CheckStatus.DONE else 'failed'}",
        target=record,
        payload={"counts": report.get("counts", {}), "refused": len(report.get("refused", []))}
        | ({"problem": record.problem} if record.problem else {}),
    )
