"""Reading CIN census files back into the records: round trip, several years, idempotence, refusals."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import (
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    Section47Enquiry,
    StrategyDiscussion,
)
from opencsc.frontdoor.models import Referral
from opencsc.people.models import Child, ChildDisability
from opencsc.returns.cin.export import cin_census_bytes
from opencsc.returns.cin.importer import import_cin_files

NOW = dt.datetime(2026, 4, 10, 9, 30)
MODELS = (
    Child,
    ChildDisability,
    Referral,
    Assessment,
    ChildInNeedPlan,
    Section47Enquiry,
    ChildProtectionConference,
    ChildProtectionPlan,
)


def _empty_database() -> None:
    ChildProtectionPlan.objects.update(initial_conference=None)
    ChildProtectionConference.objects.filter(kind=ConferenceKind.REVIEW).delete()
    for model in (
        ChildProtectionPlan,
        ChildProtectionConference,
        Section47Enquiry,
        StrategyDiscussion,
        Assessment,
        ChildInNeedPlan,
        Referral,
        ChildDisability,
        AuditEvent,
        Child,
    ):
        model.objects.all().delete()


def _without_datetime(xml: bytes) -> str:
    return re.sub(r"<DateTime>[^<]*</DateTime>", "", xml.decode())


def _snapshot() -> dict:
    return {model.__name__: sorted(map(repr, model.objects.values())) for model in MODELS}


def _write(tmp_path, name: str, xml: bytes):
    path = tmp_path / name
    path.write_bytes(xml)
    return path


def test_export_import_export_gives_the_same_census(census_authority, tmp_path):
    before = cin_census_bytes(2026, now=NOW)
    path = _write(tmp_path, "cin-2026.xml", before)
    _empty_database()

    report = import_cin_files([path])
    assert report.ok, report
    assert report.counts["child created"] == 5
    assert Child.objects.count() == 5
    after = cin_census_bytes(2026, now=dt.datetime(2026, 5, 1, 12, 0))
    assert _without_datetime(after) == _without_datetime(before)
    # Imports are the system's doing: one audit event per child, no actor.
    events = AuditEvent.objects.filter(verb="import.cin")
    assert events.count() == 5 and not events.exclude(actor=None).exists()
    assert events.get(child__la_child_id="C100001").payload["year"] == 2026


def test_several_years_merge_into_one_record_whatever_the_order(census_authority, tmp_path):
    xml = {year: cin_census_bytes(year, now=NOW) for year in (2024, 2025, 2026)}
    paths = [_write(tmp_path, f"cin-{year}.xml", xml[year]) for year in (2026, 2024, 2025)]
    _empty_database()

    report = import_cin_files(paths)
    assert report.ok, report
    assert report.files_read == [str(p) for p in sorted(paths)]
    assert Child.objects.count() == 5
    carried = Child.objects.get(la_child_id="C100005")
    # The 2024-25 and 2025-26 files both carry this episode and plan: one referral, one plan.
    assert carried.referrals.count() == 1 and carried.cin_plans.count() == 1
    assert carried.assessments.get().authorised_on == dt.date(2024, 12, 18)
    assert Child.objects.get(la_child_id="C100003").referrals.count() == 2
    for year in (2024, 2025, 2026):
        assert _without_datetime(cin_census_bytes(year, now=NOW)) == _without_datetime(xml[year])


def test_importing_the_same_file_twice_changes_nothing(census_authority, tmp_path):
    path = _write(tmp_path, "cin-2026.xml", cin_census_bytes(2026, now=NOW))
    _empty_database()
    import_cin_files([path])
    held, events = _snapshot(), AuditEvent.objects.count()

    again = import_cin_files([path])
    assert again.ok and again.counts == {}
    assert _snapshot() == held
    assert AuditEvent.objects.count() == events


def test_importing_onto_the_records_it_came_from_changes_nothing(census_authority, tmp_path):
    path = _write(tmp_path, "cin-2026.xml", cin_census_bytes(2026, now=NOW))
    held = _snapshot()
    report = import_cin_files([path])
    assert report.ok and report.counts == {}
    assert _snapshot() == held


def test_a_malformed_file_is_refused_whole_with_its_line(census_authority, tmp_path, capsys):
    good = _write(tmp_path, "good.xml", cin_census_bytes(2026, now=NOW))
    text = cin_census_bytes(2026, now=NOW).decode().replace("</Sex>", "</Sexx>", 1)
    bad = _write(tmp_path, "bad.xml", text.encode())
    line = text[: text.index("</Sexx>")].count("\n") + 1
    _empty_database()

    with pytest.raises(CommandError) as raised:
        call_command("import", "cin", str(bad), str(good))
    assert raised.value.returncode == 1
    err = capsys.readouterr().err
    assert f"REFUSED {bad}, line {line}:" in err and "mismatch" in err
    # The good file was still read; nothing of the bad one was.
    assert Child.objects.count() == 5

    not_census = _write(tmp_path, "other.xml", b"<?xml version='1.0'?>\n<Root/>\n")
    report = import_cin_files([not_census])
    assert [(p.line, p.reason) for p in report.files_refused] == [
        (2, "the root element is <Root>, not <Message>")
    ]


def test_a_record_that_breaks_a_rule_is_kept_and_flagged_with_its_reason(census_authority, tmp_path):
    child = Child.objects.get(la_child_id="C100003")
    wrong = ("A" if child.upn[0] != "A" else "B") + child.upn[1:]
    text = cin_census_bytes(2026, now=NOW).decode().replace(child.upn, wrong)
    text = text.replace("<ReferralSource>5D</ReferralSource>", "<ReferralSource>ZZ</ReferralSource>")
    path = _write(tmp_path, "cin.xml", text.encode())
    _empty_database()

    report = import_cin_files([path])
    assert report.ok
    assert Child.objects.count() == 5
    flags = {f.la_child_id: f for f in report.flags}
    assert set(flags) == {"C100003", "C100005"}
    assert flags["C100003"].rule == "IMPORT-UPN" and "check letter" in flags["C100003"].reason
    assert Child.objects.get(la_child_id="C100003").upn == wrong
    assert flags["C100005"].rule == "IMPORT-CODE"
    assert flags["C100005"].reason == "ReferralSource 'ZZ' is not a code in the DfE list"
    assert flags["C100005"].line == text[: text.index("<ReferralSource>ZZ")].count("\n") + 1
    assert Referral.objects.get(source="ZZ").child.la_child_id == "C100005"


def test_a_later_census_adds_to_a_record_without_overwriting_it(census_authority, tmp_path):
    """The unborn child is born: the next census gives a birth date and a sex, which fill the record's gaps;
    the names and details recorded here stay as they are."""
    unborn = Child.objects.get(la_child_id="C100004")
    text = cin_census_bytes(2026, now=NOW).decode()
    born = text.replace(
        "<ExpectedPersonBirthDate>2026-06-01</ExpectedPersonBirthDate>\n        <Sex>U</Sex>",
        "<PersonBirthDate>2026-05-28</PersonBirthDate>\n        <Sex>M</Sex>",
    )
    assert born != text
    report = import_cin_files([_write(tmp_path, "cin.xml", born.encode())])
    assert report.ok, report
    unborn.refresh_from_db()
    assert (unborn.date_of_birth, unborn.sex, unborn.first_name) == (dt.date(2026, 5, 28), "M", "Test")
    assert report.counts == {"child updated": 1}


@pytest.mark.parametrize(
    ("found", "replaced_by", "rule", "reason", "plans"),
    [
        (
            "<CINreferralDate>2025-05-06</CINreferralDate>",
            "<CINreferralDate>2025-13-06</CINreferralDate>",
            "IMPORT-DATE",
            "CINreferralDate '2025-13-06' is not a date in the form YYYY-MM-DD",
            0,  # the referral, and the plan in it, cannot be stored without its date
        ),
        (
            "<NumberOfPreviousCPP>1</NumberOfPreviousCPP>",
            "<NumberOfPreviousCPP>one</NumberOfPreviousCPP>",
            "IMPORT-CODE",
            "NumberOfPreviousCPP 'one' is not a whole number",
            1,
        ),
        (
            "<CPPendDate>2026-02-18</CPPendDate>",
            "<CPPendDate>2025-05-22</CPPendDate>",
            "IMPORT-DATE-ORDER",
            "CPPendDate is before CPPstartDate",
            1,
        ),
        (
            "<ReferralNFA>false</ReferralNFA>",
            "<ReferralNFA>maybe</ReferralNFA>",
            "IMPORT-CODE",
            "must be true, false, 1 or 0",
            1,
        ),
    ],
)
def test_each_broken_record_is_kept_with_the_problem_flagged_at_its_line(
    census_authority, tmp_path, found, replaced_by, rule, reason, plans
):
    text = cin_census_bytes(2026, now=NOW).decode()
    assert text.index(found) < text.index("<LAchildID>C100002")  # in the first child, C100001
    broken = text.replace(found, replaced_by, 1)
    path = _write(tmp_path, "cin.xml", broken.encode())
    _empty_database()

    report = import_cin_files([path])
    assert report.ok
    flag = next(f for f in report.flags if f.rule == rule)
    assert reason in flag.reason and flag.la_child_id == "C100001"
    child_starts = broken.rfind("<Child>", 0, broken.index(replaced_by))
    child_ends = broken.index("</Child>", child_starts)
    assert broken[:child_starts].count("\n") + 1 <= flag.line <= broken[:child_ends].count("\n") + 1
    assert Child.objects.count() == 5
    assert ChildProtectionPlan.objects.filter(child__la_child_id="C100001").count() == plans


def test_a_child_with_no_id_cannot_be_stored_and_is_flagged(census_authority, tmp_path):
    text = cin_census_bytes(2026, now=NOW).decode()
    broken = text.replace("<LAchildID>C100001</LAchildID>", "<LAchildID> </LAchildID>", 1)
    _empty_database()
    report = import_cin_files([_write(tmp_path, "cin.xml", broken.encode())])
    (flag,) = report.flags
    assert (flag.rule, flag.reason) == ("IMPORT-REQUIRED", "LAchildID is missing")
    assert sorted(Child.objects.values_list("la_child_id", flat=True)) == [
        "C100002",
        "C100003",
        "C100004",
        "C100005",
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "Document is empty"),
        (b"\xff\xfe\x00 not xml", "Start tag expected"),
        (
            b"<?xml version='1.0'?>\n<Message>\n<Header><CollectionDetails><Year>2026</Year></CollectionDetails>"
            b"</Header>\n<Children>\n<Child><ChildIdentifiers><LAchildID>X1</LAchildID></ChildIdentifiers>\n"
            b"</Children>\n</Message>\n",
            "mismatch",
        ),
        (b"<?xml version='1.0'?>\n<Message>\n<Header/>\n</Message>\n", "there is no <Children> element"),
    ],
)
def test_an_unreadable_file_is_refused_whole_and_nothing_is_written(
    census_authority, tmp_path, content, reason
):
    path = _write(tmp_path, "unreadable.xml", content)
    _empty_database()
    report = import_cin_files([path, tmp_path / "missing.xml"])
    refused = {Path(p.file).name: p for p in report.files_refused}
    assert set(refused) == {"unreadable.xml", "missing.xml"}
    assert reason in refused["unreadable.xml"].reason and refused["unreadable.xml"].line
    assert "No such file" in refused["missing.xml"].reason
    assert report.files_read == [] and not Child.objects.exists()
