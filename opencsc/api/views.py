"""The API's one door: every call is authenticated, rate limited, checked against its endpoint's scope and
parameters, answered, and logged (`audit.ApiCall`), refusals included. JSON only; GET only; no cookies or
sessions are read, so a signed-in browser gains nothing here and CSRF does not apply."""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from opencsc.api.credentials import secret_matches, split_authorization
from opencsc.api.declare import ApiError, Call, Endpoint
from opencsc.api.endpoints import ENDPOINTS
from opencsc.api.models import ApiClient
from opencsc.api.openapi import openapi_document
from opencsc.api.rate_limit import rate_limit_take
from opencsc.audit.context import current_ip
from opencsc.audit.models import ApiCall

logger = logging.getLogger(__name__)


def _answer(request, status: int, body: dict, *, outcome: str, client=None, key_id: str = "") -> JsonResponse:
    ApiCall.objects.create(
        client=client,
        key_id=key_id[:24],
        method=request.method[:10],
        path=request.path[:300],
        query=request.META.get("QUERY_STRING", "")[:300],
        status=status,
        outcome=outcome[:60],
        ip_address=current_ip.get(),
    )
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _refusal(request, error: ApiError, **who) -> JsonResponse:
    return _answer(
        request,
        error.status,
        {"error": error.message, "parameter": error.parameter},
        outcome=error.message,
        **who,
    )


def _authenticate(request) -> tuple[ApiClient | None, str, str | None]:
    """(client, key id presented, why refused or None)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None, "", "No credentials: send Authorization: Bearer KEYID.SECRET"
    parts = split_authorization(header)
    if parts is None:
        return None, "", "Credentials not in the form Bearer KEYID.SECRET"
    key_id, secret = parts
    client = ApiClient.objects.filter(key_id=key_id).first()
    if client is None or not secret_matches(secret, client.secret_hash):
        return None, key_id, "Credentials not recognised"
    if not client.is_active:
        return None, key_id, "These credentials were revoked"
    return client, key_id, None


def _serve(request, endpoint: Endpoint, path_values: dict) -> JsonResponse:
    client, key_id, refused = _authenticate(request)
    if refused:
        response = _refusal(request, ApiError(401, refused), key_id=key_id)
        response["WWW-Authenticate"] = 'Bearer realm="opencsc"'
        return response
    if request.method != "GET":
        response = _refusal(request, ApiError(405, "Only GET is answered"), client=client)
        response["Allow"] = "GET"
        return response
    wait = rate_limit_take(client=client)
    if wait is not None:
        response = _refusal(
            request, ApiError(429, f"Rate limit reached: try again in {wait} s"), client=client
        )
        response["Retry-After"] = str(wait)
        return response
    if endpoint.scope.value not in client.scopes:
        return _refusal(
            request,
            ApiError(403, f"These credentials do not have the scope {endpoint.scope.value}"),
            client=client,
        )
    try:
        body = endpoint.handler(
            Call(client=client, path=request.path), **endpoint.arguments(request.GET, path_values)
        )
    except ApiError as error:
        return _refusal(request, error, client=client)
    logger.info("API %s answered %s for %s", endpoint.name, request.path, client.name)
    return _answer(request, 200, body, outcome="answered", client=client)


def endpoint_view(endpoint: Endpoint):
    @csrf_exempt
    def view(request, **path_values):
        return _serve(request, endpoint, path_values)

    view.__name__ = endpoint.name
    view.api_endpoint = endpoint
    return view


def openapi_json(request):
    """The description is public: it names no child and no figure."""
    return JsonResponse(openapi_document(ENDPOINTS), json_dumps_params={"indent": 1})
