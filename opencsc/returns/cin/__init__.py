"""The children in need census: export, import and DfE-rule validation."""

from pathlib import Path

from opencsc.returns.registry import ReturnFile, ReturnKind, register_kind


def _export(year: int, out: Path, **options) -> frozenset[str]:
    from opencsc.returns.cin.export import export_cin

    return export_cin(year, out, **options)


def _download(year: int) -> ReturnFile:
    from opencsc.returns.cin.export import cin_census_file

    content, children = cin_census_file(year)
    return ReturnFile(content, f"cin-census-{year}.xml", "application/xml", children)


def _import(paths, actor=None, progress=None):
    from opencsc.returns.cin.importer import import_cin_files

    return import_cin_files(paths, actor=actor, progress=progress)


def _validate(path: Path, year: int):
    from opencsc.returns.cin.validate import validate_cin

    return validate_cin(path, year)


def register() -> None:
    register_kind(
        ReturnKind(
            name="cin",
            title="Children in need census",
            export=_export,
            download=_download,
            import_files=_import,
            validate=_validate,
        )
    )
