"""Reads about a looked-after child: the episodes grouped into periods of care and placements, where each
placement is and how far from home, placement stability, and the page summaries.

A placement is a run of episodes that starts with an episode whose reason (RNE) changes placement (S, P, B, T or
U) and carries on through legal-status-only (L) episodes. Placement stability follows design.md: in a year the
child had the placement open on its first day plus each episode starting in it with reason S, P, B, T or U; a
short T move and the return from it are two placements.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from opencsc.accounts.access import LA_WIDE_READ_ROLES, TEAM_ROLES, child_visibility_filter
from opencsc.accounts.models import Role, User
from opencsc.core.working_days import anniversary
from opencsc.looked_after.codes import LONG_TERM_PLACEMENTS, PLACEMENT_CHANGING_REASONS, SHORT_BREAK_STATUSES
from opencsc.looked_after.models import (
    CareReview,
    Episode,
    HealthAndEducationCheck,
    IroAssignment,
    MissingEpisode,
    PreviousPermanenceRecord,
    RecommendationAnswer,
    ReviewRecommendation,
    UnaccompaniedAsylumSeeker,
)
from opencsc.people.models import Child

POSTCODE_NOT_FOUND = "Postcode not found: distance and location unknown"
HOME_POSTCODE_UNKNOWN = "Home postcode not known: distance unknown"
HOME_POSTCODE_NOT_FOUND = "Home postcode not found: distance unknown"


def child_episodes(child: Child) -> list[Episode]:
    return list(Episode.objects.filter(child=child).order_by("started_on", "id"))


def open_episode(child: Child) -> Episode | None:
    return Episode.objects.filter(child=child, ended_on__isnull=True).first()


def location_note(episode: Episode) -> str:
    """What is not known about where the child is placed, in words for the page; empty when all is known."""
    if episode.placement_postcode and not episode.placement_la_code:
        return POSTCODE_NOT_FOUND
    if episode.distance_miles is None:
        return HOME_POSTCODE_NOT_FOUND if episode.home_postcode else HOME_POSTCODE_UNKNOWN
    return ""


@dataclass
class Placement:
    """One placement: the episode that started it and any legal-status-only episodes that followed."""

    episodes: list[Episode]

    @property
    def first(self) -> Episode:
        return self.episodes[0]

    @property
    def last(self) -> Episode:
        return self.episodes[-1]

    @property
    def started_on(self) -> dt.date:
        return self.first.started_on

    @property
    def ended_on(self) -> dt.date | None:
        return self.last.ended_on

    @property
    def is_open(self) -> bool:
        return self.last.ended_on is None

    @property
    def is_long_term(self) -> bool:
        return self.last.placement_type in LONG_TERM_PLACEMENTS

    @property
    def location_known(self) -> bool:
        return self.last.placement_inside_authority is not None

    @property
    def location_note(self) -> str:
        return location_note(self.last)

    @property
    def reason_ended(self) -> str:
        """Why this placement ended: the placement-change reason on its last episode, or why care ended."""
        last = self.last
        if last.ended_on is None:
            return ""
        if last.reason_placement_changed:
            return last.get_reason_placement_changed_display()
        if last.reason_ceased and last.reason_ceased != "X1":
            return f"Care ended: {last.get_reason_ceased_display()}"
        return ""


def placements_from(episodes: list[Episode]) -> list[Placement]:
    placements: list[Placement] = []
    for episode in episodes:
        if episode.reason_new_episode in PLACEMENT_CHANGING_REASONS or not placements:
            placements.append(Placement([episode]))
        else:
            placements[-1].episodes.append(episode)
    return placements


def current_placement(episodes: list[Episode]) -> Placement | None:
    placements = placements_from(episodes)
    return placements[-1] if placements and placements[-1].is_open else None


def period_of_care_start(episodes: list[Episode]) -> dt.date | None:
    """When the child last became looked after: the start of the latest episode with RNE S (or the first
    episode held, for a record imported part-way through a period of care)."""
    start = None
    for episode in episodes:
        if episode.reason_new_episode == "S" or start is None:
            start = episode.started_on
    return start


def placements_in_window(episodes: list[Episode], start: dt.date, end: dt.date) -> int:
    """The placement open on `start` plus each episode starting from `start` to `end` with reason S, P, B, T
    or U. 'Open on' a day means started on or before it and not ended by it (the same test as the KPIs); an
    episode that starts a placement on `start` itself is counted once, as starting in the window."""
    count = 0
    for episode in episodes:
        open_at_start = episode.started_on <= start and (episode.ended_on is None or episode.ended_on > start)
        starts_placement = episode.reason_new_episode in PLACEMENT_CHANGING_REASONS
        if open_at_start and not (episode.started_on == start and starts_placement):
            count += 1
        if starts_placement and start <= episode.started_on <= end:
            count += 1
    return count


def reporting_year_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The reporting year (1 April to 31 March) that `day` falls in."""
    first = dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    return first, dt.date(first.year + 1, 3, 31)


@dataclass(frozen=True)
class Stability:
    last_12_months: int
    this_year: int
    year_start: dt.date
    year_end: dt.date
    window_start: dt.date

    @property
    def year_label(self) -> str:
        return f"{self.year_start.year}-{str(self.year_end.year)[2:]}"


