"""Allegations against people who work with children in the synthetic authority: the designated officer's team
(a manager and two officers) and the allegations referred to it, written after early help.

Rates. England has no national collection of allegations managed by designated officers; counties' LADO annual
reports give a few hundred allegations a year that meet the harm threshold. The assumption here: about 2 a year
for every 100 children with a record (`PER_CHILD_RECORD_A_YEAR`), which gives about 400 a year for an authority
whose records hold 20,000 children, a county's order. Of these (assumptions in the same reports' order):
- sectors: education most (about 40%), then social care and foster carers, early years, health, sport, faith,
  voluntary, police and others (`SECTORS`);
- the initial consideration is on the day of receipt or the next working day for about 85%; the rest are two to
  five working days late (`LATE_CONSIDERATION`), so the sweep has something to find;
- a strategy discussion for about 1 in 5, the employer's own investigation for about half, the harm threshold
  not met for the rest;
- outcomes: substantiated 30%, unsubstantiated 30%, unfounded 20%, false 15%, malicious 5%; about 60% concluded
  within a month, 85% within three, almost all within twelve (below KCSIE's 80% / 90% targets, as most reports
  show); allegations whose conclusion falls after the last day are still open;
- a substantiated allegation is referred to the DBS in about 6 cases out of 10, and a teacher's also to the
  Teaching Regulation Agency in about 3 out of 10;
- about 4 in 10 allegations name a child who has a record here (linked); the others name a child by name only.
Nothing is dated after the last day. Deterministic for the seed: its own Random, seeded from the seed (the shared
one is left alone, so adding this module changed nothing else the generator writes).
"""

import datetime as dt
import random

from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.allegations.models import (
    Allegation,
    AllegationChild,
    HarmCategory,
    HarmTest,
    InitialDecision,
    Outcome,
    RegulatorBody,
    RegulatorReferral,
    Sector,
)
from opencsc.core.working_days import add_months
from opencsc.people.models import Child
from opencsc.synthetic.context import GENERATED_EMAIL_DOMAIN, Simulation
from opencsc.synthetic.timestamps import at, stamp

PER_CHILD_RECORD_A_YEAR = 0.02
LATE_CONSIDERATION = 0.15
LINKED_CHILD = 0.4
SECTORS = (
    (Sector.EDUCATION, 0.40),
    (Sector.SOCIAL_CARE, 0.12),
    (Sector.FOSTER_CARER, 0.10),
    (Sector.EARLY_YEARS, 0.10),
    (Sector.HEALTH, 0.07),
    (Sector.SPORT, 0.06),
    (Sector.FAITH, 0.04),
    (Sector.VOLUNTARY, 0.05),
    (Sector.POLICE, 0.03),
    (Sector.OTHER, 0.03),
)
DECISIONS = ((InitialDecision.STRATEGY, 0.2), (InitialDecision.EMPLOYER, 0.5), (InitialDecision.NOT_MET, 0.3))
OUTCOMES = (
    (Outcome.SUBSTANTIATED, 0.30),
    (Outcome.UNSUBSTANTIATED, 0.30),
    (Outcome.UNFOUNDED, 0.20),
    (Outcome.FALSE, 0.15),
    (Outcome.MALICIOUS, 0.05),
)
# Days from receipt to conclusion: (share, low, high).
DURATIONS = ((0.60, 3, 30), (0.25, 31, 90), (0.13, 91, 360), (0.02, 366, 450))
EMPLOYERS = {
    Sector.EDUCATION: ("Hill Street Primary School", "Class teacher"),
    Sector.SOCIAL_CARE: ("Oakwood Children's Home", "Residential support worker"),
    Sector.FOSTER_CARER: ("The council's fostering service", "Foster carer"),
    Sector.EARLY_YEARS: ("Little Acorns Nursery", "Nursery practitioner"),
    Sector.HEALTH: ("County Hospitals NHS Trust", "Healthcare assistant"),
    Sector.SPORT: ("Riverside Football Club", "Youth coach"),
    Sector.FAITH: ("St Mark's Church", "Youth leader"),
    Sector.VOLUNTARY: ("Northgate Scouts", "Volunteer leader"),
    Sector.POLICE: ("Thames Valley Police", "Police officer"),
    Sector.OTHER: ("Town Taxis", "School transport driver"),
}
FIRST_NAMES = ("Sam", "Alex", "Chris", "Jordan", "Robin", "Lee", "Jamie", "Pat", "Morgan", "Taylor")
SURNAMES = ("Ashdown", "Bellamy", "Carver", "Dunmore", "Elwood", "Fairley", "Garside", "Hollins", "Ingram")
CHILD_NAMES = ("Ava", "Noah", "Mia", "Leo", "Isla", "Oscar", "Ruby", "Theo", "Freya", "Jack")
TEAM_NAME = "Designated Officer (LADO)"


def _pick(rng: random.Random, weighted):
    draw, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if draw < total:
            return value
    return weighted[-1][0]


def _team(sim: Simulation, rng: random.Random) -> list[User]:
    team = stamp(Team(name=TEAM_NAME, kind=TeamKind.DESIGNATED_OFFICER), at(sim.first_day, 9))
    team.save()
    staff = []
    for number, (role, title) in enumerate(
        ((Role.TEAM_MANAGER, "LADO manager"), (Role.SOCIAL_WORKER, "LADO"), (Role.SOCIAL_WORKER, "LADO"))
    ):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        username = f"lado.{first}.{last}.{number}".lower()
        staff.append(
            User(
                username=username,
                password="!" + f"{rng.getrandbits(128):032x}",
                first_name=first,
                last_name=last,
                email=f"{username}@{GENERATED_EMAIL_DOMAIN}",
                role=role,
                team=team,
                job_title=title,
                date_joined=at(sim.first_day, 9),
            )
        )
    User.objects.bulk_create(staff)
    return staff


