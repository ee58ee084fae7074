"""The children's social work workforce census (CSWW): export."""

from pathlib import Path

from opencsc.returns.registry import ReturnKind, register_kind


def _export(year: int, out: Path, **options) -> frozenset[str]:
    from opencsc.returns.csww.export import export_csww

    export_csww(year, out)
    return frozenset()  # the workforce census names staff, not children


def register() -> None:
    register_kind(ReturnKind(name="csww", title="Children's social work workforce census", export=_export))
