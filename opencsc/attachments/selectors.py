"""Reads of attachments. An attachment is part of its child's record: opening or downloading one is opening the
record, refused (and the refusal logged against the child) for anyone who may not open the child, whichever
address they came by; every download is on the child's access log as an export."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from opencsc.accounts.access import can_change_child
from opencsc.attachments.models import Attachment
from opencsc.audit.models import AccessKind
from opencsc.audit.services import record_access_log
from opencsc.people.selectors import child_get_for


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
    child = child_get_for(user=user, pk=attachment.child_id, path=path, log=False)
    if change and not can_change_child(user, child):
        record_access_log(user=user, child=child, kind=AccessKind.REFUSED, path=path)
        raise PermissionDenied("You can read this record but not change it")
    # A removed file is not served: its page may be looked at, but nothing is exported.
    record_access_log(
        user=user, child=child, kind=AccessKind.VIEW if attachment.is_removed else kind, path=path
    )
    attachment.child = child
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
