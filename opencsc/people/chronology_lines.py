"""The wording of the chronology lines about a child's record itself: created, a move of address, an alert.

One function per event kind, used by the people services (through `record_change`) and by the synthetic
authority, so both write the same line. Creating the record and a first address are routine (not significant);
a move from an earlier address and an alert are significant.
"""

import datetime as dt

from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import ChronologyCategory


def child_created(child, created_on: dt.date, creator) -> ChronologyLine:
    """`creator`: who created the record, or None where no one is known (a record the synthetic authority
    starts for a young person arriving into care)."""
    return ChronologyLine(
        child,
        created_on,
        ChronologyCategory.RECORD,
        f"Record created by {creator.display_name}" if creator else "Record created",
        f"child-created-{child.pk}",
        is_significant=False,
    )


def address_moved_in(address, *, is_move: bool) -> ChronologyLine:
    """`is_move`: the child moved here from an earlier address on the record (not the first address)."""
    return ChronologyLine(
        address.child,
        address.moved_in_on,
        ChronologyCategory.FAMILY,
        f"Moved to {address.town} ({address.postcode})",
        f"address-{address.pk}",
        is_significant=is_move,
    )


def alert_raised(alert) -> ChronologyLine:
    return ChronologyLine(
        alert.child,
        alert.raised_on,
        ChronologyCategory.ALERT,
        f"Alert raised: {alert.get_category_display()}",
        f"alert-{alert.pk}",
    )
