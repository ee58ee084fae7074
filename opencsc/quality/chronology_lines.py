"""The wording of a case file audit's management oversight lines on the child's chronology (ADR 0014): the
audit recorded with the auditor's grade, and its moderation (the grade agreed, or changed with the reason).

One function per event kind, used by the quality services (through `record_change`) and by the synthetic
authority, so both write the same line. Both lines are significant and dated the day of the step (the audit's, the
moderation's).
"""

from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import ChronologyCategory
from opencsc.quality.models import Grade


def _grade(code: str) -> str:
    return Grade(code).label.lower()


def file_audit_recorded(audit) -> ChronologyLine:
    return ChronologyLine(
        audit.child,
        audit.audited_on,
        ChronologyCategory.OVERSIGHT,
        f"Case file audit by {audit.auditor.display_name}: the file graded {_grade(audit.grade)} "
        "(awaiting moderation)",
        f"file-audit-{audit.pk}-recorded",
    )


def file_audit_moderated(audit) -> ChronologyLine:
    """From the audit as moderated (moderator, day, grade and reason set)."""
    if audit.moderated_grade != audit.grade:
        outcome = (
            f"changed the grade from {_grade(audit.grade)} to {_grade(audit.moderated_grade)}: "
            f"{audit.moderation_reason}"
        )
    else:
        outcome = f"agreed the grade, {_grade(audit.moderated_grade)}"
    return ChronologyLine(
        audit.child,
        audit.moderated_on,
        ChronologyCategory.OVERSIGHT,
        f"Case file audit moderated by {audit.moderated_by.display_name}, who {outcome}",
        f"file-audit-{audit.pk}-moderated",
    )
