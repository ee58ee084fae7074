"""The OpenID Connect client for the council's identity provider (Authlib).

Authorisation code flow with PKCE (S256); Authlib keeps the state, nonce and code verifier in the session, refuses a
callback whose state it did not issue (so a callback replayed or forged elsewhere fails), and checks the ID token's
signature against the provider's JWKS, its issuer, audience, expiry and nonce. The provider's metadata comes from
discovery at `<issuer>/.well-known/openid-configuration` (the shape Entra ID publishes per tenant), or at
OIDC_DISCOVERY_URL where a provider publishes it elsewhere, and must name
the configured issuer exactly (OpenID Connect Discovery 4.3): a tenant-independent endpoint such as Entra ID's
`common` is therefore refused, and the issuer check pins sign-in to the council's own tenant. The metadata and keys
are cached per process; a token signed with a key not yet seen makes Authlib fetch the keys again (rotation).
"""

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings

PROVIDER = "council"
SCOPES = "openid email profile"

_clients: dict[tuple[str, str, str, str], DjangoOAuth2App] = {}


class ProviderMisconfigured(Exception):
    """The provider's discovery document does not describe the configured issuer."""


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def discovery_url(issuer: str) -> str:
    return settings.OIDC_DISCOVERY_URL or issuer.rstrip("/") + "/.well-known/openid-configuration"


def provider_client() -> DjangoOAuth2App:
    """The client for the configured provider, one per process (and per configuration, for the tests)."""
    key = (
        settings.OIDC_ISSUER,
        settings.OIDC_DISCOVERY_URL,
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
    )
    if key not in _clients:
        registry = OAuth()
        _clients[key] = registry.register(
            PROVIDER,
            client_id=settings.OIDC_CLIENT_ID,
            client_secret=settings.OIDC_CLIENT_SECRET,
            server_metadata_url=discovery_url(settings.OIDC_ISSUER),
            client_kwargs={
                "scope": SCOPES,
                "code_challenge_method": "S256",
                "default_timeout": settings.OIDC_TIMEOUT_SECONDS,
            },
        )
    client = _clients[key]
    issuer = client.load_server_metadata().get("issuer")
    if issuer != settings.OIDC_ISSUER:
        _clients.pop(key, None)
        raise ProviderMisconfigured(
            f"the provider's metadata names issuer {issuer!r}, not {settings.OIDC_ISSUER!r}"
        )
    return client
