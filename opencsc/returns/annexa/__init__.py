"""Ofsted ILACS Annex A: the child-level lists 1-11 as an xlsx workbook, exported and imported."""

from pathlib import Path

from opencsc.returns.registry import ReturnKind, register_kind


def _export(year: int, out: Path, **options) -> frozenset[str]:
    from opencsc.returns.annexa.export import export_annexa

    return export_annexa(year, out, **options)


def _import(paths, actor=None, progress=None):
    from opencsc.returns.annexa.importer import import_annexa_files

    return import_annexa_files(paths, actor=actor, progress=progress)


def register() -> None:
    register_kind(
        ReturnKind(
            name="annexa",
            title="Ofsted ILACS Annex A",
            export=_export,
            import_files=_import,
            export_takes_reference_date=True,
        )
    )
