"""Error pages for people: plain GOV.UK pages for 400, 403, 404 and 500, whatever DEBUG says.

Django's own pages with DEBUG on are for developers: the 404 lists every address of the service and the 400 and
500 pages show a traceback with settings and request data. PlainErrorPagesMiddleware puts the plain page in their
place (the traceback still goes to the log), so a demo or a development server shows a person what they would see
in production. A form sent larger than DATA_UPLOAD_MAX_MEMORY_SIZE gets a page that says so, rather than the
"suspicious operation" Django raises when the view reads it.
"""

import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpResponse
from django.shortcuts import render

logger = logging.getLogger("django.request")

TOO_MUCH_SENT = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
SERVER_ERROR_FALLBACK = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sorry, there is a problem with the service'
    "</title></head><body><h1>Sorry, there is a problem with the service</h1><p>Try again later. Nothing you saved "
    "before this page has been lost.</p></body></html>"
)


def bad_request(request, exception=None):
    return _page(request, "ui/400.html", 400, {"too_large": isinstance(exception, TOO_MUCH_SENT)})


def permission_denied(request, exception=None):
    return _page(request, "ui/403.html", 403, {"reason": str(exception or "")})


def page_not_found(request, exception=None):
    return _page(request, "ui/404.html", 404)


def server_error(request):
    try:
        return _page(request, "ui/500.html", 500)
    except Exception:  # the page of last resort must not fail as well, e.g. with the database down
        logger.exception("The 500 page could not be rendered; the fallback was sent")
        response = HttpResponse(SERVER_ERROR_FALLBACK, status=500)
        response.plain_error_page = True
        return response


def _page(request, template: str, status: int, context: dict | None = None):
    if not hasattr(request, "user"):
        request.user = AnonymousUser()  # an error before the middleware ran: a static file, a host refused
    response = render(
        request, template, {"megabytes": upload_limit_megabytes(), **(context or {})}, status=status
    )
    response.plain_error_page = True
    return response


def upload_limit_megabytes() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)


class PlainErrorPagesMiddleware:
    """Reads a POST before anything else does, so that one too large to read becomes a plain 400 page; with
    DEBUG on, replaces Django's technical error pages with the plain ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parsing now, where the failure can be answered plainly
            except TOO_MUCH_SENT as too_much:
                logger.warning("A form too large to read was refused: %s", too_much)
                return bad_request(request, too_much)
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
        ):
            # No address matched: Django's debug page would list every address of the service.
            return page_not_found(request)
        return response

    def process_exception(self, request, exception):
        if not settings.DEBUG:
            return None  # Django calls the handlers in config/urls.py, which render the same pages
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return None  # Django renders handler403 whatever DEBUG says
        if isinstance(exception, SuspiciousOperation | BadRequest):
            return bad_request(request, exception)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=(type(exception), exception, exception.__traceback__),
        )
        return server_error(request)
