"""The size limit on an attached file (ATTACHMENT_MAX_MB), applied while the request is read.

Installed first in FILE_UPLOAD_HANDLERS: for a file sent in the field named FIELD (the attachment forms' file
box), it stops reading as soon as the file passes the limit, so an oversized file is neither held in memory nor
written to a temporary file, and marks the request so that the form can say so on the field. The fields sent
before the file (the forms put the file box last) are still read, so what was typed is kept. Other uploads (the
return checks) pass through untouched, under their own limit (opencsc/returns/uploads.py).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

FIELD = "attachment_file"


def attachment_limit_bytes() -> int:
    return int(settings.ATTACHMENT_MAX_MB * 1024 * 1024)


def too_large_message() -> str:
    return f"The file is too large: a file can be at most {settings.ATTACHMENT_MAX_MB} MB"


def attachment_too_large(request) -> bool:
    return getattr(request, "attachment_too_large", False) or getattr(request, "upload_too_large", False)


class AttachmentSizeLimit(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = attachment_limit_bytes()
        self.watching = False

    def new_file(self, field_name, *args, **kwargs):
        self.watching = field_name == FIELD
        return super().new_file(field_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        if self.watching and start + len(raw_data) > self.limit:
            self.request.attachment_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
