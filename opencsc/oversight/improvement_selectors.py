"""Reads for the improvement plan, as it stood on any day.

An action's status on a day is the last status recorded on or before that day; an action added after the day was
not yet in the plan. An action is overdue on a day when its due date has passed and it was not complete.
The board-meeting view puts what is off track or overdue first.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch

from opencsc.core.dates import reporting_year_of
from opencsc.insight.kpis import KPIS, Period, ReportingYear
from opencsc.oversight.models import (
    ActionEvidence,
    ActionStatus,
    ActionStatusChange,
    ImprovementAction,
    Inspection,
    Recommendation,
)

STATUS_ORDER = [
    ActionStatus.OFF_TRACK,
    ActionStatus.AT_RISK,
    ActionStatus.NOT_STARTED,
    ActionStatus.ON_TRACK,
    ActionStatus.COMPLETE,
]
# GOV.UK tag colours for each status.
STATUS_TAG = {
    ActionStatus.NOT_STARTED: "govuk-tag--grey",
    ActionStatus.ON_TRACK: "govuk-tag--blue",
    ActionStatus.AT_RISK: "govuk-tag--yellow",
    ActionStatus.OFF_TRACK: "govuk-tag--red",
    ActionStatus.COMPLETE: "govuk-tag--green",
}
KPI_NAMES = {
    "referrals": "Referrals",
    "rereferral_rate_12m": "Re-referrals within 12 months (%)",
    "referral_nfa_rate": "Referrals with no further action (%)",
    "assessments_completed": "Assessments completed",
    "assessments_within_45wd_rate": "Assessments within 45 working days (%)",
    "s47_started": "Section 47 enquiries started",
    "icpc_held": "Initial child protection conferences",
    "icpc_within_15wd_rate": "Initial conferences within 15 working days (%)",
    "cpp_started": "Child protection plans started",
    "cpp_second_or_subsequent_rate": "Second or later protection plans (%)",
    "cpp_ended": "Child protection plans ended",
    "cpp_ended_2y_plus_rate": "Plans ended after 2 years or more (%)",
    "cin_at_year_end": "Children in need at 31 March",
    "cpp_at_year_end": "Children on a protection plan at 31 March",
    "cla_at_year_end": "Children looked after at 31 March",
    "cla_3plus_placements_rate": "Looked-after children with 3 or more placements (%)",
    "cla_placed_outside_la_rate": "Looked-after children placed outside the authority (%)",
    "cla_placed_20mi_plus_rate": "Looked-after children placed over 20 miles from home (%)",
    "unallocated_statutory": "Children with statutory work and no social worker",
}


def kpi_name(kpi_id: str) -> str:
    return KPI_NAMES.get(kpi_id, kpi_id)


def kpi_choices() -> list[tuple[str, str]]:
    return [(kpi_id, kpi_name(kpi_id)) for kpi_id in KPIS]


def current_inspection(on: dt.date | None = None) -> Inspection | None:
    inspections = Inspection.objects.all()
    if on is not None:
        inspections = inspections.filter(published_on__lte=on)
    return inspections.order_by("-published_on", "-id").first()


@dataclass
class ActionRow:
    action: ImprovementAction
    status: str  # on the chosen day
    overdue: bool
    days_overdue: int
    evidence: list = field(default_factory=list)  # up to the chosen day, newest first

    @property
    def status_label(self) -> str:
        return ActionStatus(self.status).label

    @property
    def status_tag(self) -> str:
        return STATUS_TAG[self.status]

    @property
    def needs_attention(self) -> bool:
        return self.status == ActionStatus.OFF_TRACK or self.overdue

    @property
    def urgency(self) -> tuple:
        """Off track first, then overdue (longest first), then at risk, then the rest by status and due date."""
        if self.status == ActionStatus.OFF_TRACK:
            rank = 0
        elif self.overdue:
            rank = 1
        else:
            rank = 2 + STATUS_ORDER.index(self.status)
        return (rank, -self.days_overdue, self.action.due_on, self.action.pk)


@dataclass
class RecommendationRow:
    recommendation: Recommendation
    actions: list[ActionRow]

    @property
    def counts(self) -> Counter:
        return Counter(row.status for row in self.actions)

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.actions)

    @property
    def complete_share(self) -> str:
        done = self.counts[ActionStatus.COMPLETE]
        return f"{done} of {len(self.actions)}"

    @property
    def worst_status(self) -> str | None:
        """The status the recommendation is reported under: its most worrying action's."""
        if not self.actions:
            return None
        return min(self.actions, key=lambda row: row.urgency).status


def _status_on(action: ImprovementAction, day: dt.date) -> str | None:
    status = None
    for change in action.status_changes.all():  # prefetched, oldest first
        if change.on > day:
            break
        status = change.status
    return status


