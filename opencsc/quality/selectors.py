"""Reads of case file audits, and the leaders' figure.

**Good or better.** The share of audited files graded good or better is, for a set of audits, the audits whose
grade is outstanding or good divided by all of them, as a percentage to one decimal place (None, never 0, when
there are none). Each audit counts its moderated grade where it has been moderated, the auditor's until then
(the page says how many still await moderation). An audit belongs to the month or quarter of the day it was
recorded (`audited_on`) and to the team the child was in that day. Quarters are three calendar months from
January, April, July and October, so that April to June is the first quarter of a reporting year.

Opening an audit is opening the child's record: refused and logged for anyone who may not open the child. A
list of audits names a child only to someone who may open them, and logs each child named as listed and each
withheld one as refused.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404

from opencsc.accounts.models import Role, Team
from opencsc.core.rates import rate
from opencsc.people.selectors import child_get_for, child_ids_user_may_open, log_children_named
from opencsc.quality.models import (
    GOOD_OR_BETTER,
    AuditDomain,
    AuditProgramme,
    FileAudit,
    FileAuditAction,
    ProgrammeChild,
)
from opencsc.quality.services import PROGRAMME_ROLES

FIGURES_ROLES = {
    Role.TEAM_MANAGER,
    Role.HEAD_OF_SERVICE,
    Role.DIRECTOR,
    Role.AUDITOR,
    Role.PERFORMANCE_ANALYST,
    Role.CHIEF_EXECUTIVE,
    Role.IMPROVEMENT_BOARD,
}
PERIOD_KINDS = ("month", "quarter")
PERIODS_SHOWN = {"month": 12, "quarter": 8}


def can_view_figures(user) -> bool:
    return user.is_authenticated and user.role in FIGURES_ROLES


def can_run_programmes(user) -> bool:
    return user.is_authenticated and user.role in PROGRAMME_ROLES


# Periods ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str
    first: dt.date
    last: dt.date

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.first:%B %Y}"
        if self.first.year == self.last.year:
            return f"{self.first:%B} to {self.last:%B %Y}"
        return f"{self.first:%B %Y} to {self.last:%B %Y}"


def _months_later(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_starting(kind: str, first: dt.date) -> Period:
    length = 3 if kind == "quarter" else 1
    return Period(kind, first, _months_later(first, length) - dt.timedelta(days=1))


def period_containing(kind: str, day: dt.date) -> Period:
    month = day.month if kind == "month" else (day.month - 1) // 3 * 3 + 1
    return period_starting(kind, dt.date(day.year, month, 1))


def period_from_key(kind: str, key: str) -> Period | None:
    """The period a drill link names (`2026-01`), None if it names none."""
    try:
        first = dt.datetime.strptime(key, "%Y-%m").date()
    except ValueError:
        return None
    if kind not in PERIOD_KINDS or (kind == "quarter" and first.month % 3 != 1):
        return None
    return period_starting(kind, first)


def recent_periods(kind: str, today: dt.date) -> list[Period]:
    """The last few months or quarters up to the one containing today, oldest first."""
    latest = period_containing(kind, today)
    length = 3 if kind == "quarter" else 1
    count = PERIODS_SHOWN[kind]
    return [
        period_starting(kind, _months_later(latest.first, -length * back))
        for back in range(count - 1, -1, -1)
    ]


# The figure -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    audited: int
    good_or_better: int
    awaiting_moderation: int

    @property
    def percent(self) -> float | None:
        return rate(self.good_or_better, self.audited)


def _with_final_grade(audits: QuerySet) -> QuerySet:
    return audits.annotate(final=Coalesce(NullIf(F("moderated_grade"), Value("")), F("grade")))


def _share(audits: QuerySet) -> Share:
    figures = _with_final_grade(audits).aggregate(
        audited=Count("pk"),
        good=Count("pk", filter=Q(final__in=GOOD_OR_BETTER)),
        waiting=Count("pk", filter=Q(moderated_by__isnull=True)),
    )
    return Share(figures["audited"], figures["good"], figures["waiting"])


def audits_between(first: dt.date, last: dt.date, *, team: Team | None = None) -> QuerySet[FileAudit]:
    audits = FileAudit.objects.filter(audited_on__gte=first, audited_on__lte=last)
    return audits.filter(team=team) if team is not None else audits


@dataclass(frozen=True)
class TeamShare:
    team: Team | None
    share: Share


def share_by_team(first: dt.date, last: dt.date) -> list[TeamShare]:
    """One row per team with audits in the period (the child's team on the day), and one for all teams."""
    rows = (
        _with_final_grade(audits_between(first, last))
        .values("team")
        .annotate(
            audited=Count("pk"),
            good=Count("pk", filter=Q(final__in=GOOD_OR_BETTER)),
            waiting=Count("pk", filter=Q(moderated_by__isnull=True)),
        )
    )
    teams = Team.objects.in_bulk([row["team"] for row in rows if row["team"]])
    shares = [
        TeamShare(teams.get(row["team"]), Share(row["audited"], row["good"], row["waiting"])) for row in rows
    ]
    shares.sort(key=lambda row: (row.team is None, row.team.name if row.team else ""))
    return shares


@dataclass(frozen=True)
class PeriodShare:
    period: Period
    share: Share


def share_over_time(periods: list[Period], *, team: Team | None = None) -> list[PeriodShare]:
    """The share in each period, one query: each audit's period is found by its date in Python-built cases."""
    first, last = periods[0].first, periods[-1].last
    which = Case(
        *[When(audited_on__gte=p.first, audited_on__lte=p.last, then=Value(p.key)) for p in periods],
        output_field=CharField(),
    )
    rows = (
        _with_final_grade(audits_between(first, last, team=team))
        .annotate(period=which)
        .values("period")
        .annotate(
            audited=Count("pk"),
            good=Count("pk", filter=Q(final__in=GOOD_OR_BETTER)),
            waiting=Count("pk", filter=Q(moderated_by__isnull=True)),
        )
    )
    found = {row["period"]: Share(row["audited"], row["good"], row["waiting"]) for row in rows}
    return [PeriodShare(p, found.get(p.key, Share(0, 0, 0))) for p in periods]


def share_between(first: dt.date, last: dt.date, *, team: Team | None = None) -> Share:
    return _share(audits_between(first, last, team=team))


def drill_audits(
    first: dt.date, last: dt.date, *, team: Team | None = None, good_or_better: bool | None = None
) -> QuerySet[FileAudit]:
    """The audits behind a figure: those of the period (and team), optionally only those counted good or
    better, or only those not."""
    audits = _with_final_grade(audits_between(first, last, team=team))
    if good_or_better is True:
        audits = audits.filter(final__in=GOOD_OR_BETTER)
    elif good_or_better is False:
        audits = audits.exclude(final__in=GOOD_OR_BETTER)
    return audits.select_related("child", "team", "auditor", "moderated_by").order_by("-audited_on", "-id")


# Naming children --------------------------------------------------------------------------------------------


def name_children_for(*, user, rows: list, path: str) -> list:
    """Mark each row (anything with `child_id`) `withheld` unless the user may open its child, and log the
    children named as listed and the ones withheld as refused."""
    ids = [row.child_id for row in rows]
    may_open = child_ids_user_may_open(user, ids)
    for row in rows:
        row.withheld = row.child_id not in may_open
    log_children_named(
        user=user, shown_ids=may_open, withheld_ids=[i for i in ids if i not in may_open], path=path
    )
    return rows


# One audit --------------------------------------------------------------------------------------------------


def audit_get_for(*, user, audit_id: int, path: str) -> FileAudit:
    """The audit, if the user may open its child (the view logged); refused and logged otherwise."""
    audit = FileAudit.objects.select_related("team", "auditor", "moderated_by").filter(pk=audit_id).first()
    if audit is None:
        raise Http404("No audit with that number")
    audit.child = child_get_for(user=user, pk=audit.child_id, path=path)
    return audit


def action_get_for(*, user, action_id: int, path: str) -> FileAuditAction:
    action = FileAuditAction.objects.select_related("audit", "assigned_to").filter(pk=action_id).first()
    if action is None:
        raise Http404("No audit action with that number")
    action.audit.child = child_get_for(user=user, pk=action.audit.child_id, path=path)
    return action


@dataclass(frozen=True)
class DomainRow:
    label: str
    grade: str
    findings: str


def audit_domains(audit: FileAudit) -> list[DomainRow]:
    """The domain grades in the form's order."""
    grades = {row.domain: row for row in audit.domain_grades.all()}
    return [
        DomainRow(domain.label, grades[domain].get_grade_display(), grades[domain].findings)
        for domain in AuditDomain
        if domain in grades
    ]


def audit_actions(audit: FileAudit) -> QuerySet[FileAuditAction]:
    return audit.actions.select_related("assigned_to", "added_by", "answered_by")


def child_audits(child) -> QuerySet[FileAudit]:
    return child.file_audits.select_related("auditor", "moderated_by", "team").order_by("-audited_on", "-id")


def audits_awaiting_moderation(user) -> list[FileAudit]:
    """Audits someone else recorded, not yet moderated, of children the user may open (names logged by the
    caller through name_children_for)."""
    from opencsc.accounts.access import child_visibility_filter
    from opencsc.people.models import Child

    visible = Child.objects.filter(child_visibility_filter(user)).values("pk")
    return list(
        FileAudit.objects.filter(moderated_by__isnull=True, child_id__in=visible)
        .exclude(auditor=user)
        .select_related("child", "team", "auditor")
        .order_by("audited_on", "id")[:200]
    )


# Programmes -------------------------------------------------------------------------------------------------


def programmes_for(user) -> QuerySet[AuditProgramme]:
    """Every programme for the service-wide roles; a team manager's own and those drawing from their team."""
    programmes = AuditProgramme.objects.select_related("created_by").annotate(
        drawn=Count("entries"), done=Count("entries", filter=Q(entries__audit__isnull=False))
    )
    if user.role == Role.TEAM_MANAGER:
        drawing_from_team = ProgrammeChild.objects.filter(team_id=user.team_id).values("programme_id")
        return programmes.filter(Q(created_by=user) | Q(pk__in=drawing_from_team))
    return programmes


def programme_get_for(*, user, programme_id: int) -> AuditProgramme:
    programme = programmes_for(user).filter(pk=programme_id).first()
    if programme is None:
        raise Http404("No audit programme with that number that you can see")
    return programme


def programme_entries(programme: AuditProgramme) -> list[ProgrammeChild]:
    return list(
        programme.entries.select_related("child", "team", "audit", "audit__auditor").order_by(
            "team__name", "child__last_name", "child__first_name", "id"
        )
    )
