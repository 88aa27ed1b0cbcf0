"""Helpers for tests that need programs from outside Python (openssl, Xvfb, dbus, ...)."""

from __future__ import annotations

import os
import shutil

import pytest

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