def _action_rows(actions, day: dt.date, *, with_evidence: bool) -> list[ActionRow]:
    rows = []
    for action in actions:
        status = _status_on(action, day)
        if status is None:
            continue  # not yet in the plan on that day
        overdue = status != ActionStatus.COMPLETE and action.due_on < day
        evidence = []
        if with_evidence:
            evidence = sorted(
                (item for item in action.evidence.all() if item.recorded_on <= day),
                key=lambda item: (item.recorded_on, item.pk),
                reverse=True,
            )
        rows.append(
            ActionRow(
                action=action,
                status=status,
                overdue=overdue,
                days_overdue=(day - action.due_on).days if overdue else 0,
                evidence=evidence,
            )
        )
    return rows


def _actions_with_history(with_evidence: bool):
    queryset = ImprovementAction.objects.select_related("owner", "recommendation").prefetch_related(
        Prefetch("status_changes", queryset=ActionStatusChange.objects.order_by("on", "id"))
    )
    if with_evidence:
        queryset = queryset.prefetch_related(
            Prefetch("evidence", queryset=ActionEvidence.objects.select_related("author"))
        )
    return queryset


def plan_on(inspection: Inspection, day: dt.date, *, with_evidence: bool = False) -> list[RecommendationRow]:
    """Every recommendation of the inspection with its actions as they stood on the day."""
    actions = _actions_with_history(with_evidence).filter(recommendation__inspection=inspection)
    by_recommendation: dict[int, list[ActionRow]] = {}
    for row in _action_rows(actions, day, with_evidence=with_evidence):
        by_recommendation.setdefault(row.action.recommendation_id, []).append(row)
    return [
        RecommendationRow(
            recommendation=recommendation,
            actions=sorted(by_recommendation.get(recommendation.pk, []), key=lambda row: row.urgency),
        )
        for recommendation in inspection.recommendations.order_by("number")
    ]


def recommendation_on(recommendation: Recommendation, day: dt.date) -> RecommendationRow:
    actions = _actions_with_history(True).filter(recommendation=recommendation)
    rows = _action_rows(actions, day, with_evidence=True)
    return RecommendationRow(recommendation=recommendation, actions=sorted(rows, key=lambda row: row.urgency))


def action_on(action: ImprovementAction, day: dt.date) -> ActionRow | None:
    rows = _action_rows(_actions_with_history(True).filter(pk=action.pk), day, with_evidence=True)
    return rows[0] if rows else None


@dataclass
class BoardMeeting:
    day: dt.date
    inspection: Inspection | None
    recommendations: list[RecommendationRow]
    attention: list[ActionRow]  # off track or overdue, most urgent first
    counts: Counter
    total: int
    changed_since: list[tuple[ActionRow, str]]  # (row, status at the previous meeting) for changed actions
    since: dt.date


def board_meeting(day: dt.date, *, since: dt.date | None = None) -> BoardMeeting:
    """The plan for a board meeting on `day`: what is off track or overdue first, the count of actions by
    status, and what changed since `since` (by default four weeks before)."""
    since = since or day - dt.timedelta(days=28)
    inspection = current_inspection(day)
    if inspection is None:
        return BoardMeeting(day, None, [], [], Counter(), 0, [], since)
    recommendations = plan_on(inspection, day, with_evidence=True)
    rows = [row for recommendation in recommendations for row in recommendation.actions]
    before = {
        row.action.pk: row.status
        for recommendation in plan_on(inspection, since)
        for row in recommendation.actions
    }
    changed = [
        (row, before.get(row.action.pk, "")) for row in rows if before.get(row.action.pk) != row.status
    ]
    return BoardMeeting(
        day=day,
        inspection=inspection,
        recommendations=recommendations,
        attention=sorted((row for row in rows if row.needs_attention), key=lambda row: row.urgency),
        counts=Counter(row.status for row in rows),
        total=len(rows),
        changed_since=sorted(changed, key=lambda pair: pair[0].urgency),
        since=since,
    )


def status_label(status: str) -> str:
    return ActionStatus(status).label if status else "Not yet in the plan"


@dataclass
class KpiProgress:
    kpi_id: str
    name: str
    values: list[tuple[str, int | float | None]]  # (reporting year label, value), oldest first


def kpi_progress(kpi_ids: list[str], day: dt.date, years: int = 3) -> list[KpiProgress]:
    """Each KPI for the reporting years up to the one containing the day (that one up to the day)."""
    last = reporting_year_of(day)
    progress = []
    for kpi_id in kpi_ids:
        compute = KPIS.get(kpi_id)
        if compute is None:
            continue
        values = []
        for year in range(last - years + 1, last + 1):
            label = f"{year - 1}-{str(year)[2:]}"
            period = ReportingYear(year)
            if year == last:  # the year so far: counts to the day, snapshots taken on the day
                label += f" to {day.day} {day:%b}"
                period = Period(period.start, day)
            values.append((label, compute(period).value))
        progress.append(KpiProgress(kpi_id, kpi_name(kpi_id), values))
    return progress


def recommendation_get(recommendation_id: int) -> Recommendation | None:
    return Recommendation.objects.select_related("inspection").filter(pk=recommendation_id).first()


def action_get(action_id: int) -> ImprovementAction | None:
    return (
        ImprovementAction.objects.select_related("recommendation__inspection", "owner")
        .filter(pk=action_id)
        .first()
    )
