"""OpenCSC settings, all taken from the environment.

OPENCSC_ENV selects the profile: "production" (the default: nothing set means a real service), "development"
(asked for by the demo, `opencsc demo` and scripts/demo) or "test" (asked for by the test suite).
Production refuses to start with a missing or weak secret key, without the key that encrypts the two-factor
secrets, or with two-factor sign-in switched off, and turns on every secure-cookie and HTTPS setting.
"""

import base64
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
ENVIRONMENT = os.environ.get("OPENCSC_ENV") or ("test" if "pytest" in sys.modules else "production")
if ENVIRONMENT not in {"production", "development", "test"}:
    raise ImproperlyConfigured(f"OPENCSC_ENV must be production, development or test, not {ENVIRONMENT!r}")
PRODUCTION = ENVIRONMENT == "production"
DEVELOPMENT_SECRET_KEY = "insecure-development-key-never-used-in-production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def secret_key_weakness(key: str) -> str | None:
    """Why a secret key is not fit for production, or None."""
    if not key:
        return "OPENCSC_SECRET_KEY must be set in production"
    if key == DEVELOPMENT_SECRET_KEY or key.startswith("django-insecure"):
        return "OPENCSC_SECRET_KEY is the published development key: generate a new one"
    if len(key) < 50 or len(set(key)) < 5:
        return "OPENCSC_SECRET_KEY is too weak: use at least 50 random characters"
    return None


SECRET_KEY = os.environ.get("OPENCSC_SECRET_KEY", "")
if PRODUCTION and (weakness := secret_key_weakness(SECRET_KEY)):
    raise ImproperlyConfigured(weakness)
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

# Staff must present a TOTP code; only the test profile may switch this off for unit tests of other features.
REQUIRE_TWO_FACTOR = env_bool("OPENCSC_REQUIRE_TWO_FACTOR", True)
if PRODUCTION and not REQUIRE_TWO_FACTOR:
    raise ImproperlyConfigured("OPENCSC_REQUIRE_TWO_FACTOR cannot be switched off in production")

# Fernet keys for the two-factor secrets at rest, comma-separated: the first encrypts, all decrypt (rotation:
# put a new key first, run `opencsc rotate_totp_key`, then drop the old one). Outside production a key is
# derived from the secret key so the demo and the tests need nothing set.
TOTP_KEYS = [key.strip() for key in os.environ.get("OPENCSC_TOTP_KEY", "").split(",") if key.strip()]
if not TOTP_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "OPENCSC_TOTP_KEY must be set in production (generate one with "
            '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`)'
        )
    TOTP_KEYS = [base64.urlsafe_b64encode(hashlib.sha256(f"totp:{SECRET_KEY}".encode()).digest()).decode()]