def placement_stability(episodes: list[Episode], today: dt.date | None = None) -> Stability:
    today = today or timezone.localdate()
    window_start = anniversary(today, -1)
    year_start, year_end = reporting_year_of(today)
    return Stability(
        last_12_months=placements_in_window(episodes, window_start, today),
        this_year=placements_in_window(episodes, year_start, min(year_end, today)),
        year_start=year_start,
        year_end=year_end,
        window_start=window_start,
    )


@dataclass
class CareSummary:
    """What the child's page shows about care."""

    episode: Episode | None
    placement: Placement | None
    period_started_on: dt.date | None
    stability: Stability
    missing: list[MissingEpisode]
    ever_looked_after: bool
    clocks: list = field(default_factory=list)

    @property
    def is_looked_after(self) -> bool:
        return self.episode is not None

    @property
    def is_short_break(self) -> bool:
        return self.episode is not None and self.episode.legal_status in SHORT_BREAK_STATUSES

    @property
    def missing_now(self) -> MissingEpisode | None:
        return next((m for m in self.missing if m.returned_at is None), None)


def care_summary(child: Child, today: dt.date | None = None) -> CareSummary:
    from opencsc.looked_after.clocks import care_records, child_care_clocks

    today = today or timezone.localdate()
    records = care_records([child.pk])[child.pk]
    episodes = records.episodes
    placement = current_placement(episodes)
    return CareSummary(
        episode=placement.last if placement else None,
        placement=placement,
        period_started_on=period_of_care_start(episodes) if placement else None,
        stability=placement_stability(episodes, today),
        missing=list(MissingEpisode.objects.filter(child=child).order_by("-started_at")[:5]),
        ever_looked_after=bool(episodes),
        clocks=child_care_clocks(child, today=today, records=records),
    )


@dataclass
class CareHistory:
    episodes: list[Episode]
    placements: list[Placement]
    summary: CareSummary
    reviews: list[CareReview]
    missing: list[MissingEpisode]
    checks: list[HealthAndEducationCheck]
    uasc: UnaccompaniedAsylumSeeker | None
    previous_permanence: PreviousPermanenceRecord | None

    @property
    def distance_figures(self) -> list[Decimal]:
        """Distances of placements whose home and placement postcodes were both found."""
        return [p.last.distance_miles for p in self.placements if p.last.distance_miles is not None]


def care_history(child: Child) -> CareHistory:
    episodes = child_episodes(child)
    return CareHistory(
        episodes=episodes,
        placements=list(reversed(placements_from(episodes))),
        summary=care_summary(child),
        reviews=list(
            CareReview.objects.filter(child=child).select_related("reviewing_officer").order_by("-held_on")
        ),
        missing=list(MissingEpisode.objects.filter(child=child).order_by("-started_at")),
        checks=list(HealthAndEducationCheck.objects.filter(child=child).order_by("-done_on", "-id")),
        uasc=child_uasc(child),
        previous_permanence=child_previous_permanence(child),
    )


def missing_episodes_to_update(child: Child) -> list[MissingEpisode]:
    """Missing episodes still waiting for a return or for the return home interview to be done or declined."""
    return list(
        MissingEpisode.objects.filter(
            child=child, interview_done_at__isnull=True, interview_declined=False
        ).order_by("-started_at")
    )


def reviewing_officers():
    """The staff who may be named as the chair of a review held before the child had an IRO recorded here:
    independent reviewing officers and the staff who read children's records."""
    roles = [Role.INDEPENDENT_REVIEWING_OFFICER, *LA_WIDE_READ_ROLES, *TEAM_ROLES]
    return User.objects.filter(is_active=True, role__in=roles).order_by("last_name", "first_name")


def independent_reviewing_officers():
    return User.objects.filter(is_active=True, role=Role.INDEPENDENT_REVIEWING_OFFICER).order_by(
        "last_name", "first_name"
    )


def iro_history(child: Child):
    return list(
        IroAssignment.objects.filter(child=child).select_related("iro").order_by("-started_on", "-id")
    )


def review_recommendations(child: Child):
    """The child's reviews, latest first, each with its recommendations (`review.recommendation_list`)."""
    reviews = list(
        CareReview.objects.filter(child=child).select_related("reviewing_officer").order_by("-held_on")
    )
    by_review: dict[int, list] = {}
    for recommendation in ReviewRecommendation.objects.filter(review__child=child).order_by("due_on", "id"):
        by_review.setdefault(recommendation.review_id, []).append(recommendation)
    for review in reviews:
        review.recommendation_list = by_review.get(review.pk, [])
    return reviews


def iro_caseload(iro) -> list[Child]:
    """The unrestricted children whose current IRO is `iro`, and the restricted ones they are named on, by name,
    each with `outstanding_recommendations` (unanswered, or accepted and not done)."""
    outstanding = Q(care_reviews__recommendations__answer__in=["", RecommendationAnswer.ACCEPTED])
    return list(
        Child.objects.filter(
            child_visibility_filter(iro), iro_assignments__iro=iro, iro_assignments__ended_on=None
        )
        .annotate(outstanding_recommendations=Count("care_reviews__recommendations", filter=outstanding))
        .order_by("last_name", "first_name", "pk")
    )


def missing_episode_for(child: Child, pk: int) -> MissingEpisode:
    return MissingEpisode.objects.get(pk=pk, child=child)


def child_uasc(child: Child) -> UnaccompaniedAsylumSeeker | None:
    return UnaccompaniedAsylumSeeker.objects.filter(child=child).first()


def child_previous_permanence(child: Child) -> PreviousPermanenceRecord | None:
    return PreviousPermanenceRecord.objects.filter(child=child).first()
