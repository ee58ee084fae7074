import os
import subprocess
import sys

from django.conf import settings


def test_tests_run_under_the_test_profile():
    assert settings.ENVIRONMENT == "test"


def test_production_profile_refuses_to_start_without_a_secret_key():
    env = {
        **os.environ,
        "OPENCSC_ENV": "production",
        "OPENCSC_SECRET_KEY": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "OPENCSC_SECRET_KEY must be set in production" in result.stderr


def test_production_profile_has_no_debug_and_secure_cookies():
    env = {
        **os.environ,
        "OPENCSC_ENV": "production",
        "OPENCSC_SECRET_KEY": "x" * 50,
        "OPENCSC_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True", "True", "True"]
