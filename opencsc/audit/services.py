from django.db import transaction

from opencsc.audit.context import current_ip
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess


def audit_event_record(*, actor, verb: str, target, child=None, payload: dict | None = None) -> AuditEvent:
    """Write the audit row for a change. Call inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor,
        verb=verb,
        object_type=target.__class__.__name__,
        object_id=str(target.pk),
        child=child,
        payload=payload or {},
        ip_address=current_ip.get(),
    )


def record_access_log(*, user, child, kind: AccessKind, path: str, api_client=None) -> RecordAccess:
    """Log one look at a child's record by a member of staff (`user`) or a partner system (`api_client`)."""
    return RecordAccess.objects.create(
        user=user if user and user.is_authenticated else None,
        child=child,
        kind=kind,
        api_client=api_client,
        path=path[:300],
        ip_address=current_ip.get(),
    )


def record_access_log_list(
    *, user, child_ids, path: str, kind: AccessKind = AccessKind.LISTED, api_client=None
) -> int:
    """Log that a list showed these children's names to the user (or, with kind=REFUSED, that it showed them
    only as "a restricted record"): one row per child, written together."""
    who = user if user and user.is_authenticated else None
    ip_address = current_ip.get()
    rows = [
        RecordAccess(
            user=who,
            api_client=api_client,
            child_id=child_id,
            kind=kind,
            path=path[:300],
            ip_address=ip_address,
        )
        for child_id in sorted(set(child_ids))
    ]
    RecordAccess.objects.bulk_create(rows)
    return len(rows)


def record_listing_with_withheld(*, user, path: str, shown, withheld) -> None:
    """Log a list that named the children in `shown` and showed those in `withheld` only as "a restricted
    record"."""
    record_access_log_list(user=user, child_ids=shown, path=path)
    record_access_log_list(user=user, child_ids=withheld, path=path, kind=AccessKind.REFUSED)


@transaction.atomic
def audit_search_record(
    *, actor, filters: dict, listed: set[int], refused: set[int], path: str
) -> AuditEvent:
    """Log a search of the audit trail: the search itself as an audit event, and each child on the page of
    results as listed (named) or refused (shown only as a restricted record)."""
    ip_address = current_ip.get()
    rows = [
        RecordAccess(user=actor, child_id=child_id, kind=kind, path=path[:300], ip_address=ip_address)
        for kind, ids in ((AccessKind.LISTED, listed), (AccessKind.REFUSED, refused))
        for child_id in sorted(ids)
    ]
    RecordAccess.objects.bulk_create(rows)
    return audit_event_record(actor=actor, verb="audit.search", target=actor, payload=filters)
