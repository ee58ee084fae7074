"""The import framework (opencsc/returns/importing.py, ADR 0023): set-based writes whose number of statements does
not grow with the children, a second import that writes nothing, a bulk write the database refuses mapped again
record by record so that only the refused row is left out, and progress reported as the children are read."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import Allocation
from opencsc.looked_after.models import CareReview, Episode
from opencsc.people.models import Child
from opencsc.returns.ssda903.importer import import_903_files
from tests.returns.builders import annexa_workbook, cin_census, ssda903_set

NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _may_11_2026():
    with time_machine.travel(NOW, tick=False):
        yield


class _Statements:
    def __init__(self):
        self.all: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.all.append(sql)
        return execute(sql, params, many, context)

    @property
    def writes(self) -> list[str]:
        return [sql for sql in self.all if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def _import_counting(paths, **options):
    statements = _Statements()
    with connection.execute_wrapper(statements):
        report = import_903_files(paths, **options)
    return report, statements


def test_the_statements_an_import_runs_do_not_grow_with_its_children(db, tmp_path):
    few, _ = _import_counting([ssda903_set(tmp_path / "few", 3)])
    many_report, many = _import_counting([ssda903_set(tmp_path / "many", 60, prefix="G")])
    _, few_statements = _import_counting([ssda903_set(tmp_path / "few-again", 3, prefix="H")])

    assert few.ok and many_report.ok and many_report.counts["child created"] == 60
    assert many_report.counts["care review created"] == 120 and many_report.counts["allocation created"] == 60
    assert Child.objects.count() == 66 and CareReview.objects.count() == 132
    assert AuditEvent.objects.filter(verb="import.903").count() == 3 + 60 + 3
    # 60 children take the statements 3 do (about twenty a child before): reads, then one insert a table
    assert len(many.all) <= len(few_statements.all) + 2 < 60


def test_importing_the_same_set_again_writes_nothing(db, tmp_path):
    folder = ssda903_set(tmp_path / "2026", 20)
    first, _ = _import_counting([folder])
    counts = {model: model.objects.count() for model in (Child, Episode, CareReview, Allocation, AuditEvent)}

    again, statements = _import_counting([folder])

    assert first.ok and first.counts["child created"] == 20
    assert again.ok and again.counts == {} and again.flags == []
    assert statements.writes == []
    assert {model: model.objects.count() for model in counts} == counts


def test_a_row_the_database_refuses_in_the_bulk_write_is_left_out_and_flagged_alone(db, tmp_path):
    """Two open social worker episodes for one child: the second breaks one_open_allocation_per_child, which only
    the database checks. The set's bulk write is refused, the set is written again record by record, and only
    that row is left out, flagged once with the database's reason; every child and every other row is kept."""
    folder = ssda903_set(tmp_path / "2026", 4, sw_rows=["F00001,02/02/2014,SW9,01/03/2025,,MANAGE"])

    report = import_903_files([folder])

    assert report.ok and report.counts["child created"] == 4
    refused = [(f.rule, Path(f.file).name, f.line, f.la_child_id) for f in report.flags]
    assert refused == [("IMPORT-NOT-STORED", "sw_episodes.csv", 6, "F00001")]
    assert "the database refused it" in report.flags[0].reason and "not stored" in report.flags[0].reason
    assert Child.objects.count() == 4 and Episode.objects.count() == 4 and CareReview.objects.count() == 8
    assert Allocation.objects.count() == 4
    assert list(
        Allocation.objects.filter(child__la_child_id="F00001").values_list("worker__username", flat=True)
    ) == ["sw1"]
    assert report.counts["allocation created"] == 4  # the refused one is not counted
    assert AuditEvent.objects.filter(verb="import.903").count() == 4


def test_progress_is_reported_as_the_children_are_read(db, tmp_path):
    seen: list[tuple[int, int, str]] = []

    import_903_files([ssda903_set(tmp_path / "2026", 45)], progress=lambda *step: seen.append(step))

    assert seen[-1] == (45, 45, "children")
    assert [done for done, _, _ in seen] == sorted({done for done, _, _ in seen}) and len(seen) >= 10


def _import_cin_counting(paths):
    from opencsc.returns.cin.importer import import_cin_files

    statements = _Statements()
    with connection.execute_wrapper(statements):
        report = import_cin_files(paths)
    return report, statements


