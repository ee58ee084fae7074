"""The wording of the chronology lines of private fostering: the notification (with the carer and whether it
came after the arrangement began), each visit, the decision on the arrangement and its end. One function per
event kind, used by the services (through `record_change`) and by the synthetic authority, so both write the
same line. The notification, the decision and the end are significant; visits are not.
"""

from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import ChronologyCategory
from opencsc.core.dates import long_date

FAMILY = ChronologyCategory.FAMILY


def notified(arrangement) -> ChronologyLine:
    if arrangement.notified_late:
        when = f"notified late: it began on {long_date(arrangement.starts_on)}"
    elif arrangement.starts_on > arrangement.notified_on:
        when = f"proposed to begin on {long_date(arrangement.starts_on)}"
    else:
        when = "beginning the day it was notified"
    return ChronologyLine(
        arrangement.child,
        arrangement.notified_on,
        FAMILY,
        f"Private fostering arrangement with {arrangement.carer_name} notified by "
        f"{arrangement.notifier_name} ({arrangement.get_notified_by_display().lower()}); {when}",
        f"private-fostering-{arrangement.pk}",
    )


def decided(arrangement) -> ChronologyLine:
    detail = f": {arrangement.decision_detail}" if arrangement.decision_detail else ""
    return ChronologyLine(
        arrangement.child,
        arrangement.decided_on,
        FAMILY,
        f"Private fostering arrangement assessed: {arrangement.get_decision_display()}{detail}"[:500],
        f"private-fostering-{arrangement.pk}-decided",
    )


def ended(arrangement) -> ChronologyLine:
    return ChronologyLine(
        arrangement.child,
        arrangement.ended_on,
        FAMILY,
        f"Private fostering arrangement with {arrangement.carer_name} ended: "
        f"{arrangement.get_end_reason_display()}",
        f"private-fostering-{arrangement.pk}-ended",
    )


def visited(visit) -> ChronologyLine:
    alone = "seen alone" if visit.seen_alone else "not seen alone"
    return ChronologyLine(
        visit.child,
        visit.visited_on,
        FAMILY,
        f"Private fostering {visit.get_kind_display()[0].lower()}{visit.get_kind_display()[1:]}: child {alone}",
        f"private-fostering-visit-{visit.pk}",
        is_significant=False,
    )
