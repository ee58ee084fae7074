"""Single sign-on in the browser against a real OpenID Connect provider started here (tests/oidc_provider).

Chromium goes from OpenCSC's sign-in page to the provider's own sign-in form and back; OpenCSC verifies the signed
ID token the provider issues. Three people from the provider's directory: one who passed multi-factor
authentication there (signed straight in), one who did not (asked for OpenCSC's own code), and one OpenCSC does not
know (refused, and the refusal is on the audit trail an auditor reads and on the sign-in log)."""

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from opencsc.accounts.models import ExternalIdentity, LoginAttempt, Role
from tests.e2e.conftest import screenshot, send
from tests.oidc_provider.provider import DIRECTORY, PASSWORD, real_time, running_provider


@pytest.fixture(scope="module")
def provider(live_server):
    with running_provider(redirect_uris=[f"{live_server.url}/accounts/sso/callback/"]) as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = provider.client_id
    settings.OIDC_CLIENT_SECRET = provider.client_secret
    settings.OIDC_MATCH_CLAIM = "preferred_username"
    with real_time():
        yield provider


def sign_in_at_council(page: Page, provider, login: str) -> None:
    page.goto("/accounts/sign-in/")
    send(page, "text=Sign in with your council account")
    assert page.url.startswith(provider.issuer), page.url
    expect(page.get_by_role("heading", name="Test identity provider: sign in")).to_be_visible()
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in to the identity provider')")
    page.wait_for_url(lambda url: not url.startswith(provider.issuer))


def test_a_known_person_with_mfa_is_signed_straight_in(sso, page, live_user):
    user = live_user(Role.DIRECTOR, None, email=DIRECTORY["amy"].email)
    visited = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))
    sign_in_at_council(page, sso, "amy")
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("header")).to_contain_text(user.display_name)
    assert not any("/two-factor" in url for url in visited)
    assert ExternalIdentity.objects.get(user=user).subject == DIRECTORY["amy"].oid
    screenshot(page, "sso-signed-in-with-mfa")


def test_a_known_person_without_mfa_enters_the_opencsc_code(sso, page, live_user):
    user = live_user(Role.SOCIAL_WORKER, None, email=DIRECTORY["ben"].email)
    sign_in_at_council(page, sso, "ben")
    page.wait_for_url("**/accounts/sign-in/two-factor/")
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    page.goto("/")  # not signed in until the code is entered
    page.wait_for_url("**/accounts/sign-in/**")
    page.goto("/accounts/sign-in/two-factor/")
    secret = page.locator("[data-testid='totp-secret']").inner_text().strip()
    page.fill("#id_code", pyotp.TOTP(secret).now())
    send(page, "button:has-text('Sign in')")
    expect(page.locator("header")).to_contain_text(user.display_name)


def test_an_unknown_person_is_refused_and_the_refusal_is_on_the_log(sso, page, live_user, signed_in_page):
    auditor = live_user(Role.AUDITOR, None)
    sign_in_at_council(page, sso, "zed")
    expect(page.get_by_role("heading", name="You cannot sign in to OpenCSC")).to_be_visible()
    expect(page.get_by_test_id("sso-refusal")).to_contain_text(
        "There is no OpenCSC account for zed.unknown@shire.example"
    )
    screenshot(page, "sso-unknown-person-refused")
    page.goto("/")
    page.wait_for_url("**/accounts/sign-in/**")
    attempt = LoginAttempt.objects.get(stage="sso", succeeded=False)
    assert (attempt.username, attempt.reason) == ("zed.unknown@shire.example", "unknown")

    trail = signed_in_page(auditor)
    trail.goto("/audit/?action=change")
    row = trail.locator("tr", has_text="user.sso_refused")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("No one signed in")
    expect(row).to_contain_text(f"LoginAttempt {attempt.pk}")
