"""Start at login on Windows: the HKCU Run value, for real, where winreg exists (Windows CI)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

from xcelsior_desktop.platform import autostart

ROOT = Path(__file__).resolve().parents[2]


def test_inno_setup_task_writes_the_value_the_app_reads() -> None:
    """The installer's "start at login" task and the app's setting must name the same Run value."""
    iss = (ROOT / "packaging" / "windows" / "xcelsior-desktop.iss").read_text(encoding="utf-8")
    registry_lines = [line for line in iss.splitlines() if line.startswith("Root: HKCU") and "\\Run" in line]
    assert registry_lines, "no HKCU Run entry in the Inno Setup script"
    line = registry_lines[0]
    assert re.search(r'Subkey: "Software\\Microsoft\\Windows\\CurrentVersion\\Run"', line)
    define = re.search(r'^#define RunValueName "([^"]+)"', iss, re.MULTILINE)
    assert define and define.group(1) == autostart.RUN_VALUE
    assert 'ValueName: "{#RunValueName}"' in line
    assert "Tasks: startatlogin" in line and "uninsdeletevalue" in line
    # and the uninstaller removes the value even when the app's setting (not the task) wrote it
    assert "RegDeleteValue(HKEY_CURRENT_USER, 'Software\\Microsoft\\Windows\\CurrentVersion\\Run', '{#RunValueName}')" in iss
    assert re.search(r"^PrivilegesRequired=lowest$", iss, re.MULTILINE)


@pytest.mark.skipif(importlib.util.find_spec("winreg") is None, reason="winreg exists on Windows only")
def test_run_key_round_trip() -> None:
    import winreg

    switch = autostart.WindowsRunKey(value_name="Xcelsior Desktop test")
    try:
        switch.enable([r"C:\Program Files\Xcelsior Desktop\xcelsior-desktop.exe"])
        assert switch.is_enabled()
        assert switch.command_line() == subprocess.list2cmdline([r"C:\Program Files\Xcelsior Desktop\xcelsior-desktop.exe"])
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, autostart.RUN_KEY) as key:
            value, kind = winreg.QueryValueEx(key, "Xcelsior Desktop test")
        assert kind == winreg.REG_SZ and value.startswith('"C:\\Program Files')
    finally:
        switch.disable()
    assert not switch.is_enabled()
    switch.disable()
