"""The improvement board's pack for a chosen day: the dashboard, the improvement plan's status, the escalations
that reached the director or the chief executive, with whether they were answered, and the placements budget's
forecast outturn for the financial year holding the day (opencsc/finance/summary.py).

The pack is a document for the board, so it never names a child, whoever asks for it: numbers, teams and staff
only. Each view and download is recorded as an audit event (who, when, for which day, page or PDF).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from opencsc.audit.services import audit_event_record
from opencsc.finance.summary import budget_summary
from opencsc.oversight.improvement import PLAN_READ_ROLES
from opencsc.oversight.improvement_selectors import BoardMeeting, board_meeting
from opencsc.oversight.models import Escalation, EscalationStep, Level, StepKind
from opencsc.oversight.selectors import rule_name

BOARD_PACK_ROLES = PLAN_READ_ROLES
SENIOR_LEVELS = (Level.DIRECTOR, Level.CHIEF_EXECUTIVE)
# Escalations answered more than this long before the pack's day are history, not news for the board.
ANSWERED_WINDOW_DAYS = 91
# A board reads a short list; the rest are counted in the summary and listed on the escalation chain page.
ESCALATIONS_LISTED = 25


def can_view_board_pack(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in BOARD_PACK_ROLES)


@dataclass
class SeniorEscalation:
    escalation: Escalation
    rule_name: str
    team_name: str
    level: str  # the highest of director / chief executive it had reached by the day
    reached_on: dt.date
    holder: str
    state: str  # answered / acknowledged / waiting, on the day
    answered_on: dt.date | None
    answered_by: str
    days_waiting: int

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    @property
    def state_detail(self) -> str:
        """The state without its headline word, for a page that shows the headline as a tag."""
        if self.state == "answered":
            return f"On {self.answered_on:%-d %B %Y} by {self.answered_by}"
        if self.state == "acknowledged":
            return f"By {self.answered_by}; no response yet, {self.days_waiting} days since raised"
        return f"{self.days_waiting} days since raised"

    @property
    def state_label(self) -> str:
        if self.state == "answered":
            return f"Answered on {self.answered_on:%-d %B %Y} by {self.answered_by}"
        if self.state == "acknowledged":
            return (
                f"Acknowledged by {self.answered_by}, no response yet ({self.days_waiting} days since raised)"
            )
        return f"Not answered ({self.days_waiting} days since raised)"


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def senior_escalations(day: dt.date) -> list[SeniorEscalation]:
    """Escalations that had reached the director or the chief executive by the day and were still open on it,
    or were answered in the three months before it. Unanswered first, oldest first."""
    steps = (
        EscalationStep.objects.filter(
            kind__in=[StepKind.RAISED, StepKind.CLIMBED], level__in=SENIOR_LEVELS, on__lte=day
        )
        .select_related("assigned_to")
        .order_by("on", "id")
    )
    reached: dict[int, EscalationStep] = {}
    for step in steps:
        current = reached.get(step.escalation_id)
        if current is None or SENIOR_LEVELS.index(step.level) >= SENIOR_LEVELS.index(current.level):
            reached[step.escalation_id] = step
    if not reached:
        return []
    window_start = day - dt.timedelta(days=ANSWERED_WINDOW_DAYS)
    escalations = Escalation.objects.filter(pk__in=list(reached)).select_related(
        "team", "closed_by", "acknowledged_by"
    )
    rows = []
    for escalation in escalations:
        closed_on = _local_day(escalation.closed_at)
        if closed_on is not None and closed_on < window_start:
            continue
        acknowledged_on = _local_day(escalation.acknowledged_at)
        step = reached[escalation.pk]
        if closed_on is not None and closed_on <= day:
            state, answered_on, by = "answered", closed_on, escalation.closed_by.display_name
        elif acknowledged_on is not None and acknowledged_on <= day:
            state, answered_on, by = "acknowledged", acknowledged_on, escalation.acknowledged_by.display_name
        else:
            state, answered_on, by = "waiting", None, ""
        rows.append(
            SeniorEscalation(
                escalation=escalation,
                rule_name=rule_name(escalation.rule_id),
                team_name=escalation.team.name if escalation.team else "No team",
                level=step.level,
                reached_on=step.on,
                holder=step.assigned_to.display_name if step.assigned_to else "No one holds this role",
                state=state,
                answered_on=answered_on,
                answered_by=by,
                days_waiting=(day - escalation.raised_on).days,
            )
        )
    order = {"waiting": 0, "acknowledged": 1, "answered": 2}
    return sorted(rows, key=lambda row: (order[row.state], row.escalation.raised_on, row.escalation.pk))


@dataclass
class LevelFigures:
    """The escalations whose highest level by the day was this one: waiting for an answer (on how many digest
    lines, how many of them acknowledged) and answered."""

    level: str
    waiting: int
    acknowledged: int
    lines_waiting: int
    answered: int

    @property
    def label(self) -> str:
        return Level(self.level).label

    @property
    def sentence(self) -> str:
        lines = "line" if self.lines_waiting == 1 else "lines"
        return (
            f"at the {self.label.lower()}, {self.waiting} waiting for an answer "
            f"(on {self.lines_waiting} {lines} by timescale and team; {self.acknowledged} of them acknowledged), "
            f"{self.answered} answered"
        )


@dataclass
class BoardPack:
    day: dt.date
    authority: str
    prepared_at: dt.datetime
    prepared_for: str
    dashboard: object  # opencsc.insight.dashboard.Dashboard, numbers only
    meeting: BoardMeeting
    escalations: list[SeniorEscalation]
    budget: object = None  # opencsc.finance.summary.BudgetSummary, numbers only

    @property
    def escalations_by_level(self) -> list[LevelFigures]:
        """Answered against waiting at each senior level: the figure that says whether leaders answer."""
        figures = []
        for level in SENIOR_LEVELS:
            rows = [row for row in self.escalations if row.level == level]
            waiting = [row for row in rows if row.state != "answered"]
            figures.append(
                LevelFigures(
                    level=level,
                    waiting=len(waiting),
                    acknowledged=sum(row.state == "acknowledged" for row in waiting),
                    lines_waiting=len({(row.escalation.rule_id, row.escalation.team_id) for row in waiting}),
                    answered=len(rows) - len(waiting),
                )
            )
        return figures

    @property
    def escalations_in_brief(self) -> str:
        """The pack's one line about escalations, level by level."""
        return (
            "Escalations answered in the three months to the day, and still waiting on it: "
            + "; ".join(figures.sentence for figures in self.escalations_by_level)
            + "."
        )

    @property
    def escalation_summary(self) -> list[tuple[str, int, int, int]]:
        """(what was late, not answered, acknowledged only, answered), the most unanswered first."""
        counts: dict[str, list[int]] = {}
        for row in self.escalations:
            counts.setdefault(row.rule_name, [0, 0, 0])[
                {"waiting": 0, "acknowledged": 1, "answered": 2}[row.state]
            ] += 1
        return sorted(
            ((name, *numbers) for name, numbers in counts.items()), key=lambda row: (-row[1], -row[2], row[0])
        )

    @property
    def escalations_listed(self) -> list[SeniorEscalation]:
        """The ones a board reads one by one: the longest unanswered first, then the latest answers."""
        return self.escalations[:ESCALATIONS_LISTED]

    @property
    def escalations_not_listed(self) -> int:
        return max(len(self.escalations) - ESCALATIONS_LISTED, 0)


def _dashboard(day: dt.date, user):
    try:
        from opencsc.insight.dashboard import dashboard_for
    except ImportError:  # the dashboard is landing separately
        return None
    return dashboard_for(on=day, user=user)


def board_pack_for(*, day: dt.date, user) -> BoardPack:
    return BoardPack(
        day=day,
        authority=settings.AUTHORITY_NAME,
        prepared_at=timezone.now(),
        prepared_for=user.display_name,
        dashboard=_dashboard(day, user),
        meeting=board_meeting(day),
        escalations=senior_escalations(day),
        budget=budget_summary(day),
    )


class BoardPackDay:
    """The audit row's object: the pack for a day has no table row of its own, so it is named by its day."""

    def __init__(self, day: dt.date):
        self.pk = day.isoformat()


def board_pack_viewed(*, user, day: dt.date, form: str) -> None:
    """Record who looked at the pack for which day, as the page or the PDF."""
    audit_event_record(
        actor=user,
        verb="board_pack.viewed" if form == "page" else "board_pack.downloaded",
        target=BoardPackDay(day),
        payload={"on": day.isoformat(), "form": form},
    )
