"""The synthetic authority's CIN censuses: zero DfE errors, and a round trip through an empty database.

The authority is small (a few hundred children) to stay fast; the same checks on 3,000 children are recorded in
docs/returns-cin-queries.md.
"""

import datetime as dt
import re

import pytest
from django.core.management import call_command

from opencsc.people.models import Child
from opencsc.returns.cin.export import cin_census_bytes
from opencsc.returns.cin.importer import import_cin_files
from opencsc.returns.cin.validate import validate_cin
from opencsc.synthetic.generator import clear_generated_data

# A fixed "today" after the 2025-26 census closed, so every census below is a whole year.
TODAY = dt.date(2026, 5, 12)
NOW = dt.datetime(2026, 5, 12, 9, 0)
YEARS = (2024, 2025, 2026)
pytestmark = pytest.mark.django_db


def _generate(children: int = 800, seed: int = 11) -> None:
    call_command("generate", children=children, seed=seed, today=TODAY, verbosity=0)


def _without_datetime(xml: bytes) -> str:
    return re.sub(r"<DateTime>[^<]*</DateTime>", "", xml.decode())


def test_the_generated_censuses_have_no_dfe_errors():
    _generate()
    for year in YEARS:
        xml = cin_census_bytes(year, now=NOW)
        assert xml.count(b"<Child>") > 80, f"too few children in the {year} census to mean anything"
        result = validate_cin(xml, year)
        errors = [(f.rule, f.la_child_id, f.fields) for f in result.errors]
        assert errors == [], f"census {year}"
        assert result.notes == [] or all("set aside" in note for note in result.notes), result.notes


def test_generated_censuses_imported_into_an_empty_database_export_the_same(tmp_path):
    _generate()
    exported = {year: cin_census_bytes(year, now=NOW) for year in YEARS}
    paths = []
    for year in reversed(YEARS):  # newest first: the order files are given in must not matter
        path = tmp_path / f"cin-{year}.xml"
        path.write_bytes(exported[year])
        paths.append(path)
    in_census = {
        la_child_id
        for xml in exported.values()
        for la_child_id in re.findall(r"<LAchildID>([^<]+)</LAchildID>", xml.decode())
    }
    clear_generated_data()
    assert not Child.objects.exists()

    report = import_cin_files(paths)
    assert report.ok, (report.files_refused, report.skipped[:5])
    # The same child across three years is one record, and each referral one episode.
    assert set(Child.objects.values_list("la_child_id", flat=True)) == in_census
    for year in YEARS:
        assert _without_datetime(cin_census_bytes(year, now=NOW)) == _without_datetime(exported[year]), year

    again = import_cin_files(paths)
    assert again.ok and again.counts == {}
