"""The SSDA903 children looked after return: export, import and DfE-rule validation."""

from pathlib import Path

from opencsc.returns.registry import ReturnKind, register_kind


def _export(year: int, out: Path, **options) -> None:
    from opencsc.returns.ssda903.export import export_903

    export_903(year, out)


def _import(paths, actor=None):
    from opencsc.returns.ssda903.importer import import_903_files

    return import_903_files(paths, actor=actor)


def _validate(path: Path, year: int, **options):
    from opencsc.returns.ssda903.validate import validate_903

    return validate_903(path, year, previous=options.get("previous"))


def register() -> None:
    register_kind(
        ReturnKind(
            name="903",
            title="Children looked after return (SSDA903)",
            export=_export,
            import_files=_import,
            validate=_validate,
        )
    )
