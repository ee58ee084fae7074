"""The wording of a practice document's own chronology lines: writing begun, revised and sent again after a
manager returned it, and the manager's return with comments (management oversight). Submission and
authorisation write the lines of the statutory record the document completes (an assessment authorised, a
conference held), not lines of their own.

One function per event kind, used by the document services through `record_change` (and by the synthetic
authority for the documents it writes). A line is under the heading of the record the document completes, dated
the day of the step, and keyed by the document, the step and the document's version, so each sitting of a
revise-and-return cycle keeps its own line. Writing begun is routine (not significant).
"""

import datetime as dt

from opencsc.casework.chronology import ChronologyLine
from opencsc.documents.kinds import kind_of


def _line(document, on: dt.date, step: str, summary: str, *, significant: bool = True) -> ChronologyLine:
    return ChronologyLine(
        document.child,
        on,
        kind_of(document.document_type).chronology_category,
        summary,
        f"document-{document.pk}-{step}-{document.version}",
        is_significant=significant,
    )


def document_started(document, on: dt.date) -> ChronologyLine:
    name = kind_of(document.document_type).name
    return _line(document, on, "started", f"Writing of the {name} begun", significant=False)


def document_resubmitted(document, on: dt.date, reviser) -> ChronologyLine:
    title = kind_of(document.document_type).title
    summary = f"{title} revised by {reviser.display_name} and sent again for authorisation"
    return _line(document, on, "resubmitted", summary)


def document_returned(document, on: dt.date, manager, comment: str) -> ChronologyLine:
    name = kind_of(document.document_type).name
    summary = f"Management oversight: {manager.display_name} returned the {name}: {comment}"
    return _line(document, on, "returned", summary)
