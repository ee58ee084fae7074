"""Bad input on the SSDA903, CIN and Annex A importers (issue 15): a file of the wrong kind, a truncated file, a row with an
impossible date, an unknown code and a child under two identifiers, each reported with its file, line and reason.
A file that cannot be read writes nothing (every table's row count unchanged); every child that can be read is
kept."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.apps import apps

from opencsc.frontdoor.models import Referral
from opencsc.looked_after.models import Episode
from opencsc.people.models import Child
from opencsc.returns.annexa.importer import import_annexa_files
from opencsc.returns.cin.importer import import_cin_files
from opencsc.returns.ssda903.importer import import_903_files
from tests.returns.builders import annexa_workbook, cin_census, ssda903_set

NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _may_11_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _flags(report) -> dict[tuple, str]:
    return {(f.rule, Path(f.file).name, f.line, f.la_child_id): f.reason for f in report.flags}


def _replace_line(path: Path, number: int, line: str) -> None:
    lines = path.read_text().splitlines()
    lines[number - 1] = line
    path.write_text("\n".join(lines) + "\n")


def test_903_a_file_of_the_wrong_kind_is_refused_with_its_line_and_nothing_is_written(db, tmp_path):
    folder = tmp_path / "2026"
    census = cin_census(tmp_path / "census.xml", 2)
    folder.mkdir()
    (folder / "header.csv").write_bytes(census.read_bytes())  # a CIN census where the 903 Header should be
    (folder / "episodes.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")  # an image
    before = _row_counts()

    report = import_903_files([folder])

    refused = {Path(p.file).name: p for p in report.files_refused}
    assert set(refused) == {"header.csv", "episodes.csv"} and report.files_read == []
    assert (
        refused["header.csv"].line == 1
        and "not one of the SSDA903 tables' headers" in refused["header.csv"].reason
    )
    assert refused["episodes.csv"].line == 1 and "not UTF-8 text" in refused["episodes.csv"].reason
    assert _row_counts() == before


def test_903_a_truncated_file_keeps_what_it_holds_and_flags_the_cut_row(db, tmp_path):
    folder = ssda903_set(tmp_path / "2026", 3)
    episodes = folder / "episodes.csv"
    episodes.write_text(episodes.read_text()[: episodes.read_text().rindex("/") - 2])  # cut in the last DECOM

    report = import_903_files([folder])

    flags = _flags(report)
    assert flags[("IMPORT-FIELDS", "episodes.csv", 4, "F00002")].startswith(
        "the row has 2 fields, the header 13"
    )
    assert "DECOM" in flags[("IMPORT-DATE", "episodes.csv", 4, "F00002")]
    assert "the row is not stored" in flags[("IMPORT-DATE", "episodes.csv", 4, "F00002")]
    assert report.ok and Child.objects.count() == 3
    assert Episode.objects.filter(child__la_child_id__in=["F00000", "F00001"]).count() == 2
    assert not Episode.objects.filter(child__la_child_id="F00002").exists()


def test_903_an_impossible_date_an_unknown_code_and_a_child_under_two_ids_are_flagged_and_kept(db, tmp_path):
    folder = ssda903_set(tmp_path / "2026", 4)
    header = (folder / "header.csv").read_text().splitlines()
    upn_of_first = header[1].split(",")[4]
    _replace_line(folder / "header.csv", 3, f"F00001,F,30/02/2014,WBRI,{header[2].split(',')[4]},,")
    _replace_line(folder / "header.csv", 5, f"F00003,M,04/04/2014,WBRI,{upn_of_first},,")  # F00000's UPN
    _replace_line(
        folder / "episodes.csv", 3, "F00001,01/02/2024,S,C2,N1,ZZ9,PR1,,,,HP19 8FF,HP11 2JU,SC484848"
    )

    report = import_903_files([folder])

    flags = _flags(report)
    assert "DOB '30/02/2014' is not a date" in flags[("IMPORT-DATE", "header.csv", 3, "F00001")]
    assert "PLACE" in flags[("IMPORT-CODE", "episodes.csv", 3, "F00001")]
    assert flags[("IMPORT-SAME-CHILD", "header.csv", 5, "F00003")] == (
        f"UPN {upn_of_first} is also given for child F00000 (line 2 of header.csv): both kept; "
        "if they are one child, correct the records"
    )
    assert report.ok and Child.objects.count() == 4 and Episode.objects.count() == 4
    assert Child.objects.get(la_child_id="F00001").date_of_birth is None
    assert Episode.objects.get(child__la_child_id="F00001").placement_type == "ZZ9"
    assert set(Child.objects.filter(upn=upn_of_first).values_list("la_child_id", flat=True)) == {
        "F00000",
        "F00003",
    }


def test_903_a_child_under_an_id_other_than_the_one_held_for_its_upn_is_flagged(db, tmp_path):
    import_903_files([ssda903_set(tmp_path / "2025", 2)])
    folder = ssda903_set(tmp_path / "2026", 1, prefix="G")
    held_upn = Child.objects.get(la_child_id="F00000").upn
    _replace_line(folder / "header.csv", 2, f"G00000,M,01/01/2014,WBRI,{held_upn},,")

    report = import_903_files([folder])

    assert _flags(report)[("IMPORT-SAME-CHILD", "header.csv", 2, "G00000")].startswith(
        f"UPN {held_upn} is also given for child F00000 (in the records)"
    )
    assert Child.objects.filter(upn=held_upn).count() == 2


def test_cin_a_file_of_the_wrong_kind_or_truncated_is_refused_with_its_line_and_nothing_is_written(
    db, tmp_path
):
    wrong = ssda903_set(tmp_path / "2026", 2) / "header.csv"  # a 903 CSV given as a census
    whole = cin_census(tmp_path / "census.xml", 3).read_text()
    truncated = tmp_path / "truncated.xml"
    truncated.write_text(whole[: whole.index("<Section47>", whole.index("K00001"))])
    before = _row_counts()

    report = import_cin_files([wrong, truncated])

    refused = {Path(p.file).name: p for p in report.files_refused}
    assert set(refused) == {"header.csv", "truncated.xml"} and report.files_read == []
    assert refused["header.csv"].line == 1 and refused["header.csv"].reason
    assert refused["truncated.xml"].line == truncated.read_text().count("\n") + 1
    assert refused["truncated.xml"].reason
    assert _row_counts() == before


def test_cin_an_impossible_date_an_unknown_code_and_a_child_under_two_ids_are_flagged_and_kept(db, tmp_path):
    path = cin_census(tmp_path / "census.xml", 3)
    text = path.read_text()
    first_upn = text.split("<UPN>")[1].split("</UPN>")[0]
    second_upn = text.split("<UPN>")[2].split("</UPN>")[0]
    text = text.replace(f"<UPN>{second_upn}</UPN>", f"<UPN>{first_upn}</UPN>")  # K00001 given K00000's UPN
    third = text.index("K00002")
    text = text[:third] + text[third:].replace("2014-06-01", "2014-02-30", 1).replace(
        "<ReferralSource>6</ReferralSource>", "<ReferralSource>Q7</ReferralSource>", 1
    )
    path.write_text(text)

    report = import_cin_files([path])

    line = {child: text[: text.index(child)].count("\n") for child in ("K00000", "K00001")}  # <Child>
    flags = _flags(report)
    assert flags[("IMPORT-SAME-CHILD", "census.xml", line["K00001"], "K00001")].startswith(
        f"UPN {first_upn} is also given for child K00000 (line {line['K00000']} of census.xml)"
    )
    (date_flag,) = [reason for key, reason in flags.items() if key[0] == "IMPORT-DATE" and key[3] == "K00002"]
    assert "PersonBirthDate" in date_flag and "2014-02-30" in date_flag
    (code_flag,) = [reason for key, reason in flags.items() if key[0] == "IMPORT-CODE" and key[3] == "K00002"]
    assert "ReferralSource" in code_flag and "Q7" in code_flag
    assert report.ok and Child.objects.count() == 3
    assert Child.objects.get(la_child_id="K00002").date_of_birth is None
    assert Child.objects.get(la_child_id="K00002").referrals.get().source == "Q7"


def test_annexa_a_file_of_the_wrong_kind_or_truncated_is_refused_and_nothing_is_written(db, tmp_path):
    wrong = cin_census(tmp_path / "census.xml", 2)  # a census given as a workbook
    renamed = tmp_path / "census.xlsx"
    renamed.write_bytes(wrong.read_bytes())
    whole = annexa_workbook(tmp_path / "whole.xlsx", 3).read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(whole[: len(whole) // 2])
    before = _row_counts()

    report = import_annexa_files([wrong, renamed, truncated])

    refused = {Path(p.file).name: p.reason for p in report.files_refused}
    assert set(refused) == {"census.xml", "census.xlsx", "truncated.xlsx"} and report.files_read == []
    assert all(reason.startswith("not an xlsx workbook") for reason in refused.values())
    assert _row_counts() == before


def test_annexa_an_impossible_date_an_unknown_code_and_a_child_given_twice_are_flagged_and_kept(db, tmp_path):
    child = {"Gender": "a) Male", "Ethnicity": "WBRI", "Age of Child (Years)": 11}
    extra = {
        3: [
            # An impossible referral date: the referral is left out, the child kept.
            {
                **child,
                "Child Unique ID": "X1",
                "Date of Birth": "01/01/2014",
                "Date of referral": "30/02/2026",
                "Referral Source": "6",
            },
            # An impossible date of birth (left blank) and a source outside Annex A's list (kept as given).
            {
                **child,
                "Child Unique ID": "X2",
                "Date of Birth": "31/04/2014",
                "Date of referral": "02/02/2026",
                "Referral Source": "z) 99: Martians",
            },
            # A00001 again with another date of birth: one ID for two children, or a mistyped one.
            {
                **child,
                "Child Unique ID": "A00001",
                "Date of Birth": "09/09/2019",
                "Date of referral": "03/02/2026",
                "Referral Source": "6",
            },
            # The same row twice: one referral.
            {
                **child,
                "Child Unique ID": "X3",
                "Date of Birth": "01/01/2015",
                "Date of referral": "04/02/2026",
                "Referral Source": "6",
            },
            {
                **child,
                "Child Unique ID": "X3",
                "Date of Birth": "01/01/2015",
                "Date of referral": "04/02/2026",
                "Referral Source": "6",
            },
        ]
    }
    path = annexa_workbook(tmp_path / "annex-a.xlsx", 2, extra=extra)

    report = import_annexa_files([path])

    flags = {(f.rule, f.sheet, f.line, f.la_child_id): f.reason for f in report.flags}
    assert set(flags) == {
        ("IMPORT-DATE", "List 3", 5, "X2"),
        ("IMPORT-CODE", "List 3", 5, "X2"),
        ("IMPORT-DATE", "List 3", 4, "X1"),
        ("IMPORT-CHILD-DIFFERS", "List 3", 6, "A00001"),
    }
    assert flags[("IMPORT-DATE", "List 3", 4, "X1")] == (
        "'Date of referral' '30/02/2026' is not a date in the form dd/mm/yyyy: the row's record is not stored"
    )
    assert "'Date of Birth' '31/04/2014'" in flags[("IMPORT-DATE", "List 3", 5, "X2")]
    assert "'Referral Source' 'z) 99: Martians'" in flags[("IMPORT-CODE", "List 3", 5, "X2")]
    assert flags[("IMPORT-CHILD-DIFFERS", "List 3", 6, "A00001")].startswith(
        "'Date of Birth' 09/09/2019 differs from 02/02/2014 held for child A00001: 02/02/2014 kept"
    )
    assert report.ok and Child.objects.count() == 5
    assert not Referral.objects.filter(child__la_child_id="X1").exists()
    assert Child.objects.get(la_child_id="X2").date_of_birth is None
    assert Referral.objects.get(child__la_child_id="X2").source == "99"
    assert Child.objects.get(la_child_id="A00001").date_of_birth == dt.date(2014, 2, 2)
    assert Referral.objects.filter(child__la_child_id="A00001").count() == 2
    assert Referral.objects.filter(child__la_child_id="X3").count() == 1
