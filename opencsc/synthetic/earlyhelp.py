"""Early help in the synthetic authority, written after the children's casework (it follows what the front door
and the social care cases already decided).

Rates. England has no national early help collection (the DfE publishes none), so the volumes follow the
generated authority's own decisions rather than a national table:
- a contact decided "early help" at the front door (27% of contacts that are not referred, `frontdoor.py`, near
  the share of contacts Ofsted's Annex A returns show routed to early help) opens an episode when the family
  consents, about 3 in 4 (`TAKE_UP`): early help is voluntary;
- every case closed with RC9 (closed after assessment, referred to early help) is a step-down: an episode opening
  the day the case closed, linked to it;
- an episode open when a later contact about the child is referred to social care ends that day as a step-up,
  linked to that contact (so step-ups never add a contact the front door did not already have).
The steps are timed around the authority's clocks, with some late: the assessment starts within 5 working days
and is completed within the 30 working days for about 85% (`LATE_ASSESSMENT`); team around the family reviews
come every 6 weeks, with about 1 in 8 (`LATE_REVIEW`) two or three weeks late; an episode lasts 3 to 9 months
and ends with its outcome (mostly met), or is still open on the last day. The lead professional's organisation
follows the child's age (health visiting and early years for the under-fives, school for the rest, the council's
own early help service for a fifth). Deterministic for the seed: its own Random, seeded from the seed.
"""

import datetime as dt
import random
from collections import defaultdict

from opencsc.accounts.models import Role, User
from opencsc.casework.models import ChronologyEntry
from opencsc.earlyhelp import chronology_lines as lines
from opencsc.earlyhelp.models import (
    EarlyHelpAssessment,
    EarlyHelpEpisode,
    EpisodeEnd,
    EpisodeStart,
    LeadOrganisation,
    TeamAroundFamilyReview,
)
from opencsc.frontdoor.models import REFERRAL_DECISIONS, ContactChild, Decision, Referral
from opencsc.people.models import Child
from opencsc.synthetic.context import GENERATED_EMAIL_DOMAIN, Simulation
from opencsc.synthetic.timestamps import at, stamp

TAKE_UP = 0.75
LATE_ASSESSMENT = 0.15
LATE_REVIEW = 0.125
ENDINGS = (
    (EpisodeEnd.OUTCOMES_MET, 0.7),
    (EpisodeEnd.FAMILY_WITHDREW, 0.12),
    (EpisodeEnd.OTHER_SERVICE, 0.12),
    (EpisodeEnd.MOVED_AWAY, 0.06),
)
SCHOOLS = ("Hill Street Primary School", "St Mary's CE Primary", "Northgate Academy", "Riverside High School")
UNDER_FIVES = ("Health Visiting Team (North)", "Little Acorns Nursery", "Brookside Children's Centre")


def _pick(rng: random.Random, weighted) -> object:
    draw, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if draw < total:
            return value
    return weighted[-1][0]


def _lead(rng: random.Random, age: int) -> dict:
    if rng.random() < 0.2:
        kind, organisation = LeadOrganisation.COUNCIL_EARLY_HELP, "Family Help Service"
    elif age < 5:
        organisation = rng.choice(UNDER_FIVES)
        kind = LeadOrganisation.HEALTH_VISITING if "Health" in organisation else LeadOrganisation.EARLY_YEARS
    else:
        kind, organisation = LeadOrganisation.SCHOOL, rng.choice(SCHOOLS)
    first = rng.choice(("Sam", "Alex", "Priya", "Jordan", "Chris", "Amina", "Tom", "Grace"))
    last = rng.choice(("Khan", "Smith", "Jones", "Patel", "Brown", "Evans", "Clarke", "Walsh"))
    return {
        "lead_name": f"{first} {last}",
        "lead_role": "Designated safeguarding lead" if kind == LeadOrganisation.SCHOOL else "Family worker",
        "lead_organisation_kind": kind,
        "lead_organisation": organisation,
        "lead_phone": f"01632 {rng.randrange(100000, 999999)}",
    }


