"""The synthetic authority's SSDA903 returns: zero DfE errors under the current year's rules, and a round trip of
every year of its history through an empty database. Every year, because a care leaver's OC3 rows come back only
with the period of care that made them a care leaver, which may be in an earlier year's return than the rows
(a young person who left care in January 2023 has OC3 rows in the 2024 to 2026 returns and their episode only
in the 2023 one).

The authority is small (a thousand children, about thirty of them looked after) to stay fast; the same checks on
3,000 children are recorded in docs/returns-903-queries.md.
"""

import datetime as dt

import pytest
from django.core.management import call_command

from opencsc.looked_after.models import Episode
from opencsc.people.models import Child
from opencsc.returns.ssda903.export import export_903
from opencsc.returns.ssda903.importer import import_903_files
from opencsc.returns.ssda903.validate import validate_903
from opencsc.synthetic.generator import clear_generated_data

# A fixed "today" after the 2025-26 return's year closed, so every return below is a whole year.
TODAY = dt.date(2026, 5, 12)
YEAR = 2026
pytestmark = pytest.mark.django_db


def _generate(children: int = 1000, seed: int = 11) -> None:
    call_command("generate", children=children, seed=seed, today=TODAY, verbosity=0)


def _read(folder) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(folder.iterdir())}


def test_the_generated_return_has_no_dfe_errors(tmp_path):
    _generate()
    export_903(YEAR, tmp_path)
    looked_after = _read(tmp_path)["episodes.csv"].splitlines()[1:]
    assert len({line.split(",")[0] for line in looked_after}) >= 20, "too few children to mean anything"
    result = validate_903(tmp_path, YEAR)
    assert [(f.rule, f.la_child_id, f.fields) for f in result.errors] == []
    assert not [note for note in result.notes if "crashed" in note]


def _years_of_the_history() -> range:
    """From the return of the year ending 31 March in which the first period of care started, to YEAR."""
    first = Episode.objects.order_by("started_on").values_list("started_on", flat=True).first()
    return range(first.year + 1 if first.month >= 4 else first.year, YEAR + 1)


def test_generated_returns_imported_into_an_empty_database_export_the_same(tmp_path):
    _generate()
    years = _years_of_the_history()
    assert len(years) >= 3
    for year in years:
        export_903(year, tmp_path / str(year))
    exported = {year: _read(tmp_path / str(year)) for year in years}
    clear_generated_data()
    assert not Child.objects.exists()

    # Newest first: the order the sets are given in must not matter.
    folders = [tmp_path / str(year) for year in reversed(years)]
    report = import_903_files(folders)
    assert report.ok, ([str(p) for p in report.files_refused], [str(p) for p in report.skipped[:5]])
    assert Episode.objects.exists()
    for year in years:
        export_903(year, tmp_path / f"again-{year}")
        again = _read(tmp_path / f"again-{year}")
        for name, text in exported[year].items():
            assert again[name] == text, f"{year} {name}"

    assert import_903_files(folders).counts == {}