def test_a_census_is_written_together_with_plans_and_conferences_linked(db, tmp_path):
    from opencsc.casework.models import ChildProtectionConference, ChildProtectionPlan, ConferenceKind

    _, few = _import_cin_counting([cin_census(tmp_path / "few.xml", 3, prefix="K")])
    many_report, many = _import_cin_counting([cin_census(tmp_path / "many.xml", 40, prefix="L")])
    _, few_again = _import_cin_counting([cin_census(tmp_path / "few-again.xml", 3, prefix="M")])

    assert many_report.ok and many_report.flags == [] and many_report.counts["child created"] == 40
    assert many_report.counts["child protection plan created"] == 40
    assert len(many.all) <= len(few_again.all) + 2 < 40
    plans = ChildProtectionPlan.objects.filter(child__la_child_id__startswith="L").select_related(
        "initial_conference", "referral"
    )
    for plan in plans:
        assert plan.initial_conference.child_id == plan.child_id == plan.referral.child_id
        assert plan.initial_conference.kind == ConferenceKind.INITIAL
        assert plan.initial_conference.section_47.child_id == plan.child_id
        review = ChildProtectionConference.objects.get(child=plan.child, kind=ConferenceKind.REVIEW)
        assert review.plan_id == plan.pk and review.held_on == dt.date(2025, 8, 20)
    assert len(plans) == 40


def test_a_census_imported_again_writes_nothing(db, tmp_path):
    from opencsc.frontdoor.models import Referral

    path = cin_census(tmp_path / "census.xml", 12)
    first, _ = _import_cin_counting([path])
    counts = {model: model.objects.count() for model in (Child, Referral, AuditEvent)}

    again, statements = _import_cin_counting([path])

    assert first.ok and first.counts["child created"] == 12 and first.counts["disability added"] == 12
    assert again.ok and again.counts == {} and again.flags == []
    assert statements.writes == []
    assert {model: model.objects.count() for model in counts} == counts


def _import_annexa_counting(paths, **options):
    from opencsc.returns.annexa.importer import import_annexa_files

    statements = _Statements()
    with connection.execute_wrapper(statements):
        report = import_annexa_files(paths, **options)
    return report, statements


def test_an_annex_a_workbook_is_written_together_with_its_lists_linked(db, tmp_path):
    from opencsc.casework.models import ChildProtectionConference, ChildProtectionPlan, ConferenceKind
    from opencsc.frontdoor.models import Contact, Referral

    _, few = _import_annexa_counting([annexa_workbook(tmp_path / "few.xlsx", 3, prefix="P")])
    many_report, many = _import_annexa_counting([annexa_workbook(tmp_path / "many.xlsx", 40, prefix="Q")])
    _, few_again = _import_annexa_counting([annexa_workbook(tmp_path / "few-again.xlsx", 3, prefix="R")])

    assert many_report.ok and many_report.flags == [] and many_report.counts["child created"] == 40
    assert many_report.counts["contact created"] == 40 and many_report.counts["episode created"] == 28
    # 40 children take the statements 3 do (eight a row before): reads, then one insert a table
    assert len(many.all) <= len(few_again.all) + 2 < 40
    plans = ChildProtectionPlan.objects.filter(child__la_child_id__startswith="Q").select_related(
        "initial_conference__section_47", "referral"
    )
    for plan in plans:
        assert plan.initial_conference.child_id == plan.child_id == plan.referral.child_id
        assert plan.initial_conference.section_47.child_id == plan.child_id
        review = ChildProtectionConference.objects.get(child=plan.child, kind=ConferenceKind.REVIEW)
        assert review.plan_id == plan.pk and review.held_on == dt.date(2026, 3, 15)
    assert len(plans) == 40
    # A contact made the day of a referral is that referral's, named by its key once written
    for referral in Referral.objects.filter(child__la_child_id__startswith="Q").select_related("contact"):
        assert referral.contact.reference == f"AA25-{referral.contact.pk:06d}"
        assert referral.contact.subjects.get().child_id == referral.child_id
    assert Contact.objects.count() == 46
    assert AuditEvent.objects.filter(verb="import.annexa", child__la_child_id="Q00000").count() == 7


def test_an_annex_a_workbook_imported_again_writes_nothing(db, tmp_path):
    from opencsc.frontdoor.models import Contact, Referral

    path = annexa_workbook(tmp_path / "annexa.xlsx", 12)
    seen: list[tuple[int, int, str]] = []
    first, _ = _import_annexa_counting([path], progress=lambda *step: seen.append(step))
    counts = {model: model.objects.count() for model in (Child, Referral, Contact, Episode, AuditEvent)}

    again, statements = _import_annexa_counting([path])

    assert first.ok and first.counts["child created"] == 12 and first.flags == []
    assert seen[-1] == (76, 76, "rows")  # six lists a child, list 8 for every third
    assert again.ok and again.counts == {} and again.flags == []
    assert statements.writes == []
    assert {model: model.objects.count() for model in counts} == counts