DEBUG = env_bool("OPENCSC_DEBUG", default=ENVIRONMENT == "development") and not PRODUCTION
ALLOWED_HOSTS = os.environ.get("OPENCSC_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("OPENCSC_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

AUTHORITY_NAME = os.environ.get("OPENCSC_AUTHORITY_NAME", "Shire County Council")
AUTHORITY_LA_CODE = os.environ.get("OPENCSC_LA_CODE", "825")  # DfE number, used in returns
AUTHORITY_ONS_CODE = os.environ.get("OPENCSC_LA_ONS_CODE", "E06000060")  # ONS upper-tier code, for geography

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "opencsc.core",
    "opencsc.accounts",
    "opencsc.audit",
    "opencsc.people",
    "opencsc.casework",
    "opencsc.frontdoor",
    "opencsc.oversight",
    "opencsc.looked_after",
    "opencsc.legal",
    "opencsc.earlyhelp",
    "opencsc.exploitation",
    "opencsc.allegations",
    "opencsc.privatefostering",
    "opencsc.insight",
    "opencsc.returns",
    "opencsc.workforce",
    "opencsc.finance",
    "opencsc.documents",
    "opencsc.quality",
    "opencsc.attachments",
    "opencsc.api",
    "opencsc.dataflow",
    "opencsc.ui",
    "opencsc.synthetic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "opencsc.ui.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opencsc.audit.context.RequestAddressMiddleware",
    "opencsc.accounts.middleware.RequireTwoFactorMiddleware",
    "opencsc.accounts.middleware.RequirePasswordChangeMiddleware",
    "opencsc.accounts.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "opencsc.ui.errors.PlainErrorPagesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "context_processors": [
                "opencsc.ui.context.navigation",
                "opencsc.ui.form_tokens.form_token_input",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DATA_DIR = Path(os.environ.get("OPENCSC_DATA_DIR", BASE_DIR / "var"))
DEFAULT_SQLITE_PATH = DATA_DIR / "opencsc.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the demo server read while a background task writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "ui:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# The most a form may send (files aside). Above the longest text any field holds, so a paste far too long for a
# note still comes back to its form with the limit and the text; beyond it, a plain "too large" page.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("OPENCSC_STATIC_ROOT", BASE_DIR / "var" / "static"))

# A session ends when the browser closes, after SESSION_SECONDS without a request, and in any case
# SESSION_ABSOLUTE_HOURS after signing in.
SESSION_COOKIE_AGE = int(os.environ.get("OPENCSC_SESSION_SECONDS", 8 * 60 * 60))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = int(float(os.environ.get("OPENCSC_SESSION_ABSOLUTE_HOURS", 10)) * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("OPENCSC_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sign-in back-off: after LIMIT failures for an account (four times as many for an address) each further
# failure doubles the wait before the next try, from BACKOFF up to BACKOFF_MAX (an hour for an address).
# Failures are forgotten WINDOW seconds after the last one.
LOGIN_FAILURE_LIMIT = int(os.environ.get("OPENCSC_LOGIN_FAILURE_LIMIT", 5))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("OPENCSC_LOGIN_FAILURE_WINDOW", 15 * 60))
LOGIN_BACKOFF_SECONDS = int(os.environ.get("OPENCSC_LOGIN_BACKOFF_SECONDS", 30))
LOGIN_BACKOFF_MAX_SECONDS = int(os.environ.get("OPENCSC_LOGIN_BACKOFF_MAX_SECONDS", 5 * 60))
LOGIN_ADDRESS_BACKOFF_MAX_SECONDS = int(os.environ.get("OPENCSC_LOGIN_ADDRESS_BACKOFF_MAX_SECONDS", 60 * 60))
# Single sign-on with the council's OpenID Connect provider (docs/sso.md, ADR 0030). No issuer, no SSO button:
# staff sign in with an OpenCSC password and code. With Microsoft Entra ID the issuer is the tenant's
# https://login.microsoftonline.com/<tenant id>/v2.0. MATCH_CLAIM is the claim compared with an OpenCSC account's
# email address or username at a first sign-in (preferred_username, email, or "none" to accept only identities an
# earlier sign-in linked).
OIDC_ISSUER = os.environ.get("OPENCSC_OIDC_ISSUER", "").strip()
# Discovery is read from <issuer>/.well-known/openid-configuration unless given here (Entra ID's v1.0 endpoint
# publishes issuer https://sts.windows.net/<tenant id>/ from a login.microsoftonline.com address).
OIDC_DISCOVERY_URL = os.environ.get("OPENCSC_OIDC_DISCOVERY_URL", "").strip()
OIDC_CLIENT_ID = os.environ.get("OPENCSC_OIDC_CLIENT_ID", "").strip()
OIDC_CLIENT_SECRET = os.environ.get("OPENCSC_OIDC_CLIENT_SECRET", "")
OIDC_MATCH_CLAIM = os.environ.get("OPENCSC_OIDC_MATCH_CLAIM", "preferred_username").strip()
OIDC_PROVIDER_NAME = os.environ.get("OPENCSC_OIDC_PROVIDER_NAME", "your council account")
OIDC_TIMEOUT_SECONDS = float(os.environ.get("OPENCSC_OIDC_TIMEOUT_SECONDS", 10))
if OIDC_ISSUER and not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "OPENCSC_OIDC_ISSUER needs OPENCSC_OIDC_CLIENT_ID and OPENCSC_OIDC_CLIENT_SECRET"
    )
if OIDC_MATCH_CLAIM not in {"preferred_username", "email", "none"}:
    raise ImproperlyConfigured("OPENCSC_OIDC_MATCH_CLAIM must be preferred_username, email or none")
if PRODUCTION and OIDC_ISSUER and not OIDC_ISSUER.startswith("https://"):
    raise ImproperlyConfigured("OPENCSC_OIDC_ISSUER must be an https:// address in production")
# The most the files of one return check may hold together (a large authority's CIN census is about 20 MB).
RETURN_UPLOAD_LIMIT_MB = int(os.environ.get("OPENCSC_RETURN_UPLOAD_LIMIT_MB", 50))
# Files attached to a child's record or a document (opencsc/attachments): the most one file may hold, and where
# they are kept. By default a private folder under the data directory (a fresh temporary one for the tests); an
# S3-compatible store is django-storages' class in OPENCSC_ATTACHMENT_STORAGE_BACKEND with its options as JSON in
# OPENCSC_ATTACHMENT_STORAGE_OPTIONS (ADR 0015). Never served from a public address.
ATTACHMENT_MAX_MB = int(os.environ.get("OPENCSC_ATTACHMENT_MAX_MB", 20))
ATTACHMENT_STORAGE_BACKEND = os.environ.get(
    "OPENCSC_ATTACHMENT_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
)
ATTACHMENT_STORAGE_OPTIONS = json.loads(os.environ.get("OPENCSC_ATTACHMENT_STORAGE_OPTIONS") or "{}")
if ATTACHMENT_STORAGE_BACKEND == "django.core.files.storage.FileSystemStorage":
    ATTACHMENT_STORAGE_OPTIONS.setdefault(
        "location",
        tempfile.mkdtemp(prefix="opencsc-test-attachments-")
        if ENVIRONMENT == "test"
        else str(DATA_DIR / "attachments"),
    )
    ATTACHMENT_STORAGE_OPTIONS.setdefault("file_permissions_mode", 0o600)
    ATTACHMENT_STORAGE_OPTIONS.setdefault("directory_permissions_mode", 0o700)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": {"BACKEND": ATTACHMENT_STORAGE_BACKEND, "OPTIONS": ATTACHMENT_STORAGE_OPTIONS},
}
FILE_UPLOAD_HANDLERS = [
    "opencsc.attachments.uploads.AttachmentSizeLimit",
    "opencsc.returns.uploads.UploadLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if ENVIRONMENT == "test":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPENCSC_LOG_LEVEL", "WARNING")},
}
# How many proxies in front of the service append to X-Forwarded-For (0: the service is reached directly).
# OPENCSC_TRUST_X_FORWARDED_FOR=1, the older switch, means one proxy.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("OPENCSC_TRUSTED_PROXIES")
    or (1 if env_bool("OPENCSC_TRUST_X_FORWARDED_FOR", False) else 0)
)
SESSION_SAVE_EVERY_REQUEST = True  # activity, including note autosave, keeps a session alive

