"""Credentials of API clients: a public key id and a secret, sent together as `Authorization: Bearer KEYID.SECRET`.

The secret is 32 random bytes (secrets.token_urlsafe), shown once when the client is made; only its SHA-256 is
kept. A fast hash is enough here, unlike for passwords: a secret of 256 random bits cannot be guessed from its hash
by trying candidates, and every call must check it quickly (ADR 0026). Comparison is in constant time."""

import hashlib
import hmac
import secrets

KEY_PREFIX = "ocsc_"
SCHEME = "Bearer"


def new_key_id() -> str:
    return f"{KEY_PREFIX}{secrets.token_hex(8)}"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), secret_hash)


def token_for(key_id: str, secret: str) -> str:
    return f"{key_id}.{secret}"


def split_authorization(header: str) -> tuple[str, str] | None:
    """(key id, secret) from an Authorization header, or None when it is not a bearer token of that shape."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != SCHEME.lower():
        return None
    key_id, dot, secret = token.strip().partition(".")
    if not dot or not key_id.startswith(KEY_PREFIX) or len(key_id) > 24 or not secret or len(secret) > 200:
        return None
    return key_id, secret
