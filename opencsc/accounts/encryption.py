"""Two-factor secrets encrypted at rest with Fernet keys from the environment (settings.TOTP_KEYS).

The first key encrypts; every key decrypts, so a key is rotated by putting a new one first, re-encrypting
(`opencsc rotate_totp_key`) and then removing the old one. A database copied without the key holds no usable
secret."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _fernet():
    from cryptography.fernet import (  # here: a checkout not yet re-bootstrapped still starts
        Fernet,
        MultiFernet,
    )

    try:
        return MultiFernet([Fernet(key) for key in settings.TOTP_KEYS])
    except ValueError as bad:
        raise ImproperlyConfigured("OPENCSC_TOTP_KEY must be Fernet keys (32 url-safe base64 bytes)") from bad


def encrypt_secret(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt_secret(token: str) -> str:
    from cryptography.fernet import InvalidToken

    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as wrong_key:
        raise ImproperlyConfigured(
            "A two-factor secret cannot be decrypted with OPENCSC_TOTP_KEY: is an old key missing?"
        ) from wrong_key


def reencrypt_secret(token: str) -> str:
    """The same secret under the first key."""
    return _fernet().rotate(token.encode()).decode() if token else ""


def looks_encrypted(value: str) -> bool:
    return value.startswith("gAAAAA")  # every Fernet token starts with its version byte and timestamp


class EncryptedSecretField(models.CharField):
    """Holds plain text in Python and a Fernet token in the database."""

    def from_db_value(self, value, expression, connection):
        return decrypt_secret(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt_secret(value) if value else value
