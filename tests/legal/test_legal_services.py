"""The rules of pre-proceedings, care proceedings and orders: each impossible step refused on its field with
nothing written, and a looked-after child's legal status following the orders (the SSDA903 episodes).

Today is frozen at Monday 11 May 2026 (tests/legal/conftest.py).
"""

import datetime as dt
from functools import partial

import pytest

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ChronologyEntry
from opencsc.legal import services
from opencsc.legal.models import (
    CareProceedings,
    CourtOrder,
    Hearing,
    LegalGatewayMeeting,
    PreProceedings,
    PreProceedingsOutcome,
    TimetableExtension,
)
from opencsc.looked_after.models import Episode
from tests.factories import assert_refused

pytestmark = pytest.mark.django_db
D = dt.date
ROW_MODELS = (
    LegalGatewayMeeting,
    PreProceedings,
    CareProceedings,
    TimetableExtension,
    Hearing,
    CourtOrder,
    Episode,
    AuditEvent,
    ChronologyEntry,
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


_refused = partial(assert_refused, counts=_counts)

PLO_START = D(2026, 2, 2)
ISSUED = D(2026, 3, 2)


def _pre_proceedings(worker, child, on=PLO_START) -> PreProceedings:
    services.gateway_meeting_record(actor=worker, child=child, held_on=on, decision="pre_proceedings")
    return PreProceedings.objects.get(child=child, ended_on__isnull=True)


def _issue(worker, child, on=ISSUED) -> CareProceedings:
    return services.proceedings_issue(actor=worker, child=child, issued_on=on, case_number="ZW26C00123")


def test_pre_proceedings_run_from_the_gateway_to_the_issue_of_proceedings(worker, child):
    pre = _pre_proceedings(worker, child)
    services.pre_proceedings_letter_record(actor=worker, child=child, sent_on=D(2026, 2, 5))
    services.pre_proceedings_meeting_record(actor=worker, child=child, held_on=D(2026, 2, 16))
    proceedings = _issue(worker, child)
    pre.refresh_from_db()
    assert (pre.ended_on, pre.outcome) == (D(2026, 3, 2), PreProceedingsOutcome.PROCEEDINGS)
    assert proceedings.gateway == pre.gateway
    lines = list(
        ChronologyEntry.objects.filter(child=child, occurred_on__range=(D(2026, 1, 1), D(2026, 4, 1)))
        .order_by("occurred_on", "pk")
        .values_list("summary", flat=True)
    )
    assert lines == [
        "Legal gateway meeting: start pre-proceedings (letter before proceedings)",
        "Letter before proceedings sent",
        "Pre-proceedings meeting held",
        "Pre-proceedings ended: care proceedings issued",
        "Care proceedings issued (case ZW26C00123)",
    ]


def test_impossible_pre_proceedings_steps_are_refused_and_write_nothing(worker, child):
    _refused(
        lambda: services.gateway_meeting_record(
            actor=worker, child=child, held_on=D(2026, 5, 12), decision="issue"
        ),
        "held_on",
        "must be today or in the past",
    )
    _refused(
        lambda: services.gateway_meeting_record(
            actor=worker, child=child, held_on=D(2026, 2, 2), decision="x"
        ),
        "decision",
        "Select the decision",
    )
    _refused(
        lambda: services.pre_proceedings_letter_record(actor=worker, child=child, sent_on=D(2026, 2, 5)),
        "sent_on",
        "is not in pre-proceedings",
    )
    _pre_proceedings(worker, child)
    _refused(
        lambda: services.gateway_meeting_record(
            actor=worker, child=child, held_on=D(2026, 2, 9), decision="pre_proceedings"
        ),
        "decision",
        "has been in pre-proceedings since 2 February 2026",
    )
    _refused(
        lambda: services.pre_proceedings_letter_record(actor=worker, child=child, sent_on=D(2026, 1, 30)),
        "sent_on",
        "must be on or after 2 February 2026",
    )
    _refused(
        lambda: services.pre_proceedings_meeting_record(actor=worker, child=child, held_on=D(2026, 2, 16)),
        "held_on",
        "Record the letter before proceedings first",
    )
    services.pre_proceedings_letter_record(actor=worker, child=child, sent_on=D(2026, 2, 5))
    _refused(
        lambda: services.pre_proceedings_letter_record(actor=worker, child=child, sent_on=D(2026, 2, 6)),
        "sent_on",
        "was sent on 5 February 2026",
    )
    _refused(
        lambda: services.pre_proceedings_meeting_record(actor=worker, child=child, held_on=D(2026, 2, 4)),
        "held_on",
        "must be on or after 5 February 2026",
    )
    _refused(
        lambda: services.pre_proceedings_end(
            actor=worker, child=child, ended_on=D(2026, 4, 1), outcome="proceedings"
        ),
        "outcome",
        "record the issue instead",
    )


def test_proceedings_rules_refuse_on_the_field(worker, child):
    _issue(worker, child)
    _refused(lambda: _issue(worker, child, D(2026, 4, 1)), "issued_on", "are open (issued 2 March 2026)")
    extend = services.proceedings_extend
    _refused(
        lambda: extend(
            actor=worker, child=child, granted_on=D(2026, 5, 1), weeks=9, reason="Expert report late"
        ),
        "weeks",
        "from 1 to 8",
    )
    _refused(
        lambda: extend(actor=worker, child=child, granted_on=D(2026, 5, 1), weeks=8, reason="  "),
        "reason",
        "Enter the court's reasons",
    )
    _refused(
        lambda: extend(actor=worker, child=child, granted_on=D(2026, 2, 1), weeks=8, reason="Late"),
        "granted_on",
        "must be on or after 2 March 2026",
    )
    hearing = services.hearing_list(actor=worker, child=child, kind="irh", listed_for=D(2026, 6, 15))
    _refused(
        lambda: services.hearing_list(actor=worker, child=child, kind="irh", listed_for=D(2026, 6, 15)),
        "listed_for",
        "already listed for 15 June 2026",
    )
    _refused(
        lambda: services.hearing_outcome_record(actor=worker, child=child, hearing=hearing, outcome="Agreed"),
        "outcome",
        "listed for 15 June 2026: record its outcome from that day",
    )
    _refused(
        lambda: services.order_make(actor=worker, child=child, kind="interim_care", made_on=D(2026, 2, 27)),
        "made_on",
        "must be on or after 2 March 2026",
    )
    _refused(
        lambda: services.proceedings_conclude(actor=worker, child=child, concluded_on=D(2026, 3, 1)),
        "concluded_on",
        "must be on or after 2 March 2026",
    )


def test_a_looked_after_childs_legal_status_follows_the_orders(worker, child, start_care):
    start_care(on=D(2026, 2, 20), legal_status="V2")
    _issue(worker, child)
    interim = services.order_make(actor=worker, child=child, kind="interim_care", made_on=D(2026, 3, 3))
    episodes = list(
        Episode.objects.filter(child=child).values_list("reason_new_episode", "legal_status", "ended_on")
    )
    assert episodes == [("S", "V2", D(2026, 3, 3)), ("L", "C1", None)]
    services.order_make(actor=worker, child=child, kind="care", made_on=D(2026, 5, 8))
    services.proceedings_conclude(actor=worker, child=child, concluded_on=D(2026, 5, 8))
    interim.refresh_from_db()
    assert interim.ended_on == D(2026, 5, 8)  # replaced by the final order
    assert Episode.objects.get(child=child, ended_on__isnull=True).legal_status == "C2"
    assert ChronologyEntry.objects.filter(child=child, summary="Care order made (legal status C2)").exists()
    assert ChronologyEntry.objects.filter(
        child=child, summary="Care proceedings concluded in week 10 of the timetable"
    ).exists()


def test_orders_that_confer_no_legal_status_leave_the_episode_alone(worker, child, start_care):
    start_care(on=D(2026, 2, 20), legal_status="C2")
    services.order_make(actor=worker, child=child, kind="special_guardianship", made_on=D(2026, 5, 1))
    assert list(Episode.objects.filter(child=child).values_list("legal_status", flat=True)) == ["C2"]


def test_an_order_for_a_child_not_looked_after_writes_no_episode(worker, child):
    _issue(worker, child)
    services.order_make(actor=worker, child=child, kind="interim_supervision", made_on=D(2026, 3, 3))
    assert not Episode.objects.filter(child=child).exists()
    assert CourtOrder.objects.get(child=child).proceedings is not None
