"""Case file audits for the synthetic authority: a year of monthly audits, moderated, with actions.

Every month of the last twelve, two children with open statutory work are audited in each team that has
them, by the quality assurance auditor or the team's manager, on a weekday on or after the day the child's
open work began. Grades lean towards requires improvement, as in an authority on an improvement journey; the
domains sit around the overall grade. Audits more than three weeks old are mostly moderated (by a head of
service, or by the auditor when a manager audited), and one in five moderations changes the grade by a step,
with a reason. Files graded below good get one or two actions, most answered by the allocated worker once due.
This month's audits belong to an audit programme the head of service drew, with a file still to do in each team.

The audits are written after the households and before the restricted records are chosen, from a random stream
of their own (`"<seed>-audits"`), so they change nothing else a seed produces; what they write follows the
services' rules and the chronology lines use the services' own wording.
"""

import datetime as dt
import random

from opencsc.accounts.models import Role, User
from opencsc.audit.models import AuditEvent
from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import Allocation, ChronologyEntry
from opencsc.casework.statutory import children_with_open_statutory_work, statutory_work_started
from opencsc.people.models import Child
from opencsc.quality import chronology_lines as lines
from opencsc.quality.models import (
    AuditDomain,
    AuditProgramme,
    FileAudit,
    FileAuditAction,
    FileAuditDomainGrade,
    Grade,
    ProgrammeChild,
)
from opencsc.quality.services import RECENTLY_AUDITED_DAYS
from opencsc.synthetic.context import GENERATED_EMAIL_DOMAIN, Simulation
from opencsc.synthetic.randomness import Weighted
from opencsc.synthetic.timestamps import at, stamp

MONTHS = 12
PER_TEAM_A_MONTH = 2
MODERATED_AFTER_DAYS = 21
SCALE = [Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]
OVERALL = Weighted(
    {Grade.OUTSTANDING: 0.06, Grade.GOOD: 0.42, Grade.REQUIRES_IMPROVEMENT: 0.4, Grade.INADEQUATE: 0.12}
)
FINDINGS = {
    AuditDomain.VOICE_OF_CHILD: (
        "The child was seen alone at most visits and their words are recorded.",
        "Direct work is recorded but the child's wishes do not shape the plan.",
        "Little of the child's own view is on file since the last review.",
    ),
    AuditDomain.ASSESSMENT: (
        "The assessment analyses risk and strengths and uses the history.",
        "The assessment describes the family well but the analysis is thin.",
        "The assessment is out of date and misses the father's role.",
    ),
    AuditDomain.PLANNING: (
        "The plan's outcomes are specific and reviewed on time.",
        "Actions lack dates and owners; reviews are mostly on time.",
        "The plan has not been updated since circumstances changed.",
    ),
    AuditDomain.MANAGEMENT_OVERSIGHT: (
        "Supervision is regular and decisions are recorded with reasons.",
        "Oversight is recorded but does not drive progress on the plan.",
        "No management oversight is recorded for over two months.",
    ),
    AuditDomain.RECORDING: (
        "The chronology is current and the file tells the child's story.",
        "Case notes are timely but the chronology has gaps.",
        "Visits are recorded late and the case summary is missing.",
    ),
    AuditDomain.OUTCOMES: (
        "The child's circumstances have improved and this is evidenced.",
        "Some progress, though drift is visible in the last quarter.",
        "No evidence that the child's situation has improved.",
    ),
}
SUMMARIES = (
    "The file shows a worker who knows the child well; the plan is beginning to make a difference.",
    "Practice is safe but the plan drifts and the child's voice is not driving decisions.",
    "Visits are regular, but the assessment and plan need updating to reflect current risk.",
)
REASONS = (
    "The evidence of impact on the child does not support this grade.",
    "Management oversight is stronger than the audit credits.",
    "The gaps in visits weigh more heavily than the audit allows.",
)
ACTIONS = (
    "Update the chronology and case summary",
    "Record the child's wishes and feelings in their own words",
    "Review the plan with dates and owners for each action",
    "Record management oversight of the current risk",
)
RESPONSES = (
    "Done, and discussed in supervision.",
    "Completed at the last visit; the plan is updated.",
    "Chronology brought up to date.",
)


