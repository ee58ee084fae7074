"""One import framework for the statutory returns (CIN census, SSDA903, Ofsted Annex A): ADR 0023.

Each format supplies only what is its own: a reader (file to rows, a file that cannot be read refused whole with
its line and reason) and a mapping (rows to domain records, each problem flagged, see `opencsc.returns.flags`).
The framework owns the rest, the same for every format:

- **The loop.** A batch (a CIN file, a 903 set, an Annex A workbook) is one transaction (ADR 0011). Within it,
  each record (a child) and each row is a unit: a row the mapping cannot store (`RowError`, a `ValidationError`
  from the checks) is left out and flagged, the child and its other rows kept; a record that cannot be stored
  at all is reported skipped with its file and line.
- **Set-based writes.** Nothing is written row by row. The records a batch may touch are read in bulk first,
  keyed on their natural identifiers (a child by LA child ID, the child's rows by child), into a `Store`; the
  mapping finds, creates and changes them there, and the store writes them together at the end of the batch
  (`bulk_create`, `bulk_update` of the changed columns only, the audit events with them), a few queries per
  table per thousand children instead of about twenty a child. A record the file leaves as it was is not
  written at all, so a second import of the same files writes nothing but its flags and is faster than the
  first.
- **What the database refuses.** The mapping checks what it can in Python, but only the database knows its
  constraints. When the bulk write of a batch is refused, the batch's savepoint is rolled back and the batch is
  mapped again carefully: each record and row written as it is mapped, in savepoints of its own, so that the row
  the database refuses is left out and flagged with the database's reason, as it always was (ADR 0011), and the
  rest is kept. The careful pass is slower, and only ever runs for a batch the database refused.
- **The report.** One `ImportReport` for every format: the files read and refused, the records created and
  updated (counted by what they are), the rows kept with a data-quality flag, the records skipped.
- **Progress.** `progress(done, total, what)` is called as the records of a batch are mapped and written, for
  the command line (or a background task) to show.
- **CSV files** (SSDA903 sets, SSD extracts): `read_csv_table` reads one, the format naming how its header is
  normalised, which table a header is for and how strict the CSV is. A file that is not UTF-8, is empty, has a
  header of no table or a row that is not CSV is refused whole with its line; a column the format reads that is
  missing is flagged once for the file and read as blank; a row with too few or too many fields is kept and
  flagged; blank rows are skipped.
"""

import csv
import datetime as dt
import io
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from opencsc.audit.context import current_ip
from opencsc.audit.models import AuditEvent
from opencsc.insight import figure_months
from opencsc.people.models import Child
from opencsc.returns.flags import ImportFlag
from opencsc.returns.registry import ImportProblem, ImportReport

logger = logging.getLogger("opencsc.returns.importing")

Progress = Callable[[int, int, str], None]
BATCH_SIZE = (
    500  # rows a bulk statement writes (SQLite allows 32,766 parameters: 500 rows of up to 65 columns)
)
LOOKUP_CHUNK = 900  # identifiers an IN (...) lookup reads at once


class RowError(ValueError):
    """The row cannot be stored at all (its key date is not a date): it is left out and flagged."""

    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule, self.reason = rule, reason


class CarefulPass(Exception):
    """The database refused a batch's bulk write: map it again, writing record by record."""


