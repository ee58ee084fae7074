"""The wording of the chronology lines of files kept on a child's record: a file attached (to the record or to
one of its practice documents), and a letter the service made and sent (a conference invitation).

One function per event kind, used by the attachment services through `record_change`. The lines are routine
(not significant), under the record heading, dated the day the file was kept.
"""

from django.utils import timezone

from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import ChronologyCategory


def _line(attachment, summary: str) -> ChronologyLine:
    return ChronologyLine(
        attachment.child,
        timezone.localtime(attachment.uploaded_at).date(),
        ChronologyCategory.RECORD,
        summary,
        f"attachment-{attachment.pk}",
        is_significant=False,
    )


def file_attached(attachment) -> ChronologyLine:
    document = attachment.document
    where = f" to the {document.get_document_type_display().lower()}" if document is not None else ""
    summary = f"File attached{where}: {attachment.get_category_display()}, {attachment.description}"
    return _line(attachment, summary)


def conference_invitation_sent(
    attachment, *, conference: str, held_on: str, recipient: str
) -> ChronologyLine:
    """`conference`: the kind in words ("initial child protection conference"); `held_on`: its day in words;
    `recipient`: the parent or carer and how they are related to the child."""
    return _line(attachment, f"Invitation to the {conference} on {held_on} sent to {recipient}")
