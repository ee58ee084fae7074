"""The kinds of statutory return, each with what it can do: export, import, validate.

`opencsc export KIND`, `opencsc import KIND` and `opencsc validate KIND` look the kind up here, so adding a
return (903, Annex A, CSWW) means writing its package and calling `register_kind` from the returns app's
`ready()`; the commands need no change.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """One thing a validator found: a rule broken by a child's record, or by the return as a whole."""

    rule: str
    severity: str  # "error" or "query"
    message: str
    la_child_id: str = ""
    fields: str = ""  # "Table.Column=value; ..."

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass
class ValidationResult:
    kind: str
    year: int
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # validator crashes and findings set aside as its defects

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def queries(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "query"]


@dataclass
class ImportProblem:
    file: str
    reason: str
    line: int | None = None
    record: str = ""  # the child's LA child ID, when the problem is one record's
    unit: str = "line"  # what `line` counts: a file's lines, or a spreadsheet's rows

    def __str__(self) -> str:
        where = f"{self.file}" + (f", {self.unit} {self.line}" if self.line else "")
        who = f" (child {self.record})" if self.record else ""
        return f"{where}{who}: {self.reason}"


@dataclass
class ImportReport:
    files_read: list[str] = field(default_factory=list)
    files_refused: list[ImportProblem] = field(default_factory=list)
    skipped: list[ImportProblem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    flags: list = field(default_factory=list)  # ImportFlag: what was kept although it breaks a rule
    runs: list[int] = field(default_factory=list)  # the worklist runs the flags were saved as

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    @property
    def ok(self) -> bool:
        return not self.files_refused and not self.skipped


@dataclass(frozen=True)
class ReturnFile:
    """A return drawn up for download: the file, and the LA child IDs of the children it names."""

    content: bytes
    filename: str
    content_type: str
    la_child_ids: frozenset[str]


@dataclass(frozen=True)
class ReturnKind:
    name: str
    title: str
    # (year: int, out: Path, **options) -> the LA child IDs of the children written
    export: Callable[..., frozenset[str]] | None = None
    download: Callable[[int], ReturnFile] | None = None  # (year) -> the return as one file
    # (paths: Sequence[Path], actor=None, progress=None) -> ImportReport; progress(done, total, what)
    import_files: Callable[..., ImportReport] | None = None
    validate: Callable[..., ValidationResult] | None = None  # (path: Path, year: int) -> ValidationResult
    export_takes_reference_date: bool = False  # export(..., on=date) draws the return up for that day
    # export(None, folder) writes a dataset of the whole history (the SSD's tables): no collection year
    export_is_a_folder: bool = False


_KINDS: dict[str, ReturnKind] = {}


def register_kind(kind: ReturnKind) -> None:
    _KINDS[kind.name] = kind


def kinds() -> dict[str, ReturnKind]:
    return dict(_KINDS)


def get_kind(name: str) -> ReturnKind:
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(sorted(_KINDS)) or "none"
        raise LookupError(f"Unknown return '{name}': known returns are {known}") from None


def census_period(year: int) -> tuple[dt.date, dt.date]:
    """Collection year Y runs 1 April Y-1 to 31 March Y."""
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
