"""Single sign-on against a real OpenID Connect provider (tests/oidc_provider: panva's oidc-provider on Node.js).

Nothing about the provider is mocked: OpenCSC discovers it, sends the browser to its authorisation endpoint with
PKCE, state and nonce, and verifies the ID token it signs. The provider's pages are walked over HTTP here; the
browser journey is tests/e2e/test_sso_journey.py."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY
from opencsc.accounts.models import ExternalIdentity, LoginAttempt, Role, User
from opencsc.accounts.sso import identity_from_claims
from opencsc.audit.models import AuditEvent
from tests.conftest import signed_in_client
from tests.oidc_provider.provider import DIRECTORY, real_time, running_provider, sign_in_at_provider

CALLBACK = "http://testserver/accounts/sso/callback/"


@pytest.fixture(scope="module")
def provider():
    with running_provider(redirect_uris=[CALLBACK]) as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = provider.client_id
    settings.OIDC_CLIENT_SECRET = provider.client_secret
    settings.OIDC_MATCH_CLAIM = "preferred_username"
    with real_time():
        yield provider


def staff_for(make_user, login: str, **fields) -> User:
    return make_user(email=DIRECTORY[login].email, **fields)


def start(client: Client) -> str:
    response = client.get("/accounts/sso/")
    assert response.status_code == 302
    return response["Location"]


def through_provider(client: Client, provider, login: str):
    """Start at OpenCSC, sign in at the provider, and come back: OpenCSC's answer to the callback."""
    callback = sign_in_at_provider(provider, start(client), login)
    assert callback.startswith(CALLBACK)
    return client.get(callback.removeprefix("http://testserver"))


def is_signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def refusals(reason: str) -> int:
    return LoginAttempt.objects.filter(stage="sso", succeeded=False, reason=reason).count()


