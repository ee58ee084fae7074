"""The partner and reporting API (issue 15 point 4): credentials, scopes, rate limit, the access log, the CP-IS
lookup (a restricted child flagged but never led to), bad input refused naming the parameter."""

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.api.models import ApiClient, Scope
from opencsc.audit.models import AccessKind, ApiCall, RecordAccess
from opencsc.casework.models import ChildProtectionPlan
from tests.api.builders import bearer, child_with_plan, issued, nhs_number

CPIS = Scope.CPIS_LOOKUP.value
AGGREGATES = Scope.REPORTING_AGGREGATES.value
RECORDS = Scope.REPORTING_RECORDS.value
NHS = nhs_number("943476591")
OTHER_NHS = nhs_number("401023213")


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def worker(make_user, teams):
    return make_user(Role.SOCIAL_WORKER, teams["north"], email="k.hale@shire.example")


def _lookup(token: str, nhs: str = NHS):
    return Client().get(f"/api/v1/cpis/children/{nhs}", **bearer(token))


def _counts() -> tuple[int, ...]:
    return (RecordAccess.objects.count(), ChildProtectionPlan.objects.count(), len(mail.outbox))


def test_a_call_without_credentials_is_refused_with_401_and_logged(db):
    response = Client().get(f"/api/v1/cpis/children/{NHS}")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert "No credentials" in response.json()["error"]
    call = ApiCall.objects.get()
    assert (call.client, call.status, call.path) == (None, 401, f"/api/v1/cpis/children/{NHS}")


def test_a_wrong_secret_and_revoked_credentials_are_refused_and_logged(admin):
    token = issued(admin, CPIS).token
    key_id = token.split(".")[0]
    assert _lookup(f"{key_id}.not-the-secret").status_code == 401
    client = ApiClient.objects.get()
    from opencsc.api.services import api_client_revoke

    api_client_revoke(actor=admin, client=client)
    response = _lookup(token)
    assert response.status_code == 401 and "revoked" in response.json()["error"]
    assert list(ApiCall.objects.order_by("id").values_list("key_id", "status")) == [
        (key_id, 401),
        (key_id, 401),
    ]
    assert not RecordAccess.objects.exists()


def test_a_call_outside_the_credentials_scopes_is_refused_with_403_and_logged(admin):
    token = issued(admin, AGGREGATES).token
    response = _lookup(token)
    assert response.status_code == 403 and CPIS in response.json()["error"]
    records = Client().get("/api/v1/reporting/children", **bearer(token))
    assert records.status_code == 403
    assert list(ApiCall.objects.values_list("client__name", "status")) == [("Shire Hospitals CP-IS", 403)] * 2


def test_the_rate_limit_answers_429_with_retry_after_and_the_next_minute_is_open(admin, db):
    token = issued(admin, AGGREGATES, rate=2).token
    with time_machine.travel(dt.datetime(2026, 3, 10, 11, 0, 15, tzinfo=dt.UTC), tick=False):
        codes = [Client().get("/api/v1/reporting/counts", **bearer(token)).status_code for _ in range(3)]
        refused = Client().get("/api/v1/reporting/counts", **bearer(token))
    assert codes == [200, 200, 429]
    assert refused.status_code == 429 and refused["Retry-After"] == "45"
    with time_machine.travel(dt.datetime(2026, 3, 10, 11, 1, 0, tzinfo=dt.UTC), tick=False):
        assert Client().get("/api/v1/reporting/counts", **bearer(token)).status_code == 200
    assert list(ApiCall.objects.order_by("id").values_list("status", flat=True)) == [200, 200, 429, 429, 200]


def test_a_lookup_flags_the_plan_gives_the_team_shows_on_the_record_and_tells_the_worker(
    admin, worker, teams, client_for, django_capture_on_commit_callbacks
):
    child = child_with_plan(actor=worker, team=teams["north"], worker=worker, nhs=NHS)
    token = issued(admin, CPIS).token
    with django_capture_on_commit_callbacks(execute=True):
        response = _lookup(token)
    answer = response.json()
    assert response.status_code == 200
    assert answer["child_protection_plan"] == {"start_date": "2025-09-01"} and answer["looked_after"] is None
    assert answer["contact"]["team"] == "Assessment North"
    assert answer["contact"]["social_worker"] == worker.display_name
    assert answer["contact"]["email"] == "k.hale@shire.example"
    assert "Zephyrine" not in response.content.decode() and "Quillfeather" not in response.content.decode()
    access = RecordAccess.objects.get(child=child)
    assert (access.user, access.api_client.name, access.kind) == (
        None,
        "Shire Hospitals CP-IS",
        AccessKind.VIEW,
    )
    assert [email.to for email in mail.outbox] == [["k.hale@shire.example"]]
    assert child.la_child_id in mail.outbox[0].subject and "Zephyrine" not in mail.outbox[0].body
    manager_view = reverse("people:access_log", args=[child.pk])
    page = _manager_client(worker, teams).get(manager_view).content.decode()
    assert "Partner system: Shire Hospitals CP-IS" in page
    _lookup(token)
    record = client_for(worker).get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Looked up by a partner system: Shire Hospitals CP-IS (Shire Hospitals NHS Trust)" in record
    assert "2 lookups in the last 90 days" in record


