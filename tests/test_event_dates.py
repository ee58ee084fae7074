"""No event about a child dated before their birth or in the future, from any service (design.md, Habits;
issue 12 point 2). One table lists every service that records a dated event about a child, with a builder of a
call it accepts and the date arguments it takes; a property-based test tries dates before the child's birth and
after today on every argument of every service, and a test fails if a service taking a date is missing from the
table (or from the short list of those left out, each with its reason).

Today is frozen at Monday 11 May 2026, noon in London. Jo was born on 1 September 2009: 16 in May 2026, so the
same child can be assessed, looked after, placed for adoption and contacted as a care leaver.
"""

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import opencsc
from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.allegations import services as allegations
from opencsc.audit.models import AuditEvent
from opencsc.casework import chronology, oversight_records, protection
from opencsc.casework import services as casework
from opencsc.casework.models import (
    Allocation,
    Assessment,
    CaseNote,
    ChronologyEntry,
    NoteType,
    Section47Enquiry,
)
from opencsc.core.event_dates import ImpossibleDateError, event_date_problem, require_possible_date
from opencsc.earlyhelp import services as early_help
from opencsc.exploitation import services as exploitation
from opencsc.frontdoor import services as frontdoor
from opencsc.frontdoor.models import Contact, Referral
from opencsc.legal import services as legal
from opencsc.looked_after import adoption, care_leavers, iro, placement_plans
from opencsc.looked_after import services as looked_after
from opencsc.looked_after.models import MissingEpisode
from opencsc.people import services as people
from opencsc.people.models import Child
from opencsc.privatefostering import services as private_fostering

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=LONDON)
TODAY = NOW.date()
D = dt.date
BORN = D(2009, 9, 1)
BEFORE_BIRTH = "cannot be before Jo's date of birth, 1 September 2009"
PLACEMENT = {
    "placement_type": "U6",
    "placement_provider": "PR1",
    "urn": "SC123456",
    "carer_name": "Mr and Mrs Carer",
    "placement_postcode": "HP11 2JU",
}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class World:
    worker: object
    manager: object
    officer: object
    front_door: object
    child: Child
    referral: Referral


@pytest.fixture
def world(teams, make_user):
    north = teams["north"]
    worker = make_user(Role.SOCIAL_WORKER, north)
    child = people.child_create(
        actor=worker, team=north, first_name="Jo", last_name="Dates", date_of_birth=BORN, sex="F"
    )
    referral = Referral.objects.create(
        child=child, referral_date=D(2026, 3, 25), source="2A", route="assessment", team=north
    )
    return World(
        worker=worker,
        manager=make_user(Role.TEAM_MANAGER, north),
        officer=make_user(Role.SOCIAL_WORKER, teams["south"]),
        front_door=make_user(Role.HEAD_OF_SERVICE),
        child=child,
        referral=referral,
    )


# Builders: each sets up what the service needs and returns the keyword arguments of a call it accepts. --------


def _assessment(w: World, *, submitted=False, authorised=False, outcome="nfa") -> Assessment:
    assessment = protection.assessment_start(actor=w.worker, child=w.child, started_on=D(2026, 3, 26))
    if submitted or authorised:
        protection.assessment_record_factors(actor=w.worker, assessment=assessment, factors=["21"])
        protection.assessment_record_outcome(actor=w.worker, assessment=assessment, outcome=outcome)
        protection.assessment_submit(actor=w.worker, assessment=assessment, completed_on=D(2026, 4, 20))
    if authorised:
        protection.assessment_authorise(actor=w.manager, assessment=assessment, authorised_on=D(2026, 4, 21))
    return assessment


EARLY_HELP_LEAD = {
    "lead_name": "Sam Teacher",
    "lead_organisation_kind": "school",
    "lead_organisation": "Hill Street Primary School",
    "lead_email": "sam@school.example",
}


def _nrm_referral(w: World, *, reasonable: str = ""):
    referral = exploitation.nrm_refer(
        actor=w.worker, child=w.child, referred_on=D(2026, 4, 1), exploitation_type="criminal"
    )
    if reasonable:
        exploitation.nrm_reasonable_grounds_record(
            actor=w.worker, referral=referral, decided_on=D(2026, 4, 7), decision=reasonable
        )
    return referral


def _panel_action(w: World):
    meeting = exploitation.panel_meeting_record(actor=w.manager, held_on=D(2026, 4, 1))
    consideration = exploitation.panel_consider(
        actor=w.worker, meeting=meeting, child=w.child, level="high", decision="Disruption plan"
    )
    return exploitation.panel_action_add(
        actor=w.worker,
        consideration=consideration,
        action="Visit",
        owner="Police: PC Lee",
        due_on=D(2026, 5, 1),
    )


def _early_help(w: World, *, assessed=False):
    episode = early_help.early_help_episode_open(
        actor=w.worker, child=w.child, started_on=D(2026, 4, 1), **EARLY_HELP_LEAD
    )
    if assessed:
        early_help.early_help_assessment_start(
            actor=w.worker, episode=episode, started_on=D(2026, 4, 1), organisation="X"
        )
    return episode


