"""The OpenAPI 3.1 description of the API, generated from the endpoint declarations (`endpoints.ENDPOINTS`)."""

from django.conf import settings

from opencsc.api.declare import Endpoint
from opencsc.api.models import Scope

VERSION = "1.0.0"
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "What was wrong, for the partner's developer"},
        "parameter": {"type": ["string", "null"], "description": "The parameter at fault, if one was"},
    },
}
REFUSALS = {
    "400": "A parameter of the wrong shape or out of range (the parameter is named)",
    "401": "No credentials, or credentials not recognised or revoked",
    "403": "The credentials' scopes do not include this endpoint's",
    "429": "Over the client's rate limit: wait the seconds in Retry-After",
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _operation(endpoint: Endpoint) -> dict:
    responses = {
        "200": {
            "description": "The answer",
            "content": {"application/json": {"schema": endpoint.response}},
        },
        **{status: _error(text) for status, text in REFUSALS.items()},
    }
    responses["429"]["headers"] = {
        "Retry-After": {"description": "Seconds until the next window", "schema": {"type": "integer"}}
    }
    return {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "description": f"{endpoint.description}\n\nScope: `{endpoint.scope.value}`.",
        "tags": [endpoint.scope.value.split(".")[0]],
        "security": [{"bearer": [endpoint.scope.value]}],
        "parameters": [
            {
                "name": param.name,
                "in": param.where,
                "required": param.required or param.where == "path",
                "description": param.description,
                "schema": param.schema(),
            }
            for param in endpoint.params
        ],
        "responses": responses,
    }


def openapi_document(endpoints: tuple[Endpoint, ...]) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"OpenCSC partner and reporting API ({settings.AUTHORITY_NAME})",
            "version": VERSION,
            "description": (
                "Read-only. Each partner system has its own credentials (Authorization: Bearer KEYID.SECRET), "
                "scopes and rate limit; every call is logged. Scopes: "
                + "; ".join(f"`{scope.value}`: {scope.label}" for scope in Scope)
            ),
        },
        "paths": {endpoint.path: {"get": _operation(endpoint)} for endpoint in endpoints},
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "KEYID.SECRET as issued by the authority's system administrator",
                }
            },
        },
    }
