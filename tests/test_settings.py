"""Safe by default: production settings unless the demo or the tests ask otherwise, and production refuses
to start with anything that would make it unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
STRONG_KEY = "k7#Qv9!zR2@pL5$wX8^nB3&mT6*yC1(dF4)gH0_jU-aZ9-Y8+w-e5Rt-Lm3"
TOTP_KEY = Fernet.generate_key().decode()
PRODUCTION = {
    "OPENCSC_ENV": "production",
    "OPENCSC_SECRET_KEY": STRONG_KEY,
    "OPENCSC_TOTP_KEY": TOTP_KEY,
    "OPENCSC_REQUIRE_TWO_FACTOR": "1",
}


def _run(code: str, **env) -> subprocess.CompletedProcess:
    """Python code run in a fresh process with only the given OPENCSC_ settings (none of this shell's)."""
    base = {name: value for name, value in os.environ.items() if not name.startswith("OPENCSC_")}
    base["DJANGO_SETTINGS_MODULE"] = "config.settings"
    variables = {**base, **{name: value for name, value in env.items() if value is not None}}
    return subprocess.run(
        [sys.executable, "-c", code], env=variables, capture_output=True, text=True, cwd=ROOT
    )


SETTINGS = "from django.conf import settings as s; print(s.ENVIRONMENT, s.DEBUG)"


def test_tests_run_under_the_test_profile():
    assert settings.ENVIRONMENT == "test"


def test_with_no_environment_set_the_service_runs_production_settings():
    refused = _run(SETTINGS)
    assert refused.returncode != 0 and "OPENCSC_SECRET_KEY must be set in production" in refused.stderr
    configured = _run(SETTINGS, OPENCSC_SECRET_KEY=STRONG_KEY, OPENCSC_TOTP_KEY=TOTP_KEY)
    assert configured.stdout.split() == ["production", "False"], configured.stderr


@pytest.mark.parametrize(
    "key, reason",
    [
        ("", "must be set in production"),
        ("insecure-development-key-never-used-in-production", "published development key"),
        ("django-insecure-" + "a1b2c3d4e5" * 5, "published development key"),
        ("short-but-random-9f8e7d", "too weak"),
        ("x" * 60, "too weak"),
    ],
)
def test_production_refuses_a_missing_or_weak_secret_key(key, reason):
    result = _run(SETTINGS, **{**PRODUCTION, "OPENCSC_SECRET_KEY": key})
    assert result.returncode != 0 and reason in result.stderr


def test_production_refuses_two_factor_switched_off():
    result = _run(SETTINGS, **{**PRODUCTION, "OPENCSC_REQUIRE_TWO_FACTOR": "0"})
    assert result.returncode != 0 and "OPENCSC_REQUIRE_TWO_FACTOR cannot be switched off" in result.stderr


def test_production_refuses_to_start_without_the_two_factor_encryption_key():
    result = _run(SETTINGS, **{**PRODUCTION, "OPENCSC_TOTP_KEY": None})
    assert result.returncode != 0 and "OPENCSC_TOTP_KEY must be set in production" in result.stderr


@pytest.mark.parametrize(
    "sso, reason",
    [
        ({"OPENCSC_OIDC_CLIENT_SECRET": ""}, "OPENCSC_OIDC_ISSUER needs OPENCSC_OIDC_CLIENT_ID"),
        ({"OPENCSC_OIDC_ISSUER": "http://idp.example"}, "OPENCSC_OIDC_ISSUER must be an https:// address"),
        ({"OPENCSC_OIDC_MATCH_CLAIM": "name"}, "OPENCSC_OIDC_MATCH_CLAIM must be preferred_username"),
    ],
)
def test_production_refuses_an_incomplete_or_unsafe_single_sign_on(sso, reason):
    complete = {
        "OPENCSC_OIDC_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
        "OPENCSC_OIDC_CLIENT_ID": "opencsc",
        "OPENCSC_OIDC_CLIENT_SECRET": "secret",
    }
    assert _run(SETTINGS, **PRODUCTION, **complete).returncode == 0
    result = _run(SETTINGS, **PRODUCTION, **{**complete, **sso})
    assert result.returncode != 0 and reason in result.stderr


def test_production_profile_has_no_debug_and_secure_cookies():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = _run(code, **{**PRODUCTION, "OPENCSC_DEBUG": "1"})
    assert result.stdout.split() == ["False", "True", "True", "True"], result.stderr


def test_the_demo_asks_for_development_settings():
    code = (
        "import os; from opencsc.cli import DEVELOPMENT_COMMANDS, main; "
        "print('demo' in DEVELOPMENT_COMMANDS); "
        "import sys; sys.argv = ['opencsc', 'demo', '--help']; main()"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert "OPENCSC_ENV=development" in (ROOT / "scripts" / "demo").read_text()


def test_opencsc_totp_refuses_to_run_in_production(tmp_path):
    result = _run(
        "from opencsc.cli import main; main(['totp', 'sw.demo'])",
        **PRODUCTION,
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    assert result.returncode != 0 and "will not run in production" in result.stderr
