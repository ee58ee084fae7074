"""Children looked after: periods of care as SSDA903 episodes, with placements, moves, reviews, health checks,
visits, missing episodes, adoption and care leavers.

Scale: a county of 550,000 people (about 110,000 children, as `seasons` takes them) gains about 500 looked-after
children a year, so a generated authority of N children gets N x 500 / 110,000 starts a year, spread over the
reporting years of the history: `--children 110000` gives about 500 a year, the default `--children 3000` about
14 (plus the open looked-after caseload, which a small demo over-represents: a 3,000-child authority measured
about 30-40 starts and 85 children in care on 31 March in its last years; see
benchmarks/looked_after_generation.py). Most come from the generated households: the looked-after and care leavers
teams' open households, and children of closed casework (those who had a protection plan three times as likely),
chosen per reporting year so each year gets its share. About 6% are unaccompanied asylum-seeking boys of 15-17 and
about 10% young people now 18-21 who came into care as teenagers (both written here as new children, on top of
the N asked for), so that care leavers have birthdays to be contacted on. A few disabled children have short
breaks (V3/V4), which the looked-after counts leave out. About 10% of children in care on 31 March had three or
more placements in the year, as nationally.

Placements and homes use real postcodes from the ONS directory (through `opencsc.geography`), checked to lie in
Buckinghamshire, its neighbours (Milton Keynes, Oxfordshire, Hertfordshire) or further away, so the distance from
home can always be worked out; PL_LA, inside or outside and the distance are worked out as the services do. The
share of new placements made outside the county is held at 80% for the first 30% of the history, then falls to
25% at the end (the sufficiency story), so more than half of the children in care on 31 March are placed out of
county in the early years, and about a third at the end.

Every episode obeys the services' rules: one period of care runs from an S episode to one that ends with a REC
other than X1; each change of legal status or placement hands over with X1 the same day (REASON_PLACE_CHANGE on
the closed episode); URNs follow rules 218 and 242. Nothing is dated after the history's last day.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from opencsc import geography
from opencsc.accounts.models import TeamKind
from opencsc.casework import chronology_lines as casework_lines
from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import (
    Allocation,
    CaseNote,
    ChronologyEntry,
    NoteStatus,
    NoteType,
)
from opencsc.core.working_days import ENGLAND, add_months
from opencsc.looked_after import chronology_lines as lines
from opencsc.looked_after.adoption import MILESTONE_FIELDS
from opencsc.looked_after.codes import (
    ReasonPlacementChange,
)
from opencsc.looked_after.models import (
    AdoptionMilestones,
    CareLeaverContact,
    CareLeaverEligibility,
    CareReview,
    Episode,
    HealthAndEducationCheck,
    HealthCheckKind,
    IroAssignment,
    MissingEpisode,
    PathwayPlanReview,
    PlacementPlanAgreement,
    PreviousPermanenceRecord,
    ReviewRecommendation,
    UnaccompaniedAsylumSeeker,
)
from opencsc.people import chronology_lines as people_lines
from opencsc.people.identifiers import format_postcode, name_key, postcode_key
from opencsc.people.models import Child, ChildAddress
from opencsc.synthetic import county
from opencsc.synthetic.families import Casework
from opencsc.synthetic.names import NamePool
from opencsc.synthetic.proceedings import court_days
from opencsc.synthetic.randomness import Weighted, day_between, years_before
from opencsc.synthetic.reviewing import ReviewingWriter
from opencsc.synthetic.timestamps import at, stamp

STARTS_PER_CHILD_PER_YEAR = 500 / 110_000
UASC_SHARE = 0.06
OLDER_COHORT_SHARE = 0.10
HOUSEHOLD_SHARE = 1 - UASC_SHARE - OLDER_COHORT_SHARE
CP_PLAN_WEIGHT = 3.0
OPEN_TEAM_CHANCE = 0.9  # children of the looked-after team's open households who are looked after
SHORT_BREAK_CHANCE = 0.12  # disabled children of the disabled children's team with short breaks
# Tuned so about 10% of children in care have three or more placements in a year, as nationally.
MOVES_A_YEAR_UNDER_5, MOVES_A_YEAR_5_TO_11, MOVES_A_YEAR_TEENAGER, MOVES_A_YEAR_UASC = 0.3, 0.4, 0.65, 0.5
UNSETTLED_SHARE = 0.08  # children whose placements break down three and a half times as often
RESPITE_CHANCE = 0.07  # of a foster child's changes, a short respite stay and back
# Share of new placements made outside the county: first day of the history, and the last.
OUT_OF_COUNTY_FIRST, OUT_OF_COUNTY_LAST = 0.8, 0.25
OUT_OF_COUNTY_HELD = 0.3  # the share of the history before it starts to fall
FAR_SHARE_OF_OUT = 0.42
LA_FOSTERING_URN = "SC058417"  # the council's own fostering service
LA_ADOPTION_URN = "SC412307"  # the regional adoption agency the council hosts
FOSTERING = {"U1", "U2", "U3", "U4", "U5", "U6"}
# Special guardianship to former foster carers (E45, E46) and its counterpart to other carers (E47, E48).
FORMER_FOSTER_CARERS_SGO = {"E45": "E47", "E46": "E48"}
LA_CODE_MK, LA_CODE_OXON, LA_CODE_HERTS = "E06000042", "E10000025", "E10000015"

NEAR = {
    LA_CODE_MK: ("MK1", "MK2", "MK3", "MK4", "MK5", "MK6", "MK8", "MK10", "MK12", "MK13", "MK14", "MK15"),
    LA_CODE_OXON: ("OX1", "OX2", "OX3", "OX4", "OX5", "OX9", "OX14", "OX16", "OX26", "OX28"),
    LA_CODE_HERTS: ("HP1", "HP2", "HP3", "AL1", "AL3", "WD17", "WD18", "SG1", "SG4", "WD3"),
}
FAR = (
    "B23",
    "B31",
    "CV2",
    "NN1",
    "NN5",
    "ME4",
    "ME14",
    "CT9",
    "NG5",
    "LE3",
    "ST4",
    "WS2",
    "M22",
    "LS10",
    "PO4",
    "BN2",
    "SO16",
    "BS13",
    "DE21",
    "PE1",
    "SN2",
    "WV10",
    "TF3",
    "L4",
    "DN2",
)
HOME_NAMES = (
    "Oak House",
    "The Willows",
    "Meadow View",
    "Cedar Lodge",
    "Brook House",
    "Hillside",
    "The Beeches",
    "Ashdown House",
    "Larch Cottage",
    "Riverside",
    "Elm Court",
    "Holly Lodge",
    "Orchard House",
    "Maple House",
)
PROVIDER_COMPANIES = (
    "Horizon Care",
    "Keys Group",
    "Bright Futures Care",
    "Compass Children's Homes",
    "Hillcrest Care",
    "Chiltern Young People's Services",
    "Pathways Care",
    "Evolve Residential",
)
FOSTER_AGENCIES = (
    ("Foster Care Associates", "SC035893", "PR4"),
    ("Compass Fostering", "SC040165", "PR4"),
    ("Capstone Foster Care", "SC050142", "PR4"),
    ("TACT Fostering", "SC043102", "PR5"),
    ("Barnardo's Fostering", "SC065221", "PR5"),
    ("Orange Grove Fostercare", "SC374812", "PR4"),
    ("ISP Fostering", "SC044570", "PR4"),
    ("Action for Children Fostering", "SC033417", "PR5"),
)
SUPPORTED_PROVIDERS = ("YMCA", "Centrepoint", "Look Ahead", "Bucks Young People's Housing", "Nacro Housing")

CHANGE_REASON = Weighted(
    {
        ReasonPlacementChange.CARPL: 0.34,
        ReasonPlacementChange.CREQB: 0.17,
        ReasonPlacementChange.CREQO: 0.12,
        ReasonPlacementChange.LAREQ: 0.1,
        ReasonPlacementChange.CHILD: 0.08,
        ReasonPlacementChange.CLOSE: 0.05,
        ReasonPlacementChange.STAND: 0.04,
        ReasonPlacementChange.ALLEG: 0.03,
        ReasonPlacementChange.APPRR: 0.01,
        ReasonPlacementChange.CUSTOD: 0.01,
        ReasonPlacementChange.OTHER: 0.05,
    }
)
PARTICIPATION = Weighted(
    {"PN1": 0.55, "PN2": 0.08, "PN3": 0.05, "PN4": 0.06, "PN5": 0.1, "PN6": 0.08, "PN7": 0.08}
)
ACTIVITY = Weighted(
    {
        "F2": 0.3,
        "F4": 0.18,
        "F1": 0.07,
        "P2": 0.05,
        "P4": 0.08,
        "G4": 0.22,
        "G6": 0.03,
        "P5": 0.02,
        "F5": 0.02,
        "G5": 0.03,
    }
)
ACCOMMODATION = Weighted(
    {
        "D": 0.24,
        "E": 0.1,
        "U": 0.2,
        "T": 0.08,
        "B": 0.14,
        "K": 0.08,
        "Z": 0.08,
        "S": 0.02,
        "W": 0.01,
        "X": 0.02,
        "Y": 0.03,
    }
)
IN_TOUCH = Weighted({"YES": 0.88, "NO": 0.04, "REFU": 0.04, "NREQ": 0.02, "RHOM": 0.02})
UASC_ETHNICITY = Weighted({"AOTH": 0.35, "BAFR": 0.3, "OOTH": 0.25, "MOTH": 0.1})
UASC_NAMES = (
    "Ahmad",
    "Mohammed",
    "Abdul",
    "Yonas",
    "Dawit",
    "Omar",
    "Hamid",
    "Samir",
    "Bilal",
    "Karim",
    "Ali",
    "Hassan",
    "Yusuf",
    "Tesfay",
    "Reza",
    "Mustafa",
)
UASC_SURNAMES = (
    "Ahmadi",
    "Mohammadi",
    "Haile",
    "Tesfaye",
    "Hussaini",
    "Rahimi",
    "Abdullahi",
    "Karimi",
    "Osman",
    "Yousef",
    "Kebede",
    "Noori",
)
VISIT_BODIES = (
    "Saw {name} at the placement. The carers report settled routines and good school attendance.",
    "Visited {name} at home with the carers; {name} showed me their room and talked about contact with family.",
    "{name} was seen alone and said they feel safe in the placement and get on well with the carers.",
    "Visit after the move: {name} is unpacking and finding their way around; the carers have a plan for school.",
    "{name} said they miss their brothers and sisters; sibling contact to be arranged before the next review.",
)


@dataclass
class Placement:
    place: str
    provider: str
    urn: str
    carer: str
    postcode: str
    carers_id: int  # same id, same carers
    foster: bool = False


@dataclass
class EpisodeSpec:
    started_on: dt.date
    rne: str
    legal_status: str
    placement: Placement
    ended_on: dt.date | None = None
    reason_ceased: str = ""
    reason_placement_changed: str = ""
    record: Episode | None = None


@dataclass
class CareJourney:
    """One child's time in care, planned before anything is written."""

    child: Child
    born: dt.date
    home_postcode: str
    category: str
    episodes: list[EpisodeSpec] = field(default_factory=list)
    short_breaks: bool = False
    uasc: bool = False
    worker: object = None  # looked-after team worker, when this module allocates one
    own_allocation: bool = False
    adviser: object = None
    adoption: dict | None = None
    household_periods: list = field(default_factory=list)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return born.replace(year=born.year + years, day=28)