ALLEGATION = {
    "referrer_name": "Pat Head",
    "referrer_organisation": "Hill Street Primary School",
    "subject_name": "Sam Teacher",
    "subject_role": "Class teacher",
    "subject_employer": "Hill Street Primary School",
    "sector": "education",
    "harm_test": "harmed",
    "harm_category": "physical",
    "details": "X",
}


def _designated_officer() -> User:
    team, _ = Team.objects.get_or_create(name="Designated officer", kind=TeamKind.DESIGNATED_OFFICER)
    return User.objects.create_user(
        username=f"lado{User.objects.count()}",
        password="a long test password",
        role=Role.SOCIAL_WORKER,
        team=team,
    )


PRIVATE_FOSTERING_NOTIFICATION = {
    "notified_by": "school",
    "notifier_name": "Ms Patel",
    "carer_name": "Grace Mensah",
    "carer_address": "4 Oak Road",
    "child_is_disabled": True,  # Jo is 16 in April 2026: privately fostered only if disabled
}


def _private_fostering(w: World, *, visited=False):
    arrangement = private_fostering.private_fostering_notify(
        actor=w.worker,
        child=w.child,
        notified_on=D(2026, 4, 1),
        starts_on=D(2026, 4, 1),
        **PRIVATE_FOSTERING_NOTIFICATION,
    )
    if visited:
        private_fostering.private_fostering_visit_record(
            actor=w.worker, arrangement=arrangement, visited_on=D(2026, 4, 2), seen_alone=True
        )
    return arrangement


def _enquiry(w: World) -> Section47Enquiry:
    protection.strategy_discussion_record(
        actor=w.worker, child=w.child, held_on=D(2026, 3, 25), attendees="LA, police", section_47_agreed=True
    )
    return Section47Enquiry.objects.get(child=w.child)


def _protection_plan(w: World):
    conference = protection.initial_conference_record(
        actor=w.worker, enquiry=_enquiry(w), held_on=D(2026, 4, 8), plan_decided=True, category="NEG"
    )
    conference.refresh_from_db()
    return conference.plan


def _cin_plan(w: World):
    _assessment(w, authorised=True, outcome="support")
    return protection.cin_plan_start(actor=w.worker, child=w.child, started_on=D(2026, 4, 22))


def _pre_proceedings(w: World):
    return legal.gateway_meeting_record(
        actor=w.worker, child=w.child, held_on=D(2026, 3, 2), decision="pre_proceedings"
    )


def _letter_sent(w: World):
    _pre_proceedings(w)
    return legal.pre_proceedings_letter_record(actor=w.worker, child=w.child, sent_on=D(2026, 3, 4))


def _proceedings(w: World):
    return legal.proceedings_issue(actor=w.worker, child=w.child, issued_on=D(2026, 3, 2))


def _in_care(w: World):
    return looked_after.episode_start_care(
        actor=w.worker,
        child=w.child,
        started_on=D(2026, 3, 2),
        legal_status="C2",
        category_of_need="N1",
        **PLACEMENT,
    )


def _draft(w: World) -> CaseNote:
    return casework.note_save_draft(actor=w.worker, children=[w.child], title="Visit", body="Saw Jo at home")


def _final_note(w: World) -> CaseNote:
    note = _draft(w)
    return casework.note_finalise(actor=w.worker, note=note, children=[w.child], event_on=D(2026, 5, 1))


def _adoption_plan(w: World):
    _in_care(w)
    return adoption.adoption_milestone_record(
        actor=w.worker, child=w.child, milestone="decided_on", on=D(2026, 3, 10)
    )


def _missing(w: World) -> MissingEpisode:
    _in_care(w)
    return looked_after.missing_episode_record(
        actor=w.worker, child=w.child, kind="M", started_at=dt.datetime(2026, 5, 1, 22, 0, tzinfo=LONDON)
    )


def _reviewing_officer():
    number = User.objects.count()
    return User.objects.create_user(username=f"iro.dates{number}", role=Role.INDEPENDENT_REVIEWING_OFFICER)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


def _permanence_date(day: dt.date) -> str:
    return f"{day:%d/%m}/{day.year}"


@dataclass(frozen=True)
class DatedService:
    """A service recording a dated event about a child: `dates` maps each date argument to the field its
    problems are reported on; `as_value` turns a generated date into what the argument takes."""

    service: Callable
    build: Callable[[World], dict]
    dates: dict[str, str]
    as_value: Callable[[dt.date], object] = lambda day: day
    not_events: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.service.__module__}.{self.service.__name__}"


