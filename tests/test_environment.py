"""The environment the scripts create: current build tools, and every installed version locked in the
repository so that it can be audited (pip-audit -r requirements-test.lock)."""

import re
from importlib.metadata import distributions, requires, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ("requirements.lock", "requirements-test.lock")
# setuptools before 78.1.1 has published vulnerabilities (CVE-2022-40897, CVE-2024-6345, CVE-2025-47273).
FIRST_SAFE_SETUPTOOLS = Version("78.1.1")


def _pins(lock: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / lock).read_text().splitlines():
        if line and not line.startswith("#"):
            name, pinned = line.split("==")
            pins[_normal(name)] = pinned
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize("lock", LOCKS)
def test_every_line_of_a_lock_pins_one_exact_version(lock):
    lines = [line for line in (ROOT / lock).read_text().splitlines() if line and not line.startswith("#")]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.+!\-]+", line) for line in lines), lines


@pytest.mark.parametrize("lock", LOCKS)
def test_the_locks_hold_current_build_tools(lock):
    pins = _pins(lock)
    assert Version(pins["setuptools"]) >= FIRST_SAFE_SETUPTOOLS
    assert {"pip", "wheel"} <= pins.keys()


def test_the_environment_has_the_locked_build_tools_not_the_old_setuptools():
    pins = _pins("requirements-test.lock")
    assert Version(version("setuptools")) >= FIRST_SAFE_SETUPTOOLS
    for tool in ("pip", "setuptools", "wheel"):
        assert version(tool) == pins[tool], tool


def test_every_installed_package_is_in_the_test_lock_at_its_installed_version():
    pins = _pins("requirements-test.lock")
    installed = {_normal(dist.metadata["Name"]): dist.version for dist in distributions()}
    installed.pop("opencsc")
    assert installed == pins


@pytest.mark.parametrize("extra, lock", [(None, "requirements.lock"), ("test", "requirements-test.lock")])
def test_every_dependency_of_opencsc_is_locked_within_its_range(extra, lock):
    pins = _pins(lock)
    for text in requires("opencsc"):
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate({"extra": extra or ""}):
            continue
        name = _normal(requirement.name)
        assert name in pins, f"{name} is not in {lock}: run scripts/lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
