"""The child records built from SSD rows: the fields, the cohort window, the coercions, the schema."""

import csv
import datetime as dt

import pytest

from opencsc.dataflow.extract import ExtractUnreadable, read_ssd_extract
from opencsc.dataflow.payload import build_payloads, cohort_window
from opencsc.dataflow.schema import schema_problems
from tests.dataflow.ssd_rows import SsdTables

TODAY = dt.date(2026, 6, 15)  # the window: 1 April 2024 to 16 June 2026
D = dt.date


def test_the_window_starts_on_the_first_of_april_two_years_back_and_ends_tomorrow():
    window = cohort_window(TODAY)
    assert (window.start, window.end) == (D(2024, 4, 1), D(2026, 6, 16))
    assert cohort_window(D(2026, 3, 31)).start == D(2023, 4, 1)  # 24 months back is March 2024: FY 2023-24
    assert window.census_dates() == [D(2025, 3, 31), D(2026, 3, 31)]


def test_a_child_in_need_is_built_as_the_specification_has_it():
    ssd = SsdTables()
    ava = ssd.person(dob=D(2015, 5, 2), legacy_id="MOSAIC-77", upn="A825000000011")
    ssd.disability(ava, "hand")
    ssd.disability(ava, "VIS")
    ssd.address(ava, postcode="AB1 1AA", start=D(2019, 1, 1))
    ssd.address(ava, postcode="AB2 2BB", start=D(2025, 1, 1))
    referral = ssd.referral(ava, on=D(2025, 2, 3), source="5A Police")
    assessment = ssd.assessment(
        ava, referral, start=D(2025, 2, 4), authorised=D(2025, 3, 20), factors=["1A", "21"]
    )
    plan = ssd.cin_plan(ava, referral, start=D(2025, 3, 21))
    ssd.worker(referral, start=D(2025, 2, 3), registration="SW0042")

    record = build_payloads(ssd.tables, today=TODAY)[ava]

    assert record == {
        "la_child_id": ava,
        "mis_child_id": "MOSAIC-77",
        "purge": False,
        "child_details": {
            "unique_pupil_number": "A825000000011",
            "first_name": "Ava",
            "surname": "Example",
            "date_of_birth": "2015-05-02",
            "sex": "F",
            "ethnicity": "WBRI",
            "disabilities": ["HAND", "VIS"],
            "postcode": "AB2 2BB",
            "uasc_flag": False,
            "purge": False,
        },
        "social_care_episodes": [
            {
                "social_care_episode_id": referral,
                "referral_date": "2025-02-03",
                "referral_source": "5A",
                "referral_no_further_action_flag": False,
                "child_and_family_assessments": [
                    {
                        "child_and_family_assessment_id": assessment,
                        "start_date": "2025-02-04",
                        "authorisation_date": "2025-03-20",
                        "factors": ["1A", "21"],
                        "purge": False,
                    }
                ],
                "child_in_need_plans": [
                    {"child_in_need_plan_id": plan, "start_date": "2025-03-21", "purge": False}
                ],
                "section_47_assessments": [],
                "child_protection_plans": [],
                "child_looked_after_placements": [],
                "care_worker_details": [{"worker_id": "SW0042", "start_date": "2025-02-03"}],
                "purge": False,
            }
        ],
    }
    assert schema_problems(record) == []


