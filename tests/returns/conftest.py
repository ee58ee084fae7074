import datetime as dt

import pytest

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
from opencsc.people.identifiers import upn_check_letter
from opencsc.people.models import Child, ChildDisability

D = dt.date


def valid_upn(body: str) -> str:
    return upn_check_letter(body) + body


def make_child(la_child_id: str, **fields) -> Child:
    fields.setdefault("first_name", "Test")
    fields.setdefault("last_name", la_child_id)
    fields.setdefault("sex", "F")
    fields.setdefault("date_of_birth", D(2015, 6, 1))
    fields.setdefault("ethnicity", "WBRI")
    return Child.objects.create(
        la_child_id=la_child_id,
        first_name_key=fields["first_name"].lower(),
        last_name_key=fields["last_name"].lower(),
        **fields,
    )


@pytest.fixture
def protected_child(db):
    """One child through a whole 2025-26 protection journey: referral, assessment, strategy discussion,
    S47, initial conference, CP plan with two reviews, plan ended and CIN plan after, episode still open."""
    child = make_child("C100001", upn=valid_upn("825201500001"), date_of_birth=D(2015, 6, 1))
    for code in ("LD", "AUT"):
        ChildDisability.objects.create(child=child, code=code)
    referral = Referral.objects.create(
        child=child, referral_date=D(2025, 5, 6), source="6", route="strategy", primary_need="N1"
    )
    Assessment.objects.create(
        child=child,
        referral=referral,
        started_on=D(2025, 5, 6),
        completed_on=D(2025, 6, 20),
        authorised_on=D(2025, 6, 24),
        factors=["16A", "3A"],
    )
    discussion = StrategyDiscussion.objects.create(
        child=child, referral=referral, held_on=D(2025, 5, 7), section_47_agreed=True
    )
    enquiry = Section47Enquiry.objects.create(
        child=child,
        referral=referral,
        strategy_discussion=discussion,
        started_on=D(2025, 5, 7),
        completed_on=D(2025, 5, 23),
        outcome="icpc",
    )
    icpc = ChildProtectionConference.objects.create(
        child=child,
        kind=ConferenceKind.INITIAL,
        section_47=enquiry,
        held_on=D(2025, 5, 23),
        plan_decided=True,
        category="NEG",
    )
    plan = ChildProtectionPlan.objects.create(
        child=child,
        referral=referral,
        initial_conference=icpc,
        started_on=D(2025, 5, 23),
        ended_on=D(2026, 2, 18),
        initial_category="NEG",
        latest_category="EMO",
        previous_plans=1,
    )
    for held_on, continues in ((D(2025, 8, 20), True), (D(2026, 2, 18), False)):
        ChildProtectionConference.objects.create(
            child=child, kind=ConferenceKind.REVIEW, plan=plan, held_on=held_on, plan_decided=continues
        )
    ChildInNeedPlan.objects.create(child=child, referral=referral, started_on=D(2026, 2, 19))
    return child


@pytest.fixture
def census_authority(protected_child):
    """The protected child plus the other shapes of episode a census carries."""
    # A no-further-action referral, closed the day it was made; the UPN is not known.
    nfa = make_child(
        "C100002", sex="M", date_of_birth=D(2012, 1, 9), upn_unknown_reason="UN7", ethnicity="AIND"
    )
    Referral.objects.create(
        child=nfa,
        referral_date=D(2025, 9, 1),
        source="2A",
        route="assessment",
        is_nfa=True,
        closed_on=D(2025, 9, 1),
        closure_reason="RC7",
    )
    # Assessed, no factors, closed after assessment (RC8); an earlier episode closed before the year is left out.
    closed = make_child("C100003", sex="F", date_of_birth=D(2019, 3, 3), upn=valid_upn("825201500003"))
    ChildDisability.objects.create(child=closed, code="HEAR")
    Referral.objects.create(
        child=closed,
        referral_date=D(2024, 1, 10),
        source="1A",
        route="assessment",
        primary_need="N4",
        closed_on=D(2024, 3, 1),
        closure_reason="RC7",
    )
    referral = Referral.objects.create(
        child=closed,
        referral_date=D(2025, 10, 6),
        source="3A",
        route="assessment",
        primary_need="N4",
        closed_on=D(2025, 11, 20),
        closure_reason="RC8",
    )
    Assessment.objects.create(
        child=closed,
        referral=referral,
        started_on=D(2025, 10, 6),
        completed_on=D(2025, 11, 18),
        authorised_on=D(2025, 11, 20),
        factors=["21"],
    )
    # An unborn child: referral before birth, assessment still open on 31 March.
    unborn = make_child("C100004", sex="U", date_of_birth=None, expected_date_of_birth=D(2026, 6, 1))
    referral = Referral.objects.create(
        child=unborn, referral_date=D(2026, 3, 2), source="3B", route="assessment", primary_need="N1"
    )
    Assessment.objects.create(child=unborn, referral=referral, started_on=D(2026, 3, 3))
    # A CIN plan carried over from the year before, with its episode.
    carried = make_child("C100005", sex="M", date_of_birth=D(2010, 11, 30), upn=valid_upn("825201500005"))
    ChildDisability.objects.create(child=carried, code="MOB")
    ChildDisability.objects.create(child=carried, code="VIS")
    referral = Referral.objects.create(
        child=carried, referral_date=D(2024, 11, 4), source="5D", route="assessment", primary_need="N2"
    )
    Assessment.objects.create(
        child=carried,
        referral=referral,
        started_on=D(2024, 11, 4),
        completed_on=D(2024, 12, 16),
        authorised_on=D(2024, 12, 18),
        factors=["6A"],
    )
    ChildInNeedPlan.objects.create(child=carried, referral=referral, started_on=D(2024, 12, 19))
    return [protected_child, nfa, closed, unborn, carried]
