"""The rules of an allegation's steps: each impossible step refused on its field with nothing written, the whole
path from referral to outcome, and nothing written where a child's readers would see it (no chronology line, no
audit event on the child, no access-log row).

Today is frozen at Wednesday 10 June 2026 (tests/allegations/conftest.py).
"""

import datetime as dt
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencsc.allegations import services
from opencsc.allegations.models import (
    Allegation,
    AllegationAccessGrant,
    AllegationChild,
    RegulatorReferral,
)
from opencsc.audit.models import AuditEvent, RecordAccess
from opencsc.casework.models import ChronologyEntry, StrategyDiscussion
from tests.allegations.conftest import REFERRAL
from tests.factories import assert_refused

pytestmark = pytest.mark.django_db
D = dt.date
REFERRED_ON = dt.date(2026, 6, 8)
ROW_MODELS = (
    Allegation,
    AllegationChild,
    RegulatorReferral,
    AllegationAccessGrant,
    AuditEvent,
    ChronologyEntry,
    RecordAccess,
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


_refused = partial(assert_refused, counts=_counts)


def test_the_path_from_referral_to_outcome_writes_only_the_allegations_own_rows(
    officer, child, record_allegation
):
    allegation = record_allegation(child_ids=child.la_child_id.lower(), children_named="Jo Pupil\n")
    assert [(c.child, c.name_given) for c in allegation.children.all()] == [(child, ""), (None, "Jo Pupil")]
    services.allegation_initial_consideration(
        actor=officer, allegation=allegation, considered_on=D(2026, 6, 2), decision="strategy"
    )
    discussion = StrategyDiscussion.objects.create(child=child, held_on=D(2026, 6, 3), section_47_agreed=True)
    services.allegation_strategy_record(
        actor=officer, allegation=allegation, held_on=D(2026, 6, 3), strategy_discussion=discussion
    )
    services.regulator_referral_record(
        actor=officer, allegation=allegation, body="tra", referred_on=D(2026, 6, 9)
    )
    services.allegation_conclude(
        actor=officer,
        allegation=allegation,
        concluded_on=D(2026, 6, 9),
        outcome="substantiated",
        summary="Proved",
    )
    allegation.refresh_from_db()
    assert (allegation.outcome, allegation.concluded_on, allegation.strategy_discussion) == (
        "substantiated",
        D(2026, 6, 9),
        discussion,
    )
    verbs = list(
        AuditEvent.objects.filter(object_type="Allegation").order_by("id").values_list("verb", "child_id")
    )
    assert verbs == [
        ("allegation.received", None),
        ("allegation.considered", None),
        ("allegation.strategy_held", None),
        ("allegation.regulator_referred", None),
        ("allegation.concluded", None),
    ]
    assert not ChronologyEntry.objects.filter(child=child).exclude(source_key__startswith="child-").exists()
    assert not RecordAccess.objects.filter(child=child).exists()


def test_only_the_designated_officers_team_records(outsider, record_allegation):
    before = _counts()
    with pytest.raises(PermissionDenied):
        record_allegation(actor=outsider)
    assert _counts() == before


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"received_on": D(2026, 6, 11)}, "received_on", "must be today or in the past"),
        ({"received_on": None}, "received_on", "Enter the date received"),
        ({"subject_name": "  "}, "subject_name", "Enter the name of the person the allegation is about"),
        ({"subject_employer": ""}, "subject_employer", "Enter their employer"),
        ({"referrer_organisation": ""}, "referrer_organisation", "Enter the referrer's organisation"),
        ({"sector": "space"}, "sector", "Select the sector"),
        ({"harm_test": ""}, "harm_test", "Select which part of the harm test"),
        ({"harm_category": "other"}, "harm_category", "Select the category of harm"),
        ({"details": ""}, "details", "Say what is alleged"),
        ({"children_named": ""}, "children_named", "Name at least one child"),
        ({"child_ids": "NOPE123"}, "child_ids", "No child's record has the ID NOPE123"),
    ],
)
def test_a_referral_missing_or_impossible_is_refused(record_allegation, fields, field, text):
    received_on = fields.pop("received_on", D(2026, 6, 1))
    _refused(lambda: record_allegation(received_on, **fields), field, text)


def test_a_referral_cannot_predate_a_linked_childs_birth(record_allegation, child):
    _refused(
        lambda: record_allegation(D(2015, 1, 1), child_ids=child.la_child_id),
        "received_on",
        "cannot be before Lily's date of birth",
    )


