"""Builders for the case file audit tests: children, open statutory work, and audits recorded through the
service (or, for the figures, with a chosen date and grade)."""

import datetime as dt

from opencsc.casework.models import Allocation, Assessment
from opencsc.frontdoor.models import Referral
from opencsc.people import services as people_services
from opencsc.quality import services
from opencsc.quality.models import AuditDomain, FileAudit, Grade


def child(actor, team, name: str = "Amara", restricted: bool = False):
    made = people_services.child_create(
        actor=actor,
        team=team,
        first_name=name,
        last_name="Audited",
        date_of_birth=dt.date(2015, 6, 1),
        sex="F",
    )
    if restricted:
        type(made).objects.filter(pk=made.pk).update(is_restricted=True)
        made.refresh_from_db()
    return made


def open_assessment(child, worker) -> Assessment:
    referral = Referral.objects.create(
        child=child,
        referral_date=dt.date(2025, 1, 6),
        source="2A",
        route="assessment",
        team=child.responsible_team,
    )
    return Assessment.objects.create(
        child=child, referral=referral, worker=worker, started_on=dt.date(2025, 1, 7)
    )


def allocate(child, worker) -> Allocation:
    return Allocation.objects.create(
        child=child, worker=worker, team=worker.team, started_on=dt.date(2025, 1, 1)
    )


def audit_answers(grade: str = Grade.GOOD, **overrides) -> dict:
    """Keyword arguments of a complete audit: every domain graded `grade` with findings."""
    answers = {
        "domain_grades": {domain.value: grade for domain in AuditDomain},
        "findings": {domain.value: f"Findings on {domain.label.lower()}." for domain in AuditDomain},
        "grade": grade,
        "summary": "The file shows Amara's daily life and what the plan is changing.",
    }
    answers.update(overrides)
    return answers


def record(auditor, child, grade: str = Grade.GOOD, **overrides) -> FileAudit:
    return services.file_audit_record(actor=auditor, child=child, **audit_answers(grade, **overrides))


def audit_on(
    child, auditor, day: dt.date, grade: str, *, moderated_grade: str = "", moderator=None
) -> FileAudit:
    """An audit as it stands in the database, dated `day` (for the figures, which read the table)."""
    return FileAudit.objects.create(
        child=child,
        team=child.responsible_team,
        auditor=auditor,
        audited_on=day,
        grade=grade,
        summary="Summary.",
        moderated_by=moderator if moderated_grade else None,
        moderated_on=day if moderated_grade else None,
        moderated_grade=moderated_grade,
    )


def form_data(grade: str = Grade.GOOD, **overrides) -> dict:
    """The audit form's POST body."""
    data = {"grade": grade, "summary": "The file shows the child's daily life."}
    for domain in AuditDomain:
        data[f"{domain}_grade"] = grade
        data[f"{domain}_findings"] = f"Findings on {domain.label.lower()}."
    data.update(overrides)
    return data