def _reporting_year(day: dt.date) -> int:
    return day.year + 1 if day.month >= 4 else day.year


class PostcodeDirectory:
    """Real postcodes for placements, picked from the ONS directory's postcodes in real outward codes and kept
    when they lie in the right authority."""

    def __init__(self, rng):
        self.rng = rng
        inside_outwards = sorted({code for area in county.AREAS for code in area.outward_codes})
        self.inside = self._find(inside_outwards, 160, lambda pc: geography.is_inside_authority(pc, _home()))
        self.near = []
        for code, outwards in NEAR.items():
            self.near += self._find(
                outwards, 50, lambda pc, code=code: geography.placement_la_code(pc) == code
            )
        self.far = self._find(
            FAR, 120, lambda pc: geography.placement_la_code(pc) not in (None, _home(), *NEAR)
        )

    def _find(self, outwards, wanted: int, accept) -> list[str]:
        found, tries = [], 0
        while len(found) < wanted and tries < wanted * 40:
            tries += 1
            candidates = geography.postcodes_in_outward(self.rng.choice(outwards))
            if not candidates:
                continue
            code = self.rng.choice(candidates).postcode
            if code not in found and accept(code):
                found.append(code)
        return found

    def pick(self, where: str) -> str:
        return self.rng.choice({"in": self.inside, "near": self.near, "far": self.far}[where])


def _home() -> str:
    return settings.AUTHORITY_ONS_CODE


