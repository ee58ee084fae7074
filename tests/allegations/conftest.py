"""Shared set-up for the allegations tests: today is frozen at Wednesday 10 June 2026, noon in London (spring
bank holiday Monday 25 May 2026). The designated officer's team has an officer and a manager; a social worker in
an assessment team is the outsider; Lily (born 1 February 2016) has a record in that team."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.allegations import services
from opencsc.people import services as people_services

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lado_team(db):
    return Team.objects.create(name="Designated officer", kind=TeamKind.DESIGNATED_OFFICER)


@pytest.fixture
def officer(lado_team, make_user):
    return make_user(Role.SOCIAL_WORKER, lado_team)


@pytest.fixture
def lado_manager(lado_team, make_user):
    return make_user(Role.TEAM_MANAGER, lado_team)


@pytest.fixture
def outsider(teams, make_user):
    return make_user(Role.SOCIAL_WORKER, teams["north"])


@pytest.fixture
def child(outsider, teams):
    return people_services.child_create(
        actor=outsider,
        team=teams["north"],
        first_name="Lily",
        last_name="Named",
        date_of_birth=dt.date(2016, 2, 1),
        sex="F",
    )


REFERRAL = {
    "referrer_name": "Pat Head",
    "referrer_role": "Headteacher",
    "referrer_organisation": "Hill Street Primary School",
    "subject_name": "Sam Teacher",
    "subject_role": "Class teacher",
    "subject_employer": "Hill Street Primary School",
    "sector": "education",
    "harm_test": "harmed",
    "harm_category": "physical",
    "details": "Grabbed a pupil by the arm, leaving a bruise.",
}


@pytest.fixture
def record_allegation(officer):
    def record(received_on=dt.date(2026, 6, 1), *, actor=None, **fields):
        return services.allegation_record(
            actor=actor or officer,
            received_on=received_on,
            **{**REFERRAL, "children_named": "Jo Pupil", **fields},
        )

    return record
