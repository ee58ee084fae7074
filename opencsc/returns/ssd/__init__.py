"""The Standard Safeguarding Dataset (Data to Insight's SSD): export as CSV tables and import (ADR 0029)."""

from pathlib import Path

from opencsc.returns.registry import ReturnKind, register_kind


def _export(year: int | None, out: Path, **options) -> frozenset[str]:
    from opencsc.returns.ssd.export import export_ssd

    return export_ssd(out)


def _import(paths, actor=None, progress=None):
    from opencsc.returns.ssd.importer import import_ssd

    return import_ssd(paths, actor=actor, progress=progress)


def register() -> None:
    register_kind(
        ReturnKind(
            name="ssd",
            title="Standard Safeguarding Dataset",
            export=_export,
            import_files=_import,
            export_is_a_folder=True,
        )
    )
