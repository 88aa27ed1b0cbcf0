"""Start at login on macOS: the LaunchAgent plist is a pure file, so it is written and read for real here."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
from pathlib import Path

import pytest

from xcelsior_desktop.platform.autostart import APP_ID, MacLaunchAgent

APP_BINARY = "/Applications/Xcelsior Desktop.app/Contents/MacOS/xcelsior-desktop"


def test_launch_agent_plist_runs_the_app_at_login(isolated_home: Path) -> None:
    agent = MacLaunchAgent()
    assert agent.path == isolated_home / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    assert not agent.is_enabled()

    agent.enable([APP_BINARY])

    data = plistlib.loads(agent.path.read_bytes())
    assert data["Label"] == APP_ID
    assert data["ProgramArguments"] == [APP_BINARY]  # a list: no shell, spaces need no quoting
    assert data["RunAtLoad"] is True
    assert data["KeepAlive"] is False
    assert data["LimitLoadToSessionType"] == "Aqua"
    assert agent.is_enabled()
    agent.disable()
    assert not agent.path.exists() and not agent.is_enabled()


def test_plist_is_xml_that_plutil_accepts() -> None:
    text = MacLaunchAgent.plist([APP_BINARY]).decode("utf-8")
    assert text.startswith("<?xml") and "<!DOCTYPE plist" in text
    if shutil.which("plutil") is None:
        pytest.skip("plutil exists on macOS only")
    result = subprocess.run(["plutil", "-lint", "-"], input=text, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_disabled_or_damaged_agent_counts_as_off(isolated_home: Path) -> None:
    agent = MacLaunchAgent()
    agent.enable([APP_BINARY])
    data = plistlib.loads(agent.path.read_bytes())
    agent.path.write_bytes(plistlib.dumps({**data, "Disabled": True}))
    assert not agent.is_enabled()
    agent.path.write_bytes(b"not a plist")
    assert not agent.is_enabled()
    agent.set_enabled(True, [APP_BINARY])
    assert agent.is_enabled()
