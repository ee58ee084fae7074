"""Staff records and the funded establishment for the generated staff, with a workforce that starts unstable
and recovers, as Buckinghamshire's did after 2014: in the first years many posts are vacant or covered by
agency workers, managers are interim, and a third of social workers leave each year; later, agency workers
take permanent posts, vacancies fill and turnover falls.

Every account that holds cases has a record covering each day it held one: a current worker was in post from
their first allocation (or from joining, if earlier), perhaps first as an agency worker who later took a
permanent post; a leaver left on the day their last allocation ended. People who left before then, interim
managers and short-term locums have records without accounts. Everything comes from its own random stream, so
the rest of the generated authority is the same with or without it.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Max, Min

from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.casework.models import Allocation
from opencsc.synthetic.context import Simulation
from opencsc.synthetic.names import NamePool
from opencsc.synthetic.randomness import day_between, years_before
from opencsc.synthetic.timestamps import at, stamp
from opencsc.workforce.codes import (
    AbsenceReason,
    ContractType,
    GenderCurrent,
    OrgRole,
    QualificationLevel,
    ReasonLeave,
    StartOrigin,
)
from opencsc.workforce.models import Absence, Post, StaffRecord

AGENCIES = ("Locum Partners", "Caring Professionals Ltd", "Frontline Recruitment", "Shire Social Work Agency")
UNIVERSITIES = (
    "Buckinghamshire New University",
    "University of Bedfordshire",
    "Oxford Brookes University",
    "Royal Holloway, University of London",
    "University of Hertfordshire",
)
LEAVING_REASONS = {
    ReasonLeave.RESIGNATION: 0.62,
    ReasonLeave.RETIRED: 0.07,
    ReasonLeave.MOVED_WITHIN_LA: 0.06,
    ReasonLeave.DISMISSED: 0.03,
    ReasonLeave.VOLUNTARY_REDUNDANCY: 0.02,
    ReasonLeave.OTHER: 0.08,
    ReasonLeave.NOT_KNOWN: 0.12,
}
ETHNICITIES = {
    "WBRI": 0.7,
    "WOTH": 0.06,
    "BAFR": 0.07,
    "BCRB": 0.03,
    "AIND": 0.04,
    "APKN": 0.05,
    "MWBC": 0.03,
}
CASEWORK_KINDS = {kind for kind in TeamKind.values if kind != TeamKind.MANAGEMENT}
# The annual share of employed social workers who leave: a third at the start, an eighth at the end.
TURNOVER_AT_START, TURNOVER_AT_END = 0.34, 0.12
CONVERTED_FROM_AGENCY = (
    0.5  # of current permanent staff in post early on, the share who came as agency workers
)
FINAL_VACANCY_RATE = 0.1
VACANCY_AT_START = 0.25


def _choice(rng: random.Random, weights: dict):
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


class StaffingWriter:
    def __init__(self, sim: Simulation):
        self.sim = sim
        self.rng = random.Random(f"{sim.seed}-workforce")
        self.names = NamePool(self.rng)
        self.first, self.last = sim.first_day, sim.last_day
        self.records: list[StaffRecord] = []
        self.posts: list[Post] = []
        self.swe_numbers: set[str] = set()
        held = Allocation.objects.values("worker_id").annotate(first=Min("started_on"), last=Max("ended_on"))
        self.first_allocation = {row["worker_id"]: row["first"] for row in held}
        self.last_allocation_end = {row["worker_id"]: row["last"] for row in held}

    def progress(self, day: dt.date) -> float:
        """How far through the simulated years a day is, from 0 to 1."""
        return min(1.0, max(0.0, (day - self.first).days / max(1, (self.last - self.first).days)))

    def day_at(self, share: float) -> dt.date:
        return self.first + dt.timedelta(days=round(share * (self.last - self.first).days))

    def write(self) -> None:
        teams = list(
            Team.objects.filter(members__email__endswith=self.sim_domain()).distinct().order_by("pk")
        )
        staff = list(
            User.objects.filter(email__endswith=self.sim_domain()).select_related("team").order_by("pk")
        )
        for team in teams:
            members = [user for user in staff if user.team_id == team.pk]
            if team.kind in CASEWORK_KINDS:
                self._casework_team(team, members)
            else:
                self._leadership(team, members)
        StaffRecord.objects.bulk_create(self.records, batch_size=500)
        Post.objects.bulk_create(self.posts, batch_size=500)
        absences = self._absences()
        Absence.objects.bulk_create(absences, batch_size=500)
        self.sim.count("staff records", len(self.records))
        self.sim.count("funded posts", len(self.posts))
        self.sim.count("absences", len(absences))

    def sim_domain(self) -> str:
        from opencsc.synthetic.context import GENERATED_EMAIL_DOMAIN

        return f"@{GENERATED_EMAIL_DOMAIN}"

    # Teams

    def _casework_team(self, team: Team, members: list[User]) -> None:
        managers = [user for user in members if user.role == Role.TEAM_MANAGER]
        workers = [user for user in members if user.role == Role.SOCIAL_WORKER and user.is_active]
        leavers = [user for user in members if user.role == Role.SOCIAL_WORKER and not user.is_active]
        for manager in managers:
            self._manager(team, manager)
        for worker in workers:
            self._current_worker(team, worker)
        for leaver in leavers:
            self._leaver_account(team, leaver)
        funded = _round_half(
            sum(
                (r.fte for r in self.records if r.team is team and r.in_post_on(self.last) and _employed(r)),
                Decimal(0),
            )
            / Decimal(1 - FINAL_VACANCY_RATE)
        )
        self._historic_churn(team, funded)
        self._post(team, "Social worker", OrgRole.CASE_HOLDER, funded - 1)
        self._post(team, "Team manager", OrgRole.FIRST_LINE_MANAGER, Decimal(1))

    def _leadership(self, team: Team, members: list[User]) -> None:
        for user in members:
            if user.role == Role.HEAD_OF_SERVICE:
                self._interim_then_permanent(team, user, OrgRole.MIDDLE_MANAGER)
            elif user.role == Role.DIRECTOR:
                self._interim_then_permanent(team, user, OrgRole.SENIOR_MANAGER)
            elif user.role in (Role.PERFORMANCE_ANALYST, Role.ADMINISTRATOR, Role.AUDITOR):
                start = min(user.date_joined.date(), self.last)
                self._record(team, user.job_title, "", ContractType.PERMANENT, start, user=user)
        heads = sum(1 for user in members if user.role == Role.HEAD_OF_SERVICE)
        if heads:
            self._post(team, "Head of service", OrgRole.MIDDLE_MANAGER, Decimal(heads))
        if any(user.role == Role.DIRECTOR for user in members):
            self._post(team, "Director of children's services", OrgRole.SENIOR_MANAGER, Decimal(1))

    # People

    def _manager(self, team: Team, manager: User) -> None:
        self._interim_then_permanent(team, manager, OrgRole.FIRST_LINE_MANAGER)

    def _interim_then_permanent(self, team: Team, user: User, org_role: str) -> None:
        """Managers were often temporary at first: an agency interim held the post until the person now in it
        was appointed, in the first three-fifths of the years."""
        if self.rng.random() < 0.7:
            appointed = day_between(self.rng, self.day_at(0.05), self.day_at(0.6))
            interim_from = appointed - dt.timedelta(days=self.rng.randint(200, 700))
            self._record(
                team,
                f"Interim {user.job_title[0].lower()}{user.job_title[1:]}",
                org_role,
                ContractType.AGENCY,
                interim_from,
                leaving=appointed,
                reason=ReasonLeave.OTHER,
            )
        else:
            appointed = min(user.date_joined.date(), self.day_at(0.2))
        self._record(team, user.job_title, org_role, ContractType.PERMANENT, appointed, user=user)

    def _in_post_from(self, user: User) -> dt.date:
        joined = user.date_joined.date()
        first = self.first_allocation.get(user.pk)
        return min(joined, first) if first else joined

    def _current_worker(self, team: Team, worker: User) -> None:
        start = min(self._in_post_from(worker), self.last)
        org_role = OrgRole.SENIOR_PRACTITIONER if "Advanced" in worker.job_title else OrgRole.CASE_HOLDER
        if worker.job_title.startswith("Agency"):
            self._record(team, worker.job_title, org_role, ContractType.AGENCY, start, user=worker)
            return
        converts_by = self.day_at(0.95)
        if start < converts_by - dt.timedelta(days=120) and self.rng.random() < CONVERTED_FROM_AGENCY:
            converted = day_between(self.rng, max(start, self.first) + dt.timedelta(days=60), converts_by)
            self._record(
                team,
                "Agency social worker",
                org_role,
                ContractType.AGENCY,
                start,
                user=worker,
                leaving=converted,
                reason=ReasonLeave.OTHER,
            )
            self._record(
                team, worker.job_title, org_role, ContractType.PERMANENT, converted, user=worker, origin="4"
            )
            return
        origin = StartOrigin.NEWLY_QUALIFIED if "ASYE" in worker.job_title else None
        self._record(
            team, worker.job_title, org_role, ContractType.PERMANENT, start, user=worker, origin=origin
        )

    def _leaver_account(self, team: Team, leaver: User) -> None:
        start = min(self._in_post_from(leaver), self.last - dt.timedelta(days=30))
        last_end = self.last_allocation_end.get(leaver.pk)
        if last_end is None:
            last_end = day_between(self.rng, max(start, self.first), self.last)
        contract = ContractType.AGENCY if leaver.job_title.startswith("Agency") else ContractType.PERMANENT
        self._record(
            team,
            leaver.job_title,
            OrgRole.CASE_HOLDER,
            contract,
            start,
            user=leaver,
            leaving=max(last_end, start),
            reason=_choice(self.rng, LEAVING_REASONS),
        )

    def _historic_churn(self, team: Team, funded: Decimal) -> None:
        """Employed social workers who left during the years (without accounts), enough for the turnover each
        year should show, and short-term locums covering the early vacancies."""
        for year_start, year_end in _census_years(self.first, self.last):
            share_of_year = ((year_end - year_start).days + 1) / 365
            rate = TURNOVER_AT_START + (TURNOVER_AT_END - TURNOVER_AT_START) * self.progress(year_start)
            target = rate * float(funded) * share_of_year
            already = sum(
                float(r.fte)
                for r in self.records
                if r.team is team
                and _employed(r)
                and r.leaving_date
                and year_start <= r.leaving_date <= year_end
            )
            for _ in range(40):
                if already >= target - 0.5:
                    break
                leaving = day_between(self.rng, year_start, year_end)
                start = self._free_seat_since(team, funded, leaving)
                if start is None:
                    continue
                record = self._record(
                    team,
                    "Social worker",
                    OrgRole.CASE_HOLDER,
                    ContractType.PERMANENT if self.rng.random() < 0.9 else ContractType.INTERIM,
                    start,
                    leaving=leaving,
                    reason=_choice(self.rng, LEAVING_REASONS),
                )
                already += float(record.fte)
            early = 1 - self.progress(year_start)
            for _ in range(round(early * early * float(funded) * 0.35 * share_of_year)):
                start = day_between(self.rng, year_start, year_end)
                self._record(
                    team,
                    "Agency social worker",
                    OrgRole.CASE_HOLDER,
                    ContractType.AGENCY,
                    start,
                    leaving=min(start + dt.timedelta(days=self.rng.randint(60, 300)), self.last),
                    reason=ReasonLeave.OTHER,
                )

    def _employed_in_post(self, team: Team, day: dt.date) -> Decimal:
        return sum(
            (r.fte for r in self.records if r.team is team and _employed(r) and r.in_post_on(day)), Decimal(0)
        )

    def _staffing_ceiling(self, funded: Decimal, day: dt.date) -> Decimal:
        """How many employed FTE a team may hold on a day: its funded posts less the vacancy rate of the time
        (a quarter of posts at first, a tenth at the end), plus one for a leaver working their notice beside
        a successor."""
        vacancy = VACANCY_AT_START + (FINAL_VACANCY_RATE - VACANCY_AT_START) * self.progress(day)
        return funded * Decimal(1 - vacancy) + 1

    def _free_seat_since(self, team: Team, funded: Decimal, leaving: dt.date) -> dt.date | None:
        """When someone leaving on `leaving` could have started without the team's employed staff going over
        the ceiling of the time: a tenure of four months to four years, cut short to where a seat was free."""
        if self._employed_in_post(team, leaving) + 1 > self._staffing_ceiling(funded, leaving):
            return None
        start = leaving - dt.timedelta(days=self.rng.randint(120, 1500))
        day = leaving
        while day > start:
            day -= dt.timedelta(days=30)
            if self._employed_in_post(team, day) + 1 > self._staffing_ceiling(funded, day):
                return day + dt.timedelta(days=30)
        return start

    def _record(
        self,
        team: Team,
        job_title: str,
        org_role: str,
        contract: str,
        start: dt.date,
        *,
        user: User | None = None,
        leaving: dt.date | None = None,
        reason: str = "",
        origin: str | None = None,
    ) -> StaffRecord:
        rng = self.rng
        if user is not None:
            first, last = user.first_name, user.last_name
            fte = Decimal(user.fte)
        else:
            sex = rng.choice("FFFFM")
            first, last = self.names.adult_forename(sex, "WBRI"), self.names.surname("WBRI")
            fte = Decimal("1") if rng.random() < 0.85 else rng.choice((Decimal("0.6"), Decimal("0.8")))
        agency = contract == ContractType.AGENCY
        record = StaffRecord(
            user=user,
            first_name=first,
            last_name=last,
            team=team,
            job_title=job_title,
            org_role=org_role,
            contract=contract,
            agency_name=rng.choice(AGENCIES) if agency else "",
            fte=fte,
            swe_number=self._swe_number() if org_role else "",
            birth_date=years_before(start, rng.randint(23, 55)) - dt.timedelta(days=rng.randint(0, 364)),
            gender=GenderCurrent.FEMALE if rng.random() < 0.82 else GenderCurrent.MALE,
            ethnicity=_choice(rng, ETHNICITIES),
            qualification_institution=rng.choice(UNIVERSITIES) if org_role else "",
            qualification_level=_choice(
                rng, {QualificationLevel.UNDERGRADUATE: 0.6, QualificationLevel.POSTGRADUATE: 0.4}
            )
            if org_role
            else "",
            frontline_graduate=bool(org_role) and rng.random() < 0.05,
            step_up_graduate=bool(org_role) and rng.random() < 0.04,
            start_date=start,
            start_origin=origin
            or _choice(
                rng,
                {
                    StartOrigin.OTHER_LA_ENGLAND: 0.4,
                    StartOrigin.NEWLY_QUALIFIED: 0.2,
                    StartOrigin.AGENCY: 0.15,
                    StartOrigin.OTHER_NON_LA_SOCIAL_WORK: 0.1,
                    StartOrigin.NOT_KNOWN: 0.15,
                },
            ),
            leaving_date=leaving,
            leaving_reason=reason if leaving else "",
        )
        self.records.append(stamp(record, at(min(max(start, self.first), self.last), 9)))
        return record

    def _swe_number(self) -> str:
        while True:
            number = f"SW{self.rng.randint(10_000, 999_999)}"
            if number not in self.swe_numbers:
                self.swe_numbers.add(number)
                return number

    def _post(self, team: Team, title: str, org_role: str, fte: Decimal) -> None:
        if fte > 0:
            post = Post(
                team=team,
                title=title,
                org_role=org_role,
                funded_fte=fte,
                funded_from=years_before(self.first, 3),
            )
            self.posts.append(stamp(post, at(self.first, 9)))

    def _absences(self) -> list[Absence]:
        """Sickness and other absence for some employed staff in post in the last year."""
        absences = []
        year_ago = years_before(self.last, 1)
        for record in self.records:
            if not (_employed(record) and record.org_role and record.in_post_on(self.last)):
                continue
            if self.rng.random() < 0.35:
                starts = day_between(self.rng, max(year_ago, record.start_date), self.last)
                reason = _choice(
                    self.rng, {AbsenceReason.SICKNESS: 0.8, AbsenceReason.TRAINING: 0.1, "OTH": 0.1}
                )
                ends = min(starts + dt.timedelta(days=self.rng.randint(0, 14)), self.last)
                absence = Absence(staff=record, reason=reason, starts_on=starts, ends_on=ends)
                absences.append(stamp(absence, at(starts, 9)))
        return absences


def _employed(record: StaffRecord) -> bool:
    return record.contract != ContractType.AGENCY


def _round_half(value: Decimal) -> Decimal:
    return (value * 2).quantize(Decimal(1)) / 2


def _census_years(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The census years (1 October to 30 September) the simulated days cover, cut to the first and last day,
    so each year's leavers are what that year's census counts."""
    years, start = [], first
    while start <= last:
        end = dt.date(start.year if start.month < 10 else start.year + 1, 9, 30)
        years.append((start, min(end, last)))
        start = end + dt.timedelta(days=1)
    return years


def write_staffing(sim: Simulation) -> None:
    StaffingWriter(sim).write()
