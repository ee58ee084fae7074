"""The exported census against the DfE rules (the real csc-validator-be-cin), the worklist and its page."""

import datetime as dt
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.people.models import Child
from opencsc.returns.cin.export import cin_census_bytes
from opencsc.returns.cin.tables import cin_tables
from opencsc.returns.cin.validate import CensusFileError, validate_cin
from opencsc.returns.models import ValidationFinding, ValidationRun
from opencsc.returns.services import validation_run_save

NOW = dt.datetime(2026, 4, 10, 9, 30)


def test_clean_data_has_no_errors(census_authority):
    result = validate_cin(cin_census_bytes(2026, now=NOW), 2026)
    assert result.errors == []
    # The only query: a return of five children uses fewer than 8 disability codes (LA-level 2887Q).
    assert [(f.rule, f.la_child_id) for f in result.queries] == [("2887Q", "")]
    assert result.notes == []


def test_earlier_censuses_pass_their_own_years_rules(census_authority):
    """2023-24 expects GenderCurrent where 2024-25 on expects Sex (returns.md §8)."""
    for year in (2024, 2025):
        assert validate_cin(cin_census_bytes(year, now=NOW), year).errors == []


def test_a_wrong_check_letter_is_an_error_against_that_child(census_authority):
    child = Child.objects.get(la_child_id="C100003")
    wrong = "A" if child.upn[0] != "A" else "B"
    Child.objects.filter(pk=child.pk).update(upn=wrong + child.upn[1:])
    result = validate_cin(cin_census_bytes(2026, now=NOW), 2026)
    assert [(f.rule, f.la_child_id) for f in result.errors] == [("1510", "C100003")]
    assert result.errors[0].fields == f"ChildIdentifiers.UPN={wrong}{child.upn[1:]}"
    assert "check letter" in result.errors[0].message


def test_a_file_for_another_year_is_refused_by_its_header(census_authority, tmp_path):
    """The validator itself takes the census period from the header whatever ruleset is run (returns.md §1.4)."""
    result = validate_cin(cin_census_bytes(2025, now=NOW), 2026)
    assert [f.rule for f in result.errors] == ["OPENCSC-YEAR"]


def test_a_file_that_is_not_xml_is_refused_with_its_line(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text("<Message>\n<Header>\n</Message>\n")
    with pytest.raises(CensusFileError, match="line 3"):
        validate_cin(path, 2026)


def test_the_tables_are_the_validators_own(census_authority):
    """Built in one pass, the tables equal what the validator's (quadratic) reader makes, review rows apart:
    the validator reads only the first date of a <Reviews> block."""
    from cin_validator.cin_validator import convert_data, process_data

    xml = cin_census_bytes(2026, now=NOW)
    ours = cin_tables(etree.fromstring(xml))
    theirs = process_data(convert_data(ET.fromstring(xml)))
    assert set(ours) == set(theirs)
    for name in ours:
        if name == "Reviews":
            assert len(ours[name]) == 2 and len(theirs[name]) == 1
            continue
        pd.testing.assert_frame_equal(
            ours[name].reset_index(drop=True), theirs[name].reset_index(drop=True), check_dtype=False
        )


def test_validate_command_prints_counts_and_exits_non_zero_on_errors(census_authority, tmp_path, capsys):
    path = tmp_path / "cin.xml"
    path.write_bytes(cin_census_bytes(2026, now=NOW))
    call_command("validate", "cin", str(path), "--year", "2026")
    out = capsys.readouterr().out
    assert "ERRORS: 0" in out and "QUERIES: 1" in out and "2887Q" in out

    Child.objects.filter(la_child_id="C100005").update(ethnicity="XXXX")
    path.write_bytes(cin_census_bytes(2026, now=NOW))
    with pytest.raises(CommandError) as raised:
        call_command("validate", "cin", str(path), "--year", "2026", "--save")
    assert raised.value.returncode == 1
    out = capsys.readouterr().out
    assert "ERRORS: 1" in out and "4220" in out and "C100005" in out
    run = ValidationRun.objects.get()
    finding = run.findings.get(severity="error")
    assert (finding.rule, finding.child.la_child_id) == ("4220", "C100005")


def test_a_saved_run_is_a_worklist_linking_each_finding_to_the_child(census_authority, make_user, client_for):
    Child.objects.filter(la_child_id="C100005").update(ethnicity="XXXX")
    result = validate_cin(cin_census_bytes(2026, now=NOW), 2026)
    analyst = make_user(Role.PERFORMANCE_ANALYST)
    run = validation_run_save(actor=analyst, result=result, source="cin-2026.xml")
    assert (run.error_count, run.query_count) == (1, 1)
    child = Child.objects.get(la_child_id="C100005")
    assert ValidationFinding.objects.get(run=run, rule="4220").child == child
    assert ValidationFinding.objects.get(run=run, rule="2887Q").child is None
    assert AuditEvent.objects.filter(verb="validate.cin", actor=analyst).count() == 1

    page = client_for(analyst).get("/returns/cin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/children/{child.pk}/"' in html and "4220" in html and "Whole return" in html
    assert client_for(make_user(Role.DIRECTOR)).get("/returns/").status_code == 200
    assert client_for(make_user(Role.HEAD_OF_SERVICE)).get("/returns/cin/?rule=4220").status_code == 200
    for role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.AUDITOR, Role.CHIEF_EXECUTIVE):
        assert client_for(make_user(role)).get("/returns/cin/").status_code == 403


def test_analysts_have_the_returns_page_in_their_navigation(make_user, client_for):
    analyst_home = client_for(make_user(Role.PERFORMANCE_ANALYST)).get("/").content.decode()
    assert 'href="/returns/"' in analyst_home
    social_worker_home = client_for(make_user(Role.SOCIAL_WORKER)).get("/").content.decode()
    assert 'href="/returns/"' not in social_worker_home