DATED_SERVICES = [
    # Casework: allocation, notes, chronology, oversight.
    DatedService(
        casework.allocation_create,
        lambda w: {"actor": w.manager, "child": w.child, "worker": w.worker, "started_on": D(2026, 5, 1)},
        {"started_on": "started_on"},
    ),
    DatedService(
        casework.note_save_draft,
        lambda w: {"actor": w.worker, "children": [w.child], "title": "Call", "event_on": D(2026, 5, 1)},
        {"event_on": "event_on"},
    ),
    DatedService(
        casework.note_finalise,
        lambda w: {"actor": w.worker, "note": _draft(w), "children": [w.child], "event_on": D(2026, 5, 1)},
        {"event_on": "event_on"},
    ),
    DatedService(
        casework.note_amend,
        lambda w: {
            "actor": w.worker,
            "note": (note := _final_note(w)),
            "reason": "Wrong day",
            "expected_version": note.version,
            "event_on": D(2026, 5, 4),
        },
        {"event_on": "event_on"},
    ),
    DatedService(
        oversight_records.oversight_note_record,
        lambda w: {
            "actor": w.manager,
            "children": [w.child],
            "event_on": D(2026, 5, 1),
            "title": "Supervision",
            "body": "Discussed the plan",
        },
        {"event_on": "event_on"},
    ),
    DatedService(
        chronology.chronology_add_manual,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "occurred_on": D(2026, 5, 1),
            "category": "other",
            "summary": "Moved school",
        },
        {"occurred_on": "occurred_on"},
    ),
    # Statutory casework.
    DatedService(
        protection.assessment_start,
        lambda w: {"actor": w.worker, "child": w.child, "started_on": D(2026, 3, 26)},
        {"started_on": "started_on"},
    ),
    DatedService(
        protection.assessment_record_child_seen,
        lambda w: {"actor": w.worker, "assessment": _assessment(w), "seen_on": D(2026, 3, 30)},
        {"seen_on": "seen_on"},
    ),
    DatedService(
        protection.assessment_submit,
        lambda w: {
            "actor": w.worker,
            "assessment": protection.assessment_record_outcome(
                actor=w.worker,
                assessment=protection.assessment_record_factors(
                    actor=w.worker, assessment=_assessment(w), factors=["21"]
                ),
                outcome="nfa",
            ),
            "completed_on": D(2026, 4, 20),
        },
        {"completed_on": "completed_on"},
    ),
    DatedService(
        protection.assessment_authorise,
        lambda w: {
            "actor": w.manager,
            "assessment": _assessment(w, submitted=True),
            "authorised_on": D(2026, 4, 21),
        },
        {"authorised_on": "authorised_on"},
    ),
    DatedService(
        protection.referral_close,
        lambda w: {"actor": w.worker, "referral": w.referral, "closed_on": D(2026, 4, 1), "reason": "RC7"},
        {"closed_on": "closed_on"},
    ),
    DatedService(
        protection.strategy_discussion_record,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "held_on": D(2026, 3, 25),
            "section_47_agreed": True,
            "attendees": "LA, police, health",
            "section_47_started_on": D(2026, 3, 26),
        },
        {"held_on": "held_on", "section_47_started_on": "section_47_started_on"},
    ),
    DatedService(
        protection.section_47_complete,
        lambda w: {
            "actor": w.worker,
            "enquiry": _enquiry(w),
            "completed_on": D(2026, 4, 2),
            "outcome": "not_substantiated",
        },
        {"completed_on": "completed_on"},
    ),
    DatedService(
        protection.initial_conference_record,
        lambda w: {
            "actor": w.worker,
            "enquiry": _enquiry(w),
            "held_on": D(2026, 4, 8),
            "plan_decided": True,
            "category": "NEG",
            "plan_started_on": D(2026, 4, 8),
        },
        {"held_on": "held_on", "plan_started_on": "plan_started_on"},
    ),
    DatedService(
        protection.core_group_record,
        lambda w: {"actor": w.worker, "plan": _protection_plan(w), "held_on": D(2026, 4, 20)},
        {"held_on": "held_on"},
    ),
    DatedService(
        protection.review_conference_record,
        lambda w: {
            "actor": w.worker,
            "plan": _protection_plan(w),
            "held_on": D(2026, 5, 6),
            "plan_continues": True,
        },
        {"held_on": "held_on"},
    ),
    DatedService(
        protection.protection_plan_end,
        lambda w: {"actor": w.worker, "plan": _protection_plan(w), "ended_on": D(2026, 5, 6)},
        {"ended_on": "ended_on"},
    ),
    DatedService(
        protection.cin_plan_start,
        lambda w: {
            "actor": w.worker,
            "child": (_assessment(w, authorised=True, outcome="support") and w.child),
            "started_on": D(2026, 4, 22),
        },
        {"started_on": "started_on"},
    ),
    DatedService(
        protection.cin_review_record,
        lambda w: {"actor": w.worker, "plan": _cin_plan(w), "held_on": D(2026, 5, 6)},
        {"held_on": "held_on"},
    ),
    DatedService(
        protection.cin_plan_end,
        lambda w: {"actor": w.worker, "plan": _cin_plan(w), "ended_on": D(2026, 5, 6)},
        {"ended_on": "ended_on"},
    ),
    # The child's record.
    DatedService(
        people.child_create,
        lambda w: {
            "actor": w.worker,
            "first_name": "Jo",
            "last_name": "Twin",
            "date_of_birth": BORN,
            "sex": "F",
            "date_of_death": D(2026, 5, 1),
        },
        {"date_of_death": "date_of_death"},
    ),
    DatedService(
        people.child_update,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "expected_version": w.child.version,
            "first_name": "Jo",
            "last_name": "Dates",
            "date_of_birth": BORN,
            "sex": "F",
            "date_of_death": D(2026, 5, 1),
        },
        {"date_of_death": "date_of_death"},
    ),
    DatedService(
        people.address_move_in,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "line_1": "1 New Road",
            "town": "Aylesbury",
            "postcode": "HP19 8FF",
            "moved_in_on": D(2026, 5, 1),
        },
        {"moved_in_on": "moved_in_on"},
    ),
    DatedService(
        people.alert_raise,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "category": "other",
            "text": "Dog at the address",
            "review_on": D(2026, 8, 1),
            "raised_on": D(2026, 5, 1),
        },
        {"raised_on": "raised_on"},
        not_events=("review_on",),  # a review planned ahead: it is meant to be in the future
    ),
    # The front door.
    DatedService(
        frontdoor.contact_record,
        lambda w: {
            "actor": w.front_door,
            "channel": "phone",
            "source": "2A",
            "concerns": "Jo is not in school",
            "children": [w.child],
            "received_at": _at(D(2026, 5, 8), 10),
        },
        {"received_at": "received_on"},
        as_value=lambda day: _at(day, 10),
    ),
    # Looked after.
    DatedService(
        looked_after.episode_start_care,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "started_on": D(2026, 3, 2),
            "legal_status": "C2",
            "category_of_need": "N1",
            **PLACEMENT,
        },
        {"started_on": "started_on"},
    ),
    DatedService(
        looked_after.episode_change_legal_status,
        lambda w: {
            "actor": w.worker,
            "child": (_in_care(w) and w.child),
            "changed_on": D(2026, 4, 1),
            "legal_status": "C1",
        },
        {"changed_on": "changed_on"},
    ),
    DatedService(
        looked_after.episode_move_placement,
        lambda w: {
            "actor": w.worker,
            "child": (_in_care(w) and w.child),
            "moved_on": D(2026, 4, 1),
            "same_carers": False,
            "reason_placement_changed": "CARPL",
            **PLACEMENT,
            "carer_name": "Ms New Carer",
        },
        {"moved_on": "moved_on"},
    ),
    DatedService(
        looked_after.episode_end_care,
        lambda w: {
            "actor": w.worker,
            "child": (_in_care(w) and w.child),
            "ended_on": D(2026, 4, 1),
            "reason_ceased": "E4A",
        },
        {"ended_on": "ended_on"},
    ),
    DatedService(
        looked_after.care_review_record,
        lambda w: {
            "actor": w.worker,
            "child": (_in_care(w) and w.child),
            "held_on": D(2026, 3, 30),
            "participation": "PN1",
            "reviewing_officer": w.officer,
        },
        {"held_on": "held_on"},
    ),
    DatedService(
        iro.iro_assign,
        lambda w: {
            "actor": w.manager,
            "child": (_in_care(w) and w.child),
            "iro": _reviewing_officer(),
            "started_on": D(2026, 3, 5),
        },
        {"started_on": "started_on"},
    ),
    DatedService(
        placement_plans.placement_plan_agree,
        lambda w: {"actor": w.worker, "child": (_in_care(w) and w.child), "agreed_on": D(2026, 3, 4)},
        {"agreed_on": "agreed_on"},
    ),
    DatedService(
        looked_after.missing_episode_record,
        lambda w: {
            "actor": w.worker,
            "child": (_in_care(w) and w.child),
            "kind": "M",
            "started_at": _at(D(2026, 5, 1), 10),
            "returned_at": _at(D(2026, 5, 2), 10),
            "interview_offered_at": _at(D(2026, 5, 3), 10),
            "interview_done_at": _at(D(2026, 5, 4), 10),
        },
        {
            "started_at": "started_on",
            "returned_at": "returned_on",
            "interview_offered_at": "interview_offered_on",
            "interview_done_at": "interview_done_on",
        },
        as_value=lambda day: _at(day, 10),
    ),
    DatedService(
        looked_after.missing_episode_update,
        lambda w: {
            "actor": w.worker,
            "missing_episode": _missing(w),
            "returned_at": _at(D(2026, 5, 2), 10),
            "interview_offered_at": _at(D(2026, 5, 3), 10),
            "interview_done_at": _at(D(2026, 5, 4), 10),
        },
        {
            "returned_at": "returned_on",
            "interview_offered_at": "interview_offered_on",
            "interview_done_at": "interview_done_on",
        },
        as_value=lambda day: _at(day, 10),
    ),
    DatedService(
        looked_after.care_check_record,
        lambda w: {
            "actor": w.worker,
            "child": (_in_care(w) and w.child),
            "kind": "dental",
            "done_on": D(2026, 4, 1),
        },
        {"done_on": "done_on"},
    ),
    DatedService(
        looked_after.uasc_record,
        lambda w: {"actor": w.worker, "child": w.child, "ceased_on": D(2026, 4, 1)},
        {"ceased_on": "ceased_on"},
    ),
    DatedService(
        looked_after.previous_permanence_record,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "kind": "P2",
            "la_code": "825",
            "order_date": "01/06/2015",
        },
        {"order_date": "order_date"},
        as_value=_permanence_date,
    ),
    DatedService(
        adoption.adoption_milestone_record,
        lambda w: {
            "actor": w.worker,
            "child": (_in_care(w) and w.child),
            "milestone": "decided_on",
            "on": D(2026, 3, 10),
        },
        {"on": "decided_on"},
    ),
    DatedService(
        adoption.adoption_plan_cease,
        lambda w: {
            "actor": w.worker,
            "child": (_adoption_plan(w) and w.child),
            "ceased_on": D(2026, 4, 1),
            "reason_ceased": "RD1",
        },
        {"ceased_on": "ceased_on"},
    ),
    DatedService(
        care_leavers.care_leaver_contact_record,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "contacted_on": D(2026, 4, 1),
            "eligibility": "former_relevant",
            "in_touch": "YES",
            "accommodation": "U",
            "accommodation_suitable": True,
            "activity": "F4",
        },
        {"contacted_on": "contacted_on"},
    ),
    DatedService(
        care_leavers.pathway_plan_review_record,
        lambda w: {"actor": w.worker, "child": w.child, "reviewed_on": D(2026, 4, 1)},
        {"reviewed_on": "reviewed_on"},
    ),
    DatedService(
        legal.gateway_meeting_record,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "held_on": D(2026, 3, 2),
            "decision": "pre_proceedings",
        },
        {"held_on": "held_on"},
    ),
    DatedService(
        legal.pre_proceedings_letter_record,
        lambda w: {"actor": w.worker, "child": (_pre_proceedings(w) and w.child), "sent_on": D(2026, 3, 4)},
        {"sent_on": "sent_on"},
    ),
    DatedService(
        legal.pre_proceedings_meeting_record,
        lambda w: {"actor": w.worker, "child": (_letter_sent(w) and w.child), "held_on": D(2026, 3, 9)},
        {"held_on": "held_on"},
    ),
    DatedService(
        legal.pre_proceedings_end,
        lambda w: {
            "actor": w.worker,
            "child": (_pre_proceedings(w) and w.child),
            "ended_on": D(2026, 4, 1),
            "outcome": "stepped_down",
        },
        {"ended_on": "ended_on"},
    ),
    DatedService(
        legal.proceedings_issue,
        lambda w: {"actor": w.worker, "child": w.child, "issued_on": D(2026, 3, 2)},
        {"issued_on": "issued_on"},
    ),
    DatedService(
        legal.proceedings_extend,
        lambda w: {
            "actor": w.worker,
            "child": (_proceedings(w) and w.child),
            "granted_on": D(2026, 5, 1),
            "weeks": 8,
            "reason": "Expert assessment",
        },
        {"granted_on": "granted_on"},
    ),
    DatedService(
        legal.proceedings_conclude,
        lambda w: {"actor": w.worker, "child": (_proceedings(w) and w.child), "concluded_on": D(2026, 5, 1)},
        {"concluded_on": "concluded_on"},
    ),
    DatedService(
        legal.order_make,
        lambda w: {"actor": w.worker, "child": w.child, "kind": "interim_care", "made_on": D(2026, 3, 3)},
        {"made_on": "made_on"},
    ),
    # Child exploitation: screenings, places of concern, panel actions and NRM decisions.
    DatedService(
        exploitation.screening_record,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "screened_on": D(2026, 4, 1),
            "sexual_risk": "low",
            "criminal_risk": "high",
            "indicators": ["missing"],
        },
        {"screened_on": "screened_on"},
    ),
    DatedService(
        exploitation.concern_link_record,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "kind": "address",
            "description": "12 Mill Lane",
            "linked_on": D(2026, 4, 1),
        },
        {"linked_on": "linked_on"},
    ),
    DatedService(
        exploitation.panel_action_complete,
        lambda w: {"actor": w.worker, "panel_action": _panel_action(w), "completed_on": D(2026, 4, 2)},
        {"completed_on": "completed_on"},
    ),
    DatedService(
        exploitation.nrm_refer,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "referred_on": D(2026, 4, 1),
            "exploitation_type": "criminal",
        },
        {"referred_on": "referred_on"},
    ),
    DatedService(
        exploitation.nrm_reasonable_grounds_record,
        lambda w: {
            "actor": w.worker,
            "referral": _nrm_referral(w),
            "decided_on": D(2026, 4, 7),
            "decision": "positive",
        },
        {"decided_on": "decided_on"},
    ),
    DatedService(
        exploitation.nrm_conclusive_grounds_record,
        lambda w: {
            "actor": w.worker,
            "referral": _nrm_referral(w, reasonable="positive"),
            "decided_on": D(2026, 5, 8),
            "decision": "positive",
        },
        {"decided_on": "decided_on"},
    ),
    # Early help: each step within the episode opened on 1 April 2026.
    DatedService(
        early_help.early_help_episode_open,
        lambda w: {"actor": w.worker, "child": w.child, "started_on": D(2026, 4, 1), **EARLY_HELP_LEAD},
        {"started_on": "started_on"},
    ),
    DatedService(
        early_help.early_help_assessment_start,
        lambda w: {
            "actor": w.worker,
            "episode": _early_help(w),
            "started_on": D(2026, 4, 2),
            "organisation": "X",
        },
        {"started_on": "started_on"},
    ),
    DatedService(
        early_help.early_help_assessment_complete,
        lambda w: {
            "actor": w.worker,
            "episode": _early_help(w, assessed=True),
            "completed_on": D(2026, 4, 3),
        },
        {"completed_on": "completed_on"},
    ),
    DatedService(
        early_help.family_review_record,
        lambda w: {"actor": w.worker, "episode": _early_help(w), "held_on": D(2026, 4, 2)},
        {"held_on": "held_on"},
    ),
    DatedService(
        early_help.early_help_episode_close,
        lambda w: {
            "actor": w.worker,
            "episode": _early_help(w),
            "ended_on": D(2026, 4, 2),
            "end_reason": "outcomes_met",
        },
        {"ended_on": "ended_on"},
    ),
    DatedService(
        early_help.early_help_step_up,
        lambda w: {
            "actor": w.worker,
            "episode": _early_help(w),
            "stepped_up_on": D(2026, 4, 2),
            "concerns": "X",
        },
        {"stepped_up_on": "stepped_up_on"},
    ),
    DatedService(
        early_help.early_help_step_down,
        lambda w: {
            "actor": w.worker,
            "referral": w.referral,
            "closed_on": D(2026, 4, 1),
            "reason": "RC7",
            **EARLY_HELP_LEAD,
        },
        {"closed_on": "closed_on"},
    ),
    # Allegations: the referral's date, checked against each linked child's birth (ADR 0037).
    DatedService(
        allegations.allegation_record,
        lambda w: {
            "actor": _designated_officer(),
            "received_on": D(2026, 4, 1),
            "child_ids": w.child.la_child_id,
            **ALLEGATION,
        },
        {"received_on": "received_on"},
    ),
    # Private fostering: each step after the notification of 1 April 2026. The start of the arrangement may be
    # ahead (a proposed arrangement); its check against the birth is in tests/privatefostering.
    DatedService(
        private_fostering.private_fostering_notify,
        lambda w: {
            "actor": w.worker,
            "child": w.child,
            "notified_on": D(2026, 4, 1),
            "starts_on": D(2026, 4, 1),
            **PRIVATE_FOSTERING_NOTIFICATION,
        },
        {"notified_on": "notified_on"},
        not_events=("starts_on",),
    ),
    DatedService(
        private_fostering.private_fostering_visit_record,
        lambda w: {
            "actor": w.worker,
            "arrangement": _private_fostering(w),
            "visited_on": D(2026, 4, 2),
            "seen_alone": True,
        },
        {"visited_on": "visited_on"},
    ),
    DatedService(
        private_fostering.private_fostering_decide,
        lambda w: {
            "actor": w.worker,
            "arrangement": _private_fostering(w, visited=True),
            "decided_on": D(2026, 4, 3),
            "decision": "suitable",
        },
        {"decided_on": "decided_on"},
    ),
    DatedService(
        private_fostering.private_fostering_end,
        lambda w: {
            "actor": w.worker,
            "arrangement": _private_fostering(w),
            "ended_on": D(2026, 4, 2),
            "end_reason": "returned_home",
        },
        {"ended_on": "ended_on"},
    ),
]

