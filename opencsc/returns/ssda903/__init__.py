"""The SSDA903 children looked after return: export, import and DfE-rule validation."""

from pathlib import Path

from opencsc.returns.registry import ReturnFile, ReturnKind, register_kind


def _export(year: int, out: Path, **options) -> frozenset[str]:
    from opencsc.returns.ssda903.export import ssda903_return, write_903

    data = ssda903_return(year)
    write_903(data, out)
    return data.children()


def _download(year: int) -> ReturnFile:
    from opencsc.returns.ssda903.export import ssda903_return

    data = ssda903_return(year)
    return ReturnFile(data.zip_bytes(), f"ssda903-{year}.zip", "application/zip", data.children())


def _import(paths, actor=None, progress=None):
    from opencsc.returns.ssda903.importer import import_903_files

    return import_903_files(paths, actor=actor, progress=progress)


def _validate(path: Path, year: int, **options):
    from opencsc.returns.ssda903.validate import validate_903

    return validate_903(path, year, previous=options.get("previous"))


def register() -> None:
    register_kind(
        ReturnKind(
            name="903",
            title="Children looked after return (SSDA903)",
            export=_export,
            download=_download,
            import_files=_import,
            validate=_validate,
        )
    )