def test_no_provider_configured_means_no_button_and_no_sso_pages(db, settings):
    settings.OIDC_ISSUER = ""
    client = Client()
    assert "sso-start" not in client.get("/accounts/sign-in/").content.decode()
    assert client.get("/accounts/sso/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404


def test_the_sign_in_page_offers_the_council_provider(sso, db):
    page = Client().get("/accounts/sign-in/?next=/casework/").content.decode()
    assert "Sign in with your council account" in page
    assert "/accounts/sso/?next=/casework/" in page


def test_the_request_to_the_provider_uses_pkce_state_and_nonce(sso, db):
    query = parse_qs(urlsplit(start(Client())).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}


def test_a_known_person_with_mfa_is_signed_in_without_opencsc_code(sso, make_user):
    user = staff_for(make_user, "amy")
    client = Client()
    response = through_provider(client, sso, "amy")
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_signed_in(client)
    assert client.session[TWO_FACTOR_SESSION_KEY] is True
    link = ExternalIdentity.objects.get(user=user)
    assert (link.issuer, link.subject) == (sso.issuer, DIRECTORY["amy"].oid)
    assert LoginAttempt.objects.filter(username=user.username, stage="sso", succeeded=True).count() == 1
    assert AuditEvent.objects.filter(verb="user.sso_signed_in", actor=user, payload__mfa=True).exists()
    assert AuditEvent.objects.filter(verb="user.sso_linked", actor=user).exists()


def test_a_known_person_without_mfa_must_enter_opencsc_code(sso, make_user):
    staff_for(make_user, "ben")
    client = Client()
    response = through_provider(client, sso, "ben")
    assert response["Location"] == "/accounts/sign-in/two-factor/"
    assert not is_signed_in(client)
    assert "Set up your authenticator app" in client.get("/accounts/sign-in/two-factor/").content.decode()


def test_an_unknown_person_is_refused_and_the_refusal_logged(sso, make_user):
    staff_for(make_user, "amy")
    client = Client()
    response = through_provider(client, sso, "zed")
    assert response.status_code == 403
    assert "There is no OpenCSC account for zed.unknown@shire.example" in response.content.decode()
    assert not is_signed_in(client)
    assert not ExternalIdentity.objects.exists()
    attempt = LoginAttempt.objects.get(stage="sso", succeeded=False)
    assert (attempt.username, attempt.reason) == ("zed.unknown@shire.example", "unknown")
    event = AuditEvent.objects.get(verb="user.sso_refused")
    assert event.actor is None
    assert event.payload["subject"] == DIRECTORY["zed"].oid and event.payload["reason"] == "unknown"


def test_a_deactivated_account_is_refused(sso, make_user):
    staff_for(make_user, "cal", is_active=False)
    client = Client()
    response = through_provider(client, sso, "cal")
    assert response.status_code == 403 and "has been closed" in response.content.decode()
    assert not is_signed_in(client)
    assert refusals("inactive") == 1


def test_a_linked_account_closed_later_is_refused(sso, make_user):
    user = staff_for(make_user, "amy")
    through_provider(Client(), sso, "amy")
    User.objects.filter(pk=user.pk).update(is_active=False)
    client = Client()
    assert through_provider(client, sso, "amy").status_code == 403
    assert not is_signed_in(client)
    assert refusals("inactive") == 1


def test_a_linked_identity_keeps_its_account_when_the_address_changes(sso, make_user):
    user = staff_for(make_user, "amy")
    through_provider(Client(), sso, "amy")
    User.objects.filter(pk=user.pk).update(email="amy.hall@elsewhere.example")
    make_user(email=DIRECTORY["amy"].email)  # someone new given the old address cannot take over the link
    client = Client()
    through_provider(client, sso, "amy")
    assert client.get("/").wsgi_request.user.pk == user.pk


def test_an_account_linked_to_another_identity_is_not_linked_again(sso, make_user):
    user = staff_for(make_user, "amy")
    ExternalIdentity.objects.create(user=user, issuer=sso.issuer, subject="someone-before")
    client = Client()
    assert through_provider(client, sso, "amy").status_code == 403
    assert refusals("linked_elsewhere") == 1
    assert ExternalIdentity.objects.filter(user=user).count() == 1


def test_two_accounts_matching_one_identity_are_refused(sso, make_user):
    staff_for(make_user, "amy")
    make_user(username=DIRECTORY["amy"].preferred_username)
    client = Client()
    assert through_provider(client, sso, "amy").status_code == 403
    assert refusals("ambiguous") == 1


def test_matching_by_email_alone_when_configured(sso, settings, make_user):
    settings.OIDC_MATCH_CLAIM = "email"
    staff_for(make_user, "amy")
    client = Client()
    through_provider(client, sso, "amy")
    assert is_signed_in(client)


def test_with_matching_off_only_linked_identities_sign_in(sso, settings, make_user):
    staff_for(make_user, "amy")
    settings.OIDC_MATCH_CLAIM = "none"
    assert through_provider(Client(), sso, "amy").status_code == 403
    assert refusals("unknown") == 1


def test_the_callback_cannot_be_used_twice(sso, make_user):
    staff_for(make_user, "amy")
    client = Client()
    callback = sign_in_at_provider(sso, start(client), "amy").removeprefix("http://testserver")
    assert client.get(callback).status_code == 302
    client.post("/accounts/sign-out/confirm/")
    again = client.get(callback)
    assert again.status_code == 403 and "Start again" in again.content.decode()
    assert not is_signed_in(client)
    assert refusals("invalid_response") == 1


def test_a_callback_started_in_another_browser_is_refused(sso, make_user):
    staff_for(make_user, "amy")
    callback = sign_in_at_provider(sso, start(Client()), "amy").removeprefix("http://testserver")
    other = Client()
    assert other.get(callback).status_code == 403
    assert not is_signed_in(other)
    assert refusals("invalid_response") == 1


def test_the_provider_refusing_is_shown_and_logged(sso, db):
    response = Client().get("/accounts/sso/callback/?error=access_denied&state=abc")
    assert response.status_code == 403 and "did not sign you in" in response.content.decode()
    assert refusals("provider_error") == 1


def test_a_provider_naming_another_issuer_is_not_trusted(sso, settings, db):
    settings.OIDC_ISSUER = sso.issuer + "/"  # discovery works, but the metadata names a different issuer
    response = Client().get("/accounts/sso/")
    assert response.status_code == 403
    assert refusals("provider_error") == 1


def test_discovery_published_away_from_the_issuer(sso, settings, make_user):
    settings.OIDC_DISCOVERY_URL = f"{sso.issuer}/.well-known/openid-configuration"
    settings.OIDC_ISSUER = sso.issuer + "/"  # as Entra ID's v1.0 issuer is not where its discovery is
    assert Client().get("/accounts/sso/").status_code == 403  # the metadata must still name the issuer
    settings.OIDC_ISSUER = sso.issuer
    staff_for(make_user, "amy")
    client = Client()
    through_provider(client, sso, "amy")
    assert is_signed_in(client)


def test_an_unreachable_provider_is_shown_and_logged(settings, db):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # the discard port: nothing listens
    settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = "opencsc", "secret"
    response = Client().get("/accounts/sso/")
    assert response.status_code == 403 and "did not sign you in" in response.content.decode()
    assert refusals("provider_error") == 1


def test_a_temporary_opencsc_password_is_not_demanded_after_sso(sso, make_user):
    staff_for(make_user, "amy", password_change_required=True)
    client = Client()
    through_provider(client, sso, "amy")
    assert client.get("/").status_code == 200


def test_the_session_key_changes_at_sign_in(sso, make_user):
    staff_for(make_user, "amy")
    client = Client()
    client.get("/accounts/sign-in/")
    client.session.save()
    before = client.session.session_key
    through_provider(client, sso, "amy")
    assert client.session.session_key != before


@pytest.mark.parametrize(
    ("claims", "subject", "mfa"),
    [
        ({"sub": "s", "oid": "o", "amr": ["pwd", "mfa"]}, "o", True),
        ({"sub": "s", "amr": ["pwd"]}, "s", False),
        ({"sub": "s", "amr": "mfa"}, "s", False),  # amr must be a list (RFC 8176), not a string
        ({"sub": "s"}, "s", False),
    ],
)
def test_subject_and_multi_factor_read_from_the_claims(settings, claims, subject, mfa):
    identity = identity_from_claims(issuer="https://issuer.example", claims=claims)
    assert (identity.subject, identity.passed_mfa) == (subject, mfa)


def test_an_administrator_unlinks_a_replaced_identity(sso, make_user):
    user = staff_for(make_user, "amy")
    ExternalIdentity.objects.create(
        user=user, issuer=sso.issuer, subject="the person's old directory account"
    )
    admin = make_user(Role.ADMINISTRATOR)
    page = signed_in_client(admin).get(f"/accounts/staff/{user.pk}/").content.decode()
    assert "Unlink single sign-on" in page
    worker = make_user()
    assert signed_in_client(worker).post(f"/accounts/staff/{user.pk}/unlink-sso/").status_code == 403
    assert ExternalIdentity.objects.filter(user=user).count() == 1

    signed_in_client(admin).post(f"/accounts/staff/{user.pk}/unlink-sso/")
    assert not ExternalIdentity.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(verb="user.sso_unlinked")
    assert (event.actor, event.payload["subject"]) == (admin, "the person's old directory account")
    client = Client()
    through_provider(client, sso, "amy")  # matched afresh and linked to the new identity
    assert is_signed_in(client)
    assert ExternalIdentity.objects.get(user=user).subject == DIRECTORY["amy"].oid
