"""Returns from other systems carry the errors real recording makes. The importers keep every child and all that
can be read, store a value that breaks a rule as given (or blank where it cannot be stored), and flag each on the
data-quality worklist with its rule, reason, file and line (or sheet and row); the KPIs count the kept children.
Files are made here by hand, imperfect on purpose."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from opencsc.accounts.models import Role
from opencsc.insight.kpis import compute_kpis
from opencsc.looked_after.models import CareReview, Episode, MissingEpisode
from opencsc.people.identifiers import upn_check_letter
from opencsc.people.models import Child
from opencsc.returns.models import RunOrigin, ValidationFinding, ValidationRun
from opencsc.returns.ssda903.importer import import_903_files
from tests.returns.conftest import valid_upn

D = dt.date
NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=dt.UTC)
GOOD_UPN = valid_upn("825201200001")
WRONG_UPN = ("A" if GOOD_UPN[0] != "A" else "B") + GOOD_UPN[1:]
assert upn_check_letter(GOOD_UPN[1:]) != WRONG_UPN[0]


@pytest.fixture(autouse=True)
def _may_11_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"


def _imperfect_903_set(folder: Path) -> None:
    """A 2025-26 set from another system: each child has one of the errors real recording makes."""
    _write(
        folder,
        "header.csv",
        [
            "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
            f"A1,M,01/06/2012,WBRI,{WRONG_UPN},,",  # line 2: wrong check letter
            "A2,F,02/02/2011,WBRI,,0,",
            "A3,M,03/03/2013,WOTH,,,",
            "A4,F,04/04/2010,WBRI,,0,",
            "A5,M,05/05/2009,WBRI,,,",
            "A6,M,31/02/2015,WBRI,,,",  # line 7: no such day
            "A7,F,07/07/2012,ZZZ,,0,",  # line 8: ethnicity outside the list
            "A8,X,08/08/2011,WBRI,,,",  # line 9: sex outside the list
        ],
    )
    _write(
        folder,
        "episodes.csv",
        [
            EPISODES,
            "A1,01/05/2024,S,C2,N1,U6,PR1,,,,HP19 8FF,HP11 2JU,SC123456",
            "A1,31/13/2025,P,C2,N1,U6,PR1,,,,HP19 8FF,HP11 2JU,SC123456",  # line 3: DECOM not a date
            "A2,01/06/2024,S,C2,N1,U6,PR1,10/01/2026,,,HP19 8FF,HP11 2JU,SC123456",  # line 4: DEC, no REC
            "A3,01/07/2025,S,V2,N4,,PR1,,,,HP19 8FF,HP11 2JU,SC123456",  # line 5: no placement type
            "A4,01/08/2025,S,C2,N1,K2,PR4,,,,HP19 8FF,CF10 1AA,",  # line 6: a home in Wales, no URN
            "A5,01/09/2025,S,C2,N1,K2,PR4,,,,HP19 8FF,HP11 2JU,",  # line 7: a home in England, no URN
            "A6,01/10/2025,S,Q9,N1,U6,PR1,,,,HP19 8FF,HP11 2JU,SC123456",  # line 8: LS outside the list
            "A7,01/04/2025,S,C2,N1,U6,PR1,01/03/2025,E13,,HP19 8FF,HP11 2JU,SC123456",  # line 9: DEC < DECOM
            "A8,01/11/2025,S,C2,N1,U6,PR1,,E13,,HP19 8FF,HP11 2JU,SC123456",  # line 10: REC without DEC
            "A9,01/12/2025,S,C2,N1,U6,PR1,,,,HP19 8FF,HP11 2JU,SC123456",  # line 11: not in the Header
        ],
    )
    # Another tool's layout: lower case, REVIEW_CODE left out; spaces for underscores.
    _write(
        folder,
        "reviews.csv",
        [
            "child,dob,review",
            "A1,01/06/2012,15/10/2025",
            "A3,03/03/2013,20/07/2025",
            "A4,04/04/2010,01/01/2009",
        ],
    )
    _write(folder, "missing.csv", ["Child,DOB,Missing,Mis Start,Mis End", "A5,05/05/2009,M,01/10/2025"])


EXPECTED_903_FLAGS = {
    ("IMPORT-UPN", "header.csv", 2, "A1"),
    ("IMPORT-DATE", "header.csv", 7, "A6"),
    ("IMPORT-CODE", "header.csv", 8, "A7"),
    ("IMPORT-CODE", "header.csv", 9, "A8"),
    ("IMPORT-DATE", "episodes.csv", 3, "A1"),
    ("IMPORT-DEC-REC", "episodes.csv", 4, "A2"),
    ("IMPORT-REQUIRED", "episodes.csv", 5, "A3"),
    ("IMPORT-URN", "episodes.csv", 7, "A5"),
    ("IMPORT-CODE", "episodes.csv", 8, "A6"),
    ("IMPORT-DATE-ORDER", "episodes.csv", 9, "A7"),
    ("IMPORT-DEC-REC", "episodes.csv", 9, "A7"),
    ("IMPORT-DEC-REC", "episodes.csv", 10, "A8"),
    ("IMPORT-NO-HEADER", "episodes.csv", 11, "A9"),
    ("IMPORT-COLUMN", "reviews.csv", 1, ""),
    ("IMPORT-REQUIRED", "reviews.csv", 2, "A1"),
    ("IMPORT-REQUIRED", "reviews.csv", 3, "A3"),
    ("IMPORT-REQUIRED", "reviews.csv", 4, "A4"),
    ("IMPORT-DATE-RANGE", "reviews.csv", 4, "A4"),  # before the birth: kept as given, the review's key date
    ("IMPORT-FIELDS", "missing.csv", 2, "A5"),
}


def _flags(report) -> set[tuple]:
    return {(f.rule, Path(f.file).name, f.line, f.la_child_id) for f in report.flags}


def test_an_imperfect_903_set_keeps_every_child_and_flags_each_problem(db, tmp_path):
    _imperfect_903_set(tmp_path / "2026")
    report = import_903_files([tmp_path / "2026"])

    assert report.ok and not report.files_refused
    ids = [f"A{n}" for n in range(1, 10)]
    children = {c.la_child_id: c for c in Child.objects.filter(la_child_id__in=ids)}
    assert sorted(children) == ids
    assert _flags(report) == EXPECTED_903_FLAGS
    reasons = {(f.rule, f.la_child_id): f.reason for f in report.flags}
    assert "check letter" in reasons["IMPORT-UPN", "A1"]
    assert reasons["IMPORT-DEC-REC", "A2"] == "DEC is given without REC: kept as ceased, its reason blank"
    assert "'31/02/2015' is not a date" in reasons["IMPORT-DATE", "A6"]
    assert (
        reasons["IMPORT-DATE-RANGE", "A4"] == "REVIEW 01/01/2009 is before the child's birth: kept as given"
    )

    # Stored as given where it can be, blank where it cannot.
    assert children["A1"].upn == WRONG_UPN
    assert children["A6"].date_of_birth is None
    assert children["A7"].ethnicity == "ZZZ" and children["A8"].sex == "U"
    episode = {e.child.la_child_id: e for e in Episode.objects.select_related("child")}
    assert (episode["A2"].ended_on, episode["A2"].reason_ceased) == (D(2026, 1, 10), "")
    assert episode["A3"].placement_type == "" and episode["A6"].legal_status == "Q9"
    assert episode["A4"].urn == "" and episode["A4"].placement_la_code == "WAL"
    assert (episode["A7"].ended_on, episode["A7"].reason_ceased) == (None, "")
    assert (episode["A8"].ended_on, episode["A8"].reason_ceased) == (None, "")
    assert CareReview.objects.filter(child=children["A1"], held_on=D(2025, 10, 15), participation="").exists()
    assert CareReview.objects.filter(child=children["A4"], held_on=D(2009, 1, 1)).exists()
    assert MissingEpisode.objects.filter(child=children["A5"], returned_at=None).exists()
    assert Episode.objects.filter(child=children["A1"]).count() == 1  # the row with no DECOM is left out

    # The flags are the worklist's, with the rule, the reason, the file and the line, linked to the child.
    run = ValidationRun.objects.get(origin=RunOrigin.IMPORT, kind="903")
    assert run.year == 2026 and run.error_count == len(EXPECTED_903_FLAGS)
    saved = {
        (f.rule, Path(f.file).name, f.line, f.la_child_id) for f in ValidationFinding.objects.filter(run=run)
    }
    assert saved == EXPECTED_903_FLAGS
    finding = ValidationFinding.objects.get(run=run, rule="IMPORT-URN")
    assert finding.child == children["A5"] and "URN" in finding.reason and finding.message

    # The KPIs count the kept children: all but A2 (who ceased in January) are looked after at 31 March.
    looked_after = compute_kpis(2026)["cla_at_year_end"].children
    assert looked_after == {children[i].pk for i in ids if i != "A2"}


def test_a_903_set_read_twice_changes_nothing_and_flags_the_same(db, tmp_path):
    _imperfect_903_set(tmp_path / "2026")
    import_903_files([tmp_path / "2026"])
    rows = {
        model: list(model.objects.order_by("pk").values())
        for model in (Child, Episode, CareReview, MissingEpisode)
    }
    again = import_903_files([tmp_path / "2026"])
    assert again.counts == {}
    assert _flags(again) == EXPECTED_903_FLAGS
    assert {model: list(model.objects.order_by("pk").values()) for model in rows} == rows


def test_the_worklist_shows_each_import_flag_with_its_file_and_line(db, tmp_path, make_user, client_for):
    _imperfect_903_set(tmp_path / "2026")
    import_903_files([tmp_path / "2026"])
    client = client_for(make_user(Role.PERFORMANCE_ANALYST))
    page = client.get("/returns/903/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f"{len(EXPECTED_903_FLAGS)} flags" in text
    assert "header.csv, line 2" in text and "check letter" in text
    one_rule = client.get("/returns/903/?import_rule=IMPORT-URN").content.decode()
    assert "episodes.csv, line 7" in one_rule and "PL_POST=HP11 2JU" in one_rule
    assert "header.csv, line 2" not in one_rule


def _cin_child(la_child_id: str, identifiers: str, characteristics: str, details: str) -> str:
    return f"""    <Child>
      <ChildIdentifiers>
        <LAchildID>{la_child_id}</LAchildID>
{identifiers}
      </ChildIdentifiers>
      <ChildCharacteristics>
{characteristics}
      </ChildCharacteristics>
      <CINdetails>
{details}
      </CINdetails>
    </Child>
