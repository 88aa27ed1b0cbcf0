"""Helpers for tests that need programs from outside Python (openssl, Xvfb, dbus, ...)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(*names: str) -> None:
    """Skip the test when a program is missing on a developer machine; fail under CI, where it must exist."""
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    message = f"needs {', '.join(missing)} (Debian packages in .ci/apt-packages.txt)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def require_root_netns() -> None:
    """Network-namespace tests need root and `unshare`; skip (or fail under CI) without them."""
    require_tool("unshare", "ip")
    if os.geteuid() != 0:
        if IN_CI:
            pytest.fail("network namespace tests need root")
        pytest.skip("network namespace tests need root")


def load_packaging_module(name: str) -> ModuleType:
    """A module of ``packaging/`` (not a package: the spec and build.py load them by path too)."""
    spec = importlib.util.spec_from_file_location(f"xcelsior_packaging_{name}", ROOT / "packaging" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