def test_a_looked_after_child_carries_protection_care_adoption_health_and_leaving_care():
    ssd = SsdTables()
    ben = ssd.person(dob=D(2009, 8, 30), sex="M", upn="UN2")
    ssd.uasc(ben, end=D(2027, 8, 30))
    ssd.sdq(ben, on=D(2025, 9, 1), score="14")
    ssd.sdq(ben, on=D(2023, 9, 1), score="20")  # before the window: left out
    referral = ssd.referral(ben, on=D(2024, 11, 1), source="10 anonymous")
    enquiry = ssd.section_47(
        ben, referral, start=D(2024, 11, 2), end=D(2024, 11, 20), conference=D(2024, 11, 21)
    )
    cp_plan = ssd.cp_plan(ben, referral, start=D(2024, 11, 21), end=D(2025, 1, 10))
    cla, placement = ssd.looked_after(
        ben, referral, start=D(2025, 1, 10), placement_type="U4 foster", ceased=" E 1 3", end=D(2026, 1, 5)
    )
    ssd.permanence(ben, cla, decided=D(2025, 5, 1), matched=D(2025, 10, 1))
    ssd.care_leaver(ben, contact=D(2026, 5, 1))

    record = build_payloads(ssd.tables, today=TODAY)[ben]

    details = record["child_details"]
    assert details["unique_pupil_number_unknown_reason"] == "UN2"
    assert (details["uasc_flag"], details["uasc_end_date"]) == (True, "2027-08-30")
    assert details["disabilities"] == ["NONE"]
    assert record["health_and_wellbeing"] == {
        "sdq_assessments": [{"date": "2025-09-01", "score": 14}],
        "purge": False,
    }
    (episode,) = record["social_care_episodes"]
    assert episode["referral_source"] == "10"
    assert episode["section_47_assessments"] == [
        {
            "section_47_assessment_id": enquiry,
            "start_date": "2024-11-02",
            "icpc_required_flag": True,
            "icpc_date": "2024-11-21",
            "end_date": "2024-11-20",
            "purge": False,
        }
    ]
    assert [p["child_protection_plan_id"] for p in episode["child_protection_plans"]] == [cp_plan]
    assert episode["child_looked_after_placements"] == [
        {
            "child_looked_after_placement_id": placement,
            "start_date": "2025-01-10",
            "start_reason": "S",
            "postcode": "AB1 2CD",
            "placement_type": "U4",
            "end_date": "2026-01-05",
            "end_reason": "E1",
            "purge": False,
        }
    ]
    assert episode["adoption"] == {
        "initial_decision_date": "2025-05-01",
        "matched_date": "2025-10-01",
        "purge": False,
    }
    assert episode["care_leavers"] == {
        "contact_date": "2026-05-01",
        "activity": "F2",
        "accommodation": "S",
        "purge": False,
    }
    assert episode["care_worker_details"] == []  # workers only on a referral with a child in need plan
    assert schema_problems(record) == []


def test_the_cohort_keeps_children_under_26_with_work_in_the_window():
    ssd = SsdTables()
    aged_out = ssd.person(dob=D(1998, 3, 31))  # 26 on 31 March 2024, before the window
    ssd.referral(aged_out, on=D(2025, 1, 1))
    closed_long_ago = ssd.person(dob=D(2012, 1, 1))
    ssd.referral(closed_long_ago, on=D(2022, 1, 1), closed=D(2023, 1, 1), reason="RC1")
    plan_only = ssd.person(dob=D(2012, 1, 1))
    old = ssd.referral(plan_only, on=D(2022, 1, 1), closed=D(2023, 1, 1), reason="RC1")
    ssd.cp_plan(plan_only, old, start=D(2022, 2, 1))  # still open: the child is in the cohort
    unborn = ssd.person(dob=None, expected_dob=D(2026, 8, 1))
    ssd.referral(unborn, on=D(2026, 5, 1))
    unborn_later = ssd.person(dob=None, expected_dob=D(2026, 9, 1))
    ssd.referral(unborn_later, on=D(2026, 5, 1))
    ssd.person(dob=D(2014, 1, 1))  # no work at all: not in the cohort

    cohort = build_payloads(ssd.tables, today=TODAY)

    assert set(cohort) == {plan_only}
    assert cohort[plan_only]["social_care_episodes"] == []  # its referral is outside the window


def test_unborn_children_expected_in_the_window_are_in_the_cohort():
    ssd = SsdTables()
    unborn = ssd.person(dob=None, expected_dob=D(2026, 6, 1))
    ssd.referral(unborn, on=D(2026, 4, 1))
    record = build_payloads(ssd.tables, today=TODAY)[unborn]
    assert record["child_details"]["expected_date_of_birth"] == "2026-06-01"
    assert "date_of_birth" not in record["child_details"]


@pytest.mark.parametrize(
    ("field", "given", "expected"),
    [
        ("sex", "X", "U"),
        ("sex", None, "U"),
        ("ethnicity", "WBRI White British", "WBRI"),
        ("source", "1A", "1A"),
        ("source", "3F school nurse", "3F"),
        ("source", "4", "4"),
        ("source", "Z9", None),
        ("source", "3G", None),
        ("nfa", "TRUE", True),
        ("nfa", "0", False),
        ("nfa", "maybe", None),
    ],
)
def test_codes_are_coerced_as_the_tool_coerces_them(field, given, expected):
    ssd = SsdTables()
    person = ssd.person(dob=D(2016, 1, 1), **({field: given} if field in ("sex", "ethnicity") else {}))
    ssd.referral(person, on=D(2025, 1, 1), **({field: given} if field in ("source", "nfa") else {}))
    record = build_payloads(ssd.tables, today=TODAY)[person]
    episode = record["social_care_episodes"][0]
    found = {
        "sex": record["child_details"].get("sex"),
        "ethnicity": record["child_details"].get("ethnicity"),
        "source": episode.get("referral_source"),
        "nfa": episode.get("referral_no_further_action_flag"),
    }[field]
    assert found == expected