def _manager_client(worker, teams):
    from opencsc.accounts.models import User
    from tests.conftest import signed_in_client

    manager = User.objects.create_user(
        username="tm", password="x" * 20, role=Role.TEAM_MANAGER, team=teams["north"]
    )
    return signed_in_client(manager)


def test_a_restricted_child_is_flagged_to_health_but_the_contact_is_the_front_door_only(
    admin, worker, teams, settings
):
    settings.FRONT_DOOR_PHONE = "01632 960 001"
    child_with_plan(actor=worker, team=teams["north"], worker=worker, nhs=NHS, restricted=True)
    response = _lookup(issued(admin, CPIS).token)
    answer = response.json()
    assert answer["child_protection_plan"] == {"start_date": "2025-09-01"}
    assert answer["contact"] == {
        "authority": settings.AUTHORITY_NAME,
        "phone": "01632 960 001",
        "team": None,
        "social_worker": None,
        "email": None,
    }
    body = response.content.decode()
    for never in ("Zephyrine", "Quillfeather", "Assessment North", worker.last_name):
        assert never not in body


def test_a_child_not_known_and_a_child_on_no_plan_get_the_same_answer(admin, worker, teams):
    child_with_plan(actor=worker, team=teams["north"], nhs=OTHER_NHS, plan_from=None)
    token = issued(admin, CPIS).token
    known, unknown = _lookup(token, OTHER_NHS).json(), _lookup(token, nhs_number("123456780")).json()
    assert {**known, "nhs_number": ""} == {**unknown, "nhs_number": ""}
    assert known["child_protection_plan"] is None and known["contact"] is None


@pytest.mark.parametrize(
    ("nhs", "message"),
    [
        (NHS[:9] + str((int(NHS[9]) + 1) % 10), "check digit is wrong"),
        ("12345", "not in the expected form"),
        ("12345678ab", "not in the expected form"),
    ],
)
def test_a_bad_nhs_number_is_refused_naming_it_and_nothing_is_looked_up(admin, worker, teams, nhs, message):
    child_with_plan(actor=worker, team=teams["north"], worker=worker, nhs=NHS)
    token = issued(admin, CPIS).token
    before = _counts()
    response = _lookup(token, nhs)
    assert response.status_code == 400
    assert response.json()["parameter"] == "nhs_number" and message in response.json()["error"]
    assert _counts() == before
    assert ApiCall.objects.get().status == 400


def test_kpis_for_a_year_and_a_month_and_a_refusal_naming_the_parameter(admin):
    token = issued(admin, AGGREGATES).token
    year = Client().get("/api/v1/reporting/kpis", {"year": 2025}, **bearer(token)).json()
    assert (year["start"], year["end"]) == ("2024-04-01", "2025-03-31")
    assert year["kpis"]["referrals"] == {"value": 0, "numerator": None, "denominator": None}
    month = Client().get("/api/v1/reporting/kpis", {"month": "2025-06"}, **bearer(token)).json()
    assert (month["start"], month["end"]) == ("2024-07-01", "2025-06-30")
    for query, parameter in (({}, "year"), ({"month": "2025-13"}, "month"), ({"year": "twenty"}, "year")):
        response = Client().get("/api/v1/reporting/kpis", query, **bearer(token))
        assert response.status_code == 400 and response.json()["parameter"] == parameter, query


def test_counts_by_status_on_a_day(admin, worker, teams):
    child_with_plan(actor=worker, team=teams["north"], worker=worker, nhs=NHS)
    token = issued(admin, AGGREGATES).token
    today = Client().get("/api/v1/reporting/counts", **bearer(token)).json()
    assert today["child_protection_plans"] == 1 and today["looked_after"] == 0
    before = Client().get("/api/v1/reporting/counts", {"on": "2025-08-31"}, **bearer(token)).json()
    assert before["child_protection_plans"] == 0
    future = Client().get("/api/v1/reporting/counts", {"on": "2099-01-01"}, **bearer(token))
    assert future.status_code == 400 and future.json()["parameter"] == "on"


def test_records_are_paged_never_list_a_restricted_child_and_each_listed_child_is_logged(
    admin, worker, teams
):
    shown = [
        child_with_plan(actor=worker, team=teams["north"], nhs=nhs_number(f"{n}00000000"), plan_from=None)
        for n in (1, 2, 3)
    ]
    hidden = child_with_plan(actor=worker, team=teams["north"], nhs=NHS, restricted=True)
    token = issued(admin, RECORDS).token
    first = Client().get("/api/v1/reporting/children", {"page_size": 2}, **bearer(token)).json()
    second = Client().get("/api/v1/reporting/children", {"page_size": 2, "page": 2}, **bearer(token)).json()
    assert (first["total"], first["next_page"], second["next_page"]) == (3, 2, None)
    listed = [row["la_child_id"] for row in first["results"] + second["results"]]
    assert listed == [child.la_child_id for child in shown]
    body = json.dumps([first, second])
    assert hidden.la_child_id not in body and "Zephyrine" not in body
    logged = RecordAccess.objects.filter(kind=AccessKind.LISTED, api_client__isnull=False)
    assert sorted(logged.values_list("child_id", flat=True)) == sorted(child.pk for child in shown)


def test_only_get_is_answered(admin):
    token = issued(admin, AGGREGATES).token
    response = Client().post("/api/v1/reporting/counts", **bearer(token))
    assert response.status_code == 405 and response["Allow"] == "GET"
