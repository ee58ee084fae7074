"""The children in need census: export, import and DfE-rule validation."""

from pathlib import Path

from opencsc.returns.registry import ReturnKind, register_kind


def _export(year: int, out: Path, **options) -> None:
    from opencsc.returns.cin.export import export_cin

    export_cin(year, out, **options)


def _import(paths, actor=None):
    from opencsc.returns.cin.importer import import_cin_files

    return import_cin_files(paths, actor=actor)


def _validate(path: Path, year: int):
    from opencsc.returns.cin.validate import validate_cin

    return validate_cin(path, year)


def register() -> None:
    register_kind(
        ReturnKind(
            name="cin",
            title="Children in need census",
            export=_export,
            import_files=_import,
            validate=_validate,
        )
    )
