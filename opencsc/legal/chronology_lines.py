"""The wording of the chronology lines of pre-proceedings and care proceedings: the legal gateway meeting, the
letter before proceedings, the pre-proceedings meeting and its end, the issue of proceedings, extensions of the
timetable, hearings' outcomes, orders and the conclusion.

One function per event kind, used by the legal services (through `record_change`) and by the synthetic
authority, so both write the same line. Pre-proceedings are filed under child protection; proceedings and orders
under care. A hearing's outcome is significant only for a final hearing; the rest are all significant.
"""

from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import ChronologyCategory
from opencsc.core.dates import long_date

PROTECTION = ChronologyCategory.PROTECTION
CARE = ChronologyCategory.CARE


def gateway_held(meeting) -> ChronologyLine:
    return ChronologyLine(
        meeting.child,
        meeting.held_on,
        PROTECTION,
        f"Legal gateway meeting: {meeting.get_decision_display().lower()}",
        f"legal-gateway-{meeting.pk}",
    )


def letter_sent(pre) -> ChronologyLine:
    return ChronologyLine(
        pre.child,
        pre.letter_sent_on,
        PROTECTION,
        "Letter before proceedings sent",
        f"pre-proceedings-{pre.pk}-letter",
    )


def meeting_held(pre) -> ChronologyLine:
    return ChronologyLine(
        pre.child,
        pre.meeting_held_on,
        PROTECTION,
        "Pre-proceedings meeting held",
        f"pre-proceedings-{pre.pk}-meeting",
    )


def pre_proceedings_ended(pre) -> ChronologyLine:
    return ChronologyLine(
        pre.child,
        pre.ended_on,
        PROTECTION,
        f"Pre-proceedings ended: {pre.get_outcome_display().lower()}",
        f"pre-proceedings-{pre.pk}-ended",
    )


def proceedings_issued(proceedings) -> ChronologyLine:
    number = f" (case {proceedings.case_number})" if proceedings.case_number else ""
    return ChronologyLine(
        proceedings.child,
        proceedings.issued_on,
        CARE,
        f"Care proceedings issued{number}",
        f"proceedings-{proceedings.pk}-issued",
    )


def timetable_extended(extension) -> ChronologyLine:
    proceedings = extension.proceedings
    return ChronologyLine(
        proceedings.child,
        extension.granted_on,
        CARE,
        f"Court extended the timetable by {extension.weeks} weeks: {extension.reason}",
        f"proceedings-{proceedings.pk}-extension-{extension.pk}",
    )


def hearing_outcome(hearing) -> ChronologyLine:
    proceedings = hearing.proceedings
    return ChronologyLine(
        proceedings.child,
        hearing.listed_for,
        CARE,
        f"{hearing.get_kind_display()} on {long_date(hearing.listed_for)}: {hearing.outcome}",
        f"proceedings-{proceedings.pk}-hearing-{hearing.pk}",
        is_significant=hearing.kind == "final",
    )


def order_made(order) -> ChronologyLine:
    status = f" (legal status {order.legal_status})" if order.legal_status else ""
    return ChronologyLine(
        order.child,
        order.made_on,
        CARE,
        f"{order.get_kind_display()} made{status}",
        f"court-order-{order.pk}",
    )


def proceedings_concluded(proceedings, weeks: int) -> ChronologyLine:
    return ChronologyLine(
        proceedings.child,
        proceedings.concluded_on,
        CARE,
        f"Care proceedings concluded in week {weeks} of the timetable",
        f"proceedings-{proceedings.pk}-concluded",
    )
