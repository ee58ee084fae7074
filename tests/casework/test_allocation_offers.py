"""Team managers are offered only what they can act on (issue 12 point 6): the unallocated list is their own
team's (tests/test_restricted_side_doors.py), only social workers are offered a case or counted as capacity,
and the sign-off date starts at today as the allocation date does."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework import protection
from opencsc.casework.models import Allocation, Assessment
from opencsc.casework.services import allocation_create
from opencsc.frontdoor import services as frontdoor_services
from opencsc.frontdoor.models import Channel, Decision
from opencsc.people import services as people_services

NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 10, 0))


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def team(db):
    return Team.objects.create(name="Assessment North", kind=TeamKind.ASSESSMENT)


@pytest.fixture
def manager(make_user, team):
    return make_user(Role.TEAM_MANAGER, team, first_name="Mo", last_name="Manager")


@pytest.fixture
def worker(make_user, team):
    return make_user(Role.SOCIAL_WORKER, team, first_name="Ama", last_name="Osei")


@pytest.fixture
def child(make_user, team):
    mash = Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR)
    mash_worker = make_user(Role.SOCIAL_WORKER, mash)
    child = people_services.child_create(
        actor=mash_worker, first_name="Leo", last_name="Hart", date_of_birth=dt.date(2015, 6, 1), sex="M"
    )
    contact = frontdoor_services.contact_record(
        actor=mash_worker,
        channel=Channel.PHONE,
        source="6",
        concerns="Police attended a domestic incident",
        children=[child],
        received_at=timezone.make_aware(dt.datetime(2026, 11, 20, 9, 0)),
    )
    frontdoor_services.contact_decide(
        actor=mash_worker, contact=contact, decision=Decision.ASSESSMENT, reason="Assess", team=team
    )
    return child


def test_the_allocation_form_offers_social_workers_not_their_manager(manager, worker, child, client_for):
    html = client_for(manager).get(f"/children/{child.pk}/allocate/").content.decode()
    assert "Ama Osei: 0 cases" in html
    assert "Mo Manager: " not in html


def test_the_team_caseloads_count_only_social_workers_as_capacity(manager, worker, child, client_for):
    html = client_for(manager).get(f"/allocation/teams/{manager.team_id}/").content.decode()
    caseloads = html[html.index('data-testid="caseloads"') :]
    assert "Ama Osei" in caseloads
    assert "Mo Manager" not in caseloads


def test_a_case_cannot_be_allocated_to_a_manager(manager, child):
    with pytest.raises(ValidationError) as refused:
        allocation_create(actor=manager, child=child, worker=manager, started_on=NOW.date())
    assert "only social workers hold cases" in refused.value.message_dict["worker"][0]
    assert not Allocation.objects.filter(child=child).exists()


def test_the_sign_off_date_starts_at_today(manager, worker, child, client_for):
    assessment = Assessment.objects.get(child=child)
    protection.assessment_record_factors(actor=worker, assessment=assessment, factors=["21"])
    protection.assessment_record_outcome(actor=worker, assessment=assessment, outcome="nfa")
    protection.assessment_submit(actor=worker, assessment=assessment, completed_on=NOW.date())
    html = client_for(manager).get(f"/children/{child.pk}/assessment/authorise/").content.decode()
    fields = dict(re.findall(r'name="authorised_on-(\w+)"[^>]*value="(\d+)"', html))
    assert fields == {"day": "23", "month": "11", "year": "2026"}