# Services taking a date left out of the table, and why: dates that are not of an event about a child, and the
# chronology helper, which writes the line of a service that has already checked its date.
LEFT_OUT = {
    "opencsc.casework.chronology.chronology_record_event": "the chronology line of a service that checked the date",
    "opencsc.workforce.services.staff_record_leave": "a member of staff's leaving date (notice is given ahead)",
    "opencsc.workforce.services.post_create": "when a funded post starts (budgets are set ahead)",
    "opencsc.workforce.services.post_end_funding": "when a post's funding ends (decided ahead)",
    "opencsc.workforce.services.absence_record": "a member of staff's absence (booked ahead)",
    "opencsc.oversight.improvement.inspection_record": "the authority's inspection",
    "opencsc.looked_after.iro.review_recommendation_add": "a recommendation's due date (set ahead, on or after the "
    "review, whose date is checked when it is recorded)",
    "opencsc.oversight.improvement.action_add": "an improvement action's due and completion dates",
    "opencsc.oversight.improvement.evidence_add": "evidence for the improvement plan",
    "opencsc.finance.services.carer_approval_record": "a fostering household's approval, not an event about a child",
    "opencsc.finance.services.placement_cost_change": "a cost change (an uplift is agreed ahead); kept within the "
    "placement's dates",
    "opencsc.quality.services.file_audit_action_add": "an audit action's due date (set ahead, from today on)",
    "opencsc.attachments.letters.conference_invitation_send": "the date of a conference being arranged (ahead)",
    "opencsc.legal.services.hearing_list": "the day a hearing is listed for (ahead); kept on or after the issue of "
    "proceedings, whose date is checked when it is recorded",
    "opencsc.exploitation.services.panel_meeting_record": "a meeting of the exploitation panel about many "
    "children (kept today or before); each child's consideration is checked against their birth",
    "opencsc.exploitation.services.panel_action_add": "an action's due date (set ahead, on or after the panel)",
    "opencsc.dataflow.services.dataflow_queue": "the day the data flow's window is counted from, not an event",
    "opencsc.allegations.services.allegation_initial_consideration": "the designated officer's work on an "
    "allegation about an adult: never in the future, never before the referral, whose date is checked against each "
    "linked child's birth",
    "opencsc.allegations.services.allegation_strategy_record": "as the initial consideration: after it, not ahead",
    "opencsc.allegations.services.allegation_conclude": "as the initial consideration: after the last step, not ahead",
    "opencsc.allegations.services.regulator_referral_record": "a referral of an adult to the DBS or a regulator: "
    "after the referral, not ahead",
}