EMAIL_BACKEND = os.environ.get("OPENCSC_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("OPENCSC_FROM_EMAIL", "childrens.services@example.gov.uk")
EMAIL_HOST = os.environ.get("OPENCSC_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("OPENCSC_EMAIL_PORT", 25))
EMAIL_USE_TLS = env_bool("OPENCSC_EMAIL_USE_TLS", False)
# Emails go from background tasks, retried on failure; a mail server that never answers must not hold a worker.
EMAIL_TIMEOUT = int(os.environ.get("OPENCSC_EMAIL_TIMEOUT", 30))
# The public partner form: a hospital or police station sends every referral from one address, so the per-address
# ceiling only stops floods; the per-referrer limit is the one a person meets (see opencsc/frontdoor/partner.py).
PARTNER_FORM_LIMIT_PER_HOUR = int(os.environ.get("OPENCSC_PARTNER_FORM_LIMIT_PER_HOUR", 60))
PARTNER_FORM_LIMIT_PER_EMAIL_PER_HOUR = int(
    os.environ.get("OPENCSC_PARTNER_FORM_LIMIT_PER_EMAIL_PER_HOUR", 10)
)
# Shown wherever a referrer is told to phone the front door. The default is a fictional (Ofcom drama) number.
FRONT_DOOR_PHONE = os.environ.get("OPENCSC_FRONT_DOOR_PHONE", "" if PRODUCTION else "01632 960 000")

# The DfE children's social care data flow (opencsc/dataflow, docs/dataflow.md): where records are posted and the
# OAuth2 client credentials the DfE issues. Nothing is sent while the endpoint, token URL, client id or secret is
# unset; the secret and the supplier (subscription) key come from the environment only.
DATAFLOW = {
    "ENDPOINT": os.environ.get("OPENCSC_DATAFLOW_ENDPOINT", ""),
    "TOKEN_URL": os.environ.get("OPENCSC_DATAFLOW_TOKEN_URL", ""),
    "CLIENT_ID": os.environ.get("OPENCSC_DATAFLOW_CLIENT_ID", ""),
    "CLIENT_SECRET": os.environ.get("OPENCSC_DATAFLOW_CLIENT_SECRET", ""),
    "SCOPE": os.environ.get("OPENCSC_DATAFLOW_SCOPE", ""),
    "SUPPLIER_KEY": os.environ.get("OPENCSC_DATAFLOW_SUPPLIER_KEY", ""),
    "BATCH_SIZE": int(os.environ.get("OPENCSC_DATAFLOW_BATCH_SIZE", 100)),
    "TIMEOUT_SECONDS": int(os.environ.get("OPENCSC_DATAFLOW_TIMEOUT", 30)),
    "RETRY_BASE_SECONDS": int(os.environ.get("OPENCSC_DATAFLOW_RETRY_BASE_SECONDS", 60)),
    "RETRY_MAX_SECONDS": int(os.environ.get("OPENCSC_DATAFLOW_RETRY_MAX_SECONDS", 6 * 3600)),
}
