"""Where attached files are kept: Django's storage named "attachments" (settings.STORAGES).

By default a folder under the data directory (OPENCSC_DATA_DIR/attachments), never under a public URL: files are
only ever read back by the download view, which checks and logs access. In production an authority may point it
at an S3-compatible store by installing django-storages and setting OPENCSC_ATTACHMENT_STORAGE_BACKEND and
OPENCSC_ATTACHMENT_STORAGE_OPTIONS (see config/settings.py and ADR 0015).
"""

import uuid

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty

ALIAS = "attachments"


class AttachmentStorage(LazyObject):
    """The "attachments" storage, looked up when first used and again after STORAGES changes (as Django does for
    its default storage), so the model field never holds a storage made from old settings."""

    def _setup(self):
        self._wrapped = storages[ALIAS]


attachments_storage = AttachmentStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        attachments_storage._wrapped = empty


def attachment_storage():
    """The model field's storage, given as a callable so that migrations name this function, not a folder."""
    return attachments_storage


def stored_name(instance, filename: str) -> str:
    """A name that says nothing about the child or the file: the month it came and a random identifier."""
    extension = filename.rsplit(".", 1)[1].lower() if "." in filename else "bin"
    return f"{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension}"