def refusal_reason(error: Exception) -> str:
    """The words of a check or a database refusal, for a flag or a skipped record."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(problems)}" for name, problems in error.message_dict.items())
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, DatabaseError):
        return f"the database refused it: {error}"
    return str(error)


def chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CsvRow(Protocol):
    def flag(self, rule: str, reason: str, *columns: str) -> None: ...


RowT = TypeVar("RowT", bound=CsvRow)


@dataclass(frozen=True)
class CsvFormat(Generic[RowT]):
    """What a CSV format says about its files: how a header column is normalised, which table a header is for
    (with the columns the format reads that it lacks; None when it is no table's), the refusal for a header of
    no table, how a row is made, and whether the csv module reads strictly."""

    normalise: Callable[[str], str]
    table_for: Callable[[list[str]], tuple[str, list[str]] | None]
    unknown_header: str
    make_row: Callable[[str, Path, int, dict[str, str], list], RowT]
    strict: bool = False


def read_csv_table(
    path: Path, report: ImportReport, flags: list, csv_format: CsvFormat[RowT]
) -> tuple[str, list[RowT]] | None:
    """The file's table and rows, or None with the file refused (its reason and line) in the report."""

    def refuse(reason: str, line: int | None = None):
        report.files_refused.append(ImportProblem(str(path), reason, line))

    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as error:
        refuse(str(error))
        return None
    except UnicodeDecodeError as error:
        refuse(f"the file is not UTF-8 text ({error.reason})", data[: error.start].count(b"\n") + 1)
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=csv_format.strict)
    try:
        header = [csv_format.normalise(column) for column in next(reader)]
    except StopIteration:
        refuse("the file is empty", 1)
        return None
    except csv.Error as error:
        refuse(f"the header cannot be read as CSV: {error}", 1)
        return None
    found = csv_format.table_for(header)
    if found is None:
        refuse(csv_format.unknown_header, 1)
        return None
    table, missing = found
    if missing:
        flags.append(
            ImportFlag(
                rule="IMPORT-COLUMN",
                reason=f"the {table} table has no column " + ", ".join(missing) + ": read as blank",
                file=str(path),
                line=1,
            )
        )
    rows = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            row = csv_format.make_row(
                table, path, reader.line_num, dict(zip(header, values, strict=False)), flags
            )
            if len(values) != len(header):
                row.flag(
                    "IMPORT-FIELDS",
                    f"the row has {len(values)} fields, the header {len(header)}: "
                    + (
                        "the missing ones read as blank" if len(values) < len(header) else "the extra ignored"
                    ),
                )
            rows.append(row)
    except csv.Error as error:
        refuse(f"the row cannot be read as CSV: {error}", reader.line_num)
        return None
    return table, rows


def _matches(instance: models.Model, name: str, value) -> bool:
    """`instance.name == value`, a related row compared by its key (or, not yet written, by identity), so that
    no related row is read from the database one at a time."""
    if isinstance(value, models.Model):
        field = instance._meta.get_field(name)
        if value.pk is not None:
            return getattr(instance, field.attname) == value.pk
        return field.is_cached(instance) and field.get_cached_value(instance) is value
    return getattr(instance, name) == value


def _discard(items: list, instance) -> None:
    for index, item in enumerate(items):
        if item is instance:
            del items[index]
            return


def _ready(instance: models.Model) -> bool:
    """Whether every row the instance refers to has been written (has its key)."""
    for f in instance._meta.concrete_fields:
        if f.is_relation and f.is_cached(instance):
            related = f.get_cached_value(instance)
            if related is not None and related.pk is None:
                return False
    return True


def _refers_to_new_row(instance: models.Model, field) -> bool:
    """Whether the field relates the instance to a row not yet written (its column still None, so comparing
    columns would miss the change)."""
    if not field.is_relation or getattr(instance, field.attname) is not None or not field.is_cached(instance):
        return False
    related = field.get_cached_value(instance)
    return related is not None and related.pk is None


def _split_ready(pending, key=lambda instance: instance):
    """The pending rows (a list, or a dict of (instance, fields)) ready to write, and those still waiting."""
    if isinstance(pending, dict):
        ready = {k: v for k, v in pending.items() if _ready(key(v))}
        return ready, {k: v for k, v in pending.items() if k not in ready}
    ready = [instance for instance in pending if _ready(instance)]
    if len(ready) == len(pending):
        return ready, []
    ids = {id(instance) for instance in ready}
    return ready, [instance for instance in pending if id(instance) not in ids]


def _parents_first(order: list[type]) -> list[type]:
    """The models in `order` (first written first), each after the models it refers to."""
    placed: list[type] = []

    def place(model, path):
        if model in placed or model in path:
            return
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model in order:
                place(f.related_model, (*path, model))
        placed.append(model)

    for model in order:
        place(model, ())
    return placed


# Columns whose Python value is what the database takes (a foreign key's column holds the related row's key).
_AS_GIVEN = {"CharField", "TextField", "BooleanField", "ForeignKey"}


