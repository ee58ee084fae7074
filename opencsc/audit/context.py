"""The requester's address: worked out once here (client_ip) and carried from the web request to the audit
service without threading it through every service signature."""

import ipaddress
from contextvars import ContextVar

from django.conf import settings

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def _as_address(raw: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((raw or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The one place the client's address comes from: sign-in throttling, the partner form's limit and the
    audit trail all use it. None when what is there is not an IP address.

    Behind OPENCSC_TRUSTED_PROXIES proxies, each appends the address it was connected from to
    X-Forwarded-For, so the client is the entry the outermost trusted proxy appended: counted from the right.
    Entries to the left of it were written by the client and are never believed."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()
    ]
    if proxies and forwarded:
        # A shorter chain than configured was written entirely by trusted proxies: its first hop is the client.
        return _as_address(forwarded[-min(proxies, len(forwarded))])
    return _as_address(request.META.get("REMOTE_ADDR"))


class RequestAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
