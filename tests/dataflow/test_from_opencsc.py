"""The production path: OpenCSC's own records, through its SSD export, to the receiver. A generated authority's
records all conform to the schema, and `opencsc dataflow send` posts exactly what the builder makes of them."""

import datetime as dt

import jsonschema
import pytest
import time_machine
from django.core.management import call_command

from opencsc.dataflow.payload import build_payloads
from opencsc.dataflow.schema import schema_problems
from opencsc.returns.ssd.export import ssd_tables
from tests.dataflow.test_sending import SCHEMA

TODAY = dt.date(2026, 5, 12)
pytestmark = pytest.mark.django_db


@pytest.fixture
def authority():
    with time_machine.travel(dt.datetime(2026, 5, 12, 9, 0), tick=False):
        call_command("generate", children=150, seed=5, today=TODAY, verbosity=0)
        yield


def test_a_generated_authority_is_sent_whole_and_every_record_conforms(authority, receiver):
    expected = build_payloads(ssd_tables(), today=TODAY)
    assert len(expected) > 30  # those with work in the window
    episodes = [episode for record in expected.values() for episode in record.get("social_care_episodes", [])]
    for block in ("child_and_family_assessments", "child_in_need_plans", "child_protection_plans"):
        assert any(episode[block] for episode in episodes), block
    assert all(schema_problems(record) == [] for record in expected.values())

    call_command("dataflow", "send", "--full")

    received = {record["la_child_id"]: record for record in receiver.records}
    assert received == expected
    for record in received.values():
        jsonschema.validate(record, SCHEMA)
    call_command("dataflow", "send", "--changes")
    assert len(receiver.records) == len(expected)  # nothing changed, nothing more sent
