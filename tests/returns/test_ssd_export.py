"""The SSD export of a generated authority: every table with the spec's columns, rows that refer to each other,
a fixed number of queries, and `opencsc export ssd --out DIR` writing one CSV a table and logging the export."""

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.people.models import Child
from opencsc.returns.ssd.export import ssd_tables
from opencsc.returns.ssd.tables import TABLES, columns

TODAY = dt.date(2026, 5, 12)
pytestmark = pytest.mark.django_db


@pytest.fixture
def authority():
    with time_machine.travel(dt.datetime(2026, 5, 12, 9, 0), tick=False):
        call_command("generate", children=150, seed=5, today=TODAY, verbosity=0)
        yield


def test_every_table_has_the_spec_columns_and_its_rows_refer_to_rows_that_exist(authority):
    tables = ssd_tables()
    assert set(tables) == set(TABLES)
    for name, rows in tables.items():
        for row in rows:
            assert tuple(row) == columns(name), name
    people = {row["pers_person_id"] for row in tables["ssd_person"]}
    assert len(people) == Child.objects.count()
    referrals = {row["cine_referral_id"] for row in tables["ssd_cin_episodes"]}
    assert len(referrals) == len(tables["ssd_cin_episodes"])
    for row in tables["ssd_cin_assessments"]:
        assert row["cina_person_id"] in people
        assert row["cina_referral_id"] in referrals | {""}
    plans = {row["cppl_cp_plan_id"] for row in tables["ssd_cp_plans"]}
    assert tables["ssd_cp_reviews"], "the generated authority holds CP reviews"
    assert {row["cppr_cp_plan_id"] for row in tables["ssd_cp_reviews"]} <= plans
    placements = {row["clap_cla_placement_id"] for row in tables["ssd_cla_placement"]}
    assert {row["clae_cla_placement_id"] for row in tables["ssd_cla_episodes"]} == placements
    professionals = {row["prof_professional_id"] for row in tables["ssd_professionals"]}
    assert {row["invo_professional_id"] for row in tables["ssd_involvements"]} <= professionals
    departments = {row["dept_team_id"] for row in tables["ssd_department"]}
    assert {row["invo_professional_team"] for row in tables["ssd_involvements"]} <= departments
    outcome = json.loads(tables["ssd_cin_episodes"][0]["cine_referral_outcome_json"])
    assert set(outcome) >= {"SINGLE_ASSESSMENT_FLAG", "NFA_FLAG", "STRATEGY_DISCUSSION_FLAG"}


def test_the_queries_do_not_grow_with_the_children(authority):
    with CaptureQueriesContext(connection) as small:
        ssd_tables()
    with time_machine.travel(dt.datetime(2026, 5, 12, 9, 0), tick=False):
        call_command("generate", children=300, seed=6, today=TODAY, replace=True, verbosity=0)
    assert Child.objects.count() > 250
    with CaptureQueriesContext(connection) as large:
        ssd_tables()
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_command_writes_one_csv_a_table_and_logs_the_export_on_each_record(authority, tmp_path):
    out = io.StringIO()
    call_command("export", "ssd", out=tmp_path / "ssd", stdout=out)
    assert "Wrote the Standard Safeguarding Dataset" in out.getvalue()
    written = sorted(path.name for path in (tmp_path / "ssd").iterdir())
    assert written == sorted(f"{name}.csv" for name in TABLES)
    with open(tmp_path / "ssd" / "ssd_person.csv", newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        assert tuple(next(reader)) == columns("ssd_person")
        assert sum(1 for _ in reader) == Child.objects.count()
    assert RecordAccess.objects.filter(kind=AccessKind.EXPORT).count() == Child.objects.count()