# A date that cannot be true: before Jo's birth (from 1990), or after today (to 2100).
IMPOSSIBLE_DAYS = st.one_of(
    st.dates(min_value=D(1990, 1, 1), max_value=BORN - dt.timedelta(days=1)),
    st.dates(min_value=TODAY + dt.timedelta(days=1), max_value=D(2100, 12, 31)),
)
WRITTEN = (Assessment, CaseNote, ChronologyEntry, AuditEvent, Contact, MissingEpisode, Child, Referral)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def _expected(day: dt.date) -> str:
    return BEFORE_BIRTH if day < BORN else "in the past"


CASES = [(entry, argument) for entry in DATED_SERVICES for argument in entry.dates]


@pytest.mark.parametrize(
    ("entry", "argument"), CASES, ids=[f"{entry.service.__name__}-{argument}" for entry, argument in CASES]
)
def test_no_dated_service_accepts_a_date_before_birth_or_after_today(world, entry, argument):
    valid = entry.build(world)
    error_field = entry.dates[argument]

    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(day=IMPOSSIBLE_DAYS)
    def refused(day):
        before = _counts()
        with pytest.raises(ValidationError) as caught:
            entry.service(**{**valid, argument: entry.as_value(day)})
        messages = caught.value.message_dict.get(error_field, [])
        assert any(_expected(day) in message for message in messages), (day, caught.value.message_dict)
        assert _counts() == before

    refused()
    # The same call with possible dates is accepted: the refusals above came from the date alone.
    entry.service(**valid)