class _Writer:
    def __init__(self, sim: Simulation, actor):
        self.sim = sim
        self.rng = random.Random(f"{sim.seed}-early-help")
        self.actor = actor
        self.episodes: list[EarlyHelpEpisode] = []
        self.plans: dict[int, dict] = {}  # id(episode) -> its assessment and reviews

    def working_days(self, day: dt.date, count: int) -> dt.date:
        return self.sim.calendar.add_working_days(day, count)

    def plan(
        self, child: Child, start: dt.date, started_by: str, step_up: tuple | None, referral=None
    ) -> None:
        """One episode from `start`, ended by the step-up contact `step_up` (day, contact id) if it comes first."""
        last_day, rng = self.sim.last_day, self.rng
        born = child.date_of_birth or start
        age = (start - born).days // 365
        ends = start + dt.timedelta(days=rng.randint(90, 270))
        end_reason = _pick(rng, ENDINGS)
        contact_id = None
        if step_up and step_up[0] < ends:
            ends, end_reason, contact_id = step_up[0], EpisodeEnd.STEPPED_UP, step_up[1]
        if ends > last_day:
            ends, end_reason, contact_id = None, "", None
        until = ends or last_day
        episode = EarlyHelpEpisode(
            child=child,
            started_on=start,
            started_by=started_by,
            ended_on=ends,
            end_reason=end_reason,
            stepped_down_from=referral,
            stepped_up_contact_id=contact_id,
            recorded_by=self.actor,
            **_lead(rng, age),
        )
        assessment = None
        assessed_from = self.working_days(start, rng.randint(0, 5))
        if assessed_from <= until:
            late = rng.random() < LATE_ASSESSMENT
            completed = self.working_days(assessed_from, rng.randint(31, 45) if late else rng.randint(10, 24))
            assessment = EarlyHelpAssessment(
                child=child,
                started_on=assessed_from,
                completed_on=completed if completed <= until else None,
                organisation=episode.lead_organisation,
            )
        reviews, day = [], start
        while True:
            weeks = rng.choice((8, 9)) if rng.random() < LATE_REVIEW else rng.choice((5, 6, 6))
            day = day + dt.timedelta(weeks=weeks)
            if day > until:
                break
            reviews.append(TeamAroundFamilyReview(child=child, held_on=day))
        self.episodes.append(episode)
        self.plans[id(episode)] = {"assessment": assessment, "reviews": reviews}

    def save(self) -> None:
        for episode in self.episodes:
            stamp(episode, at(episode.started_on, 10), at(episode.ended_on or episode.started_on, 16))
        EarlyHelpEpisode.objects.bulk_create(self.episodes, batch_size=2000)
        assessments, reviews, chronology = [], [], []
        for episode in self.episodes:
            plan = self.plans[id(episode)]
            chronology.append(self.entry(lines.episode_opened(episode), episode.started_on))
            if episode.ended_on:
                chronology.append(self.entry(lines.episode_closed(episode), episode.ended_on))
            if episode.stepped_up_contact_id:
                chronology.append(self.entry(lines.stepped_up(episode), episode.ended_on))
            if plan["assessment"]:
                assessment = plan["assessment"]
                assessment.episode = episode
                stamp(
                    assessment,
                    at(assessment.started_on, 11),
                    at(assessment.completed_on or assessment.started_on, 15),
                )
                assessments.append(assessment)
            for review in plan["reviews"]:
                review.episode = episode
                reviews.append(stamp(review, at(review.held_on, 14)))
        EarlyHelpAssessment.objects.bulk_create(assessments, batch_size=2000)
        TeamAroundFamilyReview.objects.bulk_create(reviews, batch_size=2000)
        for assessment in assessments:
            chronology.append(self.entry(lines.assessment_started(assessment), assessment.started_on))
            if assessment.completed_on:
                chronology.append(self.entry(lines.assessment_completed(assessment), assessment.completed_on))
        chronology.extend(self.entry(lines.family_review_held(r), r.held_on) for r in reviews)
        ChronologyEntry.objects.bulk_create(chronology, batch_size=2000)
        self.sim.count("early help episodes", len(self.episodes))
        self.sim.count("early help assessments", len(assessments))
        self.sim.count("team around the family reviews", len(reviews))

    def entry(self, line, day: dt.date) -> ChronologyEntry:
        return stamp(line.entry(recorded_by=self.actor), at(day, 17))


def _referred_contacts(child_ids) -> dict[int, list[tuple[dt.date, int]]]:
    """Each child's contacts referred to social care: (day received, contact id), oldest first."""
    found = defaultdict(list)
    rows = ContactChild.objects.filter(child_id__in=child_ids, contact__decision__in=REFERRAL_DECISIONS)
    for child_id, received, contact_id in rows.values_list("child_id", "contact__received_at", "contact_id"):
        found[child_id].append((received.date(), contact_id))
    for days in found.values():
        days.sort()
    return found


def write_early_help(sim: Simulation) -> None:
    """Early help episodes from the front door's early help decisions and the RC9 closures (see the docstring)."""
    actor = (
        User.objects.filter(email__endswith=f"@{GENERATED_EMAIL_DOMAIN}", role=Role.SOCIAL_WORKER)
        .order_by("pk")
        .first()
    )
    if actor is None:
        return
    starts: list[tuple[int, dt.date, str, object]] = []
    decided = ContactChild.objects.filter(child__isnull=False, contact__decision=Decision.EARLY_HELP)
    writer = _Writer(sim, actor)
    for child_id, decided_at in decided.values_list("child_id", "contact__decided_at").order_by(
        "contact_id", "pk"
    ):
        if writer.rng.random() < TAKE_UP:
            start = writer.working_days(decided_at.date(), writer.rng.randint(1, 5))
            starts.append((child_id, start, EpisodeStart.FRONT_DOOR, None))
    for referral in Referral.objects.filter(closure_reason="RC9", closed_on__isnull=False).order_by("pk"):
        starts.append((referral.child_id, referral.closed_on, EpisodeStart.STEP_DOWN, referral))
    children = Child.objects.in_bulk({child_id for child_id, *_ in starts})
    referred = _referred_contacts(children)
    busy_until: dict[int, dt.date] = {}
    stepped_up: set = set()
    for child_id, start, started_by, referral in sorted(starts, key=lambda s: (s[0], s[1], s[2])):
        if start > sim.last_day or start < busy_until.get(child_id, start):
            continue
        step_up = next(
            ((day, c) for day, c in referred.get(child_id, ()) if day > start and c not in stepped_up), None
        )
        writer.plan(children[child_id], start, started_by, step_up, referral)
        ended = writer.episodes[-1].ended_on
        stepped_up.add(
            writer.episodes[-1].stepped_up_contact_id
        )  # a contact about siblings steps up one of them
        busy_until[child_id] = ended + dt.timedelta(days=1) if ended else dt.date.max
    writer.save()
