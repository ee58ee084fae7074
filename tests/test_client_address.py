"""The client's address, worked out in one place (client_ip) for sign-in throttling, the partner form and the
audit trail: behind trusted proxies the entry they appended, never what the client wrote, and only addresses."""

import pytest
from django.test import Client, RequestFactory, override_settings

from opencsc.accounts.models import LoginAttempt
from opencsc.audit.context import client_ip
from opencsc.frontdoor.models import PartnerSubmission
from tests.frontdoor.builders import partner_referral_form

factory = RequestFactory()


def _address(forwarded: str | None = None, remote: str = "10.0.0.5") -> str | None:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(factory.get("/", **headers))


@override_settings(TRUSTED_PROXY_COUNT=1, TRUST_X_FORWARDED_FOR=True)
def test_behind_one_proxy_the_address_it_appended_is_taken_not_the_client_supplied_first_hop():
    assert _address("6.6.6.6, 203.0.113.9") == "203.0.113.9"
    assert _address("203.0.113.9") == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=2, TRUST_X_FORWARDED_FOR=True)
def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client():
    assert _address("6.6.6.6, 203.0.113.9, 10.0.0.2") == "203.0.113.9"
    assert _address("2001:db8::7, 10.0.0.2") == "2001:db8::7"


@override_settings(TRUSTED_PROXY_COUNT=0, TRUST_X_FORWARDED_FOR=False)
def test_without_a_trusted_proxy_the_header_is_ignored():
    assert _address("6.6.6.6") == "10.0.0.5"


@pytest.mark.parametrize(
    "forwarded, remote",
    [("not-an-address", "10.0.0.5"), ("6.6.6.6, <script>", "10.0.0.5"), (None, "unknown"), (None, "")],
)
@override_settings(TRUSTED_PROXY_COUNT=1, TRUST_X_FORWARDED_FOR=True)
def test_anything_that_is_not_an_ip_address_is_refused(forwarded, remote):
    assert _address(forwarded, remote) is None


@override_settings(TRUSTED_PROXY_COUNT=1, TRUST_X_FORWARDED_FOR=True)
@pytest.mark.django_db
def test_sign_in_attempts_are_counted_against_the_address_the_proxy_appended():
    Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.20").post(
        "/accounts/sign-in/", {"username": "nobody", "password": "wrong password"}
    )
    assert LoginAttempt.objects.get().ip_address == "198.51.100.20"


@override_settings(TRUSTED_PROXY_COUNT=1, TRUST_X_FORWARDED_FOR=True)
@pytest.mark.django_db
def test_the_partner_form_limits_the_address_the_proxy_appended(django_capture_on_commit_callbacks):
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/refer/", partner_referral_form()).status_code == 302
    assert PartnerSubmission.objects.get().ip_address == "198.51.100.9"