class _Allegations:
    def __init__(self, sim: Simulation, rng: random.Random, officers: list[User]):
        self.sim, self.rng, self.officers = sim, rng, officers
        self.children = list(
            Child.objects.filter(date_of_birth__isnull=False).values_list("pk", "date_of_birth")
        )

    def working_days(self, day: dt.date, count: int) -> dt.date:
        return self.sim.calendar.add_working_days(day, count)

    def received_days(self) -> list[dt.date]:
        days, span = [], (self.sim.last_day - self.sim.first_day).days + 1
        expected = PER_CHILD_RECORD_A_YEAR * self.sim.children * span / 365
        count = max(1, round(expected))
        for _ in range(count):
            day = self.sim.first_day + dt.timedelta(days=self.rng.randrange(span))
            while day.weekday() >= 5:  # referrals reach the designated officer on working days
                day -= dt.timedelta(days=day.weekday() - 4)
            days.append(max(day, self.sim.first_day))
        return sorted(days)

    def plan(self, received: dt.date) -> tuple[Allegation, AllegationChild, list[RegulatorReferral]]:
        rng, last = self.rng, self.sim.last_day
        sector = _pick(rng, SECTORS)
        employer, role = EMPLOYERS[sector]
        allegation = Allegation(
            received_on=received,
            referrer_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
            referrer_role="Designated safeguarding lead" if sector == Sector.EDUCATION else "Manager",
            referrer_organisation=employer,
            subject_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
            subject_role=role,
            subject_employer=employer,
            subject_is_volunteer=sector in (Sector.VOLUNTARY, Sector.FAITH) and rng.random() < 0.6,
            sector=sector,
            harm_test=rng.choice(HarmTest.values),
            harm_category=rng.choice(HarmCategory.values),
            details="Concern reported by the employer about conduct towards a child.",
            recorded_by=rng.choice(self.officers),
        )
        delay = rng.randint(2, 5) if rng.random() < LATE_CONSIDERATION else rng.randint(0, 1)
        considered = self.working_days(received, delay) if delay else received
        if considered <= last:
            allegation.considered_on = considered
            allegation.initial_decision = _pick(rng, DECISIONS)
            if allegation.initial_decision == InitialDecision.STRATEGY:
                held = self.working_days(considered, rng.randint(1, 5))
                allegation.strategy_held_on = held if held <= last else None
            _, low, high = self.duration()
            concluded = received + dt.timedelta(days=rng.randint(low, high))
            latest = max(considered, allegation.strategy_held_on or considered)
            concluded = max(concluded, latest)
            if concluded <= last and (
                allegation.strategy_held_on or allegation.initial_decision != "strategy"
            ):
                allegation.concluded_on = concluded
                allegation.outcome = _pick(rng, OUTCOMES)
        return allegation, self.child_concerned(received), self.referrals(allegation)

    def duration(self) -> tuple[float, int, int]:
        draw, total = self.rng.random(), 0.0
        for share, low, high in DURATIONS:
            total += share
            if draw < total:
                return share, low, high
        return DURATIONS[-1]

    def child_concerned(self, received: dt.date) -> AllegationChild:
        rng = self.rng
        if self.children and rng.random() < LINKED_CHILD:
            for _ in range(5):
                pk, born = rng.choice(self.children)
                if born < received and add_months(born, 18 * 12) > received:
                    return AllegationChild(child_id=pk)
        return AllegationChild(name_given=f"{rng.choice(CHILD_NAMES)} {rng.choice(SURNAMES)}")

    def referrals(self, allegation: Allegation) -> list[RegulatorReferral]:
        if allegation.outcome != Outcome.SUBSTANTIATED:
            return []
        found, on = [], allegation.concluded_on
        if self.rng.random() < 0.6:
            found.append(RegulatorReferral(body=RegulatorBody.DBS, referred_on=on))
        if allegation.sector == Sector.EDUCATION and self.rng.random() < 0.3:
            found.append(RegulatorReferral(body=RegulatorBody.TRA, referred_on=on))
        return found


def write_allegations(sim: Simulation) -> None:
    """The designated officer's team and the allegations referred to it (see the docstring)."""
    rng = random.Random(f"{sim.seed}-allegations")
    staff = _team(sim, rng)
    writer = _Allegations(sim, rng, staff)
    planned = [writer.plan(day) for day in writer.received_days()]
    allegations = [
        stamp(a, at(a.received_on, 10), at(a.concluded_on or a.considered_on or a.received_on, 16))
        for a, _, _ in planned
    ]
    Allegation.objects.bulk_create(allegations, batch_size=1000)
    children, referrals = [], []
    for allegation, child, regulator_referrals in planned:
        child.allegation = allegation
        children.append(child)
        for referral in regulator_referrals:
            referral.allegation = allegation
            referrals.append(stamp(referral, at(referral.referred_on, 15)))
    AllegationChild.objects.bulk_create(children, batch_size=1000)
    RegulatorReferral.objects.bulk_create(referrals, batch_size=1000)
    sim.count("allegations", len(allegations))
    sim.count("allegation regulator referrals", len(referrals))
