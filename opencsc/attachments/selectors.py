"""Reads of attachments. An attachment is part of its child's record: opening or downloading one is opening the
record, refused (and the refusal logged against the child) for anyone who may not open the child, whichever
address they came by; every download is on the child's access log as an export."""

from django.http import Http404

from opencsc.attachments.models import Attachment
from opencsc.audit.models import AccessKind
from opencsc.people.selectors import child_of_record_for


def attachment_get_for(
    *, user, attachment_id: int, path: str, kind: str = AccessKind.VIEW, change: bool = False
) -> Attachment:
    attachment = (
        Attachment.objects.select_related("uploaded_by", "removed_by", "document")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise Http404("No attachment with that number")
    # A removed file is not served: its page may be looked at, but nothing is exported.
    attachment.child = child_of_record_for(
        user=user,
        child_id=attachment.child_id,
        path=path,
        change=change,
        kind=AccessKind.VIEW if attachment.is_removed else kind,
    )
    return attachment


def _listed(queryset):
    return queryset.select_related("uploaded_by", "document").order_by("-uploaded_at", "-id")


def child_attachments(child, *, limit: int | None = None) -> list[Attachment]:
    """The child's files, newest first (those of the child's documents included)."""
    queryset = _listed(Attachment.objects.filter(child=child))
    return list(queryset[:limit] if limit else queryset)


def child_attachment_count(child) -> int:
    return Attachment.objects.filter(child=child).count()


def document_attachments(document) -> list[Attachment]:
    return list(_listed(Attachment.objects.filter(document=document)))