def _findings(grade: str, rng: random.Random, domain: str) -> str:
    return FINDINGS[domain][min(SCALE.index(grade), 2) if grade != Grade.OUTSTANDING else 0] + (
        "" if rng.random() < 0.5 else " Evidence seen in the case notes."
    )


def _near(grade: str, rng: random.Random) -> str:
    """A domain grade: the overall grade, or a step either side."""
    index = SCALE.index(grade) + rng.choice((-1, 0, 0, 0, 1))
    return SCALE[min(max(index, 0), len(SCALE) - 1)]


def _weekday_in(rng: random.Random, first: dt.date, last: dt.date) -> dt.date | None:
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    weekdays = [day for day in days if day.weekday() < 5]
    return rng.choice(weekdays) if weekdays else None


def _month_starts(last_day: dt.date) -> list[dt.date]:
    starts, year, month = [], last_day.year, last_day.month
    for _ in range(MONTHS):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(starts))


class AuditWriter:
    def __init__(self, sim: Simulation, workforce):
        self.sim = sim
        self.rng = random.Random(f"{sim.seed}-audits")
        generated = User.objects.filter(email__endswith=f"@{GENERATED_EMAIL_DOMAIN}", is_active=True)
        self.auditor = generated.filter(role=Role.AUDITOR).order_by("pk").first()
        self.heads = list(generated.filter(role=Role.HEAD_OF_SERVICE).order_by("pk"))
        self.managers = workforce.managers
        self.workers = dict(
            Allocation.objects.filter(ended_on__isnull=True, worker__isnull=False)
            .values_list("child_id", "worker_id")
            .order_by("pk")
        )
        self.events: list[AuditEvent] = []
        self.lines: list[ChronologyEntry] = []

    def write(self) -> list[FileAudit]:
        if self.auditor is None or not self.heads:
            return []
        open_work = children_with_open_statutory_work()
        children = list(
            Child.objects.filter(pk__in=open_work, responsible_team__isnull=False)
            .filter(date_of_birth__isnull=False)
            .order_by("pk")
            .values_list("pk", "responsible_team_id", "date_of_birth")
        )
        started = statutory_work_started([pk for pk, _, _ in children])
        by_team: dict[int, list[tuple[int, dt.date]]] = {}
        for pk, team_id, born in children:
            by_team.setdefault(team_id, []).append((pk, max(started.get(pk, born), born)))
        audits = []
        for month in _month_starts(self.sim.last_day):
            month_end = min(self._month_end(month), self.sim.last_day)
            for team_id in sorted(by_team):
                audits += self._audit_team(team_id, by_team[team_id], month, month_end)
        self._programme(audits, by_team)
        AuditEvent.objects.bulk_create(self.events)
        ChronologyEntry.objects.bulk_create(self.lines)
        self.sim.count("case file audits", len(audits))
        return audits

    @staticmethod
    def _month_end(first: dt.date) -> dt.date:
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    def _audit_team(self, team_id, candidates, month: dt.date, month_end: dt.date) -> list[FileAudit]:
        open_then = [(pk, began) for pk, began in candidates if began <= month_end]
        chosen = self.rng.sample(open_then, min(PER_TEAM_A_MONTH, len(open_then)))
        audits = []
        for child_id, began in sorted(chosen):
            day = _weekday_in(self.rng, max(month, began), month_end)
            if day is not None:
                audits.append(self._audit(child_id, team_id, day))
        return audits

    def _auditor_for(self, team_id: int, child_id: int) -> User:
        manager = self.managers.get(team_id)
        if manager is not None and self.rng.random() < 0.4 and self.workers.get(child_id) != manager.pk:
            return manager
        return self.auditor

    def _audit(self, child_id: int, team_id: int, day: dt.date) -> FileAudit:
        rng = self.rng
        auditor = self._auditor_for(team_id, child_id)
        grade = OVERALL.draw(rng)
        audit = FileAudit.objects.create(
            child_id=child_id,
            team_id=team_id,
            auditor=auditor,
            audited_on=day,
            grade=grade,
            summary=rng.choice(SUMMARIES),
            created_at=at(day, 14),
        )
        FileAuditDomainGrade.objects.bulk_create(
            FileAuditDomainGrade(
                audit=audit,
                domain=domain,
                grade=(near := _near(grade, rng)),
                findings=_findings(near, rng, domain),
            )
            for domain in AuditDomain
        )
        self._note(audit, auditor, day, "file_audit.recorded", lines.file_audit_recorded(audit))
        if (self.sim.last_day - day).days > MODERATED_AFTER_DAYS and rng.random() < 0.85:
            self._moderate(audit, day)
        if grade in (Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE):
            self._actions(audit, day)
        return audit

    def _moderate(self, audit: FileAudit, day: dt.date) -> None:
        rng = self.rng
        moderator = self.auditor if audit.auditor_id != self.auditor.pk else rng.choice(self.heads)
        grade, reason = audit.grade, ""
        if rng.random() < 0.2:
            index = SCALE.index(audit.grade)
            grade = (
                SCALE[index + 1]
                if index < len(SCALE) - 1 and rng.random() < 0.6
                else SCALE[max(index - 1, 0)]
            )
            reason = rng.choice(REASONS) if grade != audit.grade else ""
        on = min(day + dt.timedelta(days=rng.randint(3, 15)), self.sim.last_day)
        moderation = {"moderated_by": moderator, "moderated_on": on, "moderated_grade": grade}
        FileAudit.objects.filter(pk=audit.pk).update(**moderation, moderation_reason=reason, version=2)
        for field, value in moderation.items():
            setattr(audit, field, value)
        audit.moderation_reason = reason
        self._note(audit, moderator, on, "file_audit.moderated", lines.file_audit_moderated(audit))

    def _actions(self, audit: FileAudit, day: dt.date) -> None:
        rng = self.rng
        worker_id = self.workers.get(audit.child_id)
        for text in rng.sample(ACTIONS, rng.randint(1, 2)):
            due = day + dt.timedelta(days=rng.choice((14, 20, 28)))
            answered = due <= self.sim.last_day and worker_id is not None and rng.random() < 0.75
            answered_on = min(due, self.sim.last_day) if answered else None
            FileAuditAction.objects.create(
                audit=audit,
                action=text,
                due_on=due,
                assigned_to_id=worker_id,
                added_by=audit.auditor,
                added_on=day,
                response=rng.choice(RESPONSES) if answered else "",
                answered_by_id=worker_id if answered else None,
                answered_on=answered_on,
            )

    def _note(self, audit: FileAudit, actor: User, day: dt.date, verb: str, line: ChronologyLine) -> None:
        self.events.append(
            AuditEvent(
                actor=actor,
                verb=verb,
                object_type="FileAudit",
                object_id=str(audit.pk),
                child_id=audit.child_id,
                payload={"grade": audit.grade},
                at=at(day, 14),
            )
        )
        self.lines.append(stamp(line.entry(recorded_by=actor), at(day, 14)))

    def _programme(self, audits: list[FileAudit], by_team) -> None:
        """This month's programme: this month's audited files, and one still to do in each team."""
        month = dt.date(self.sim.last_day.year, self.sim.last_day.month, 1)
        this_month = [audit for audit in audits if audit.audited_on >= month]
        if not this_month:
            return
        head = self.heads[0]
        programme = AuditProgramme.objects.create(
            title=f"{month:%B %Y} audits", per_team=PER_TEAM_A_MONTH + 1, created_by=head, created_on=month
        )
        entries = [
            ProgrammeChild(programme=programme, child_id=a.child_id, team_id=a.team_id, audit=a)
            for a in this_month
        ]
        recently = self.sim.last_day - dt.timedelta(days=RECENTLY_AUDITED_DAYS)
        audited = {a.child_id for a in audits if a.audited_on >= recently}
        for team_id in sorted({a.team_id for a in this_month}):
            left = [pk for pk, _ in by_team[team_id] if pk not in audited]
            if left:
                entries.append(
                    ProgrammeChild(programme=programme, child_id=self.rng.choice(left), team_id=team_id)
                )
        ProgrammeChild.objects.bulk_create(entries)


def write_case_file_audits(sim: Simulation, workforce) -> int:
    return len(AuditWriter(sim, workforce).write())
