"""The front door: every contact about a household's children, how it was triaged and decided, and the referrals
that followed.

Dates come from the demand curve (`seasons.Demand`): a household's contacts are drawn from it, the earliest is
when its children's records were made, and casework fixes the date of the referral that opened it. Decisions are
mostly made on the day a contact arrives, some a day or more after the one working day allowed. The front door
works, under pressure: on the day after the history ends, most contacts of the last working day are still waiting
(due that day), some of the working day before (a working day late), and a few older ones (up to five working
days late); every other contact has been decided. Referrals: the
household's casework referral, plus a share of other contacts referred and either closed with no further action
or assessed and closed; a contact within a year of an earlier referral is more often referred again, which gives
a re-referral rate near the national 21%.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils import timezone

from opencsc.accounts.models import TeamKind
from opencsc.casework import chronology_lines as casework_lines
from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import ChronologyEntry
from opencsc.core.clocks import due_date
from opencsc.core.codes import ReferralSource, SourceGroup, source_group
from opencsc.frontdoor import chronology_lines as lines
from opencsc.frontdoor.models import (
    Agency,
    Channel,
    Contact,
    ContactChild,
    ContactStatus,
    Decision,
    PartnerCheck,
    Rag,
    Referral,
)
from opencsc.synthetic.protection import EpisodePlan, ProtectionWriter, plan_episode
from opencsc.synthetic.randomness import Weighted
from opencsc.synthetic.timestamps import stamp

FREE_DECISION = Weighted(
    {Decision.NO_FURTHER_ACTION: 0.30, Decision.ADVICE: 0.33, Decision.EARLY_HELP: 0.27, "referral": 0.10}
)
REREFERRAL_CHANCE = 0.75  # a contact within a year after a referral that ended
PRIOR_REFERRAL_CHANCE = 0.2  # casework households referred (and closed) within the year before
CHANNEL = {
    SourceGroup.POLICE: Weighted({Channel.POLICE_NOTIFICATION: 0.7, Channel.EMAIL: 0.2, Channel.PHONE: 0.1}),
    SourceGroup.INDIVIDUALS: Weighted({Channel.PHONE: 0.7, Channel.IN_PERSON: 0.1, Channel.EMAIL: 0.2}),
}
DEFAULT_CHANNEL = Weighted({Channel.PARTNER_FORM: 0.55, Channel.EMAIL: 0.25, Channel.PHONE: 0.2})
ORGANISATION = {
    SourceGroup.POLICE: ("Thames Valley Police", "Police constable"),
    SourceGroup.EDUCATION: ("Local school", "Designated safeguarding lead"),
    SourceGroup.HEALTH: ("Buckinghamshire Healthcare NHS Trust", "Safeguarding nurse"),
    SourceGroup.HOUSING: ("Housing services", "Housing officer"),
    SourceGroup.LA_SERVICES: ("Buckinghamshire Council", "Practitioner"),
    SourceGroup.LEGAL: ("Probation service", "Probation officer"),
    SourceGroup.INDIVIDUALS: ("", "Member of the public"),
    SourceGroup.OTHER: ("Voluntary sector", "Support worker"),
}
CONCERNS = {
    SourceGroup.POLICE: (
        "Police attended a domestic incident at the home overnight; the children were present.",
        "Child reported missing overnight and found by police in the town centre.",
        "Police protection notice: adults in the home intoxicated, children unsupervised.",
    ),
    SourceGroup.EDUCATION: (
        "Child arrived at school hungry and with unexplained bruising to the arm.",
        "Attendance has fallen below 70% and the child seems withdrawn.",
        "Child disclosed that mum's partner shouts and throws things.",
    ),
    SourceGroup.HEALTH: (
        "Missed health appointments and concerns about the baby's weight.",
        "Young person attended A&E after self-harm.",
        "Mother disclosed low mood and difficulty coping with the children.",
    ),
}
OTHER_CONCERNS = (
    "Concerns about the care of the children and the state of the home.",
    "Family struggling with money and housing; children's needs not being met.",
    "Worries about a parent's drinking and the children's safety.",
)
DECISION_REASONS = {
    Decision.NO_FURTHER_ACTION: "Information recorded; no role for children's services at this point.",
    Decision.ADVICE: "Advice given to the referrer and the family signposted to universal services.",
    Decision.EARLY_HELP: "Needs can be met by early help with the family's consent.",
    Decision.ASSESSMENT: "Threshold met for a child and family assessment.",
    Decision.STRATEGY_DISCUSSION: "Reasonable cause to suspect significant harm: strategy discussion today.",
}
AGENCIES = (Agency.POLICE, Agency.HEALTH, Agency.EDUCATION, Agency.HOUSING, Agency.PROBATION)
# Chance a contact is still undecided the day after the history ends, by the working days from its arrival to that
# day: 1 is due that day, 2 is a working day late, and so on. Older contacts have all been decided.
UNDECIDED_BY_WORKING_DAYS = ((1, 0.85), (2, 0.25), (6, 0.04))
TOP_UP = "top_up"  # a recent contact added where open casework crowds out free ones; never referred


@dataclass
class ContactPlan:
    day: dt.date
    source: str
    children: list = field(default_factory=list)  # ChildPlan
    episode: EpisodePlan | None = None
    decision: str = ""
    record: Contact | None = None


class FrontDoorPlanner:
    """Plans a household's contacts and referrals; shared by every household of a run."""

    def __init__(self, sim):
        self.sim = sim
        self.demand = sim.demand
        years = sim.demand.days / 365.25
        # Households have about 2.06 children; open casework brings its own referral contacts on top.
        open_share = sim.open_children_target / max(sim.children, 1)
        self.mean_free = max(1.0, 0.2 * years * 2.06 - open_share)
        self._compensate(open_share)
        # Where open casework crowds out free contacts, the newest contacts are topped up (in the last 20 days,
        # mostly the current month, which the demand watch does not count yet); they are not referred.
        last_60 = len(sim.demand.total) - 60
        lost = 1 - sum(sim.demand.free[last_60:]) / max(sum(sim.demand.total[last_60:]), 1e-9)
        self.recent_top_up = 0.02 * 2.06 * max(0.0, lost)

    def _compensate(self, open_share: float) -> None:
        """Expected referral contacts of open casework per day, so free contacts fill only the rest."""
        sim, demand = self.sim, self.demand
        households = sim.open_children_target / 2.06
        windows = ((45, 0.26), (540, 0.49), (1100, 0.25))  # assessment, child in need, longer-term teams
        expected = [0.0] * demand.days
        for longest, share in windows:
            first = max(sim.first_day, sim.last_day - dt.timedelta(days=longest))
            weight = demand.weight_between(first, sim.last_day - dt.timedelta(days=2))
            if weight <= 0:
                continue
            for index in range(demand.index(first), demand.days):
                expected[index] += households * share * demand.total[index] / weight
        contacts_per_weight = sim.children * 0.2 / demand.weight_per_year
        demand.compensate(expected, contacts_per_weight)

    def free_contact_count(self) -> int:
        rng, extra = self.sim.rng, self.mean_free - 1
        # Poisson(extra) by Knuth's method: few draws, and the same for a seed.
        limit, k, product = math.exp(-extra), 0, rng.random()
        while product > limit:
            k += 1
            product *= rng.random()
        return 1 + k

    def plan(self, household, earliest: dt.date, referral_day: dt.date | None) -> None:
        """Contacts for the household (its main referral contact on `referral_day`, when it has casework)."""
        from opencsc.synthetic.families import Casework

        sim, rng, demand = self.sim, self.sim.rng, self.demand
        last_day = sim.last_day
        days = sorted(demand.draw_day(rng, earliest, last_day) for _ in range(self.free_contact_count()))
        contacts = [ContactPlan(day, demand.draw_source(rng, day)) for day in days]
        episodes: list[tuple[dt.date, dt.date]] = []  # (referral, closure or the end of the history)
        if referral_day is not None:
            if household.casework == Casework.CLOSED:
                contacts.pop(rng.randrange(len(contacts)))  # the referral takes the place of a free contact
            main = self._main_episode(household, referral_day)
            contact = ContactPlan(referral_day, demand.draw_source(rng, referral_day), episode=main)
            contacts.append(contact)
            episodes.append((referral_day, main.closed_on or last_day + dt.timedelta(days=400)))
            if household.casework == Casework.CLOSED:
                household.casework_closed_on = max(
                    household.casework_opened_on, min(main.closed_on or last_day, last_day)
                )
            if rng.random() < PRIOR_REFERRAL_CHANCE:
                prior = referral_day - dt.timedelta(days=rng.randint(40, 330))
                if prior >= earliest:
                    contacts.append(ContactPlan(prior, demand.draw_source(rng, prior), decision="referral"))
        if rng.random() < self.recent_top_up:
            day = demand.draw_day(rng, max(earliest, last_day - dt.timedelta(days=20)), last_day, fixed=True)
            contacts.append(ContactPlan(day, demand.draw_source(rng, day), decision=TOP_UP))
        contacts.sort(key=lambda c: (c.day, c.episode is not None))
        for contact in contacts:
            if contact.episode is not None or contact.decision == TOP_UP:
                continue
            recent = [end for start, end in episodes if start < contact.day and end < contact.day]
            within_year = bool(recent) and (contact.day - max(recent)).days < 365
            wanted = (
                contact.decision == "referral"
                or (within_year and rng.random() < REREFERRAL_CHANCE)
                or FREE_DECISION.draw(rng) == "referral"
            )
            overlaps = any(start <= contact.day <= end + dt.timedelta(days=1) for start, end in episodes)
            if wanted and not overlaps and contact.day <= last_day - dt.timedelta(days=3):
                kind = "nfa" if rng.random() < 0.12 else "short"
                episode = plan_episode(sim, day=contact.day, kind=kind, is_open=False, deadline=last_day)
                if episode.closed_on is None and rng.random() < 0.25:
                    # Too recent for an assessment to have finished: some end at the front door instead.
                    episode = plan_episode(sim, day=contact.day, kind="nfa", is_open=False, deadline=last_day)
                upcoming = [start for start, _ in episodes if start > contact.day]
                if episode.closed_on and (not upcoming or episode.closed_on < min(upcoming)):
                    contact.episode = episode
                    episodes.append((contact.day, episode.closed_on))
                    continue
            contact.decision = ""
        household.contacts = sorted(contacts, key=lambda c: c.day)
        household.first_contact_on = household.contacts[0].day

    def _main_episode(self, household, referral_day: dt.date) -> EpisodePlan:
        from opencsc.synthetic.families import Casework

        sim, rng = self.sim, self.sim.rng
        is_open = household.casework == Casework.OPEN
        team_kind = household.team_kind
        if team_kind == TeamKind.ASSESSMENT:
            kind = "cp" if rng.random() < 0.1 else ("open_assessment" if is_open else "short")
        elif team_kind == TeamKind.CHILD_IN_NEED:
            kind = "cp" if rng.random() < 0.33 else "cin"
        elif team_kind == TeamKind.DISABLED_CHILDREN:
            kind = "cin"
        else:
            kind = "assess"
        deadline = sim.last_day - dt.timedelta(days=14)
        episode = plan_episode(
            sim, day=referral_day, kind=kind, is_open=is_open, deadline=deadline, team_kind=team_kind
        )
        if not is_open and episode.closed_on is None:
            episode.closed_on = min(sim.last_day, episode.last_event() + dt.timedelta(days=3))
            episode.closure_reason = episode.closure_reason or "RC7"
        household.cp_plan_open = bool(
            episode.protection
            and episode.protection.plan_decided
            and episode.protection.plan_ended_on is None
        )
        return episode