def _preparer(field):
    """The field's `get_db_prep_save`, remembered per value (an import repeats the same dates and codes)."""
    if field.get_internal_type() in _AS_GIVEN:
        return None
    memo: dict = {}

    def prepare(value):
        try:
            return memo[value]
        except KeyError:
            memo[value] = prepared = field.get_db_prep_save(value, connection)
            return prepared
        except TypeError:  # not hashable (a JSON value)
            return field.get_db_prep_save(value, connection)

    return prepare


def _insert(model, instances: list, now: dt.datetime, *, keys: bool) -> None:
    """Insert new rows as `bulk_create` would, without the per-value work of its SQL compiler: timestamps set,
    related rows' keys taken, each value through its field's `get_db_prep_save` unless the database takes it
    as it is. SQLite: with `keys`, many rows a statement, reading back each row's key (`RETURNING`, in the
    order given, as `bulk_create` relies on); without, one prepared statement run for every row
    (`executemany`). PostgreSQL: `COPY` (`_copy`)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for instance in instances:
                setattr(instance, f.attname, now)
    for f in fields:
        if f.is_relation:
            for instance in instances:
                if getattr(instance, f.attname) is None and f.is_cached(instance):
                    related = f.get_cached_value(instance)
                    if related is not None:
                        if related.pk is None:  # never written as NULL: the flush writes it first
                            raise ValueError(f"{model.__name__}.{f.name} refers to a row not yet written")
                        setattr(instance, f.attname, related.pk)
    if connection.vendor == "postgresql":
        _copy(model, fields, instances, keys=keys)
        return
    rows = _prepared_rows(fields, instances)
    quote = connection.ops.quote_name
    into = "INSERT INTO {} ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    one = "({})".format(", ".join(["%s"] * len(fields)))
    with connection.cursor() as cursor:
        if not keys:
            for batch in chunks(rows, BATCH_SIZE * 4):
                cursor.executemany(f"{into} VALUES {one}", batch)
            return
        size = connection.ops.bulk_batch_size(fields, instances) or BATCH_SIZE
        pk = model._meta.pk
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                f"{into} VALUES {', '.join([one] * len(batch))} RETURNING {quote(pk.column)}",
                [value for row in batch for value in row],
            )
            for instance, (key,) in zip(instances[start : start + size], cursor.fetchall(), strict=True):
                setattr(instance, pk.attname, key)


def _insert_without_keys(instances: list) -> None:
    """Rows of one model no other row refers to (the batch's audit events), written as `_insert` writes them."""
    _insert(type(instances[0]), instances, timezone.now(), keys=False)


def _prepared_rows(fields: list, instances: list) -> list[list]:
    prepare = [_preparer(f) for f in fields]
    return [
        [
            value if prep is None or value is None else prep(value)
            for value, prep in zip([getattr(instance, f.attname) for f in fields], prepare, strict=True)
        ]
        for instance in instances
    ]


def _copy(model, fields: list, instances: list, *, keys: bool) -> None:
    """PostgreSQL: the rows through `COPY ... FROM STDIN` (no statement to parse for each row or batch). Keys,
    when wanted, are drawn from the table's own sequence first and copied in with the rows."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if keys:
            pk = model._meta.pk
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, len(instances)],
            )
            for instance, (key,) in zip(instances, cursor.fetchall(), strict=True):
                setattr(instance, pk.attname, key)
            fields = [pk, *fields]
        columns = ", ".join(quote(f.column) for f in fields)
        # wrap_database_errors: a refusal is raised as Django's IntegrityError, as for any statement
        copying = cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN")
        with connection.wrap_database_errors, copying as copy:
            for row in _prepared_rows(fields, instances):
                copy.write_row(row)


def _field_values(instance: models.Model) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _figure_label(model: type) -> str | None:
    """The model's label when the stored month-end figures read it (ADR 0018), else None."""
    label = f"{model._meta.app_label}.{model._meta.model_name}"
    return label if label in figure_months.CONTRIBUTIONS else None


def _figure_row(label: str, values: dict[str, object]) -> dict[str, object]:
    """The fields of a record that the figures read, from its values by column name (`_field_values`)."""
    fields, _ = figure_months.CONTRIBUTIONS[label]
    return {name: values[name] for name in fields}


@dataclass
class _Audit:
    actor: object
    verb: str
    target: models.Model
    child: models.Model | None
    payload: dict


class Store:
    """The records a batch may touch, held in memory and written together.

    Rows are held by the record that owns them (`owner`: a child for its episodes, a plan for its reviews) in
    the order the database would give by primary key, new rows after the held ones. Every change goes through
    the store (`add`, `assign`), which keeps a journal, so that a row the mapping gives up on is undone in memory
    exactly as a savepoint would undo it in the database (`mark`, `undo`). `careful` writes at each `flush`
    instead of at the end of the batch.

    Bulk writes send no model signals, so the store marks the stored month-end figures itself (ADR 0018): each
    `flush` passes the rows of the records the figures read, as held before the batch changed them and as
    written, to `figure_months.mark_records_changed` (with `cause`), in the flush's transaction; the refresh
    of the marked months is queued when that transaction commits. A record left as it was marks nothing."""

    def __init__(self, *, careful: bool = False, cause: str = "import"):
        self.careful = careful
        self.cause = cause
        self._originals: dict[int, dict[str, object]] = {}  # id(instance): a figure record's row as held
        self._owned: dict[type, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        self._keyed: dict[type, dict[object, models.Model]] = defaultdict(dict)
        self._created: dict[type, list] = {}  # model -> new instances, in the order first added
        self._changed: dict[type, dict[int, tuple[models.Model, set[str]]]] = {}
        self._audits: list[_Audit] = []
        self._deleted: dict[type, list] = {}
        self._journal: list[Callable[[], None]] = []
        self._order: list[type] = []  # the order models were first written in: parents before children

    # Reading -------------------------------------------------------------------------------------------------

    def hold(
        self, instances: Iterable[models.Model], *, owner_field: str = "", key=None, owners=None
    ) -> None:
        """Hold instances read from the database: under `owners[owner id]` (a dict of held owner instances by
        primary key) through `owner_field`, and/or by `key(instance)`."""
        for instance in instances:
            if owner_field:
                owner = owners[getattr(instance, instance._meta.get_field(owner_field).attname)]
                instance._meta.get_field(owner_field).set_cached_value(instance, owner)
                self._owned[type(instance)][id(owner)].append(instance)
            if key is not None:
                self._keyed[type(instance)].setdefault(key(instance), instance)

    def owned(self, model: type, owner: models.Model) -> list:
        """The rows of `model` owned by `owner`, in primary key order (new ones last)."""
        return self._owned[model][id(owner)]

    def find(self, model: type, owner: models.Model, **lookup):
        """The first row of `model` owned by `owner` whose fields equal `lookup`, as `.filter().first()`."""
        for instance in self._owned[model][id(owner)]:
            if all(_matches(instance, name, value) for name, value in lookup.items()):
                return instance
        return None

    def keyed(self, model: type, key):
        return self._keyed[model].get(key)

    # Writing -------------------------------------------------------------------------------------------------

    def _touch(self, model: type) -> None:
        if model not in self._created:
            self._created[model] = []
            self._changed[model] = {}
            self._order.append(model)

    def add(self, instance: models.Model, *, owner: models.Model | None = None, key=None) -> models.Model:
        """A new record, written at the next flush (careful) or the end of the batch."""
        model = type(instance)
        self._touch(model)
        self._created[model].append(instance)
        if owner is not None:
            self._owned[model][id(owner)].append(instance)
        if key is not None:
            self._keyed[model][key] = instance

        def undo():  # the instance may have been written since, in a savepoint now rolled back
            _discard(self._created[model], instance)
            if owner is not None:
                _discard(self._owned[model][id(owner)], instance)
            if key is not None and self._keyed[model].get(key) is instance:
                del self._keyed[model][key]
            instance.pk = None
            instance._state.adding = True

        self._journal.append(undo)
        return instance

    def delete(self, instance: models.Model, *, owner: models.Model) -> None:
        """A held record to delete, at the next flush (before anything is written)."""
        model = type(instance)
        self._touch(model)
        owned = self._owned[model][id(owner)]
        position = next(i for i, held in enumerate(owned) if held is instance)
        del owned[position]
        self._deleted.setdefault(model, []).append(instance)

        def undo():
            owned.insert(position, instance)
            _discard(self._deleted.get(model, []), instance)

        self._journal.append(undo)

    def snapshot(self, instance: models.Model) -> dict[str, object]:
        """The instance's values now, restored if the row is undone; pass to `changed` after assigning."""
        before = _field_values(instance)
        changed = self._changed.get(type(instance), {}).get(id(instance))
        fields = set(changed[1]) if changed else None

        def undo():
            for name, value in before.items():
                setattr(instance, name, value)
            if fields is None:
                self._changed.get(type(instance), {}).pop(id(instance), None)
                self._originals.pop(id(instance), None)
            else:
                self._changed[type(instance)][id(instance)] = (instance, set(fields))

        self._journal.append(undo)
        return before

    def changed(self, instance: models.Model, before: dict[str, object]) -> list[str]:
        """Record which of the instance's columns differ from `before` (from `snapshot`); they are written at the
        next flush. Returns the field names changed."""
        names = [
            f.name
            for f in instance._meta.concrete_fields
            if not f.primary_key
            and (getattr(instance, f.attname) != before[f.attname] or _refers_to_new_row(instance, f))
        ]
        if names and instance.pk is not None:
            model = type(instance)
            self._touch(model)
            label = _figure_label(model)
            if label and id(instance) not in self._changed[model]:  # its first change: the row as held
                self._originals[id(instance)] = _figure_row(label, before)
            _, fields = self._changed[model].setdefault(id(instance), (instance, set()))
            fields.update(names)
        return names

    def assign(self, instance: models.Model, **values) -> list[str]:
        before = self.snapshot(instance)
        for name, value in values.items():
            setattr(instance, name, value)
        return self.changed(instance, before)

    def audit(self, *, actor, verb: str, target: models.Model, child=None, payload: dict) -> None:
        audit = _Audit(actor, verb, target, child, payload)
        self._audits.append(audit)
        self._journal.append(lambda: _discard(self._audits, audit))

    def mark(self) -> int:
        return len(self._journal)

    def undo(self, mark: int) -> None:
        while len(self._journal) > mark:
            self._journal.pop()()

    def forget(self) -> None:
        """A record is done: what it did can no longer be undone."""
        self._journal = []

    def flush(self) -> None:
        """Write what is pending, each table after the tables it refers to: its changes, then its new rows (so
        that a row closed makes room for the one that replaces it); then the audit events. A row waits for the
        new rows it refers to (a plan and its first conference refer to each other: the conference is written
        first, then the plan, then its reviews)."""
        now = timezone.now()
        figures = self._figure_changes()
        referred = {type(audit.target) for audit in self._audits} | {Child} if self._audits else set()
        for model in self._order:
            if self._created[model]:
                referred.update(f.related_model for f in model._meta.concrete_fields if f.is_relation)
        for model, deleted in self._deleted.items():
            if deleted:
                model.objects.filter(pk__in=[instance.pk for instance in deleted]).delete()
        self._deleted = {}
        order = _parents_first(self._order)
        while any(self._created[model] or self._changed[model] for model in order):
            written = 0
            for model in order:
                changed, self._changed[model] = _split_ready(self._changed[model], key=lambda pair: pair[0])
                if changed:
                    self._update(model, list(changed.values()), now)
                created, self._created[model] = _split_ready(self._created[model])
                if created and self.careful:
                    model.objects.bulk_create(created, batch_size=BATCH_SIZE)
                elif created:
                    _insert(model, created, now, keys=model in referred)
                for instance in created:
                    instance._state.adding = False
                written += len(changed) + len(created)
            if not written:
                raise ValueError("the rows to write refer to each other in a circle")
        if figures:
            self._mark_figures(figures)
        if self._audits:
            ip_address = current_ip.get()
            write = AuditEvent.objects.bulk_create if self.careful else _insert_without_keys
            write(
                [
                    AuditEvent(
                        actor=audit.actor,
                        verb=audit.verb,
                        object_type=type(audit.target).__name__,
                        object_id=str(audit.target.pk),
                        child=audit.child,
                        payload=audit.payload,
                        ip_address=ip_address,
                    )
                    for audit in self._audits
                ]
            )
            self._audits = []

    def _figure_changes(self) -> list[tuple[str, models.Model, dict | None, bool]]:
        """The records the figures read that this flush writes: (label, instance, its row before or None,
        whether it is deleted). Taken before the write, which consumes what is pending."""
        figures = []
        deleted_ids = {id(instance) for deleted in self._deleted.values() for instance in deleted}
        for model in self._order:
            if label := _figure_label(model):
                figures += [(label, instance, None, False) for instance in self._created[model]]
                figures += [
                    (label, instance, self._originals.get(id(instance)), False)
                    for instance, _ in self._changed[model].values()
                    if id(instance) not in deleted_ids
                ]
        for model, deleted in self._deleted.items():
            if label := _figure_label(model):
                figures += [
                    (
                        label,
                        instance,
                        self._originals.get(id(instance)) or self._row(label, instance),
                        True,
                    )
                    for instance in deleted
                ]
        self._originals = {}
        return figures

    def _mark_figures(self, figures: list[tuple[str, models.Model, dict | None, bool]]) -> None:
        """Mark the months the written records change (their keys and related keys are set by now)."""
        figure_months.mark_records_changed(
            [
                (label, instance.pk, before, None if deleted else self._row(label, instance))
                for label, instance, before, deleted in figures
            ],
            cause=self.cause,
        )

    @staticmethod
    def _row(label: str, instance: models.Model) -> dict[str, object]:
        return _figure_row(label, _field_values(instance))

    @staticmethod
    def _update(model, changed: list[tuple[models.Model, set[str]]], now: dt.datetime) -> None:
        auto_now = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        columns = set().union(*(fields for _, fields in changed))
        for instance, _ in changed:
            for f in auto_now:
                setattr(instance, f.attname, now)
        model.objects.bulk_update(
            [instance for instance, _ in changed],
            sorted(columns | {f.name for f in auto_now}),
            batch_size=BATCH_SIZE,
        )


@dataclass
class Counts:
    """What one record's mapping created and changed: counted into the report, and listed in its audit event."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    changes: list[str] = field(default_factory=list)

    def note(self, what: str, detail: str = "") -> None:
        self.counts[what] += 1
        self.changes.append(f"{what} ({detail})" if detail else what)

    def mark(self) -> tuple[dict, int]:
        return dict(self.counts), len(self.changes)

    def undo(self, mark: tuple[dict, int]) -> None:
        counts, changes = mark
        self.counts = defaultdict(int, counts)
        del self.changes[changes:]


def in_unit(store: Store, counts: Counts, write: Callable[[], object]):
    """`write()` as one unit: in careful mode in a savepoint and written at once; an error undoes what the
    unit did in memory (and, careful, in the database) and is raised again for the caller to flag."""
    if store.careful:
        store.flush()  # what the record wrote before this unit stands without it
    mark, counted = store.mark(), counts.mark()
    try:
        if not store.careful:
            return write()
        with transaction.atomic():
            value = write()
            store.flush()
            return value
    except (RowError, ValidationError, IntegrityError):
        store.undo(mark)
        counts.undo(counted)
        raise


class BatchImport:
    """The loop of one batch (a file or set) of a return: prefetch, map each record, write, report.

    A format subclasses it with `prefetch(store)` (read in bulk what the batch may touch) and `records()`
    (yield `(label, where, map)` per record, `map(store, counts)` returning the record's child, or None when it
    wrote nothing of its own), and wraps each of a record's rows in `in_unit`. `run()` returns a report of what
    was written and skipped; the caller saves the batch's flags in the same transaction."""

    verb = "import"
    what = "records"

    def __init__(self, *, actor=None, progress: Progress | None = None):
        self.actor = actor
        self.progress = progress
        self.today = timezone.localdate()

    # To supply ----------------------------------------------------------------------------------------------

    def prefetch(self, store: Store) -> None:
        raise NotImplementedError

    def records(self) -> Iterable[tuple[str, object, Callable[[Store, Counts], object]]]:
        raise NotImplementedError

    def skipped(self, label: str, where, error: Exception) -> ImportProblem:
        """The record `label` (read at `where`) that could not be stored at all, and why."""
        raise NotImplementedError

    def audit_payload(self, label: str, changes: list[str]) -> dict:
        return {"changes": changes}

    def reset(self) -> None:
        """Forget what a refused pass flagged, before the careful pass maps the batch again."""

    # The loop -----------------------------------------------------------------------------------------------

    def run(self) -> ImportReport:
        """Map and write the batch, fast if the database takes the bulk write, carefully if not. Raises
        DatabaseError only for a write outside every record (the caller then refuses the batch)."""
        started = time.perf_counter()
        try:
            with transaction.atomic():
                written = self._pass(Store(cause=self.verb))
        except CarefulPass as refused:
            logger.warning(
                "%s: the bulk write was refused (%s); writing record by record", self.verb, refused
            )
            self.reset()
            written = self._pass(Store(careful=True, cause=self.verb))
        logger.info(
            "%s: %s in %.2f s", self.verb, dict(sorted(written.counts.items())), time.perf_counter() - started
        )
        return written

    def _pass(self, store: Store) -> ImportReport:
        written = ImportReport()
        self.prefetch(store)
        records = list(self.records())
        total, step = len(records), max(1, len(records) // 20)
        for done, (label, where, mapping) in enumerate(records, start=1):
            self._record(store, written, label, where, mapping)
            if self.progress and (done % step == 0 or done == total):
                self.progress(done, total, self.what)
        if not store.careful:
            try:
                with transaction.atomic():
                    store.flush()
            except DatabaseError as error:
                raise CarefulPass(str(error)) from error
        return written

    def _record(self, store: Store, written: ImportReport, label: str, where, mapping) -> None:
        counts = Counts()
        mark = store.mark()
        try:
            if store.careful:
                with transaction.atomic():
                    self._map(store, counts, label, mapping)
                    store.flush()
            else:
                self._map(store, counts, label, mapping)
        except (ValidationError, IntegrityError) as error:
            store.undo(mark)
            store.forget()
            written.skipped.append(self.skipped(label, where, error))
            return
        store.forget()
        for what, n in counts.counts.items():
            written.count(what, n)

    def _map(self, store: Store, counts: Counts, label: str, mapping) -> None:
        child = mapping(store, counts)
        if counts.changes and child is not None:
            store.audit(
                actor=self.actor,
                verb=self.verb,
                target=child,
                child=child,
                payload=self.audit_payload(label, counts.changes),
            )


def hold_children(store: Store, la_child_ids: Iterable[str], models: Iterable[type]) -> dict[int, Child]:
    """Read the children a batch names (by LA child ID) into the store, keyed by that ID, and their rows of each
    of `models` under them; returns the children by primary key."""
    children: dict[int, Child] = {}
    for chunk in chunks(sorted({i for i in la_child_ids if i})):
        found = list(Child.objects.filter(la_child_id__in=chunk).order_by("pk"))
        store.hold(found, key=lambda child: child.la_child_id)
        children.update((child.pk, child) for child in found)
    for chunk in chunks(sorted(children)):
        for model in models:
            rows = model.objects.filter(child_id__in=chunk).order_by("pk")
            store.hold(rows, owner_field="child", owners=children)
    return children


class Identities:
    """A child given under two LA child IDs: the same UPN for two IDs in the batch, or for an ID other than the
    one the records hold it for. Both are kept (which of the two is right, and whether they are one child, is
    for the authority to say) and the second is flagged `IMPORT-SAME-CHILD` with where the first was."""

    def __init__(self, held: dict[str, str]):
        self.seen: dict[str, tuple[str, str]] = {
            upn: (la_child_id, "in the records") for upn, la_child_id in held.items()
        }

    @classmethod
    def read(cls, upns: set[str], la_child_ids: set[str]) -> "Identities":
        """The UPNs given that the records hold for children other than those the batch names."""
        held: dict[str, str] = {}
        for chunk in chunks(sorted(u for u in upns if u)):
            for upn, la_child_id in Child.objects.filter(upn__in=chunk).values_list("upn", "la_child_id"):
                if la_child_id not in la_child_ids:
                    held.setdefault(upn, la_child_id)
        return cls(held)

    def check(self, upn: str, la_child_id: str, where: str) -> str | None:
        """Why `upn` for `la_child_id` (given at `where`) looks like a child under a second ID, or None."""
        if not upn:
            return None
        first, first_where = self.seen.setdefault(upn, (la_child_id, where))
        if first == la_child_id:
            return None
        return (
            f"UPN {upn} is also given for child {first} ({first_where}): both kept; if they are one child, "
            "correct the records"
        )


def noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