"""


def _imperfect_cin_census() -> str:
    """A 2025-26 census from another system, in an XML namespace, each child with a recording error."""
    referral = "        <CINreferralDate>{}</CINreferralDate>\n        <ReferralSource>{}</ReferralSource>"
    children = [
        _cin_child(
            "K1",
            f"        <UPN>{WRONG_UPN}</UPN>\n        <PersonBirthDate>2012-06-01</PersonBirthDate>\n"
            "        <Sex>M</Sex>",
            "        <Ethnicity>WBRI</Ethnicity>",
            referral.format("2025-06-01", "1A")
            + "\n        <PrimaryNeedCode>N1</PrimaryNeedCode>\n        <ReferralNFA>false</ReferralNFA>",
        ),
        _cin_child(
            "K2",
            "        <PersonBirthDate>2013-03-03</PersonBirthDate>\n        <Sex>F</Sex>",
            "        <Ethnicity>WOTH</Ethnicity>\n        <Disabilities>\n          <Disability>NONE</Disability>\n"
            "          <Disability>LD</Disability>\n        </Disabilities>",
            referral.format("2025-07-01", "ZZ") + "\n        <ReferralNFA>false</ReferralNFA>",
        ),
        _cin_child(
            "K3",
            "        <PersonBirthDate>2019-02-30</PersonBirthDate>\n        <Sex>F</Sex>",
            "        <Ethnicity>WBRI</Ethnicity>",
            referral.format("2025-07-01", "2A")
            + "\n        <CINclosureDate>2025-06-01</CINclosureDate>\n        <ReasonForClosure>RC7</ReasonForClosure>"
            "\n        <ReferralNFA>false</ReferralNFA>",
        ),
        _cin_child(
            "K4",
            "        <PersonBirthDate>2014-04-04</PersonBirthDate>\n        <Sex>X</Sex>",
            "        <Ethnicity>WBRI</Ethnicity>",
            referral.format("2025-08-01", "6")
            + "\n        <Assessments>\n          <AssessmentActualStartDate>2025-08-01</AssessmentActualStartDate>"
            "\n          <AssessmentAuthorisationDate>2025-09-01</AssessmentAuthorisationDate>"
            "\n          <FactorsIdentifiedAtAssessment><AssessmentFactors>99Z</AssessmentFactors>"
            "</FactorsIdentifiedAtAssessment>\n        </Assessments>"
            "\n        <ReferralNFA>false</ReferralNFA>"
            "\n        <ChildProtectionPlans>\n          <CPPstartDate>2025-09-10</CPPstartDate>"
            "\n          <InitialCategoryOfAbuse>XYZ</InitialCategoryOfAbuse>"
            "\n          <LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
            "\n          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>\n        </ChildProtectionPlans>",
        ),
        _cin_child(
            "K5",
            "        <PersonBirthDate>2030-01-01</PersonBirthDate>\n        <Sex>M</Sex>",
            "        <Ethnicity>WBRI</Ethnicity>",
            referral.format("2025-10-01", "3A") + "\n        <ReferralNFA>0</ReferralNFA>",
        ),
    ]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<Message xmlns="http://www.example.org/cin">\n  <Header>\n'
        "    <CollectionDetails><Collection>CIN</Collection><Year>2026</Year>"
        "<ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails>\n  </Header>\n  <Children>\n"
        + "".join(children)
        + "  </Children>\n</Message>\n"
    )


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_an_imperfect_cin_census_keeps_every_child_and_flags_each_problem(db, tmp_path):
    from opencsc.casework.models import Assessment, ChildProtectionPlan
    from opencsc.frontdoor.models import Referral
    from opencsc.returns.cin.importer import import_cin_files

    text = _imperfect_cin_census()
    path = tmp_path / "other-system-cin.xml"
    path.write_text(text)
    report = import_cin_files([path])

    assert report.ok and report.files_read == [str(path)]
    ids = ["K1", "K2", "K3", "K4", "K5"]
    children = {c.la_child_id: c for c in Child.objects.filter(la_child_id__in=ids)}
    assert sorted(children) == ids
    flags = {(f.rule, f.la_child_id, f.line) for f in report.flags}
    assert flags == {
        ("IMPORT-UPN", "K1", _line_of(text, f"<UPN>{WRONG_UPN}")),
        ("IMPORT-DISABILITY", "K2", _line_of(text, "<Disabilities>")),
        ("IMPORT-CODE", "K2", _line_of(text, "<ReferralSource>ZZ")),
        ("IMPORT-DATE", "K3", _line_of(text, "<PersonBirthDate>2019-02-30")),
        ("IMPORT-DATE-ORDER", "K3", _line_of(text, "<CINclosureDate>2025-06-01")),
        ("IMPORT-CODE", "K4", _line_of(text, "<Sex>X")),
        ("IMPORT-CODE", "K4", _line_of(text, "<AssessmentFactors>99Z")),
        ("IMPORT-CODE", "K4", _line_of(text, "<InitialCategoryOfAbuse>XYZ")),
        ("IMPORT-DATE-RANGE", "K5", _line_of(text, "<PersonBirthDate>2030-01-01")),
    }
    assert all(Path(f.file).name == "other-system-cin.xml" for f in report.flags)

    assert children["K1"].upn == WRONG_UPN
    assert set(children["K2"].disabilities.values_list("code", flat=True)) == {"LD"}
    assert Referral.objects.get(child=children["K2"]).source == "ZZ"
    assert children["K3"].date_of_birth is None and children["K5"].date_of_birth is None
    assert Referral.objects.get(child=children["K3"]).closed_on is None
    assert children["K4"].sex == "U"
    assert Assessment.objects.get(child=children["K4"]).factors == ["99Z"]
    assert ChildProtectionPlan.objects.get(child=children["K4"]).initial_category == "XYZ"

    run = ValidationRun.objects.get(origin=RunOrigin.IMPORT, kind="cin")
    assert ValidationFinding.objects.filter(run=run, child__isnull=False).count() == len(flags)

    kpis = compute_kpis(2026)
    pks = {children[i].pk for i in ids}
    assert kpis["cin_at_year_end"].children == pks
    assert kpis["referrals"].children == pks and kpis["referrals"].value == 5
    assert kpis["cpp_at_year_end"].children == {children["K4"].pk}

    again = import_cin_files([path])
    assert again.counts == {} and {(f.rule, f.la_child_id, f.line) for f in again.flags} == flags


def test_a_cin_census_without_year_or_reference_date_is_read_as_the_year_of_its_latest_date(db, tmp_path):
    from opencsc.returns.cin.importer import import_cin_files

    text = _imperfect_cin_census().replace("<Year>2026</Year><ReferenceDate>2026-03-31</ReferenceDate>", "")
    path = tmp_path / "no-year-cin.xml"
    path.write_text(text)
    report = import_cin_files([path])

    assert report.ok and report.files_read == [str(path)]
    ids = ["K1", "K2", "K3", "K4", "K5"]
    assert sorted(Child.objects.filter(la_child_id__in=ids).values_list("la_child_id", flat=True)) == ids
    (header,) = [f for f in report.flags if f.rule == "IMPORT-HEADER"]
    # The latest date not in the future is the referral of 1 October 2025 (K5's birth in 2030 is not counted).
    assert header.reason == (
        "the header has neither a Year nor a ReferenceDate that can be read: read as the 2025-26 census "
        "(Year 2026), the collection year of its latest date, 2025-10-01"
    )
    assert (header.line, header.la_child_id) == (_line_of(text, "<CollectionDetails>"), "")
    assert len(report.flags) == 10  # the nine of the census with its header, and the header's own

    run = ValidationRun.objects.get(origin=RunOrigin.IMPORT, kind="cin")
    assert run.year == 2026
    assert ValidationFinding.objects.get(run=run, rule="IMPORT-HEADER").line == header.line
    assert compute_kpis(2026)["cin_at_year_end"].value == 5


def test_a_cin_census_without_year_or_dates_is_read_as_this_years(db, tmp_path):
    from opencsc.returns.cin.importer import import_cin_files

    child = _cin_child(
        "N1",
        "        <PersonBirthDate>not known</PersonBirthDate>\n        <Sex>F</Sex>",
        "        <Ethnicity>WBRI</Ethnicity>",
        "        <ReferralSource>1A</ReferralSource>\n        <ReferralNFA>false</ReferralNFA>",
    )
    path = tmp_path / "no-dates-cin.xml"
    path.write_text(f"<Message><Header><CollectionDetails/></Header><Children>\n{child}</Children></Message>")
    report = import_cin_files([path])

    assert report.ok and Child.objects.filter(la_child_id="N1").exists()
    (header,) = [f for f in report.flags if f.rule == "IMPORT-HEADER"]
    assert header.reason.endswith(
        "read as the 2026-27 census (Year 2027), the collection year of today "
        "(the file has no date that can be read)"
    )
    assert ValidationRun.objects.get(origin=RunOrigin.IMPORT, kind="cin").year == 2027


def _another_tools_annex_a(path: Path) -> None:
    """Lists 3 and 8 as another tool writes them: a title above the headers, its own column order, "Age" for the
    age column, list 8 without the category of need, and each child with a recording error."""
    import openpyxl

    child = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age"]
    list_3 = [*child, "Referral NFA?", "Referral Source", "Date of referral"]
    list_8 = [
        *child,
        "Date Started to be Looked After",
        "Child's Legal Status",
        "Start date of current legal status",
        "Placement Type",
        "Placement Provider",
        "Start Date of Most Recent Placement",
        "Placement postcode",
        "URN of Placement",
        "Placement Location",
        "LA of Placement",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "UASC within the Last 12 Months (Y/N)",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
    ]
    girl, boy = ["b) Female", "a) WBRI"], ["a) Male", "a) WBRI"]
    sheets = {
        "List 3 - Referrals": [
            ["Referrals (list 3), exported by another tool"],
            list_3,
            ["R1", *girl, "01/02/2014", 12, "No", "z) 99: Martians", "02/01/2026"],  # row 3
            ["R2", *boy, "2015-05-04", 10, "No", "q) 6: Police", "03/01/2026"],  # row 4
        ],
        "List 8 - Children in care": [
            ["Children in care (list 8)"],
            [],
            list_8,
            # row 4: a children's home in Wales, no URN
            [
                "W1",
                *girl,
                "01/03/2010",
                16,
                "01/06/2025",
                "C2: FCO",
                "",
                "h) K2: Children's home",
                "d) PR4",
                "",
                "CF10 1AA",
                "",
                "b) Out",
                "WAL",
                "",
                "",
                "No",
                "",
                "",
            ],
            # row 5: ceased without its reason
            [
                "W2",
                *boy,
                "02/03/2011",
                15,
                "01/05/2025",
                "C2: FCO",
                "",
                "f) U6",
                "b) PR1",
                "",
                "HP11 2JU",
                "SC123456",
                "a) In",
                "E06000060",
                "10/01/2026",
                "",
                "No",
                "",
                "",
            ],
            # row 6: no placement type
            [
                "W3",
                *girl,
                "03/03/2012",
                14,
                "01/07/2025",
                "C2: FCO",
                "",
                "",
                "b) PR1",
                "",
                "HP11 2JU",
                "SC123456",
                "a) In",
                "E06000060",
                "",
                "",
                "No",
                "",
                "",
            ],
            # row 7: a legal status outside the list, a health assessment in the future
            [
                "W4",
                *boy,
                "04/03/2013",
                13,
                "01/08/2025",
                "Q9: Unknown order",
                "",
                "f) U6",
                "b) PR1",
                "",
                "HP11 2JU",
                "SC123456",
                "a) In",
                "E06000060",
                "",
                "",
                "No",
                "01/01/2027",
                "",
            ],
        ],
    }
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def test_an_annex_a_workbook_in_another_layout_with_a_missing_column_keeps_every_child(db, tmp_path):
    from opencsc.frontdoor.models import Referral
    from opencsc.returns.annexa.importer import import_annexa_files

    path = tmp_path / "other-tool-annex-a.xlsx"
    _another_tools_annex_a(path)
    report = import_annexa_files([path])

    assert report.ok and report.files_read == [str(path)]
    ids = ["R1", "R2", "W1", "W2", "W3", "W4"]
    children = {c.la_child_id: c for c in Child.objects.filter(la_child_id__in=ids)}
    assert sorted(children) == ids
    list_8 = "List 8 - Children in care"
    need = "'Child's Category of Need' is empty"
    flags = {(f.rule, f.sheet, f.line, f.la_child_id) for f in report.flags}
    assert flags == {
        ("IMPORT-COLUMN", list_8, 3, ""),
        ("IMPORT-CODE", "List 3 - Referrals", 3, "R1"),
        ("IMPORT-DATE", "List 3 - Referrals", 4, "R2"),
        ("IMPORT-REQUIRED", list_8, 4, "W1"),
        ("IMPORT-REQUIRED", list_8, 5, "W2"),
        ("IMPORT-DEC-REC", list_8, 5, "W2"),
        ("IMPORT-REQUIRED", list_8, 6, "W3"),
        ("IMPORT-REQUIRED", list_8, 7, "W4"),
        ("IMPORT-CODE", list_8, 7, "W4"),
        ("IMPORT-DATE-RANGE", list_8, 7, "W4"),
    }
    column = next(f for f in report.flags if f.rule == "IMPORT-COLUMN")
    assert column.reason == "no column 'Child's Category of Need': read as blank"
    assert sum(need in f.reason for f in report.flags) == 4
    assert all(f.file == str(path) for f in report.flags)

    assert Referral.objects.get(child=children["R1"]).source == "99"
    assert children["R2"].date_of_birth is None and Referral.objects.filter(child=children["R2"]).exists()
    episode = {e.child.la_child_id: e for e in Episode.objects.select_related("child")}
    assert (episode["W1"].placement_type, episode["W1"].urn) == ("K2", "")
    assert (episode["W2"].ended_on, episode["W2"].reason_ceased) == (D(2026, 1, 10), "")
    assert episode["W3"].placement_type == "" and episode["W4"].legal_status == "Q9"

    run = ValidationRun.objects.get(origin=RunOrigin.IMPORT, kind="annexa")
    assert run.year == 2026  # the latest date in the lists, 10 January 2026, the future one left out
    saved = {(f.rule, f.sheet, f.line, f.la_child_id) for f in ValidationFinding.objects.filter(run=run)}
    assert saved == flags

    kpis = compute_kpis(2026)
    assert kpis["cla_at_year_end"].children == {children[i].pk for i in ("W1", "W3", "W4")}
    assert kpis["referrals"].children == {children["R1"].pk, children["R2"].pk}

    again = import_annexa_files([path])
    assert again.counts == {} and {(f.rule, f.sheet, f.line, f.la_child_id) for f in again.flags} == flags


def test_kept_children_with_blank_values_export_and_open(db, tmp_path, make_user, client_for):
    """A child kept without a date of birth, or with an episode that ceased without its reason, is exported as
    recorded (for the DfE validator to report) and their record opens."""
    from django.core.management import call_command

    from opencsc.returns.annexa.export import annexa_workbook_bytes
    from opencsc.returns.cin.export import cin_census_bytes
    from opencsc.returns.ssda903.export import ssda903_return

    _imperfect_903_set(tmp_path / "2026")
    import_903_files([tmp_path / "2026"])
    files = ssda903_return(2026).files()
    header = files["header.csv"].splitlines()
    assert "A6,M,,WBRI,,," in header  # the date of birth that was not a date is blank
    assert any(
        line.startswith("A2,01/06/2024,S,C2,N1,U6,PR1,10/01/2026,,")
        for line in files["episodes.csv"].splitlines()
    )
    cin_census_bytes(2026)
    annexa_workbook_bytes(D(2026, 3, 31))
    call_command("sweep", verbosity=0)
    page = client_for(make_user(Role.HEAD_OF_SERVICE)).get(
        f"/children/{Child.objects.get(la_child_id='A6').pk}/"
    )
    text = page.content.decode()
    assert page.status_code == 200 and "Unborn" not in text
    assert text.index("Not recorded") > text.index("Date of birth")


REFUSE_FINDINGS = {
    "sqlite": [
        "CREATE TRIGGER test_refuse_findings BEFORE INSERT ON returns_validationfinding "
        "BEGIN SELECT RAISE(ABORT, 'the worklist refuses findings'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION test_refuse_findings() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'the worklist refuses findings' USING ERRCODE = 'check_violation'; END $$",
        "CREATE TRIGGER test_refuse_findings BEFORE INSERT ON returns_validationfinding "
        "FOR EACH ROW EXECUTE FUNCTION test_refuse_findings()",
    ],
}
ALLOW_FINDINGS = {
    "sqlite": ["DROP TRIGGER test_refuse_findings"],
    "postgresql": [
        "DROP TRIGGER test_refuse_findings ON returns_validationfinding",
        "DROP FUNCTION test_refuse_findings()",
    ],
}


@pytest.fixture
def worklist_refused(db):
    """The database itself refuses every finding of the worklist, the last thing an import writes: a real
    refusal (a trigger), on SQLite and PostgreSQL alike."""
    from django.db import connection

    def run(statements):
        with connection.cursor() as cursor:
            for statement in statements[connection.vendor]:
                cursor.execute(statement)

    run(REFUSE_FINDINGS)
    yield
    run(ALLOW_FINDINGS)


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_a_903_set_the_database_refuses_leaves_nothing_of_any_of_its_files(worklist_refused, tmp_path):
    """The set is one transaction: children, episodes, reviews, workers and audit events written from its
    earlier files go with the worklist run the database refused at the end."""
    _imperfect_903_set(tmp_path / "2026")
    before = _row_counts()

    report = import_903_files([tmp_path / "2026"])

    assert _row_counts() == before
    assert not report.ok and report.files_read == [] and report.counts == {} and report.flags == []
    assert sorted(Path(p.file).name for p in report.files_refused) == [
        "episodes.csv",
        "header.csv",
        "missing.csv",
        "reviews.csv",
    ]
    assert all("nothing in the set was imported" in p.reason for p in report.files_refused)
