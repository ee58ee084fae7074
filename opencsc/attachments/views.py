"""Pages for attached files: the child's files, adding one to the record or to a document, downloading and
removing one. Access and its log are in child_record_view, documents' document_get_for and attachment_get_for;
the services decide everything else."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.attachments import letters, selectors, services
from opencsc.attachments.forms import AttachmentForm, ConferenceInvitationForm, RemoveForm
from opencsc.attachments.uploads import FIELD, attachment_too_large, too_large_message
from opencsc.audit.models import AccessKind
from opencsc.documents.selectors import document_get_for
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import form_step


@child_record_view()
def child_files(request, child):
    context = {
        "child": child,
        "attachments": selectors.child_attachments(child),
        "can_change": can_change_child(request.user, child),
    }
    return render(request, "attachments/child_files.html", context)


def _upload(request, *, child, document, done_url: str):
    form = AttachmentForm(request.POST or None, request.FILES or None, limit_mb=settings.ATTACHMENT_MAX_MB)
    if request.method == "POST" and attachment_too_large(request) and form.is_valid():
        form.add_error(FIELD, too_large_message())

    def save(data):
        services.attachment_add(
            actor=request.user,
            child=child,
            document=document,
            category=data["category"],
            description=data["description"],
            upload=data[FIELD],
        )

    return form_step(
        request,
        form=form,
        save=save,
        success="File attached",
        done_url=done_url,
        template="attachments/upload.html",
        context={"child": child, "document": document, "back_url": done_url},
    )


@child_record_view(change=True)
@creates_record
def child_upload(request, child):
    return _upload(
        request, child=child, document=None, done_url=reverse("attachments:child_files", args=[child.pk])
    )


@login_required
@creates_record
def document_upload(request, document_id: int):
    document = document_get_for(user=request.user, document_id=document_id, path=request.path, change=True)
    done_url = reverse("documents:detail", args=[document.pk])
    return _upload(request, child=document.child, document=document, done_url=done_url)


@login_required
def download(request, attachment_id: int):
    attachment = selectors.attachment_get_for(
        user=request.user, attachment_id=attachment_id, path=request.path, kind=AccessKind.EXPORT
    )
    if attachment.is_removed:
        raise Http404("This file was removed from the record")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def remove(request, attachment_id: int):
    attachment = selectors.attachment_get_for(
        user=request.user, attachment_id=attachment_id, path=request.path, change=True
    )
    done_url = reverse("attachments:child_files", args=[attachment.child_id])
    return form_step(
        request,
        form=RemoveForm(request.POST or None),
        save=lambda data: services.attachment_remove(
            actor=request.user, attachment=attachment, reason=data["reason"]
        ),
        success="File removed",
        done_url=done_url,
        template="attachments/remove.html",
        context={"child": attachment.child, "attachment": attachment, "back_url": done_url},
    )


@child_record_view(change=True)
@creates_record
def conference_invitation(request, child):
    """Invitation letters to a child protection conference, from the record, one to each parent or carer chosen."""
    conference = letters.conference_to_arrange(child)
    invitees = letters.invitees(child)
    initial = {
        "kind": conference.kind if conference else "",
        "meeting_on": conference.due_on if conference and conference.due_on >= timezone.localdate() else None,
        "chair": conference.chair if conference else "",
        "recipients": [str(r.pk) for r in invitees],
    }
    form = ConferenceInvitationForm(request.POST or None, initial=initial, invitees=invitees)
    return form_step(
        request,
        form=form,
        save=lambda data: letters.conference_invitation_send(
            actor=request.user, child=child, recipient_ids=data.pop("recipients"), **data
        ),
        success="Invitation letters made: download each one below to send it",
        done_url=reverse("attachments:child_files", args=[child.pk]),
        template="attachments/conference_invitation.html",
        context={"child": child, "conference": conference, "invitees": invitees},
    )