class LookedAfterWriter:
    """Plans and writes the looked-after part of each batch of households."""

    def __init__(self, sim, issuer, workforce):
        self.sim = sim
        self.issuer = issuer
        self.workforce = workforce
        # Its own random stream, so the households, casework and front door are the same with or without it.
        self.rng = random.Random(f"looked-after-{sim.seed}")
        self.names = NamePool(self.rng)
        self.postcodes = PostcodeDirectory(self.rng)
        self.carers_seq = 0
        self.homes = self._homes()
        days = (sim.last_day - sim.first_day).days + 1
        self.starts_per_day = sim.children * STARTS_PER_CHILD_PER_YEAR / 365.25
        self.targets: dict[int, float] = {}
        for offset in range(days):
            year = _reporting_year(sim.first_day + dt.timedelta(days=offset))
            self.targets[year] = self.targets.get(year, 0) + self.starts_per_day * HOUSEHOLD_SHARE
        self.made: dict[int, float] = dict.fromkeys(self.targets, 0)
        self.planned_children = 0
        self.extra_target = sim.children * STARTS_PER_CHILD_PER_YEAR * days / 365.25
        self.extra_made = {"uasc": 0, "older": 0}
        la_teams = workforce.teams_by_kind.get(TeamKind.LOOKED_AFTER, [])
        cl_teams = workforce.teams_by_kind.get(TeamKind.CARE_LEAVERS, [])
        self.la_teams, self.cl_teams = la_teams, cl_teams
        self.officers = [workforce.managers[team.pk] for team in la_teams + cl_teams]
        self.reviewing = ReviewingWriter(sim, workforce)

    # Providers ----------------------------------------------------------------------------------------------

    def _homes(self) -> list[Placement]:
        homes = []
        for index in range(max(12, round(self.sim.children / 4000))):
            where = "in" if index % 4 == 0 else ("near" if index % 4 == 1 else "far")
            provider = "PR1" if index % 9 == 0 else ("PR5" if index % 7 == 0 else "PR4")
            company = "Buckinghamshire Council" if provider == "PR1" else self.rng.choice(PROVIDER_COMPANIES)
            homes.append(
                Placement(
                    "K2",
                    provider,
                    f"SC{self.rng.randint(380000, 499999)}",
                    f"{self.rng.choice(HOME_NAMES)} ({company})",
                    self.postcodes.pick(where),
                    self._carers_id(),
                )
            )
        return homes

    def _carers_id(self) -> int:
        self.carers_seq += 1
        return self.carers_seq

    def _out_share(self, day: dt.date) -> float:
        """The share of new placements made outside the county: held for the first part of the history, then
        falling steadily as the county's own homes and carers open."""
        span = max(1, (self.sim.last_day - self.sim.first_day).days)
        done = (day - self.sim.first_day).days / span
        falling = max(0.0, (done - OUT_OF_COUNTY_HELD) / (1 - OUT_OF_COUNTY_HELD))
        return OUT_OF_COUNTY_FIRST + (OUT_OF_COUNTY_LAST - OUT_OF_COUNTY_FIRST) * falling

    def _where(self, day: dt.date) -> str:
        if self.rng.random() >= self._out_share(day):
            return "in"
        return "far" if self.rng.random() < FAR_SHARE_OF_OUT else "near"

    def placement(self, day: dt.date, age: int, surname: str, *, kinship_ok=True, uasc=False) -> Placement:
        rng = self.rng
        where = self._where(day)
        draw = rng.random()
        if age >= 16 and (draw < (0.55 if uasc else 0.3)):
            company = rng.choice(SUPPORTED_PROVIDERS)
            return Placement(
                "K3",
                "PR5" if company in ("YMCA", "Centrepoint") else "PR4",
                f"2{rng.randint(100000, 999999)}",
                f"{company} supported accommodation",
                self.postcodes.pick("in"),
                self._carers_id(),
            )
        home_chance = 0.02 if age < 10 else (0.16 if age < 14 else 0.24)
        if draw > 1 - home_chance:
            homes = [
                home for home in self.homes if (home.postcode in self.postcodes.inside) == (where == "in")
            ]
            return rng.choice(homes or self.homes)
        if kinship_ok and not uasc and draw < 0.16:
            place = "U1" if rng.random() < 0.25 else "U3"
            carer = f"{rng.choice(('Grandmother', 'Aunt', 'Uncle', 'Family friend'))}: {self.names.adult_forename('F', 'WBRI')} {surname}"
            return Placement(
                place,
                "PR1",
                rng.choice((LA_FOSTERING_URN, "XXXXXXX")),
                carer,
                self.postcodes.pick(where),
                self._carers_id(),
                True,
            )
        place = "U4" if rng.random() < 0.18 else "U6"
        carer_name = f"{self.names.adult_forename('F', 'WBRI')} and {self.names.adult_forename('M', 'WBRI')} {self.names.surname('WBRI')}"
        if where == "in" and rng.random() < 0.75:
            return Placement(
                place, "PR1", LA_FOSTERING_URN, carer_name, self.postcodes.pick("in"), self._carers_id(), True
            )
        agency, urn, provider = rng.choice(FOSTER_AGENCIES)
        return Placement(
            place,
            provider,
            urn,
            f"{carer_name} ({agency})",
            self.postcodes.pick(where),
            self._carers_id(),
            True,
        )

    # Choosing who comes into care ----------------------------------------------------------------------------

    def write(self, households: list) -> None:
        journeys: list[CareJourney] = []
        batch_children = sum(len(household.children) for household in households)
        self.planned_children += batch_children
        share = min(1.0, self.planned_children / max(self.sim.children, 1))
        closed: list[tuple] = []
        for household in households:
            kind = household.team_kind
            if household.casework == Casework.OPEN and kind in (TeamKind.LOOKED_AFTER, TeamKind.CARE_LEAVERS):
                start = household.casework_opened_on + dt.timedelta(days=self.rng.randint(0, 20))
                for plan in household.children:
                    if not self._eligible(plan, start):
                        continue
                    if kind == TeamKind.CARE_LEAVERS and _age(plan.date_of_birth, self.sim.last_day) < 16:
                        continue
                    if kind == TeamKind.CARE_LEAVERS and _age(plan.date_of_birth, start) < 12:
                        continue
                    if self.rng.random() < OPEN_TEAM_CHANCE:
                        journeys.append(self._journey(household, plan, start, open_team=kind))
                        self.made[_reporting_year(start)] += 1
            elif household.casework == Casework.CLOSED and household.casework_closed_on:
                start = household.casework_closed_on
                eligible = [plan for plan in household.children if self._eligible(plan, start)]
                if not eligible:
                    continue
                if kind == TeamKind.DISABLED_CHILDREN or (
                    any(plan.disabilities for plan in eligible) and self.rng.random() < 0.3
                ):
                    if self.rng.random() < SHORT_BREAK_CHANCE:
                        plan = eligible[0]
                        journeys.append(self._short_breaks(household, plan, start))
                    continue
                weight = CP_PLAN_WEIGHT if _had_cp_plan(household) else 1.0
                closed.append((household, start, eligible, weight))
            elif kind == TeamKind.DISABLED_CHILDREN and household.casework == Casework.OPEN:
                eligible = [
                    p
                    for p in household.children
                    if p.disabilities and self._eligible(p, household.casework_opened_on)
                ]
                if eligible and self.rng.random() < SHORT_BREAK_CHANCE:
                    journeys.append(self._short_breaks(household, eligible[0], household.casework_opened_on))
        units: dict[int, float] = {}
        for _, start, eligible, weight in closed:
            year = _reporting_year(start)
            units[year] = units.get(year, 0) + weight * len(eligible)
        chance = {
            year: max(0.0, min(1.0, (self.targets.get(year, 0) * share - self.made.get(year, 0)) / amount))
            for year, amount in units.items()
        }
        for household, start, eligible, weight in closed:
            year = _reporting_year(start)
            if self.rng.random() < chance[year] * weight:
                for plan in eligible:
                    journeys.append(self._journey(household, plan, start))
                    self.made[year] = self.made.get(year, 0) + 1
        journeys += self._new_young_people(share)
        self._write(journeys)

    def _eligible(self, plan, start: dt.date) -> bool:
        born = plan.date_of_birth
        return (
            born is not None
            and plan.record is not None
            and born <= start <= self.sim.last_day
            and _age(born, start) < 18
            and start >= plan.created_on
        )

    def _journey(self, household, plan, start: dt.date, open_team: str = "") -> CareJourney:
        home = _home_postcode(household, start)
        need = (
            "N1"
            if self.rng.random() < 0.66
            else self.rng.choice(("N2", "N3", "N4", "N4", "N5", "N5", "N6", "N8"))
        )
        journey = CareJourney(
            plan.record, plan.date_of_birth, home, need, household_periods=household.periods
        )
        journey.own_allocation = not open_team
        if open_team == TeamKind.CARE_LEAVERS and household.periods:
            journey.adviser = household.periods[-1].worker
        self._plan_care(journey, start, plan.last_name, may_stay=bool(open_team))
        return journey

    def _short_breaks(self, household, plan, start: dt.date) -> CareJourney:
        journey = CareJourney(plan.record, plan.date_of_birth, _home_postcode(household, start), "N2")
        journey.short_breaks = True
        journey.own_allocation = household.casework != Casework.OPEN
        rng, last = self.rng, self.sim.last_day
        home = next((h for h in self.homes if h.postcode in self.postcodes.inside), self.homes[0])
        home = Placement(
            "K2", "PR1", home.urn, "Short break unit (Buckinghamshire Council)", home.postcode, home.carers_id
        )
        eighteen = _birthday(plan.date_of_birth, 18)
        if rng.random() < 0.5:  # an agreement (V4): one episode for the agreement's life
            end = start + dt.timedelta(days=rng.randint(180, 540))
            end = min(end, eighteen)
            journey.episodes.append(
                EpisodeSpec(start, "S", "V4", home, end if end <= last else None, "E8" if end <= last else "")
            )
        else:  # short stays (V3), each an episode
            day = start
            for _ in range(rng.randint(2, 6)):
                end = day + dt.timedelta(days=rng.randint(1, 3))
                if end > last or end >= eighteen:
                    break
                journey.episodes.append(EpisodeSpec(day, "S", "V3", home, end, "E13"))
                day = end + dt.timedelta(days=rng.randint(20, 70))
        return journey

    def _new_young_people(self, share: float) -> list[CareJourney]:
        """Unaccompanied asylum-seeking boys, and young people now 18 or over who came into care as teenagers."""
        journeys = []
        for kind, portion in (("uasc", UASC_SHARE), ("older", OLDER_COHORT_SHARE)):
            due = round(self.extra_target * portion * share) - self.extra_made[kind]
            for _ in range(max(0, due)):
                journey = self._new_young_person(kind)
                if journey:
                    journeys.append(journey)
                self.extra_made[kind] += 1
        return journeys

    def _new_young_person(self, kind: str) -> CareJourney | None:
        rng, sim = self.rng, self.sim
        if kind == "uasc":
            start = day_between(rng, sim.first_day, sim.last_day - dt.timedelta(days=2))
            age = rng.choice((15, 16, 16, 16, 17, 17))
            sex, ethnicity = "M" if rng.random() < 0.94 else "F", UASC_ETHNICITY.draw(rng)
            first = rng.choice(UASC_NAMES) if sex == "M" else "Amina"
            last = rng.choice(UASC_SURNAMES)
        else:
            age_now = rng.randint(18, 21)
            born_guess = years_before(sim.last_day, age_now) - dt.timedelta(days=rng.randint(0, 360))
            earliest = max(sim.first_day, _birthday(born_guess, 13))
            latest = min(
                sim.last_day - dt.timedelta(days=30), _birthday(born_guess, 18) - dt.timedelta(days=120)
            )
            if latest <= earliest:
                return None
            start = day_between(rng, earliest, latest)
            age = _age(born_guess, start)
            sex, ethnicity = (
                rng.choice("MF"),
                rng.choice(("WBRI", "WBRI", "WBRI", "MWBC", "APKN", "BCRB", "WOTH")),
            )
            first, last = self.names.child_forename(sex, ethnicity), self.names.surname(ethnicity)
        born = years_before(start, age) - dt.timedelta(days=rng.randint(0, 360))
        if kind != "uasc":
            born = born_guess
        child = Child(
            la_child_id=self.issuer.la_child_id(),
            upn="",
            upn_unknown_reason="UN2" if kind == "uasc" else "UN5",
            first_name=first,
            last_name=last,
            first_name_key=name_key(first),
            last_name_key=name_key(last),
            date_of_birth=born,
            sex=sex,
            ethnicity=ethnicity,
            first_language=""
            if kind != "uasc"
            else rng.choice(("Pashto", "Tigrinya", "Arabic", "Kurdish", "Dari")),
            responsible_team=rng.choice(self.cl_teams or self.la_teams)
            if self.cl_teams or self.la_teams
            else None,
        )
        stamp(child, at(start, 10, rng.randint(0, 59)))
        home = "" if kind == "uasc" else self.postcodes.pick("in")
        journey = CareJourney(child, born, home, "N8" if kind == "uasc" else "N1", uasc=kind == "uasc")
        journey.own_allocation = True
        self._plan_care(journey, start, last, may_stay=False)
        return journey

    # Planning a period of care -----------------------------------------------------------------------------

    def _plan_care(self, journey: CareJourney, start: dt.date, surname: str, may_stay: bool) -> None:
        rng, last = self.rng, self.sim.last_day
        born = journey.born
        eighteen = _birthday(born, 18)
        age = _age(born, start)
        # Legal route and how it ends.
        if journey.uasc:
            route = "uasc"
        elif age < 1:
            route = rng.choices(("adoption", "court", "v2"), (0.42, 0.43, 0.15))[0]
        elif age < 5:
            route = rng.choices(("adoption", "court", "v2"), (0.22, 0.5, 0.28))[0]
        elif age < 13:
            route = rng.choices(("court", "v2"), (0.55, 0.45))[0]
        else:
            route = rng.choices(("court", "v2"), (0.22, 0.78))[0]
        statuses: list[tuple[dt.date, str]] = []
        day = start
        if route != "uasc" and rng.random() < 0.08:
            statuses.append((day, rng.choice(("L1", "L2"))))
            day = day + dt.timedelta(days=rng.randint(1, 3) if statuses[-1][1] == "L1" else rng.randint(3, 8))
        end_reason, end_day = "", None
        adoption = None
        if route in ("v2", "uasc"):
            statuses.append((day, "V2"))
            if route == "v2" and age < 16 and rng.random() < 0.12:
                day = day + dt.timedelta(days=rng.randint(30, 200))
                statuses.append((day, "C1"))
                route = "court"
            else:
                if route == "uasc":
                    end_day, end_reason = eighteen, rng.choice(("E5", "E5", "E6", "E8", "E17"))
                    if rng.random() < 0.04:
                        end_day, end_reason = day + dt.timedelta(days=rng.randint(20, 90)), "E15"
                elif may_stay and rng.random() < 0.7:
                    end_day, end_reason = eighteen, None
                else:
                    draw = rng.random()
                    if age >= 13 and draw < 0.4:
                        end_day, end_reason = eighteen, None
                    else:
                        end_day = day + dt.timedelta(days=rng.randint(20, 330))
                        end_reason = rng.choices(
                            ("E4A", "E13", "E4B", "E41", "E8"), (0.65, 0.12, 0.06, 0.07, 0.1)
                        )[0]
        if route in ("court", "adoption"):
            if statuses and statuses[-1][1] != "C1" or not statuses:
                statuses.append((day, "C1"))
            final = day + dt.timedelta(days=court_days(rng))
            if route == "adoption":
                adoption = {"decided_on": day + dt.timedelta(days=rng.randint(60, 140))}
                statuses.append((final, "E1"))
                adoption["placement_order_on"] = final
                placed = final + dt.timedelta(days=rng.randint(60, 270))
                if rng.random() < 0.13:
                    adoption["ceased_on"] = placed
                    adoption["reason_ceased"] = rng.choice(("RD1", "RD3", "RD3", "RD4"))
                    statuses.append((placed, "C2"))
                    end_day, end_reason = eighteen, None
                else:
                    adoption["placed_on"] = placed
                    adoption["matched_on"] = placed - dt.timedelta(days=rng.randint(14, 60))
                    end_day = placed + dt.timedelta(days=rng.randint(120, 360))
                    end_reason = "E11" if rng.random() < 0.6 else "E12"
                    adoption["adoption_order_on"] = end_day
            else:
                draw = rng.random()
                if draw < 0.17:
                    end_day, end_reason = final, "E4A"
                elif draw < 0.37:
                    end_day, end_reason = final, rng.choice(("E45", "E45", "E47", "E46", "E48"))
                elif draw < 0.41:
                    end_day, end_reason = final, "E41"
                else:
                    statuses.append((final, "C2"))
                    if may_stay or age >= 10 or rng.random() < 0.6:
                        end_day, end_reason = eighteen, None
                    else:
                        end_day = final + dt.timedelta(days=rng.randint(200, 900))
                        end_reason = rng.choice(("E4A", "E46", "E45", "E41"))
        if end_day is None or end_day > eighteen:
            end_day, end_reason = eighteen, None
        if rng.random() < 0.01 and route == "court":
            end_reason = "E3"  # care taken over by another authority
        statuses = [(d, s) for d, s in statuses if d < end_day and d <= last]
        # Placements over the period.
        segments: list[tuple[dt.date, Placement, str, bool]] = []  # (from, placement, reason, same carers)
        first = self._first_placement(journey, start, age, surname, route)
        segments.append((start, first, "", False))
        current, day = first, start
        move_rate = (
            MOVES_A_YEAR_UNDER_5 if age < 5 else (MOVES_A_YEAR_5_TO_11 if age < 12 else MOVES_A_YEAR_TEENAGER)
        )
        if journey.uasc:
            move_rate = MOVES_A_YEAR_UASC
        if rng.random() < UNSETTLED_SHARE:
            move_rate *= 3.5  # an unsettled child: three or more placements a year
        horizon = min(end_day, last)
        while True:
            gap = int(rng.expovariate(move_rate / 365.25)) + 7
            day = day + dt.timedelta(days=gap)
            if day >= horizon:
                break
            if (
                adoption
                and adoption.get("placed_on")
                and day >= adoption["placement_order_on"] - dt.timedelta(days=20)
            ):
                break
            age_now = _age(born, day)
            if rng.random() < RESPITE_CHANCE and current.foster:
                # a short stay while the carers are away, then back (two placements in the count)
                respite = Placement(
                    "T3", "", "", "Respite foster carers", self.postcodes.pick("in"), self._carers_id()
                )
                back = day + dt.timedelta(days=rng.randint(3, 14))
                if back >= horizon:
                    break
                segments.append((day, respite, "", False))
                segments.append((back, current, "", False))
                day = back
                continue
            if current.place == "U6" and age_now < 16 and rng.random() < 0.25:
                current = Placement(
                    "U4",
                    current.provider,
                    current.urn,
                    current.carer,
                    current.postcode,
                    current.carers_id,
                    True,
                )
                segments.append((day, current, ReasonPlacementChange.PLACE, True))
                continue
            current = self.placement(day, age_now, surname, kinship_ok=False, uasc=journey.uasc)
            segments.append((day, current, CHANGE_REASON.draw(rng), False))
        if adoption and adoption.get("placed_on") and adoption["placed_on"] < horizon:
            placed = adoption["placed_on"]
            segments = [s for s in segments if s[0] < placed]
            with_carers = segments[-1][1].foster and rng.random() < 0.2
            if with_carers:
                prev = segments[-1][1]
                adopt = Placement("A5", prev.provider, "XXXXXXX", prev.carer, prev.postcode, prev.carers_id)
            else:
                agency = rng.random() < 0.75
                adopt = Placement(
                    "A6",
                    "PR1" if agency else "PR5",
                    LA_ADOPTION_URN if rng.random() < 0.5 else "XXXXXXX",
                    f"Adopters: {self.names.adult_forename('F', 'WBRI')} and {self.names.adult_forename('M', 'WBRI')} {self.names.surname('WBRI')}",
                    self.postcodes.pick(self._where(placed)),
                    self._carers_id(),
                )
            segments.append((placed, adopt, ReasonPlacementChange.CARPL, with_carers))
            adoption["foster_carer_adopting"] = with_carers
        journey.adoption = adoption
        # Merge legal statuses and placements into episodes.
        ls_by_day = dict(statuses)
        seg_by_day = {s[0]: s for s in segments}
        change_days = sorted(set(ls_by_day) | set(seg_by_day))
        legal, placement, episodes = None, None, []
        for day in change_days:
            if day > last:
                break
            new_ls = ls_by_day.get(day, legal)
            seg = seg_by_day.get(day)
            new_pl = seg[1] if seg else placement
            if legal is None:
                rne = "S"
            else:
                ls_changed, pl_changed = new_ls != legal, seg is not None
                same = pl_changed and (seg[3] or new_pl.carers_id == placement.carers_id)
                if pl_changed and ls_changed:
                    rne = "U" if same else "B"
                elif pl_changed:
                    rne = "T" if same else "P"
                elif ls_changed:
                    rne = "L"
                else:
                    continue
                prev = episodes[-1]
                prev.ended_on, prev.reason_ceased = day, "X1"
                if seg is not None:
                    prev.reason_placement_changed = seg[2]
                    if not prev.reason_placement_changed and not (
                        prev.placement.place.startswith("T") or new_pl.place.startswith("T")
                    ):
                        prev.reason_placement_changed = ReasonPlacementChange.CARPL
            if new_pl.place == "P1" and not journey.home_postcode:
                new_pl = placement or new_pl
            episodes.append(EpisodeSpec(day, rne, new_ls, new_pl))
            legal, placement = new_ls, new_pl
        if end_day <= last:
            final = episodes[-1]
            if end_reason is None:  # leaving care at 18
                if final.placement.foster and final.placement.place.startswith("U") and rng.random() < 0.45:
                    end_reason = "E17"
                elif final.placement.place == "K3":
                    end_reason = rng.choice(("E5", "E5", "E6"))
                else:
                    end_reason = rng.choice(("E5", "E5", "E6", "E8", "E13"))
            if final.placement.place.startswith("T"):
                end_reason = end_reason if end_reason != "E17" else "E5"
            if end_reason in FORMER_FOSTER_CARERS_SGO and final.placement.place not in FOSTERING:
                # Special guardianship to former foster carers needs a foster placement to end (rule 516).
                end_reason = FORMER_FOSTER_CARERS_SGO[end_reason]
            final.ended_on, final.reason_ceased = max(end_day, final.started_on), end_reason
        journey.episodes = episodes

    def _first_placement(self, journey, start, age, surname, route) -> Placement:
        if route == "adoption" and self.rng.random() < 0.15:
            place = self.placement(start, age, surname, kinship_ok=False)
            return Placement(
                "U5" if not place.place.startswith("U") else "U5",
                place.provider,
                place.urn,
                place.carer,
                place.postcode,
                place.carers_id,
                True,
            )
        return self.placement(start, age, surname, uasc=journey.uasc)

    # Writing ------------------------------------------------------------------------------------------------

    def _write(self, journeys: list[CareJourney]) -> None:
        sim = self.sim
        new_children = [j.child for j in journeys if j.child.pk is None]
        Child.objects.bulk_create(new_children, batch_size=1000)
        sim.count("young people new to care", len(new_children))
        chronology: list[ChronologyEntry] = []
        addresses = []
        for child in new_children:
            chronology.append(_entry(people_lines.child_created(child, child.created_at.date(), None), None))
        for journey in journeys:
            if journey.child in new_children and journey.home_postcode:
                area = county.choose_area(self.rng)
                address = county.address_in(self.rng, area)
                addresses.append(
                    stamp(
                        ChildAddress(
                            child=journey.child,
                            line_1=address.line_1,
                            line_2=address.line_2,
                            town=address.town,
                            postcode=format_postcode(journey.home_postcode),
                            postcode_key=postcode_key(journey.home_postcode),
                            moved_in_on=journey.child.created_at.date(),
                        ),
                        journey.child.created_at,
                    )
                )
        ChildAddress.objects.bulk_create(addresses, batch_size=1000)
        sim.count("addresses", len(addresses))
        for address in addresses:
            chronology.append(_entry(people_lines.address_moved_in(address, is_move=False), None))
        journeys = [j for j in journeys if j.episodes]
        self._allocate(journeys, chronology)
        episodes = []
        for journey in journeys:
            for spec in journey.episodes:
                spec.record = self._episode(journey, spec)
                episodes.append(spec.record)
        Episode.objects.bulk_create(episodes, batch_size=1000)
        sim.count("care episodes", len(episodes))
        for journey in journeys:
            previous = None
            for spec in journey.episodes:
                chronology.append(self._episode_entry(spec, previous))
                if spec.ended_on and spec.reason_ceased != "X1":
                    line = lines.care_ended(spec.record)
                    chronology.append(_entry(line, spec.record.recorded_by, at(spec.ended_on, 16)))
                previous = spec
        self._uasc(journeys)
        self._adoption(journeys, chronology)
        self.reviewing.write(journeys, self._periods, self._worker_on, chronology)
        self._reviews(journeys, chronology)
        self._checks(journeys, chronology)
        self._missing(journeys, chronology)
        self._visits(journeys, chronology)
        self._care_leavers(journeys, chronology)
        self._previous_permanence(journeys)
        ChronologyEntry.objects.bulk_create(chronology, batch_size=2000)
        sim.count("chronology entries", len(chronology))
        sim.count("looked-after children", len(journeys))

    def _episode(self, journey: CareJourney, spec: EpisodeSpec) -> Episode:
        pl = spec.placement
        postcode = journey.home_postcode if pl.place == "P1" else pl.postcode
        distance = (
            geography.placement_distance(journey.home_postcode, postcode) if journey.home_postcode else None
        )
        episode = Episode(
            child=journey.child,
            started_on=spec.started_on,
            reason_new_episode=spec.rne,
            legal_status=spec.legal_status,
            category_of_need=journey.category,
            placement_type=pl.place,
            placement_provider=pl.provider,
            urn=pl.urn,
            carer_name=pl.carer,
            home_postcode=journey.home_postcode,
            placement_postcode=postcode,
            placement_la_code=geography.placement_la_code(postcode) or "",
            placement_inside_authority=geography.is_inside_authority(postcode, _home()),
            distance_miles=None if distance is None else Decimal(str(distance)),
            ended_on=spec.ended_on,
            reason_ceased=spec.reason_ceased,
            reason_placement_changed=spec.reason_placement_changed,
            recorded_by=self._worker_on(journey, spec.started_on),
        )
        return stamp(episode, at(spec.started_on, 15), at(spec.ended_on, 16) if spec.ended_on else None)

    def _episode_entry(self, spec: EpisodeSpec, previous: EpisodeSpec | None) -> ChronologyEntry:
        episode = spec.record
        if spec.rne == "S":
            line = lines.care_started(episode)
        elif spec.rne == "L":
            line = lines.legal_status_changed(episode, previous.legal_status)
        else:
            line = lines.placement_moved(episode, previous.reason_placement_changed)
        return _entry(line, episode.recorded_by, at(spec.started_on, 15))

    def _worker_on(self, journey: CareJourney, day: dt.date):
        if journey.own_allocation and journey.worker is not None:
            return journey.worker
        for period in journey.household_periods:
            if period.started_on <= day and (period.ended_on is None or day <= period.ended_on):
                return period.worker
        return journey.worker

    def _allocate(self, journeys: list[CareJourney], chronology: list) -> None:
        rng, last = self.rng, self.sim.last_day
        allocations = []
        for journey in journeys:
            if not self.la_teams:
                continue
            team = rng.choice(self.la_teams)
            journey.worker = self.workforce.least_loaded_worker(self.sim, team, self.rng)
            if not journey.own_allocation:
                handed_on = self._household_worker_left(journey)
                if handed_on is not None:
                    end = journey.episodes[-1].ended_on
                    if end is None:
                        self.workforce.caseloads[journey.worker.pk] += 1
                    allocations.append(
                        self._allocation(
                            journey.child, journey.worker, team, handed_on, end, "Case closed" if end else ""
                        )
                    )
                continue
            start = journey.episodes[0].started_on
            end = journey.episodes[-1].ended_on
            left_care_old = end is not None and _age(journey.born, end) >= 16 and not journey.short_breaks
            if end is None and rng.random() < 0.05:
                leaver = rng.choice(self.workforce.leavers[team.pk])
                end_on = max(day_between(rng, start, last), min(start + dt.timedelta(days=1), last))
                allocations.append(
                    self._allocation(journey.child, leaver, team, start, end_on, "Worker left the authority")
                )
                # The case passes to a colleague the day the worker leaves, except in the last month, where it
                # is still waiting (the unallocated children on the dashboard). A child looked after at 31 March
                # must have a social worker then (903 rule SW17STG2).
                if end_on <= last - dt.timedelta(days=30):
                    self.workforce.caseloads[journey.worker.pk] += 1
                    allocations.append(
                        self._allocation(journey.child, journey.worker, team, end_on, None, "")
                    )
                continue
            if end is None:
                self.workforce.caseloads[journey.worker.pk] += 1
            reason = "Transferred to the care leavers team" if left_care_old else "Case closed"
            allocations.append(
                self._allocation(journey.child, journey.worker, team, start, end, reason if end else "")
            )
            if left_care_old and self.cl_teams:
                cl_team = rng.choice(self.cl_teams)
                journey.adviser = self.workforce.least_loaded_worker(self.sim, cl_team, self.rng)
                allocations.append(self._allocation(journey.child, journey.adviser, cl_team, end, None, ""))
        Allocation.objects.bulk_create(allocations, batch_size=1000)
        self.sim.count("allocations", len(allocations))
        for allocation in allocations:
            manager = self.workforce.managers[allocation.team.pk]
            chronology.append(_entry(casework_lines.allocated(allocation), manager, allocation.created_at))

    def _household_worker_left(self, journey: CareJourney) -> dt.date | None:
        """The day a looked-after child's case passes to a colleague of the family's worker who left (the family
        left waiting for a worker), except in the last month. A child looked after must have a social worker
        (903 rule SW17STG2)."""
        periods = journey.household_periods
        if (
            not periods
            or periods[-1].ended_on is None
            or periods[-1].end_reason != "Worker left the authority"
        ):
            return None
        left, end = periods[-1].ended_on, journey.episodes[-1].ended_on
        if end is not None and end <= left:
            return None
        handed_on = max(left, journey.episodes[0].started_on)
        return handed_on if handed_on <= self.sim.last_day - dt.timedelta(days=30) else None

    def _allocation(self, child, worker, team, start, end, reason) -> Allocation:
        allocation = Allocation(
            child=child, worker=worker, team=team, started_on=start, ended_on=end, end_reason=reason
        )
        return stamp(allocation, at(start, 10), at(end, 16) if end else None)

    def _uasc(self, journeys) -> None:
        rows = []
        for journey in journeys:
            if journey.uasc:
                eighteen = _birthday(journey.born, 18)
                rows.append(
                    stamp(
                        UnaccompaniedAsylumSeeker(
                            child=journey.child, ceased_on=eighteen if eighteen <= self.sim.last_day else None
                        ),
                        at(journey.episodes[0].started_on, 16),
                    )
                )
        UnaccompaniedAsylumSeeker.objects.bulk_create(rows, batch_size=1000)
        self.sim.count("unaccompanied asylum-seeking children", len(rows))

    def _adoption(self, journeys, chronology) -> None:
        rng, last = self.rng, self.sim.last_day
        rows = []
        for journey in journeys:
            plan = journey.adoption
            if not plan or plan["decided_on"] > last:
                continue
            row = AdoptionMilestones(child=journey.child, decided_on=plan["decided_on"])
            for name in ("placement_order_on", "matched_on", "placed_on", "adoption_order_on", "ceased_on"):
                value = plan.get(name)
                if value and value <= last and (journey.episodes[-1].ended_on or last) >= value:
                    setattr(row, name, value)
            if row.ceased_on:
                row.reason_ceased = plan["reason_ceased"]
            if row.matched_on:
                row.foster_carer_adopting = plan.get("foster_carer_adopting", False)
                sexes = rng.choices(("MF", "FF", "MM", "F1", "M1"), (0.75, 0.08, 0.07, 0.09, 0.01))[0]
                row.adopters_sex = sexes
                row.number_of_adopters = 1 if sexes in ("F1", "M1") else 2
                row.adopters_legal_status = (
                    "L0"
                    if row.number_of_adopters == 1
                    else rng.choice(("L11", "L11", "L3"))
                    if sexes == "MF"
                    else rng.choice(("L12", "L2", "L4"))
                )
            rows.append(stamp(row, at(row.decided_on, 14)))
        AdoptionMilestones.objects.bulk_create(rows, batch_size=1000)
        self.sim.count("adoption plans", len(rows))
        for row in rows:
            for name in MILESTONE_FIELDS:
                on = getattr(row, name)
                if on:
                    chronology.append(_entry(lines.adoption_milestone(row, name), None, at(on, 14)))
            if row.ceased_on:
                chronology.append(_entry(lines.adoption_ceased(row), None, at(row.ceased_on, 14)))

    def _previous_permanence(self, journeys) -> None:
        """Whether each child had a permanence order before coming into care (the 903 PrevPerm, which the DfE
        expects for every child starting care, rule 630): mostly none; now and then a special guardianship or
        child arrangements order that broke down. On its own random stream, so nothing else moves."""
        rng = random.Random(f"previous-permanence-{self.sim.seed}")
        rows = []
        for journey in journeys:
            started = journey.episodes[0].started_on
            kind = "Z1" if rng.random() < 0.9 else rng.choice(("P2", "P2", "P3"))
            record = PreviousPermanenceRecord(child=journey.child, kind=kind)
            if kind != "Z1":
                order_on = day_between(rng, max(journey.born, started - dt.timedelta(days=5 * 365)), started)
                record.la_code, record.order_date = settings.AUTHORITY_LA_CODE, order_on.strftime("%d/%m/%Y")
            rows.append(stamp(record, at(started, 15)))
        PreviousPermanenceRecord.objects.bulk_create(rows, batch_size=1000)
        self.sim.count("previous permanence answers", len(rows))

    def _periods(self, journey: CareJourney) -> list[tuple[dt.date, dt.date]]:
        """The periods of care (start, end or the last day), short breaks left out."""
        if journey.short_breaks:
            return []
        periods, start = [], None
        for spec in journey.episodes:
            if spec.rne == "S":
                start = spec.started_on
            if spec.reason_ceased not in ("", "X1"):
                periods.append((start, spec.ended_on))
                start = None
        if start is not None:
            periods.append((start, self.sim.last_day))
        return periods

    def _reviews(self, journeys, chronology) -> None:
        rng = self.rng
        rows = []
        for journey in journeys:
            for start, end in self._periods(journey):
                due = ENGLAND.add_working_days(start, 20)
                step = 0
                previous = start
                while True:
                    held = due - dt.timedelta(days=rng.randint(0, 7))
                    if rng.random() < 0.12:
                        held = due + dt.timedelta(days=rng.randint(3, 40))
                    held = max(held, previous + dt.timedelta(days=1))
                    if held > end or held > self.sim.last_day:
                        break
                    code = "PN0" if _age(journey.born, held) < 4 else PARTICIPATION.draw(rng)
                    # Chaired by the child's IRO that day. The manager is drawn all the same, so that the records
                    # drawn after it keep their values for a seed; they chair a review held with no IRO assigned.
                    manager = rng.choice(self.officers) if self.officers else None
                    officer = self.reviewing.iro_on(journey.child, held) or manager
                    rows.append(
                        stamp(
                            CareReview(
                                child=journey.child,
                                held_on=held,
                                participation=code,
                                reviewing_officer=officer,
                            ),
                            at(held, 15),
                        )
                    )
                    previous = held
                    step += 1
                    due = add_months(held, 3 if step == 1 else 6)
        CareReview.objects.bulk_create(rows, batch_size=1000)
        self.sim.count("care reviews", len(rows))
        for review in rows:
            chronology.append(_entry(lines.care_review(review), review.reviewing_officer, review.created_at))

    def _checks(self, journeys, chronology) -> None:
        rng, last = self.rng, self.sim.last_day
        rows = []
        for journey in journeys:
            for start, end in self._periods(journey):
                if (end - start).days < 20:
                    continue
                late = rng.random() < 0.3
                first = ENGLAND.add_working_days(start, rng.randint(21, 45) if late else rng.randint(5, 20))
                self._check(rows, journey, HealthCheckKind.INITIAL_HEALTH_ASSESSMENT, first, end)
                day = first
                while True:
                    months = 6 if _age(journey.born, day) < 5 else 12
                    day = add_months(day, months) + dt.timedelta(
                        days=rng.randint(-20, 50 if rng.random() < 0.2 else 0)
                    )
                    if day > min(end, last):
                        break
                    self._check(rows, journey, HealthCheckKind.REVIEW_HEALTH_ASSESSMENT, day, end)
                    self._check(rows, journey, HealthCheckKind.IMMUNISATIONS, day, end)
                    if rng.random() < 0.85:
                        self._check(
                            rows,
                            journey,
                            HealthCheckKind.DENTAL,
                            day + dt.timedelta(days=rng.randint(1, 40)),
                            end,
                        )
                    age = _age(journey.born, day)
                    if 4 <= age <= 16:
                        score, reason = rng.randint(2, 32), ""
                        if rng.random() < 0.06:
                            score, reason = None, rng.choice(("SDQ2", "SDQ4", "SDQ5"))
                        self._check(
                            rows,
                            journey,
                            HealthCheckKind.SDQ,
                            day + dt.timedelta(days=rng.randint(0, 30)),
                            end,
                            score,
                            reason,
                        )
                    if 5 <= age <= 16:
                        self._check(
                            rows,
                            journey,
                            HealthCheckKind.PERSONAL_EDUCATION_PLAN,
                            day - dt.timedelta(days=rng.randint(30, 90)),
                            end,
                        )
        self._sdq_every_year(journeys, rows)
        HealthAndEducationCheck.objects.bulk_create(rows, batch_size=1000)
        self.sim.count("health and education checks", len(rows))
        for check in rows:
            chronology.append(_entry(lines.care_check(check), None, check.created_at))

    def _sdq_every_year(self, journeys, rows) -> None:
        """An SDQ in each year (1 April to 31 March) a child aged 4 to 16 at some time spends wholly in care, as
        the 903 OC2 expects (rules 186, 197B), where the yearly health review drifted past it: a score when there
        is time for one while they are 4 to 16, otherwise the reason for none (SDQ1, under 4 or over 16). Its own random stream."""
        rng = random.Random(f"sdq-every-year-{self.sim.seed}")
        done = {
            (row.child_id, _reporting_year(row.done_on)) for row in rows if row.kind == HealthCheckKind.SDQ
        }
        for journey in journeys:
            for start, end in self._periods(journey):
                for year in range(
                    _reporting_year(start) + 1, _reporting_year(min(end, self.sim.last_day)) + 1
                ):
                    year_start, year_end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
                    if year_end > min(end, self.sim.last_day) or (journey.child.pk, year) in done:
                        continue
                    four, seventeen = _birthday(journey.born, 4), _birthday(journey.born, 17)
                    first = max(year_start + dt.timedelta(days=60), four)
                    last = min(year_end - dt.timedelta(days=30), seventeen - dt.timedelta(days=1))
                    if first <= last:
                        day = day_between(rng, first, last)
                        self._check(rows, journey, HealthCheckKind.SDQ, day, end, rng.randint(2, 32), "")
                    elif year_start <= four <= year_end or year_start <= seventeen <= year_end:
                        # Turning 4 or 17 with no time for a questionnaire at an age it is for: the reason
                        # for no score is recorded instead (rule 197B).
                        day = day_between(
                            rng, year_start + dt.timedelta(days=60), year_end - dt.timedelta(days=30)
                        )
                        self._check(rows, journey, HealthCheckKind.SDQ, day, end, None, "SDQ1")

    def _check(self, rows, journey, kind, day, end, score=None, reason="") -> None:
        if day > min(end, self.sim.last_day) or day < journey.episodes[0].started_on:
            return
        rows.append(
            stamp(
                HealthAndEducationCheck(
                    child=journey.child, kind=kind, done_on=day, sdq_score=score, sdq_reason=reason
                ),
                at(day, 14),
            )
        )

    def _missing(self, journeys, chronology) -> None:
        rng = self.rng
        rows = []
        now = at(self.sim.last_day, 23, 0)
        for journey in journeys:
            for start, end in self._periods(journey):
                first = max(start, _birthday(journey.born, 12))
                if first >= end or rng.random() >= (0.3 if not journey.uasc else 0.15):
                    continue
                count = min(12, 1 + int(rng.expovariate(1 / 2.5)))
                days = sorted(day_between(rng, first, end) for _ in range(count))
                free_from = None
                for day in days:
                    started = at(day, rng.randint(15, 23), rng.choice((0, 10, 20, 30, 40, 50)))
                    if free_from and started <= free_from:
                        continue
                    draw = rng.random()
                    hours = (
                        rng.randint(2, 12)
                        if draw < 0.6
                        else (rng.randint(12, 48) if draw < 0.92 else rng.randint(48, 120))
                    )
                    returned = started + dt.timedelta(hours=hours, minutes=rng.randint(0, 59))
                    if returned > now:
                        continue
                    row = MissingEpisode(
                        child=journey.child,
                        kind="A" if rng.random() < 0.15 else "M",
                        started_at=started,
                        returned_at=returned,
                    )
                    roll = rng.random()
                    offered = returned + dt.timedelta(
                        hours=rng.randint(4, 70) if roll < 0.82 else rng.randint(73, 240)
                    )
                    if offered <= now:
                        row.interview_offered_at = offered
                        outcome = rng.random()
                        if outcome < 0.68:
                            done = offered + dt.timedelta(hours=rng.randint(0, 48))
                            if done <= now:
                                row.interview_done_at = done
                        elif outcome < 0.9:
                            row.interview_declined = True
                    rows.append(
                        stamp(row, started + dt.timedelta(hours=1), row.interview_done_at or returned)
                    )
                    free_from = returned
        MissingEpisode.objects.bulk_create(rows, batch_size=1000)
        self.sim.count("missing episodes", len(rows))
        for row in rows:
            chronology.append(_entry(lines.missing_started(row), None, row.created_at))

    def _visits(self, journeys, chronology) -> None:
        rng, last = self.rng, self.sim.last_day
        notes: list[tuple[CaseNote, Child]] = []
        for journey in journeys:
            if journey.short_breaks:
                continue
            specs = journey.episodes
            for index, spec in enumerate(specs):
                if spec.rne not in ("S", "P", "B") or spec.placement.place.startswith("T"):
                    continue
                # the placement lasts until the next episode with new carers, or the end of care
                until = None
                for later in specs[index + 1 :]:
                    if later.rne in ("P", "B") and not later.placement.place.startswith("T"):
                        until = later.started_on
                        break
                    if later.reason_ceased not in ("", "X1"):
                        until = later.ended_on
                        break
                else:
                    until = specs[-1].ended_on if specs[-1].reason_ceased not in ("", "X1") else None
                until = min(until or last, last)
                day = spec.started_on + dt.timedelta(
                    days=rng.randint(1, 7) if rng.random() < 0.85 else rng.randint(8, 20)
                )
                long_term = spec.placement.place in ("U1", "U4")
                while day <= until:
                    worker = self._worker_on(journey, day) or journey.worker
                    if worker is None:
                        break
                    notes.append((self._visit(journey, worker, day), journey.child))
                    first_year = (day - spec.started_on).days < 365
                    gap = 42 if first_year or not long_term else 91
                    day += dt.timedelta(
                        days=gap - rng.randint(0, 10) + (rng.randint(5, 30) if rng.random() < 0.1 else 0)
                    )
        CaseNote.objects.bulk_create([note for note, _ in notes], batch_size=1000)
        through = CaseNote.children.through
        through.objects.bulk_create(
            [through(casenote_id=note.pk, child_id=child.pk) for note, child in notes], batch_size=2000
        )
        self.sim.count("case notes", len(notes))
        for note, child in notes:
            chronology.append(
                _entry(casework_lines.note_finalised(note, child), note.author, note.finalised_at)
            )

    def _visit(self, journey, worker, day) -> CaseNote:
        rng = self.rng
        hour, minute = rng.randint(9, 17), rng.choice((0, 15, 30, 45))
        alone = _age(journey.born, day) >= 4 and rng.random() < 0.8
        finalised = min(day + dt.timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5, 9))), self.sim.last_day)
        note = CaseNote(
            note_type=NoteType.VISIT,
            title="Statutory visit (looked after)",
            body=rng.choice(VISIT_BODIES).format(name=journey.child.first_name),
            event_on=day,
            event_time=dt.time(hour, minute),
            child_seen=True,
            child_seen_alone=alone,
            bedroom_seen=rng.random() < 0.7,
            not_seen_alone_reason=""
            if alone
            else (
                "Too young to be seen alone"
                if _age(journey.born, day) < 4
                else "Child wanted the carer to stay"
            ),
            author=worker,
            status=NoteStatus.FINAL,
            version=2,
            finalised_at=at(finalised, 18 if finalised == day else rng.randint(9, 18), minute),
        )
        return stamp(note, at(day, min(hour + 1, 23), minute), note.finalised_at)

    def _care_leavers(self, journeys, chronology) -> None:
        rng, last = self.rng, self.sim.last_day
        contacts, reviews = [], []
        for journey in journeys:
            if journey.short_breaks:
                continue
            periods = self._periods(journey)
            if not periods:
                continue
            start, end = periods[-1]
            ended = journey.episodes[-1].reason_ceased
            if (
                (end - start).days < 91
                or _age(journey.born, min(end, last)) < 16
                or ended
                in (
                    "E11",
                    "E12",
                    "E41",
                    "E45",
                    "E46",
                    "E47",
                    "E48",
                    "E15",
                    "E3",
                )
            ):
                continue
            adviser = journey.adviser or journey.worker
            sixteen = _birthday(journey.born, 16)
            # Pathway plans: from 16 (or care start), every 6 months, some late.
            day = max(sixteen, start) + dt.timedelta(days=rng.randint(20, 60))
            limit = min(last, _birthday(journey.born, 21))
            while day <= limit:
                reviews.append(stamp(PathwayPlanReview(child=journey.child, reviewed_on=day), at(day, 14)))
                day = add_months(day, 6) + dt.timedelta(
                    days=rng.randint(-14, 0) if rng.random() < 0.82 else rng.randint(20, 120)
                )
            if end >= last:
                continue  # still looked after: no care leaver contacts yet
            staying_put = ended == "E17"
            for years in range(17, 22):
                birthday = _birthday(journey.born, years)
                contact_on = birthday + dt.timedelta(days=rng.randint(-30, 30))
                if contact_on <= end or contact_on > last:
                    continue
                age = _age(journey.born, contact_on)
                in_touch = IN_TOUCH.draw(rng)
                row = CareLeaverContact(
                    child=journey.child,
                    contacted_on=contact_on,
                    eligibility=CareLeaverEligibility.RELEVANT
                    if age < 18
                    else CareLeaverEligibility.FORMER_RELEVANT,
                    in_touch=in_touch,
                    personal_adviser=adviser,
                )
                if in_touch == "YES":
                    row.accommodation = (
                        "Z" if staying_put and age < 21 and rng.random() < 0.7 else ACCOMMODATION.draw(rng)
                    )
                    row.accommodation_suitable = (
                        row.accommodation not in ("S", "W", "X") and rng.random() < 0.93
                    )
                    row.activity = ACTIVITY.draw(rng)
                    if age < 18 and row.activity == "F1":
                        row.activity = "F2"
                contacts.append(stamp(row, at(contact_on, 13)))
        CareLeaverContact.objects.bulk_create(contacts, batch_size=1000)
        PathwayPlanReview.objects.bulk_create(reviews, batch_size=1000)
        self.sim.count("care leaver contacts", len(contacts))
        self.sim.count("pathway plan reviews", len(reviews))
        for contact in contacts:
            line = lines.care_leaver_contact(contact)
            chronology.append(_entry(line, contact.personal_adviser, contact.created_at))
        for review in reviews:
            chronology.append(_entry(lines.pathway_plan_reviewed(review), None, review.created_at))


def _had_cp_plan(household) -> bool:
    for contact in household.contacts:
        episode = contact.episode
        if episode is not None and episode.main and episode.protection and episode.protection.plan_decided:
            return True
    return False


def _home_postcode(household, day: dt.date) -> str:
    postcode = ""
    for address, moved_in in household.addresses:
        if moved_in <= day:
            postcode = address.postcode
    return format_postcode(postcode or household.addresses[0][0].postcode)


def _entry(line: ChronologyLine, actor, recorded_at: dt.datetime | None = None) -> ChronologyEntry:
    """A service's line as the synthetic authority bulk-inserts it, stamped when it was recorded (by default at
    the end of its day)."""
    return stamp(line.entry(recorded_by=actor), recorded_at or at(line.occurred_on, 17))


def looked_after_records() -> tuple:
    """The tables this module writes, in an order that deletes cleanly (for clear_generated_data)."""
    return (
        CareLeaverContact,
        PathwayPlanReview,
        AdoptionMilestones,
        MissingEpisode,
        HealthAndEducationCheck,
        ReviewRecommendation,
        IroAssignment,
        PlacementPlanAgreement,
        CareReview,
        UnaccompaniedAsylumSeeker,
        PreviousPermanenceRecord,
        Episode,
    )
