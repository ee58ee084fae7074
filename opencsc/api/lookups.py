"""A partner's lookup of a child: logged on the child's access log (the record's "who has looked at it", against
the client) and sent to the allocated social worker by email, queued in the same transaction (the front door's
email task, retried while the mail server is away)."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from opencsc.api.models import ApiClient
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.audit.services import record_access_log
from opencsc.casework.models import Allocation
from opencsc.people.models import Child

PARTNER_LOOKUP = "partner_lookup"


def api_lookup_record(*, client: ApiClient, child: Child, path: str) -> RecordAccess:
    """Call inside a transaction: log the look and queue the email to the allocated worker."""
    from opencsc.frontdoor.notifications import email_queue

    access = record_access_log(user=None, child=child, kind=AccessKind.VIEW, path=path, api_client=client)
    if Allocation.objects.filter(child=child, ended_on__isnull=True).exclude(worker__email="").exists():
        email_queue(kind=PARTNER_LOOKUP, object_id=access.pk)
    return access


def tell_worker_of_lookup(access_id: int) -> bool:
    """Email the allocated worker that a partner system looked the child up. The email names the system and links
    to the record, never the child. False if nobody with an address holds the case."""
    access = RecordAccess.objects.select_related("api_client", "child").get(pk=access_id)
    allocation = (
        Allocation.objects.filter(child=access.child, ended_on__isnull=True).select_related("worker").first()
    )
    if allocation is None or not allocation.worker.email:
        return False
    client = access.api_client
    send_mail(
        subject=f"A partner looked up a child you hold: {access.child.la_child_id}",
        message=(
            f"{client.name} ({client.organisation}) looked up the child with LA child ID "
            f"{access.child.la_child_id} through the child protection information sharing service on "
            f"{timezone.localtime(access.at):%-d %B %Y at %H:%M}.\n\n"
            f"The record in OpenCSC: {reverse('people:detail', args=[access.child_id])}\n"
            "A partner who looks a child up may call: be ready to share what they need to know."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[allocation.worker.email],
    )
    return True