class FrontDoorWriter:
    def __init__(self, sim, workforce):
        self.sim = sim
        self.workforce = workforce
        self.protection = ProtectionWriter(sim, workforce)
        self.team = workforce.teams_by_kind[TeamKind.FRONT_DOOR][0]
        self.manager = workforce.managers[self.team.pk]
        self.assessment_teams = workforce.teams_by_kind[TeamKind.ASSESSMENT]
        self.due_cache: dict[dt.date, dt.date] = {}
        self.sequence = 0

    def _placeholder(self) -> str:
        """A unique reference until the row has its id (the service's reference is made from the id)."""
        self.sequence += 1
        return f"gen-{self.sequence}"

    def _due(self, day: dt.date) -> dt.date:
        if day not in self.due_cache:
            # decision_due_for reads the authority's closure days each time; the calendar is fixed while we write.
            self.due_cache[day] = due_date("referral_decision", day, calendar=self.sim.calendar).due
        return self.due_cache[day]

    def write(self, households: list) -> None:
        sim = self.sim
        contacts, subjects, checks, referrals = [], [], [], []
        for household in households:
            for plan in household.contacts:
                named = [child for child in household.children if child.created_on <= plan.day]
                if not named:
                    continue
                plan.children = named
                plan.record = self._contact(plan)
                contacts.append(plan)
        Contact.objects.bulk_create([plan.record for plan in contacts], batch_size=1000)
        for plan in contacts:
            contact = plan.record
            contact.reference = f"FD{timezone.localtime(contact.received_at):%y}-{contact.pk:06d}"
            subjects.extend(ContactChild(contact=contact, child=child.record) for child in plan.children)
            checks.extend(self._checks(contact))
        Contact.objects.bulk_update([plan.record for plan in contacts], ["reference"], batch_size=1000)
        ContactChild.objects.bulk_create(subjects, batch_size=2000)
        PartnerCheck.objects.bulk_create(checks, batch_size=1000)
        chronology = []
        for plan in contacts:
            contact = plan.record
            for child in plan.children:
                line = lines.contact_received(contact, child.record)
                chronology.append(_entry(line, contact.recorded_by, contact.received_at))
        casework = []
        for household in households:
            for plan in household.contacts:
                if plan.record is None or plan.episode is None:
                    continue
                episode = plan.episode
                team, worker = self._team_and_worker(household, plan)
                manager = self.workforce.managers[team.pk]
                for child in plan.children:
                    referral = Referral(
                        child=child.record,
                        contact=plan.record,
                        referral_date=plan.day,
                        source=plan.source,
                        route=episode.route,
                        primary_need=episode.primary_need,
                        is_nfa=episode.is_nfa,
                        team=team,
                        closed_on=episode.closed_on,
                        closure_reason=episode.closure_reason,
                    )
                    referrals.append(stamp(referral, plan.record.decided_at, plan.record.decided_at))
                    casework.append((episode, referral, child, worker, manager, plan.record))
        Referral.objects.bulk_create(referrals, batch_size=1000)
        for _episode, referral, _child, _worker, manager, contact in casework:
            chronology.append(
                _entry(lines.referral_received(referral), contact.decided_by, contact.decided_at)
            )
            if referral.closed_on:
                chronology.append(_entry(casework_lines.referral_closed(referral), manager, None))
        ChronologyEntry.objects.bulk_create(chronology, batch_size=2000)
        sim.count("contacts", len(contacts))
        sim.count("contact children", len(subjects))
        sim.count("partner checks", len(checks))
        sim.count("referrals", len(referrals))
        sim.count("chronology entries", len(chronology))
        self.protection.write([(e, r, c, w, m) for e, r, c, w, m, _ in casework if not e.is_nfa])

    def _team_and_worker(self, household, plan):
        rng = self.sim.rng
        periods = [p for p in household.periods if p.started_on <= plan.day + dt.timedelta(days=7)]
        if plan.episode.main and household.periods:
            period = periods[0] if periods else household.periods[0]
            return period.team, period.worker
        team = rng.choice(self.assessment_teams)
        return team, rng.choice(self.workforce.workers[team.pk] + self.workforce.leavers[team.pk])

    def _contact(self, plan: ContactPlan) -> Contact:
        sim, rng = self.sim, self.sim.rng
        group = source_group(plan.source)
        day = plan.day
        if _is_working_day(day) and rng.random() < 0.93:
            hour = rng.choice((8, 9, 9, 10, 10, 11, 11, 12, 13, 14, 14, 15, 15, 16, 16, 17))
        else:
            hour = rng.randint(0, 23)
        received = _aware(day, hour, rng.randint(0, 59))
        organisation, role = ORGANISATION.get(group, ORGANISATION[SourceGroup.OTHER])
        if plan.source in (ReferralSource.ANONYMOUS, ReferralSource.UNKNOWN):
            organisation, role = "", ""
        recorder = self.workforce.front_door_worker(sim)
        contact = Contact(
            reference=self._placeholder(),
            received_at=received,
            channel=CHANNEL.get(group, DEFAULT_CHANNEL).draw(rng),
            source=plan.source,
            referrer_name=""
            if plan.source == ReferralSource.ANONYMOUS
            else sim.names.adult_forename(rng.choice("FM"), "WBRI") + " " + sim.names.surname("WBRI"),
            referrer_role=role,
            referrer_organisation=organisation,
            concerns=rng.choice(CONCERNS.get(group, OTHER_CONCERNS)),
            parents_aware=rng.choice(("Yes", "Yes", "No", "Not known")),
            decision_due_on=self._due(day),
            recorded_by=recorder,
        )
        undecided = plan.episode is None and rng.random() < self._undecided_chance(day)
        triaged = received + dt.timedelta(minutes=rng.randint(10, 150))
        if plan.episode is not None:
            contact.rag = (
                Rag.RED
                if plan.episode.route == Decision.STRATEGY_DISCUSSION
                else rng.choice((Rag.AMBER, Rag.AMBER, Rag.GREEN, Rag.RED))
            )
        else:
            contact.rag = rng.choice((Rag.GREEN, Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.AMBER, Rag.RED))
        end_of_history = _aware(sim.last_day, 23, 59)
        if undecided:
            if rng.random() < 0.45 or triaged > end_of_history:
                contact.status, contact.rag = ContactStatus.AWAITING_TRIAGE, ""
            else:
                contact.status, contact.triaged_at, contact.triaged_by = (
                    ContactStatus.AWAITING_DECISION,
                    triaged,
                    recorder,
                )
            return stamp(contact, received, contact.triaged_at or received)
        decided = self._decided_at(received, plan)
        decided = min(decided, end_of_history)
        triaged = min(triaged, decided)
        if plan.episode is not None:
            decision = plan.episode.route
        else:
            decision = rng.choice(
                (Decision.NO_FURTHER_ACTION, Decision.ADVICE, Decision.ADVICE, Decision.EARLY_HELP)
            )
        contact.status, contact.triaged_at, contact.triaged_by = ContactStatus.DECIDED, triaged, recorder
        contact.decision, contact.decision_reason = decision, DECISION_REASONS[decision]
        contact.decided_at = decided
        contact.decided_by = self.manager if rng.random() < 0.7 else recorder
        if contact.referrer_organisation:
            contact.referrer_acknowledged_at = received + dt.timedelta(minutes=rng.randint(5, 60))
            contact.referrer_told_decision_at = decided + dt.timedelta(minutes=rng.randint(5, 120))
            contact.referrer_acknowledged_at = min(contact.referrer_acknowledged_at, decided)
            contact.referrer_told_decision_at = min(contact.referrer_told_decision_at, end_of_history)
        contact.version = 3
        return stamp(contact, received, decided)

    def _undecided_chance(self, day: dt.date) -> float:
        """The chance a contact received on `day` is still waiting for its decision the day after the history."""
        next_day = self.sim.last_day + dt.timedelta(days=1)
        if (next_day - day).days > 21:  # more than six working days even across Christmas
            return 0.0
        waited = self.sim.calendar.working_days_between(day, next_day)
        return next((chance for most, chance in UNDECIDED_BY_WORKING_DAYS if waited <= most), 0.0)

    def _decided_at(self, received: dt.datetime, plan: ContactPlan) -> dt.datetime:
        rng = self.sim.rng
        local = timezone.localtime(received)
        draw = rng.random()
        if plan.episode is not None and plan.episode.route == Decision.STRATEGY_DISCUSSION:
            draw = 0.0  # possible significant harm is decided the same day
        if draw < 0.78:
            decided = local + dt.timedelta(minutes=rng.randint(30, 360))
            if decided.date() == local.date():
                return decided
        day = local.date()
        extra = 1 if draw < 0.9 else rng.randint(2, 5)
        for _ in range(extra):
            day = self.sim.calendar.add_working_days(day, 1)
        target = _aware(day, rng.randint(9, 17), rng.randint(0, 59))
        return max(target, received + dt.timedelta(minutes=30))

    def _checks(self, contact: Contact) -> list[PartnerCheck]:
        rng = self.sim.rng
        if (
            contact.triaged_at is None
            or contact.rag == Rag.GREEN
            and rng.random() < 0.8
            or rng.random() < 0.45
        ):
            return []
        rows = []
        for agency in rng.sample(AGENCIES, k=rng.choice((1, 1, 2))):
            requested = contact.triaged_at + dt.timedelta(minutes=rng.randint(1, 30))
            limit = contact.decided_at or _aware(self.sim.last_day, 23, 59)
            if requested > limit:
                continue
            answered = requested + dt.timedelta(minutes=rng.randint(20, 240))
            answered_in_time = answered <= limit and (contact.decided_at is not None or rng.random() < 0.5)
            check = PartnerCheck(
                contact=contact,
                agency=agency,
                requested_by=contact.triaged_by,
                requested_at=requested,
                response="Known to us: information shared with the front door." if answered_in_time else "",
                responded_at=answered if answered_in_time else None,
            )
            rows.append(stamp(check, requested, answered if answered_in_time else requested))
        return rows


def _is_working_day(day: dt.date) -> bool:
    from opencsc.core.working_days import ENGLAND

    return ENGLAND.is_working_day(day)


def _aware(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _entry(line: ChronologyLine, actor, recorded_at: dt.datetime | None) -> ChronologyEntry:
    """A service's line as the synthetic authority bulk-inserts it, stamped when it was recorded (by default at
    the end of its day)."""
    day = line.occurred_on
    recorded_at = recorded_at or timezone.make_aware(dt.datetime.combine(day, dt.time(17, 45)))
    return stamp(line.entry(recorded_by=actor), recorded_at)
