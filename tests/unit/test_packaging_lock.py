"""The bundle's lock (packaging/requirements-lock.txt) covers what pyproject.toml asks for, on every OS, with hashes.

The bundle itself is built from it and self-tested in .ci/run; these checks catch a lock left behind by a change
to pyproject.toml (regenerate it with ``python3 packaging/lock.py``)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "packaging" / "requirements-lock.txt"
ENVIRONMENTS = {
    "linux": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"},
    "windows": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"},
    "macos": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"},
}
PYTHONS = ("3.11", "3.13")


def _pins() -> dict[str, tuple[str, Marker | None, list[str]]]:
    """name -> (version, marker, hashes) for each entry of the lock."""
    pins: dict[str, tuple[str, Marker | None, list[str]]] = {}
    text = LOCK.read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        first = block.strip().splitlines()[0] if block.strip() else ""
        if not first or first.startswith("#"):
            continue
        spec = first.rstrip("\\").strip()
        requirement = Requirement(spec)
        versions = [s.version for s in requirement.specifier if s.operator == "=="]
        assert len(versions) == 1, f"{spec}: not pinned with =="
        pins[canonicalize_name(requirement.name)] = (
            versions[0], requirement.marker, re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return pins


def _project() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]


def test_every_pin_has_hashes() -> None:
    pins = _pins()
    assert len(pins) > 20
    for name, (_version, _marker, hashes) in pins.items():
        assert hashes, f"{name} has no --hash: pip --require-hashes would refuse the lock"


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("os_name", sorted(ENVIRONMENTS))
def test_each_direct_dependency_is_locked_at_an_allowed_version(os_name: str, python: str) -> None:
    pins = _pins()
    environment = {**ENVIRONMENTS[os_name], "python_version": python, "python_full_version": f"{python}.0",
                   "implementation_name": "cpython", "platform_python_implementation": "CPython"}
    project = _project()
    for spec in [*project["dependencies"], *project["optional-dependencies"]["packaging"]]:
        requirement = Requirement(spec)
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in the lock: run python3 packaging/lock.py"
        version, marker, _hashes = pins[name]
        assert marker is None or marker.evaluate(environment), f"{name} is locked, but not for {os_name} {python}"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"the lock has {name} {version}, pyproject.toml asks for {requirement.specifier}: "
            "run python3 packaging/lock.py")
