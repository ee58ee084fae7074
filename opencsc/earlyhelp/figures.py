"""What leaders see of early help over a reporting year (1 April Y-1 to 31 March Y, the design's convention),
each figure with the children behind it.

Definitions:
- `started` (demand): episodes started in the year, whatever their door; also split by the kind of organisation
  the lead professional works for;
- `open_at_end`: episodes open on the last day of the year (or today, for the year still running): started on or
  before it and not ended before or on it (an episode ending that day is not open, as in ADR 0004);
- `step_ups`: episodes ended in the year by a step-up to children's social care;
- `step_downs`: episodes started in the year by a step-down from children's social care;
- `rereferred_after_step_down`: of `step_downs`, those whose child had a referral to children's social care
  dated after the step-down and within 12 months of it (on or before its anniversary; for recent step-downs
  the 12 months are not over, so the figure can still rise); `rereferral_rate` is it as a % of `step_downs`
  (one decimal place, None when there were none).
A child the user may not open is counted but listed only as "a restricted record"; the list's names are logged.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.core.rates import rate
from opencsc.core.working_days import anniversary
from opencsc.earlyhelp.models import EarlyHelpEpisode, EpisodeEnd, EpisodeStart, LeadOrganisation
from opencsc.frontdoor.models import Referral
from opencsc.people.selectors import child_ids_user_may_open

FIGURES_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST}
NAMES = {
    "started": "Early help episodes started",
    "open_at_end": "Open at the end of the period",
    "step_ups": "Stepped up to children's social care",
    "step_downs": "Stepped down from children's social care",
    "rereferred_after_step_down": "Referred again within 12 months of a step-down",
}


def can_view_figures(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in FIGURES_ROLES


@dataclass(frozen=True)
class EarlyHelpFigures:
    year: int
    start: dt.date
    end: dt.date
    episodes: dict[str, list[EarlyHelpEpisode]]
    by_organisation: list[tuple[str, int]]

    def count(self, figure: str) -> int:
        return len(self.episodes[figure])

    @property
    def rereferral_rate(self) -> float | None:
        return rate(self.count("rereferred_after_step_down"), self.count("step_downs"))


def early_help_figures(year: int, *, today: dt.date | None = None) -> EarlyHelpFigures:
    today = today or timezone.localdate()
    start, end = dt.date(year - 1, 4, 1), min(dt.date(year, 3, 31), today)
    episodes = EarlyHelpEpisode.objects.select_related("child").order_by("started_on", "pk")
    started = list(episodes.filter(started_on__gte=start, started_on__lte=end))
    open_at_end = list(
        episodes.filter(started_on__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=end))
    )
    step_ups = list(episodes.filter(end_reason=EpisodeEnd.STEPPED_UP, ended_on__gte=start, ended_on__lte=end))
    step_downs = [e for e in started if e.started_by == EpisodeStart.STEP_DOWN]
    referrals: dict[int, list[dt.date]] = {}
    for child_id, day in Referral.objects.filter(
        child_id__in={e.child_id for e in step_downs}, referral_date__gt=start
    ).values_list("child_id", "referral_date"):
        referrals.setdefault(child_id, []).append(day)
    rereferred = [
        e
        for e in step_downs
        if any(e.started_on < day <= anniversary(e.started_on, 1) for day in referrals.get(e.child_id, ()))
    ]
    kinds = Counter(e.lead_organisation_kind for e in started)
    return EarlyHelpFigures(
        year,
        start,
        end,
        {
            "started": started,
            "open_at_end": open_at_end,
            "step_ups": step_ups,
            "step_downs": step_downs,
            "rereferred_after_step_down": rereferred,
        },
        [(label, kinds[kind]) for kind, label in LeadOrganisation.choices if kinds[kind]],
    )


@dataclass(frozen=True)
class DrillRow:
    episode: EarlyHelpEpisode
    may_open: bool


def drill_rows(user, figures: EarlyHelpFigures, figure: str) -> list[DrillRow]:
    episodes = figures.episodes[figure]
    may_open = child_ids_user_may_open(user, [e.child_id for e in episodes])
    return [DrillRow(e, e.child_id in may_open) for e in episodes]
