"""Starts the real OpenID Connect provider (server.mjs: panva's oidc-provider on Node.js) for a test module.

`running_provider(redirect_uris=[...])` yields a TestProvider whose issuer the tests put in OIDC_ISSUER. The
directory of people it knows is DIRECTORY; OpenCSC accounts are made by each test, so the same provider serves
known, unknown and deactivated staff. `real_time` puts the tests' clock back to the real one while they sign in; `sign_in_at_provider` walks the provider's own pages over HTTP (for tests
without a browser): authorise, the provider's sign-in form, and back to OpenCSC's callback URL.
"""

import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
import time_machine

HERE = Path(__file__).resolve().parent
CLIENT_ID = "opencsc-tests"
CLIENT_SECRET = "a client secret only the tests and their provider know"
PASSWORD = "provider password"
START_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class DirectoryPerson:
    login: str
    oid: str
    preferred_username: str
    email: str
    name: str
    mfa: bool


# login at the provider, object id, address (the UPN and the email, as usual at a council), name, passed MFA
DIRECTORY = {
    login: DirectoryPerson(login, oid, address, address, name, mfa)
    for login, oid, address, name, mfa in (
        ("amy", "0f2d6d1e-mfa", "amy.hall@shire.example", "Amy Hall", True),
        ("ben", "8a1c9b7f-nomfa", "ben.okafor@shire.example", "Ben Okafor", False),
        ("zed", "5e5e5e5e-stranger", "zed.unknown@shire.example", "Zed Unknown", True),
        ("cal", "c0c0c0c0-closed", "cal.left@shire.example", "Cal Left", True),
    )
}


@dataclass(frozen=True)
class TestProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


def _accounts_json() -> str:
    return json.dumps(
        {
            login: {
                "password": PASSWORD,
                "sub": f"pairwise-{person.oid}",
                "oid": person.oid,
                "preferred_username": person.preferred_username,
                "email": person.email,
                "name": person.name,
                "mfa": person.mfa,
            }
            for login, person in DIRECTORY.items()
        }
    )


def _wait_for_issuer(process: subprocess.Popen) -> str:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if line.startswith("issuer="):
                return line.strip().removeprefix("issuer=")
            if not line and process.poll() is not None:
                break
    process.kill()
    pytest.fail(f"the test OpenID Connect provider did not start: {process.stderr.read()}")


@contextmanager
def running_provider(*, redirect_uris: list[str]) -> Iterator[TestProvider]:
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "oidc-provider").exists():
        pytest.fail("The test OpenID Connect provider is not installed: run scripts/ensure-oidc-provider")
    client = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris}
    environment = os.environ | {
        "OIDC_TEST_ACCOUNTS": _accounts_json(),
        "OIDC_TEST_CLIENT": json.dumps(client),
        "NODE_NO_WARNINGS": "1",
    }
    process = subprocess.Popen(
        [node, str(HERE / "server.mjs")],
        cwd=HERE,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield TestProvider(issuer=_wait_for_issuer(process))
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def real_time() -> Iterator[None]:
    """The real clock for a sign-in test. tests/conftest.py moves Python's clock to noon of the day the run
    started, but the provider's tokens and cookies and the browser's cookie expiry keep the real time; a provider
    and OpenCSC agree on the time in service too (a token issued "in the future" is refused)."""
    with time_machine.travel(time_machine.escape_hatch.time.time(), tick=True):
        yield


def sign_in_at_provider(
    provider: TestProvider, authorize_url: str, login: str, password: str = PASSWORD
) -> str:
    """Follows the provider's pages as a browser would and returns the URL it sends the browser back to."""
    assert authorize_url.startswith(provider.issuer), authorize_url
    browser = requests.Session()
    response = browser.get(authorize_url, timeout=10)
    assert "/interaction/" in response.url, response.text
    response = browser.post(
        response.url.rstrip("/") + "/login",
        data={"login": login, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    while response.is_redirect:
        target = urljoin(response.url, response.headers["location"])
        if not target.startswith(provider.issuer):
            return target
        response = browser.get(target, allow_redirects=False, timeout=10)
    raise AssertionError(
        f"the provider did not send the browser back: {response.status_code} {response.text}"
    )
