"""Start at login on Linux: a real XDG autostart entry in the test's own $XDG_CONFIG_HOME."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import require_tool
from xcelsior_desktop.platform import autostart
from xcelsior_desktop.platform.autostart import APP_ID, XdgAutostart, quote_exec_arg


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def _unquote_exec(value: str) -> list[str]:
    """Split an Exec= value as the spec says: string escapes first, then quoting (inside quotes a backslash
    escapes one of ``"`$\\``), then ``%%`` -> ``%``."""
    text = value.replace("\\\\", "\\")
    args: list[str] = []
    current, quoted, index, started = "", False, 0, False
    while index < len(text):
        char = text[index]
        if quoted and char == "\\" and index + 1 < len(text) and text[index + 1] in '"`$\\':
            current += text[index + 1]
            index += 2
            continue
        if char == '"':
            quoted, started = not quoted, True
        elif char == " " and not quoted:
            if started:
                args.append(current)
            current, started = "", False
        else:
            current, started = current + char, True
        index += 1
    if started:
        args.append(current)
    return [arg.replace("%%", "%") for arg in args]


def test_enable_writes_the_entry_in_xdg_config_home(isolated_home: Path) -> None:
    switch = XdgAutostart()
    expected = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / f"{APP_ID}.desktop"
    assert switch.path == expected
    assert not switch.is_enabled()

    switch.enable(["/opt/xcelsior-desktop/xcelsior-desktop"])

    assert switch.is_enabled()
    entry = _entry(expected)
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "/opt/xcelsior-desktop/xcelsior-desktop"
    assert entry["X-GNOME-Autostart-enabled"] == "true"
    switch.disable()
    assert not expected.exists()
    assert not switch.is_enabled()
    switch.disable()  # disabling twice is harmless


def test_xdg_config_home_unset_falls_back_to_dot_config(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert XdgAutostart().path == isolated_home / ".config" / "autostart" / f"{APP_ID}.desktop"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")  # the spec says relative paths are ignored
    assert XdgAutostart().path == isolated_home / ".config" / "autostart" / f"{APP_ID}.desktop"


def test_hidden_or_disabled_entries_count_as_off(isolated_home: Path) -> None:
    switch = XdgAutostart()
    switch.enable(["xcelsior-desktop"])
    text = switch.path.read_text(encoding="utf-8")
    switch.path.write_text(text + "Hidden=true\n", encoding="utf-8")
    assert not switch.is_enabled()
    switch.path.write_text(text.replace("X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false"))
    assert not switch.is_enabled()
    switch.set_enabled(True, ["xcelsior-desktop"])
    assert switch.is_enabled()


@pytest.mark.parametrize(
    "command",
    [
        ["/usr/bin/python3", "-m", "xcelsior_desktop"],
        ["/home/ann/My Apps/xcelsior-desktop"],
        ['/tmp/we"ird $dir/back\\slash`tick/100%/app'],
    ],
)
def test_exec_line_round_trips_paths_with_reserved_characters(isolated_home: Path, command: list[str]) -> None:
    switch = XdgAutostart()
    switch.enable(command)
    assert _unquote_exec(_entry(switch.path)["Exec"]) == command


def test_quote_exec_arg_leaves_plain_arguments_alone() -> None:
    assert quote_exec_arg("/opt/xcelsior-desktop/xcelsior-desktop") == "/opt/xcelsior-desktop/xcelsior-desktop"
    assert quote_exec_arg("50%") == "50%%"
    assert quote_exec_arg("a b") == '"a b"'


def test_entry_is_a_valid_desktop_file(isolated_home: Path) -> None:
    require_tool("desktop-file-validate")
    switch = XdgAutostart()
    switch.enable(["/home/ann/My Apps/xcelsior-desktop", "--flag"])
    result = subprocess.run(["desktop-file-validate", str(switch.path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_default_command_starts_this_app(isolated_home: Path) -> None:
    command = autostart.launch_command()
    if shutil.which("xcelsior-desktop"):
        assert Path(command[0]).name == "xcelsior-desktop"
    else:
        assert command == [sys.executable, "-m", "xcelsior_desktop"]
    result = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "xcelsior-desktop" in result.stdout


def test_unwritable_config_dir_raises_with_a_user_message(isolated_home: Path) -> None:
    if os.geteuid() == 0:
        blocker = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart"
        blocker.write_text("a file where the folder should be")  # even root cannot mkdir through a file
    else:
        Path(os.environ["XDG_CONFIG_HOME"]).chmod(0o500)
    with pytest.raises(autostart.AutostartError) as info:
        XdgAutostart().enable(["xcelsior-desktop"])
    assert "start at login" in info.value.user_message


def test_for_platform_picks_the_os_variant() -> None:
    assert isinstance(autostart.for_platform("linux"), XdgAutostart)
    assert isinstance(autostart.for_platform("freebsd14"), XdgAutostart)
    assert isinstance(autostart.for_platform("darwin"), autostart.MacLaunchAgent)
