"""A child with a referral and an assessment in progress, a worker and their manager in the same team.

Today is frozen at Monday 11 May 2026; the referral came on 25 March 2026 and the assessment started the day after.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opencsc.accounts.models import Role
from opencsc.casework import protection
from opencsc.documents.shipped_templates import load_shipped_templates
from opencsc.frontdoor.models import Referral
from opencsc.people import services as people_services

TODAY = dt.datetime(2026, 5, 11, 12, 0, tzinfo=ZoneInfo("Europe/London"))
REFERRAL_DATE = dt.date(2026, 3, 25)
SEEN_ON = dt.date(2026, 4, 2)

COMPLETE_ANSWERS = {
    "who_was_seen": "Ella at home with her mother on 2 April; her teacher by phone.",
    "child_seen_on": SEEN_ON,
    "child_seen_alone": True,
    "developmental_needs": "Ella is healthy and goes to school every day.",
    "parenting_capacity": "Her mother gives warm, consistent care.",
    "family_environment": "The flat is damp; the family has little money.",
    "wishes_and_feelings": "Ella said: 'I like my room but I'm cold at night.'",
    "parents_views": "Her mother wants help with the housing.",
    "agency_information": "School: attendance 97%. Health visitor: no concerns.",
    "analysis": "Ella is safe and well cared for; the damp home is the main worry.",
    "factors": ["16A"],
    "outcome": "support",
    "next_steps": "Housing referral by the social worker within a week.",
}


@pytest.fixture(autouse=True)
def shipped_templates(db):
    """The migration loaded them; a browser test's flush, earlier in a run, may have emptied the table since."""
    load_shipped_templates()


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(teams, make_user):
    north = teams["north"]
    worker = make_user(Role.SOCIAL_WORKER, north, first_name="Ama", last_name="Osei")
    manager = make_user(Role.TEAM_MANAGER, north, first_name="Tom", last_name="Reid")
    child = people_services.child_create(
        actor=worker,
        team=north,
        first_name="Ella",
        last_name="Document",
        date_of_birth=dt.date(2016, 2, 3),
        sex="F",
    )
    referral = Referral.objects.create(
        child=child, referral_date=REFERRAL_DATE, source="3A", route="assessment", team=north
    )
    assessment = protection.assessment_start(
        actor=worker, child=child, referral=referral, started_on=REFERRAL_DATE + dt.timedelta(days=1)
    )
    return type(
        "World",
        (),
        {
            "worker": worker,
            "manager": manager,
            "child": child,
            "referral": referral,
            "assessment": assessment,
        },
    )
