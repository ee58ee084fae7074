"""The generated authority's court work tells the same story as its SSDA903 episodes: every C1 spell has its
proceedings and interim care order, final orders match the legal status or reason that followed, open
proceedings belong to children still on C1, every court event has the chronology line the legal services would
write for it (the same wording functions) and the same seed gives the same proceedings."""

import datetime as dt

import pytest
from django.core.management import call_command

from opencsc.casework.models import ChronologyEntry
from opencsc.legal import chronology_lines as lines
from opencsc.legal.clocks import timetable_week
from opencsc.legal.models import (
    CareProceedings,
    CourtOrder,
    Hearing,
    LegalGatewayMeeting,
    OrderKind,
    PreProceedings,
    TimetableExtension,
)
from opencsc.looked_after.models import Episode
from opencsc.synthetic.generator import clear_generated_data

TODAY = dt.date(2026, 5, 12)
pytestmark = pytest.mark.django_db


def _court_story() -> list[tuple]:
    return list(
        CareProceedings.objects.order_by("child__la_child_id", "issued_on").values_list(
            "child__la_child_id", "issued_on", "concluded_on", "case_number"
        )
    )


def _lines_the_services_would_write() -> set[tuple]:
    events = [lines.gateway_held(meeting) for meeting in LegalGatewayMeeting.objects.select_related("child")]
    for pre in PreProceedings.objects.select_related("child"):
        events += [lines.letter_sent(pre)] if pre.letter_sent_on else []
        events += [lines.meeting_held(pre)] if pre.meeting_held_on else []
        events += [lines.pre_proceedings_ended(pre)] if pre.ended_on else []
    for case in CareProceedings.objects.select_related("child"):
        events.append(lines.proceedings_issued(case))
        if case.concluded_on:
            events.append(
                lines.proceedings_concluded(case, timetable_week(case.issued_on, case.concluded_on))
            )
    extensions = TimetableExtension.objects.select_related("proceedings__child")
    events += [lines.timetable_extended(extension) for extension in extensions]
    hearings = Hearing.objects.filter(outcome_recorded_on__isnull=False).select_related("proceedings__child")
    events += [lines.hearing_outcome(hearing) for hearing in hearings]
    events += [lines.order_made(order) for order in CourtOrder.objects.select_related("child")]
    return {
        (line.child.pk, line.source_key, line.occurred_on, line.category, line.summary, line.is_significant)
        for line in events
    }


def _generated_legal_lines() -> set[tuple]:
    entries = ChronologyEntry.objects.filter(
        source_key__regex=r"^(legal-gateway|pre-proceedings|proceedings|court-order)-\d"
    )
    rows = entries.values_list(
        "child_id", "source_key", "occurred_on", "category", "summary", "is_significant"
    )
    found = list(rows)
    assert len(found) == len(set(found))
    return set(found)


def test_generated_proceedings_follow_the_episodes_and_the_seed():
    call_command("generate", children=1000, seed=11, today=TODAY, verbosity=0)
    proceedings = CareProceedings.objects.all()
    assert proceedings.count() >= 10
    for case in proceedings.prefetch_related("orders"):
        interim = [o for o in case.orders.all() if o.kind == OrderKind.INTERIM_CARE]
        assert len(interim) == 1
        assert Episode.objects.filter(
            child=case.child, legal_status="C1", started_on=interim[0].made_on
        ).exists()
        assert case.issued_on <= interim[0].made_on
        assert case.child.date_of_birth is None or case.issued_on >= case.child.date_of_birth
        finals = {o.kind for o in case.orders.all()} - {OrderKind.INTERIM_CARE}
        if OrderKind.CARE in finals:
            assert Episode.objects.filter(
                child=case.child, legal_status__in=["C2", "E1"], started_on=case.concluded_on
            ).exists()
        if case.concluded_on is None:
            now = Episode.objects.get(child=case.child, ended_on__isnull=True)
            assert now.legal_status == "C1"
            assert Hearing.objects.filter(
                proceedings=case, listed_for__gt=TODAY
            ).exists()  # the next one listed
    assert CourtOrder.objects.filter(kind=OrderKind.PLACEMENT).exists()
    assert LegalGatewayMeeting.objects.exists()
    expected = _lines_the_services_would_write()
    assert len(expected) > 50 and _generated_legal_lines() == expected
    assert {key.split("-")[0] for _, key, *_ in expected} >= {"legal", "pre", "proceedings", "court"}
    story = _court_story()
    clear_generated_data()
    assert not CareProceedings.objects.exists()
    call_command("generate", children=1000, seed=11, today=TODAY, verbosity=0)
    assert _court_story() == story