def _services_taking_dates():
    """Every public function with a keyword-only `actor` (a service) that takes a date or a date and time."""
    found = {}
    for module_info in pkgutil.walk_packages(opencsc.__path__, "opencsc."):
        if ".migrations" in module_info.name or ".management" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameters = inspect.signature(function).parameters
            actor = parameters.get("actor")
            if actor is None or actor.kind is not inspect.Parameter.KEYWORD_ONLY:
                continue
            dated = [p for p in parameters if "date" in str(parameters[p].annotation)]
            if dated:
                found[f"{module.__name__}.{name}"] = dated
    return found


def test_every_service_taking_a_date_is_in_the_table():
    in_table = {entry.name: entry for entry in DATED_SERVICES}
    taking_dates = _services_taking_dates()
    assert len(taking_dates) >= 40  # the search itself works
    missing = sorted(set(taking_dates) - set(in_table) - set(LEFT_OUT))
    assert not missing, f"Add these services to DATED_SERVICES (or to LEFT_OUT, saying why): {missing}"
    for name, arguments in taking_dates.items():
        if name in in_table:
            entry = in_table[name]
            unchecked = set(arguments) - set(entry.dates) - set(entry.not_events)
            assert not unchecked, f"{name}: date arguments not in the table: {sorted(unchecked)}"
    assert not set(LEFT_OUT) - set(taking_dates), "LEFT_OUT names a service that is gone"


