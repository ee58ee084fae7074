"""Bad input on the SSD importer (issue 15): a file of the wrong kind, a truncated file, a row with an impossible
date, an unknown code and a child under two identifiers, each reported with its file, line and reason. A file
that cannot be read writes nothing of the extract (every table's row count unchanged); every child that can be
read is kept."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command

from opencsc.frontdoor.models import Referral
from opencsc.people.identifiers import upn_check_letter
from opencsc.people.models import Child
from opencsc.returns.ssd.export import outcome_json, write_ssd
from opencsc.returns.ssd.importer import import_ssd
from opencsc.returns.ssd.tables import REFERRAL_OUTCOME_KEYS, columns
from tests.returns.builders import cin_census

NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _may_11_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def _upn(n: int) -> str:
    body = f"20100100{n:04d}"
    return upn_check_letter(body) + body


def _extract(folder: Path, children: int) -> Path:
    """A small extract: each child with a referral (line n + 2 of its file: header, then one row a child)."""
    people, referrals = [], []
    for n in range(children):
        person = f"S{n:05d}"
        people.append(
            {
                "pers_person_id": person,
                "pers_forename": "Ada",
                "pers_surname": f"Child{n}",
                "pers_sex": "F",
                "pers_ethnicity": "WBRI",
                "pers_dob": "2014-06-01",
                "pers_common_child_id": _upn(n),
            }
        )
        referrals.append(
            {
                "cine_referral_id": f"{person}-REF-20250403",
                "cine_person_id": person,
                "cine_referral_date": "2025-04-03",
                "cine_cin_primary_need_code": "N1",
                "cine_referral_source_code": "1A",
                "cine_referral_outcome_json": outcome_json(REFERRAL_OUTCOME_KEYS, {"SINGLE_ASSESSMENT_FLAG"}),
                "cine_referral_nfa": "N",
            }
        )
    tables = {
        "ssd_person": [{c: row.get(c, "") for c in columns("ssd_person")} for row in people],
        "ssd_cin_episodes": [{c: row.get(c, "") for c in columns("ssd_cin_episodes")} for row in referrals],
    }
    write_ssd(tables, folder)
    return folder


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _flags(report) -> dict[tuple, str]:
    return {(f.rule, Path(f.file).name, f.line, f.la_child_id): f.reason for f in report.flags}


def _replace_line(path: Path, number: int, change) -> None:
    lines = path.read_text().splitlines()
    lines[number - 1] = change(lines[number - 1])
    path.write_text("\n".join(lines) + "\n")


def test_a_clean_extract_is_imported_and_a_second_import_changes_nothing(tmp_path):
    folder = _extract(tmp_path / "ssd", 3)
    report = import_ssd([folder])
    assert report.ok and report.flags == []
    assert report.counts == {"child created": 3, "referral created": 3}
    assert import_ssd([folder]).counts == {}


def test_a_file_of_the_wrong_kind_is_refused_with_its_line_and_nothing_is_written(tmp_path):
    folder = _extract(tmp_path / "ssd", 2)
    census = cin_census(tmp_path / "census.xml", 2)
    (folder / "ssd_cin_episodes.csv").write_bytes(census.read_bytes())  # a CIN census where a table should be
    (folder / "ssd_cla_episodes.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")  # an image
    before = _row_counts()

    report = import_ssd([folder])

    refused = {Path(p.file).name: p for p in report.files_refused}
    assert set(refused) == {"ssd_cin_episodes.csv", "ssd_cla_episodes.csv"} and report.files_read == []
    assert refused["ssd_cin_episodes.csv"].line == 1
    assert "not one of the SSD tables' headers" in refused["ssd_cin_episodes.csv"].reason
    assert refused["ssd_cla_episodes.csv"].line == 1
    assert "not UTF-8 text" in refused["ssd_cla_episodes.csv"].reason
    assert _row_counts() == before


def test_a_file_cut_inside_a_value_is_refused_and_nothing_of_the_extract_is_written(tmp_path):
    folder = _extract(tmp_path / "ssd", 3)
    episodes = folder / "ssd_cin_episodes.csv"
    text = episodes.read_text()
    episodes.write_text(text[: text.rindex("SINGLE_ASSESSMENT_FLAG")])  # inside the last row's quoted JSON
    before = _row_counts()

    report = import_ssd([folder])

    (problem,) = report.files_refused
    assert Path(problem.file).name == "ssd_cin_episodes.csv" and problem.line == 4
    assert "cannot be read as CSV" in problem.reason
    assert _row_counts() == before


def test_a_file_cut_inside_a_row_keeps_what_it_holds_and_flags_the_cut_row(tmp_path):
    folder = _extract(tmp_path / "ssd", 3)
    episodes = folder / "ssd_cin_episodes.csv"
    lines = episodes.read_text().splitlines()
    lines[3] = "S00002-REF-20250403,S00002,2025-0"  # cut in the last referral's date
    episodes.write_text("\n".join(lines))

    report = import_ssd([folder])

    flags = _flags(report)
    assert flags[("IMPORT-FIELDS", "ssd_cin_episodes.csv", 4, "S00002")].startswith("the row has 3 fields")
    assert (
        "cine_referral_date '2025-0' is not a date"
        in flags[("IMPORT-DATE", "ssd_cin_episodes.csv", 4, "S00002")]
    )
    assert report.ok and Child.objects.count() == 3
    assert Referral.objects.count() == 2 and not Referral.objects.filter(child__la_child_id="S00002").exists()


def test_an_impossible_date_an_unknown_code_and_a_child_under_two_ids_are_flagged_and_kept(tmp_path):
    folder = _extract(tmp_path / "ssd", 4)
    people, episodes = folder / "ssd_person.csv", folder / "ssd_cin_episodes.csv"
    _replace_line(people, 3, lambda line: line.replace("2014-06-01", "2014-02-30"))  # S00001
    _replace_line(people, 5, lambda line: line.replace(_upn(3), _upn(0)))  # S00003 given S00000's UPN
    _replace_line(episodes, 4, lambda line: line.replace(",1A,", ",Q7,"))  # S00002's referral source
    _replace_line(episodes, 5, lambda line: line.replace("2025-04-03,N1", "2031-04-03,N1"))  # S00003: future

    report = import_ssd([folder])

    flags = _flags(report)
    assert "pers_dob '2014-02-30' is not a date" in flags[("IMPORT-DATE", "ssd_person.csv", 3, "S00001")]
    assert "'Q7' is not a code in the DfE list" in flags[("IMPORT-CODE", "ssd_cin_episodes.csv", 4, "S00002")]
    assert flags[("IMPORT-SAME-CHILD", "ssd_person.csv", 5, "S00003")] == (
        f"UPN {_upn(0)} is also given for child S00000 (line 2 of ssd_person.csv): both kept; "
        "if they are one child, correct the records"
    )
    assert "is in the future" in flags[("IMPORT-DATE-RANGE", "ssd_cin_episodes.csv", 5, "S00003")]
    assert report.ok and Child.objects.count() == 4
    assert Child.objects.get(la_child_id="S00001").date_of_birth is None
    assert Referral.objects.get(child__la_child_id="S00002").source == "Q7"
    assert set(Child.objects.filter(upn=_upn(0)).values_list("la_child_id", flat=True)) == {
        "S00000",
        "S00003",
    }


def test_a_child_named_only_in_another_table_is_kept_and_flagged(tmp_path):
    folder = _extract(tmp_path / "ssd", 2)
    _replace_line(folder / "ssd_cin_episodes.csv", 3, lambda line: line.replace("S00001", "S09999"))

    report = import_ssd([folder])

    reason = _flags(report)[("IMPORT-NO-HEADER", "ssd_cin_episodes.csv", 3, "S09999")]
    assert "not in ssd_person" in reason
    kept = Child.objects.get(la_child_id="S09999")
    assert kept.first_name == "Unknown" and kept.referrals.count() == 1
    assert json.loads(outcome_json(REFERRAL_OUTCOME_KEYS, set()))["NFA_FLAG"] == ""


def test_the_command_line_shows_progress_on_stderr_and_refusals_with_exit_status_1(tmp_path):
    folder = _extract(tmp_path / "ssd", 3)
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "ssd", str(folder), stdout=out, stderr=err)
    assert "3 of 3 children read and checked: writing" in err.getvalue()
    assert "child created" in out.getvalue() and "referral created" in out.getvalue()

    (folder / "ssd_cin_episodes.csv").write_text("not,an,ssd,table\n1,2,3,4\n")
    with pytest.raises(CommandError) as refused:
        call_command("import", "ssd", str(folder), stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert refused.value.returncode == 1
    assert "REFUSED" in err.getvalue() and "ssd_cin_episodes.csv, line 1" in err.getvalue()


def test_the_ssd_export_takes_no_year(tmp_path):
    with pytest.raises(CommandError, match="--year does not apply"):
        call_command("export", "ssd", year=2026, out=tmp_path / "ssd")
    with pytest.raises(CommandError, match="--year is required"):
        call_command("export", "cin", out=tmp_path / "cin.xml")
