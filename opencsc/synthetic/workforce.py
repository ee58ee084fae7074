"""Teams and staff: a front door, assessment, child in need and protection, looked-after, care leavers and
disabled children's teams sized to the open caseload, a leadership team with every other role, and leavers
(inactive accounts) who once held cases."""

import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass, field

from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.synthetic.context import GENERATED_EMAIL_DOMAIN, Simulation
from opencsc.synthetic.demo_accounts import DEMO_BY_ROLE_AND_KIND
from opencsc.synthetic.randomness import day_between, years_before
from opencsc.synthetic.timestamps import at, stamp

TEAM_AREAS = ("Aylesbury", "Wycombe", "Chiltern", "South Bucks", "North Bucks", "Vale")


@dataclass(frozen=True)
class CaseworkKind:
    """A kind of casework team: its share of open children, and how many children one worker holds."""

    kind: str
    title: str
    share: float
    caseload: int
    minimum_teams: int


CASEWORK_KINDS = (
    CaseworkKind(TeamKind.ASSESSMENT, "Assessment Team", 0.28, 18, 3),
    CaseworkKind(TeamKind.CHILD_IN_NEED, "Child in Need and Protection Team", 0.50, 17, 3),
    CaseworkKind(TeamKind.LOOKED_AFTER, "Children Looked After Team", 0.13, 15, 2),
    CaseworkKind(TeamKind.CARE_LEAVERS, "Care Leavers Team", 0.03, 20, 1),
    CaseworkKind(TeamKind.DISABLED_CHILDREN, "Disabled Children's Team", 0.06, 15, 1),
)
WORKERS_PER_TEAM = 7
SOCIAL_WORKER_TITLES = {
    "Social worker": 0.45,
    "Senior social worker": 0.2,
    "Advanced practitioner": 0.08,
    "Newly qualified social worker (ASYE)": 0.12,
    "Agency social worker": 0.15,
}
LEADERSHIP = (
    (Role.DIRECTOR, "Director of Children's Services", 1),
    (Role.HEAD_OF_SERVICE, "Head of Service, Front Door and Assessment", 1),
    (Role.HEAD_OF_SERVICE, "Head of Service, Children in Need and Protection", 1),
    (Role.HEAD_OF_SERVICE, "Head of Service, Children Looked After and Care Leavers", 1),
    (Role.PERFORMANCE_ANALYST, "Performance analyst", 2),
    (Role.ADMINISTRATOR, "System administrator", 1),
    (Role.AUDITOR, "Quality assurance auditor", 1),
    (Role.CHIEF_EXECUTIVE, "Chief Executive", 1),
    (Role.IMPROVEMENT_BOARD, "Improvement board member", 3),
)


@dataclass
class Workforce:
    teams_by_kind: dict[str, list[Team]] = field(default_factory=dict)
    workers: dict[int, list[User]] = field(default_factory=dict)  # active social workers by team id
    leavers: dict[int, list[User]] = field(default_factory=dict)
    managers: dict[int, User] = field(default_factory=dict)
    caseloads: Counter = field(default_factory=Counter)

    def front_door_worker(self, sim: Simulation) -> User:
        team = self.teams_by_kind[TeamKind.FRONT_DOOR][0]
        return sim.rng.choice(self.workers[team.pk])

    def least_loaded_worker(self, sim: Simulation, team: Team, rng: random.Random | None = None) -> User:
        """Of three workers picked at random, the one holding fewest children: roughly even caseloads."""
        candidates = (rng or sim.rng).sample(self.workers[team.pk], k=min(3, len(self.workers[team.pk])))
        return min(candidates, key=lambda worker: (self.caseloads[worker.pk], worker.pk))


