"""The limit on uploaded files (the return checks are the service's only upload).

Installed first in FILE_UPLOAD_HANDLERS, so that it holds wherever the request body is first read (a middleware
reads every POST early): it stops reading files as soon as together they pass RETURN_UPLOAD_LIMIT_MB, so an
oversized upload is neither held in memory nor written to disk, and marks the request so that the view can say
so on the form. The form fields sent before the files are still read, so what was typed is kept.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


def upload_limit_bytes() -> int:
    return int(settings.RETURN_UPLOAD_LIMIT_MB * 1024 * 1024)


def upload_too_large(request) -> bool:
    return getattr(request, "upload_too_large", False)


def too_large_message() -> str:
    return (
        f"The files are too large: together they can be at most {settings.RETURN_UPLOAD_LIMIT_MB} MB. "
        "Check fewer files at a time, or run opencsc validate on the command line"
    )


class UploadLimit(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = upload_limit_bytes()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
