"""Builders for hand-made cases in the oversight tests."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework.models import (
    Allocation,
    Assessment,
    CaseNote,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    NoteStatus,
    NoteType,
    Section47Enquiry,
    StrategyDiscussion,
)
from opencsc.frontdoor.models import Contact, ContactChild, ContactStatus, Referral
from opencsc.people.models import Child

LONDON = ZoneInfo("Europe/London")


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)


class Cases:
    def __init__(self):
        self.number = 0

    def child(self, team=None, **fields) -> Child:
        self.number += 1
        first, last = fields.pop("first_name", f"Ada{self.number}"), fields.pop("last_name", "Lovelace")
        return Child.objects.create(
            la_child_id=f"OV{self.number:05d}",
            first_name=first,
            last_name=last,
            first_name_key=first.lower(),
            last_name_key=last.lower(),
            date_of_birth=dt.date(2016, 6, 1),
            sex="F",
            responsible_team=team,
            **fields,
        )

    def allocate(self, child, worker, on=dt.date(2026, 1, 5)) -> Allocation:
        child.responsible_team = worker.team
        child.save(update_fields=["responsible_team"])
        return Allocation.objects.create(child=child, worker=worker, team=worker.team, started_on=on)

    def contact(self, due_on: dt.date, *, children=(), status=ContactStatus.AWAITING_TRIAGE) -> Contact:
        self.number += 1
        contact = Contact.objects.create(
            reference=f"C-{self.number:05d}",
            received_at=at_noon(due_on - dt.timedelta(days=1)),
            channel="phone",
            source="1A",
            concerns="Worried about a child",
            decision_due_on=due_on,
            status=status,
            **({"decision": "nfa", "decided_at": at_noon(due_on)} if status == ContactStatus.DECIDED else {}),
        )
        for child in children:
            ContactChild.objects.create(contact=contact, child=child)
        return contact

    def assessment(self, child, referred_on: dt.date) -> Assessment:
        referral = Referral.objects.create(
            child=child, referral_date=referred_on, source="1A", route="assessment"
        )
        return Assessment.objects.create(child=child, referral=referral, started_on=referred_on)

    def s47(self, child, strategy_on: dt.date) -> Section47Enquiry:
        strategy = StrategyDiscussion.objects.create(child=child, held_on=strategy_on, section_47_agreed=True)
        return Section47Enquiry.objects.create(
            child=child, strategy_discussion=strategy, started_on=strategy_on
        )

    def cp_plan(self, child, icpc_on: dt.date, section_47=None) -> ChildProtectionPlan:
        conference = ChildProtectionConference.objects.create(
            child=child,
            kind=ConferenceKind.INITIAL,
            section_47=section_47,
            held_on=icpc_on,
            plan_decided=True,
            category="NEG",
        )
        return ChildProtectionPlan.objects.create(
            child=child,
            initial_conference=conference,
            started_on=icpc_on,
            initial_category="NEG",
            latest_category="NEG",
        )

    def review(self, plan, on: dt.date) -> ChildProtectionConference:
        return ChildProtectionConference.objects.create(
            child=plan.child,
            kind=ConferenceKind.REVIEW,
            plan=plan,
            held_on=on,
            plan_decided=True,
            category="NEG",
        )

    def cin_plan(self, child, started_on: dt.date) -> ChildInNeedPlan:
        return ChildInNeedPlan.objects.create(child=child, started_on=started_on)

    def visit(self, author, child, on: dt.date, *, seen=True, status=NoteStatus.FINAL) -> CaseNote:
        note = CaseNote.objects.create(
            note_type=NoteType.VISIT,
            title="Home visit",
            body="Visited",
            event_on=on,
            child_seen=seen,
            status=status,
            author=author,
            finalised_at=timezone.now() if status == NoteStatus.FINAL else None,
        )
        note.children.set([child])
        return note


@pytest.fixture
def cases(db):
    return Cases()


@pytest.fixture
def staff(make_user, teams):
    """A worker and team manager in each of two teams, a front-door team with its manager, and one person in
    each role above."""
    front_door = Team.objects.create(name="Front Door", kind=TeamKind.FRONT_DOOR)
    return {
        "worker": make_user(Role.SOCIAL_WORKER, teams["north"], first_name="Sam", last_name="Worker"),
        "other_worker": make_user(Role.SOCIAL_WORKER, teams["north"]),
        "manager": make_user(Role.TEAM_MANAGER, teams["north"], first_name="Tina", last_name="Manager"),
        "south_worker": make_user(Role.SOCIAL_WORKER, teams["south"]),
        "south_manager": make_user(Role.TEAM_MANAGER, teams["south"]),
        "front_door": front_door,
        "front_door_manager": make_user(Role.TEAM_MANAGER, front_door, first_name="Fran", last_name="Door"),
        "head": make_user(Role.HEAD_OF_SERVICE, first_name="Hana", last_name="Head"),
        "director": make_user(Role.DIRECTOR, first_name="Dev", last_name="Director"),
        "chief": make_user(Role.CHIEF_EXECUTIVE, first_name="Chris", last_name="Chief"),
        "board": make_user(Role.IMPROVEMENT_BOARD, first_name="Bea", last_name="Board"),
        "analyst": make_user(Role.PERFORMANCE_ANALYST),
    }