# The rule itself, as the importers use it. -------------------------------------------------------------------


def test_the_rule_is_a_plain_function_naming_the_field():
    jo = Child(first_name="Jo", date_of_birth=BORN)
    assert event_date_problem(D(2026, 5, 12), child=jo, label="Start date") == (
        "Start date must be today or in the past"
    )
    assert event_date_problem(D(2009, 8, 31), child=jo, label="Start date") == (
        "Start date cannot be before Jo's date of birth, 1 September 2009"
    )
    assert event_date_problem(BORN, child=jo, label="Start date") is None
    assert event_date_problem(TODAY, child=jo, label="Start date") is None
    assert event_date_problem(NOW + dt.timedelta(minutes=4), child=jo, label="Received") is None
    assert event_date_problem(NOW + dt.timedelta(minutes=6), child=jo, label="Received") == (
        "Received must be in the past"
    )
    with pytest.raises(ImpossibleDateError) as caught:
        require_possible_date(D(2001, 1, 1), child=jo, field="DECOM", label="The date the episode started")
    assert caught.value.field == "DECOM" and BEFORE_BIRTH in caught.value.reason
    assert caught.value.message_dict == {"DECOM": [caught.value.reason]}


def test_an_unborn_child_may_have_events_before_the_expected_birth_but_none_in_the_future(world):
    unborn = people.child_create(
        actor=world.worker,
        first_name="Baby",
        last_name="Dates",
        expected_date_of_birth=D(2026, 7, 1),
        sex="U",
    )
    Referral.objects.create(child=unborn, referral_date=D(2026, 3, 2), source="3B", route="assessment")
    assessment = protection.assessment_start(actor=world.worker, child=unborn, started_on=D(2026, 3, 3))
    assert assessment.started_on == D(2026, 3, 3)
    with pytest.raises(ValidationError) as caught:
        people.address_move_in(
            actor=world.worker,
            child=unborn,
            line_1="1 New Road",
            town="Aylesbury",
            postcode="HP19 8FF",
            moved_in_on=D(2026, 5, 12),
        )
    assert caught.value.message_dict == {
        "moved_in_on": ["The date they moved in must be today or in the past"]
    }