class StaffFactory:
    def __init__(self, sim: Simulation):
        self.sim = sim
        self.usernames: set[str] = set()
        self.users: list[User] = []

    def add(self, *, role: str, team: Team | None, job_title: str, active: bool = True) -> User:
        demo = DEMO_BY_ROLE_AND_KIND.get((role, team.kind if team else TeamKind.MANAGEMENT))
        if demo and demo.username not in self.usernames and active:
            first, last, username = demo.first_name, demo.last_name, demo.username
        else:
            sex = self.sim.rng.choice("FM")
            first = self.sim.names.adult_forename(sex, "WBRI")
            last = self.sim.names.surname(
                self.sim.rng.choice(("WBRI", "WBRI", "WBRI", "APKN", "BAFR", "AIND"))
            )
            username = self._unique_username(first, last)
        joined = day_between(
            self.sim.rng, years_before(self.sim.first_day, 8), self.sim.last_day - dt.timedelta(90)
        )
        user = User(
            username=username,
            password="!" + f"{self.sim.rng.getrandbits(128):032x}",  # unusable: staff sign in once given one
            first_name=first,
            last_name=last,
            email=f"{username}@{GENERATED_EMAIL_DOMAIN}",
            role=role,
            team=team,
            job_title=job_title,
            is_active=active,
            date_joined=at(joined, 9),
        )
        self.usernames.add(username)
        self.users.append(user)
        return user

    def _unique_username(self, first: str, last: str) -> str:
        base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        username, number = base, 1
        while username in self.usernames:
            number += 1
            username = f"{base}{number}"
        return username


def build_workforce(sim: Simulation) -> Workforce:
    workforce = Workforce()
    staff = StaffFactory(sim)
    created = at(sim.first_day, 9)
    teams = [
        *_front_door_teams(sim),
        *_casework_teams(sim),
        Team(name="Leadership and Support", kind=TeamKind.MANAGEMENT),
    ]
    Team.objects.bulk_create([stamp(team, created) for team in teams])
    for team in teams:
        workforce.teams_by_kind.setdefault(team.kind, []).append(team)
    for team, size in _team_sizes(sim, workforce):
        _staff_team(sim, staff, workforce, team, size)
    leadership = workforce.teams_by_kind[TeamKind.MANAGEMENT][0]
    for role, title, how_many in LEADERSHIP:
        for _ in range(how_many):
            staff.add(role=role, team=leadership, job_title=title)
    User.objects.bulk_create(staff.users)
    sim.count("teams", len(teams))
    sim.count("staff", len(staff.users))
    return workforce


def _front_door_teams(sim: Simulation) -> list[Team]:
    return [Team(name="Front Door and MASH", kind=TeamKind.FRONT_DOOR)]


def _casework_teams(sim: Simulation) -> list[Team]:
    teams = []
    for kind in CASEWORK_KINDS:
        for number in range(_team_count(sim, kind)):
            area = TEAM_AREAS[number % len(TEAM_AREAS)]
            suffix = f" {number // len(TEAM_AREAS) + 1}" if number >= len(TEAM_AREAS) else ""
            teams.append(Team(name=f"{kind.title} {area}{suffix}", kind=kind.kind))
    return teams


def _workers_needed(sim: Simulation, kind: CaseworkKind) -> int:
    return max(3, math.ceil(sim.open_children_target * kind.share / kind.caseload))


def _team_count(sim: Simulation, kind: CaseworkKind) -> int:
    return max(kind.minimum_teams, math.ceil(_workers_needed(sim, kind) / WORKERS_PER_TEAM))


def _team_sizes(sim: Simulation, workforce: Workforce) -> list[tuple[Team, int]]:
    sizes = [(workforce.teams_by_kind[TeamKind.FRONT_DOOR][0], max(6, sim.children // 6000))]
    for kind in CASEWORK_KINDS:
        teams = workforce.teams_by_kind[kind.kind]
        per_team = max(2, math.ceil(_workers_needed(sim, kind) / len(teams)))
        sizes.extend((team, per_team) for team in teams)
    return sizes


def _staff_team(sim: Simulation, staff: StaffFactory, workforce: Workforce, team: Team, size: int) -> None:
    workforce.managers[team.pk] = staff.add(role=Role.TEAM_MANAGER, team=team, job_title="Team manager")
    workforce.workers[team.pk] = [
        staff.add(role=Role.SOCIAL_WORKER, team=team, job_title=_worker_title(sim)) for _ in range(size)
    ]
    workforce.leavers[team.pk] = [
        staff.add(role=Role.SOCIAL_WORKER, team=team, job_title=_worker_title(sim), active=False)
        for _ in range(max(1, size // 4))
    ]


def _worker_title(sim: Simulation) -> str:
    titles = tuple(SOCIAL_WORKER_TITLES)
    return sim.rng.choices(titles, weights=tuple(SOCIAL_WORKER_TITLES.values()))[0]
