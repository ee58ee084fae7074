"""Writes for attachments: adding a file to a child's record or to one of the child's documents, and removing one.

Rules (issue 13 point 5; UK GDPR Article 5(1)(c) and (f), data minimisation and security):
- Only someone who may change the child's record adds or removes a file; a document's file belongs to that
  document's child.
- A file is checked before anything is written: not empty, at most ATTACHMENT_MAX_MB, of an allowed type by its
  content (file_types.identify), with a category and a description. A refused file leaves nothing behind: no row,
  no stored file, no audit event.
- The stored file has a random name (storage.stored_name); the name it came with is kept, cleaned, for downloads.
- Adding writes the audit event and a (not significant) chronology line in the same transaction; if the
  transaction fails after the file was stored, the stored file is deleted again.
- Removing (a file put on the wrong record, a duplicate) needs a reason; it deletes the stored file and keeps the
  row, its reason and who removed it, so the record still shows that a file was there.
"""

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.attachments import chronology_lines as lines
from opencsc.attachments.file_types import FileRefused, identify
from opencsc.attachments.models import (
    DESCRIPTION_MAX_CHARACTERS,
    NAME_MAX_CHARACTERS,
    Attachment,
    AttachmentCategory,
)
from opencsc.attachments.uploads import attachment_limit_bytes, too_large_message
from opencsc.audit.changes import record_change
from opencsc.audit.services import audit_event_record
from opencsc.casework.chronology import ChronologyLine

logger = logging.getLogger(__name__)

CANNOT_CHANGE = "You can read this record but not change it"
EMPTY_FILE = "The file is empty: choose the file again, or check it opens on your computer"
CHOOSE_A_FILE = "Choose a file to attach"
CHOOSE_A_CATEGORY = "Choose what kind of file this is"
DESCRIBE_IT = "Enter a description, like 'School report, spring term' or 'Letter from the GP'"
LOCKED_DOCUMENT = "This document is authorised and locked: attach the file to the child's record instead"
_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


def clean_file_name(name: str) -> str:
    """The name a file is offered back under: no folders, no control or quote characters, at most 200 characters
    (the extension kept)."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE_IN_NAMES.sub("_", name).strip(" .") or "file"
    if len(name) > NAME_MAX_CHARACTERS:
        stem, dot, extension = name.rpartition(".")
        keep = NAME_MAX_CHARACTERS - len(extension) - 1
        name = f"{stem[:keep]}.{extension}" if dot and keep > 0 else name[:NAME_MAX_CHARACTERS]
    return name


def _require_change(actor, child) -> None:
    if not can_change_child(actor, child):
        raise PermissionDenied(CANNOT_CHANGE)


def _file_problem(upload: UploadedFile | None, name: str):
    """(file type, None) or (None, the problem in words)."""
    if upload is None:
        return None, CHOOSE_A_FILE
    if upload.size == 0:
        return None, EMPTY_FILE
    if upload.size > attachment_limit_bytes():
        return None, too_large_message()
    try:
        return identify(upload, name=name), None
    except FileRefused as refused:
        return None, str(refused)


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _check(category: str, description: str, upload: UploadedFile | None, name: str):
    errors = {}
    if category not in AttachmentCategory.values:
        errors["category"] = CHOOSE_A_CATEGORY
    if not description.strip():
        errors["description"] = DESCRIBE_IT
    elif len(description) > DESCRIPTION_MAX_CHARACTERS:
        errors["description"] = (
            f"Too long: the most a description can hold is {DESCRIPTION_MAX_CHARACTERS} characters"
        )
    file_type, problem = _file_problem(upload, name)
    if problem:
        errors["attachment_file"] = problem
    if errors:
        raise ValidationError(errors)
    return file_type


def _store(attachment: Attachment, upload: UploadedFile) -> None:
    """Store the file, then the row; a failure after storing deletes the stored file again."""
    attachment.file.save(attachment.original_name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise


def _record_added(
    actor,
    attachment: Attachment,
    *,
    line: Callable[[Attachment], ChronologyLine],
    verb: str = "attachment.added",
    payload=None,
) -> None:
    record_change(
        actor=actor,
        verb=verb,
        target=attachment,
        child=attachment.child,
        payload={
            "category": attachment.category,
            "document": attachment.document_id,
            "size": attachment.size,
            "sha256": attachment.sha256,
            **(payload or {}),
        },
        chronology=line(attachment),
    )


@transaction.atomic
def attachment_add(
    *,
    actor,
    child,
    category: str,
    description: str,
    upload: UploadedFile | None,
    document=None,
) -> Attachment:
    """Attach a file to the child's record, or to one of the child's practice documents."""
    _require_change(actor, child)
    if document is not None and document.child_id != child.pk:
        raise ValidationError({"document": "That document is about another child"})
    if document is not None and document.is_locked:
        raise ValidationError({"document": LOCKED_DOCUMENT})
    name = clean_file_name(upload.name if upload is not None else "")
    file_type = _check(category, description, upload, name)
    attachment = Attachment(
        child=child,
        document=document,
        category=category,
        description=description.strip(),
        original_name=name,
        content_type=file_type.content_type,
        size=upload.size,
        sha256=_sha256(upload),
        uploaded_by=actor,
    )
    _store(attachment, upload)
    _record_added(actor, attachment, line=lines.file_attached)
    return attachment


@transaction.atomic
def attachment_add_generated(
    *,
    actor,
    child,
    category: str,
    description: str,
    name: str,
    content: bytes,
    content_type: str,
    line: Callable[[Attachment], ChronologyLine],
    verb: str,
    payload: dict,
) -> Attachment:
    """Keep a file the service made itself (a letter), with the audit verb the caller gives and the chronology
    line its wording function (`line`, from attachments/chronology_lines.py) makes of the kept file."""

    _require_change(actor, child)
    attachment = Attachment(
        child=child,
        category=category,
        description=description[:DESCRIPTION_MAX_CHARACTERS],
        original_name=clean_file_name(name),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )
    _store(attachment, ContentFile(content, name=attachment.original_name))
    _record_added(actor, attachment, line=line, verb=verb, payload=payload)
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: Attachment, reason: str) -> Attachment:
    """Stop keeping a file: the stored file is deleted, the row stays with who removed it and why."""
    attachment = Attachment.objects.select_for_update().select_related("child").get(pk=attachment.pk)
    _require_change(actor, attachment.child)
    if attachment.is_removed:
        raise ValidationError({"reason": "This file has already been removed"})
    if not reason.strip():
        raise ValidationError(
            {"reason": "Enter why the file is being removed, like 'attached to the wrong record'"}
        )
    if len(reason) > DESCRIPTION_MAX_CHARACTERS:
        raise ValidationError(
            {"reason": f"Too long: the most a reason can hold is {DESCRIPTION_MAX_CHARACTERS} characters"}
        )
    stored = attachment.file.name
    attachment.removed_at = timezone.now()
    attachment.removed_by = actor
    attachment.removal_reason = reason.strip()
    attachment.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    audit_event_record(
        actor=actor,
        verb="attachment.removed",
        target=attachment,
        child=attachment.child,
        payload={"reason": attachment.removal_reason, "sha256": attachment.sha256},
    )
    transaction.on_commit(lambda: _delete_stored(attachment.file.storage, stored))
    return attachment


def _delete_stored(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.exception("A removed attachment's file could not be deleted: %s", name)