def test_a_contact_cannot_be_matched_to_a_child_born_after_it(world):
    contact = frontdoor.contact_record(
        actor=world.front_door,
        channel="phone",
        source="2A",
        concerns="A child not in school",
        children=[{"given_first_name": "Jo", "given_last_name": "Dates"}],
        received_at=_at(D(2009, 6, 1), 10),
    )
    subject = contact.subjects.get()
    with pytest.raises(ValidationError) as caught:
        frontdoor.contact_match_child(actor=world.front_door, subject=subject, child=world.child)
    assert caught.value.message_dict == {"child": [f"The contact, received on 1 June 2009, {BEFORE_BIRTH}"]}
    subject.refresh_from_db()
    assert subject.child is None


# The cases the issue found, through the pages: refused on the field, with what was typed kept. ---------------


def _date_fields(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


@pytest.mark.parametrize(
    ("started_on", "message"),
    [
        (D(2030, 1, 1), "The date the allocation starts must be today or in the past"),
        (
            D(1990, 1, 1),
            "The date the allocation starts cannot be before Sam&#39;s date of birth, 3 May 2019",
        ),
    ],
)
def test_the_allocation_page_refuses_an_impossible_start(world, client_for, started_on, message):
    sam = people.child_create(
        actor=world.worker, first_name="Sam", last_name="Born", date_of_birth=D(2019, 5, 3), sex="M"
    )
    response = client_for(world.manager).post(
        reverse("casework:allocate", args=[sam.pk]),
        {"worker": str(world.worker.pk), **_date_fields("started_on", started_on)},
    )
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert f'value="{started_on.year}"' in page
    assert not Allocation.objects.filter(child=sam).exists()


def test_the_note_page_refuses_a_final_note_dated_before_the_birth(world, client_for):
    kim = people.child_create(
        actor=world.worker, first_name="Kim", last_name="Born", date_of_birth=D(2022, 6, 1), sex="F"
    )
    response = client_for(world.worker).post(
        reverse("casework:note_new", args=[kim.pk]),
        {
            "children": [str(kim.pk)],
            "note_type": NoteType.PHONE_CALL,
            **_date_fields("event_on", D(2010, 3, 4)),
            "title": "Call with the school",
            "body": "Kim settled well.",
            "action": "finalise",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The date of the event cannot be before Kim&#39;s date of birth, 1 June 2022" in page
    assert "Kim settled well." in page
    assert not CaseNote.objects.filter(children=kim).exists()


def test_the_contact_page_refuses_a_contact_received_tomorrow(make_user, client_for):
    mash_worker = make_user(Role.SOCIAL_WORKER, Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR))
    response = client_for(mash_worker).post(
        reverse("frontdoor:contact_new"),
        {
            "channel": "phone",
            **_date_fields("received_on", TODAY + dt.timedelta(days=1)),
            "received_time": "09:15",
            "source": "2A",
            "concerns": "Not in school for a week",
            "child_1_first_name": "Leo",
            "child_1_last_name": "Hart",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The date and time the contact was received must be in the past" in page
    assert 'href="#id_received_on-day"' in page and "Not in school for a week" in page
    assert not Contact.objects.exists()