def test_at_most_twelve_disability_codes_are_sent():
    ssd = SsdTables()
    person = ssd.person(dob=D(2016, 1, 1))
    for code in [f"D{n:02}" for n in range(15)] + ["d00"]:
        ssd.disability(person, code)
    ssd.referral(person, on=D(2025, 1, 1))
    disabilities = build_payloads(ssd.tables, today=TODAY)[person]["child_details"]["disabilities"]
    assert disabilities == [f"D{n:02}" for n in range(12)]


def test_workers_are_those_of_role_cw_registered_and_active_on_a_census_day():
    ssd = SsdTables()
    person = ssd.person(dob=D(2016, 1, 1))
    referral = ssd.referral(person, on=D(2025, 1, 1))
    ssd.cin_plan(person, referral, start=D(2025, 2, 1))
    ssd.worker(referral, start=D(2025, 1, 1), end=D(2025, 3, 30), registration="SW1")  # gone before 31 March
    ssd.worker(referral, start=D(2025, 1, 1), registration="SW2", role="TM")  # not the case worker
    ssd.worker(referral, start=D(2025, 1, 1), registration=None)  # no registration number
    ssd.worker(referral, start=D(2025, 3, 1), end=D(2025, 4, 30), registration="SW3")
    ssd.worker(referral, start=D(2026, 1, 1), registration="SW4")
    workers = build_payloads(ssd.tables, today=TODAY)[person]["social_care_episodes"][0][
        "care_worker_details"
    ]
    assert workers == [
        {"worker_id": "SW4", "start_date": "2026-01-01"},
        {"worker_id": "SW3", "start_date": "2025-03-01", "end_date": "2025-04-30"},
    ]


def test_the_schema_names_the_field_and_the_rule_but_not_the_value():
    ssd = SsdTables()
    person = ssd.person(dob=D(2016, 1, 1))
    ssd.address(person, postcode="NOT A POSTCODE AT ALL", start=D(2020, 1, 1))
    ssd.referral(person, on=D(2025, 1, 1))
    record = build_payloads(ssd.tables, today=TODAY)[person]
    assert schema_problems(record) == ["child_details/postcode: longer than 8 characters"]
    record["social_care_episodes"][0]["referral_date"] = "1 Jan 2025"
    assert "social_care_episodes/0/referral_date: not in the form YYYY-MM-DD" in schema_problems(record)
    record["social_care_episodes"][0]["referral_date"] = "2025-02-30"
    assert "social_care_episodes/0/referral_date: not a valid date" in schema_problems(record)
    assert not any("NOT A POSTCODE" in problem for problem in schema_problems(record))


def _write_extract(tables: dict, folder) -> None:
    for table, rows in tables.items():
        columns = sorted({column for row in rows for column in row})
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)


def test_an_ssd_extract_in_csv_files_builds_the_same_records(tmp_path):
    ssd = SsdTables()
    person = ssd.person(dob=D(2010, 2, 3), legacy_id="L1")
    referral = ssd.referral(person, on=D(2025, 1, 1))
    ssd.assessment(person, referral, start=D(2025, 1, 2), authorised=D(2025, 2, 1))
    ssd.section_47(person, referral, start=D(2025, 1, 3), conference=D(2025, 1, 20))
    ssd.looked_after(person, referral, start=D(2025, 3, 1))
    _write_extract(ssd.tables, tmp_path)
    assert build_payloads(read_ssd_extract(tmp_path), today=TODAY) == build_payloads(ssd.tables, today=TODAY)


def test_an_extract_without_its_people_is_refused(tmp_path):
    with pytest.raises(ExtractUnreadable, match="no ssd_person.csv"):
        read_ssd_extract(tmp_path)
    (tmp_path / "ssd_person.csv").write_bytes(b"pers_person_id\n\xff\xfe\n")
    with pytest.raises(ExtractUnreadable, match="ssd_person.csv: not a readable CSV file"):
        read_ssd_extract(tmp_path)


def test_without_a_pers_upn_column_the_common_child_id_is_the_upn():
    ssd = SsdTables()
    person = ssd.person(dob=D(2016, 1, 1), upn="A825000000011")
    ssd.referral(person, on=D(2025, 1, 1))
    row = ssd.tables["ssd_person"][0]
    row["pers_common_child_id"] = row.pop("pers_upn")
    assert (
        build_payloads(ssd.tables, today=TODAY)[person]["child_details"]["unique_pupil_number"]
        == "A825000000011"
    )