def test_the_initial_consideration_is_once_after_receipt_and_not_in_the_future(officer, record_allegation):
    allegation = record_allegation(D(2026, 6, 1))

    def consider(on, decision="employer"):
        return lambda: services.allegation_initial_consideration(
            actor=officer, allegation=allegation, considered_on=on, decision=decision
        )

    _refused(
        consider(D(2026, 5, 29)), "considered_on", "cannot be before the allegation was received on 1 June"
    )
    _refused(consider(D(2026, 6, 11)), "considered_on", "must be today or in the past")
    _refused(consider(D(2026, 6, 2), decision=""), "decision", "Select the decision")
    consider(D(2026, 6, 2))()
    _refused(consider(D(2026, 6, 3)), "considered_on", "was recorded on 2 June 2026")


def test_a_strategy_discussion_needs_that_decision_and_links_only_to_a_linked_childs_discussion(
    officer, record_allegation, child, teams
):
    from opencsc.people import services as people_services

    allegation = record_allegation(D(2026, 6, 1), child_ids=child.la_child_id)
    services.allegation_initial_consideration(
        actor=officer, allegation=allegation, considered_on=D(2026, 6, 2), decision="employer"
    )

    def strategy(on, discussion=None):
        return lambda: services.allegation_strategy_record(
            actor=officer, allegation=allegation, held_on=on, strategy_discussion=discussion
        )

    _refused(strategy(D(2026, 6, 3)), "held_on", "initial consideration deciding on a strategy discussion")
    Allegation.objects.filter(pk=allegation.pk).update(initial_decision="strategy")
    _refused(strategy(D(2026, 6, 1)), "held_on", "cannot be before the initial consideration on 2 June 2026")
    other = people_services.child_create(
        actor=officer,
        team=teams["south"],
        first_name="Other",
        last_name="Child",
        date_of_birth=D(2015, 1, 1),
        sex="M",
    )
    unrelated = StrategyDiscussion.objects.create(child=other, held_on=D(2026, 6, 3), section_47_agreed=False)
    _refused(
        strategy(D(2026, 6, 3), unrelated), "strategy_discussion", "about a child linked to this allegation"
    )
    own = StrategyDiscussion.objects.create(child=child, held_on=D(2026, 6, 4), section_47_agreed=True)
    _refused(
        strategy(D(2026, 6, 3), own), "strategy_discussion", "held on 4 June 2026, not on the date given"
    )


def test_the_outcome_follows_the_consideration_and_the_last_step(officer, record_allegation):
    allegation = record_allegation(D(2026, 6, 1))

    def conclude(on, outcome="unfounded"):
        return lambda: services.allegation_conclude(
            actor=officer, allegation=allegation, concluded_on=on, outcome=outcome
        )

    _refused(conclude(D(2026, 6, 5)), "concluded_on", "Record the initial consideration before the outcome")
    services.allegation_initial_consideration(
        actor=officer, allegation=allegation, considered_on=D(2026, 6, 3), decision="not_met"
    )
    _refused(
        conclude(D(2026, 6, 2)), "concluded_on", "cannot be before the initial consideration on 3 June 2026"
    )
    _refused(conclude(D(2026, 6, 5), outcome="proven"), "outcome", "Select the outcome")
    conclude(D(2026, 6, 5))()
    before = _counts()
    with pytest.raises(ValidationError, match="concluded on 5 June 2026"):
        conclude(D(2026, 6, 6))()
    assert _counts() == before


def test_a_regulator_referral_is_once_per_body(officer, record_allegation):
    allegation = record_allegation(D(2026, 6, 1))

    def refer(body, on=REFERRED_ON):
        return lambda: services.regulator_referral_record(
            actor=officer, allegation=allegation, body=body, referred_on=on
        )

    _refused(refer("dbs", D(2026, 5, 1)), "referred_on", "cannot be before the allegation was received")
    _refused(refer("nobody"), "body", "Select who the person was referred to")
    refer("dbs")()
    _refused(refer("dbs"), "body", "A referral to the Disclosure and Barring Service is already recorded")


def test_only_the_teams_manager_grants_access_to_one_allegation(
    officer, lado_manager, outsider, record_allegation
):
    allegation = record_allegation()
    with pytest.raises(PermissionDenied):
        services.allegation_access_grant(actor=officer, allegation=allegation, user=outsider)
    services.allegation_access_grant(actor=lado_manager, allegation=allegation, user=outsider)
    _refused(
        lambda: services.allegation_access_grant(actor=lado_manager, allegation=allegation, user=outsider),
        "user",
        "already has access",
    )
    _refused(
        lambda: services.allegation_access_grant(actor=lado_manager, allegation=allegation, user=officer),
        "user",
        "already sees every allegation",
    )


def test_the_referral_keeps_what_was_typed_trimmed(record_allegation):
    allegation = record_allegation(**{**REFERRAL, "subject_name": "  Sam Teacher  "})
    assert allegation.subject_name == "Sam Teacher"
