"""The OpenAPI description (issue 15's must-show): served at /api/openapi.json, valid OpenAPI 3.1, generated from
the endpoint declarations so it covers every route, and a property-based fuzzer (schemathesis, through the WSGI
application) finds no server error on any request it generates from it. Examples are bounded to keep CI fast."""

import copy

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.urls import get_resolver
from hypothesis import HealthCheck, settings
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from schemathesis.checks import not_a_server_error

from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.api.endpoints import ENDPOINTS
from opencsc.api.models import Scope
from tests.api.builders import child_with_plan, issued, nhs_number

APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)


def _served() -> dict:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_the_served_description_is_valid_openapi_3_1(db):
    document = _served()
    assert document["openapi"] == "3.1.0"
    validate(document, cls=OpenAPIV31SpecValidator)


def test_the_validator_is_not_a_rubber_stamp(db):
    broken = copy.deepcopy(_served())
    broken["paths"]["/api/v1/reporting/kpis"]["get"]["parameters"][0]["in"] = "body"  # not a place in 3.1
    with pytest.raises(OpenAPIValidationError):
        validate(broken, cls=OpenAPIV31SpecValidator)


def test_every_api_route_is_described_with_its_scope(db):
    paths = _served()["paths"]
    routes = {p.name for p in get_resolver().namespace_dict["api"][1].url_patterns} - {"openapi"}
    assert routes == {endpoint.name for endpoint in ENDPOINTS}
    for endpoint in ENDPOINTS:
        operation = paths[endpoint.path]["get"]
        assert operation["security"] == [{"bearer": [endpoint.scope.value]}]
        assert {"200", "400", "401", "403", "429"} <= set(operation["responses"])


@pytest.fixture
def credentials(db) -> dict:
    """A client holding every scope, and records for the lookups and lists to find."""
    team = Team.objects.create(name="Fuzz team", kind=TeamKind.CHILD_IN_NEED)
    worker = User.objects.create_user(username="fuzz", password="x" * 20, role=Role.SOCIAL_WORKER, team=team)
    child_with_plan(actor=worker, team=team, worker=worker, nhs=nhs_number("943476591"))
    child_with_plan(actor=worker, team=team, nhs=nhs_number("401023213"), restricted=True)
    admin = User.objects.create_user(username="fuzzadmin", password="x" * 20, role=Role.ADMINISTRATOR)
    token = issued(admin, *Scope.values, rate=10_000).token
    # As Django's test client does: the WSGI handler's start and end of request signals would close the test's
    # connection (inside the test's transaction on PostgreSQL).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {token}"}
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_generated_request_gets_a_server_error(case, credentials):
    case.call_and_validate(app=APP, headers=credentials, checks=[not_a_server_error])
