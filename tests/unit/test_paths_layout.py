"""Where the app's folders are on each OS: where earlier versions put them, so an update finds a user's settings,
history, identity record and logs again. Each OS's layout is computed here on any OS (nothing is created)."""

from __future__ import annotations

from pathlib import Path

import pytest

from xcelsior_desktop.platform import paths

XDG_HOMES = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
UNIX_LIKE = ("linux", "freebsd14", "cygwin")


def _paths(layout: paths.Layout) -> tuple[Path, Path, Path, Path]:
    return layout.config.path, layout.data.path, layout.state.path, layout.logs.path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home" / "alice"
    monkeypatch.setenv("HOME", str(home))
    for var in XDG_HOMES:
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def known_folders(monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The Roaming and Local AppData folders the Windows shell would name.

    The shell's known-folder lookup does not exist off Windows, so its answers come through platformdirs'
    WIN_PD_OVERRIDE_<folder> variables, which it consults first on every OS.
    """
    roaming, local = r"C:\Users\alice\AppData\Roaming", r"C:\Users\alice\AppData\Local"
    monkeypatch.setenv("WIN_PD_OVERRIDE_APPDATA", roaming)
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", local)
    return Path(roaming), Path(local)


@pytest.mark.parametrize("platform", UNIX_LIKE)
def test_unix_without_xdg_variables_uses_the_xdg_defaults_under_home(home: Path, platform: str) -> None:
    assert _paths(paths.layout(platform)) == (
        home / ".config" / "xcelsior-desktop",
        home / ".local" / "share" / "xcelsior-desktop",
        home / ".local" / "state" / "xcelsior-desktop",
        home / ".local" / "state" / "xcelsior-desktop" / "logs",
    )


def test_unix_follows_each_xdg_variable(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "st"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # nothing of the app's lives in the cache
    assert _paths(paths.layout("linux")) == (
        tmp_path / "cfg" / "xcelsior-desktop",
        home / ".local" / "share" / "xcelsior-desktop",  # XDG_DATA_HOME unset: its default
        tmp_path / "st" / "xcelsior-desktop",
        tmp_path / "st" / "xcelsior-desktop" / "logs",
    )
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert paths.layout("linux").data.path == tmp_path / "data" / "xcelsior-desktop"


@pytest.mark.parametrize("value", ["", "relative/folder", "./here"])
def test_unix_ignores_an_empty_or_relative_xdg_variable(home: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    defaults = paths.layout("linux")
    for var in XDG_HOMES:
        monkeypatch.setenv(var, value)  # the XDG spec: a relative path is invalid and is ignored
    assert paths.layout("linux") == defaults
    assert defaults.config.path == home / ".config" / "xcelsior-desktop"


def test_macos_keeps_the_library_folders(home: Path) -> None:
    support = home / "Library" / "Application Support" / "Xcelsior Desktop"
    assert _paths(paths.layout("darwin")) == (
        support, support, support / "state", home / "Library" / "Logs" / "Xcelsior Desktop")


def test_macos_ignores_xdg_variables(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A shell profile's XDG_CONFIG_HOME reaches the app started from a terminal, not the one started from Finder:
    # both must find the same settings.
    from_finder = paths.layout("darwin")
    for var in XDG_HOMES:
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    assert paths.layout("darwin") == from_finder


def test_windows_settings_roam_and_everything_else_stays_local(known_folders: tuple[Path, Path]) -> None:
    roaming, local = known_folders
    assert _paths(paths.layout("win32")) == (
        roaming / "Xcelsior Desktop",
        local / "Xcelsior Desktop",
        local / "Xcelsior Desktop" / "state",
        local / "Xcelsior Desktop" / "logs",
    )


def test_windows_folders_come_from_the_shell_not_from_appdata_variables(
        known_folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    expected = paths.layout("win32")
    monkeypatch.setenv("APPDATA", r"D:\somewhere\else")  # a launcher's environment, not the user's profile
    monkeypatch.setenv("LOCALAPPDATA", r"D:\somewhere\else")
    monkeypatch.delenv("USERPROFILE", raising=False)
    assert paths.layout("win32") == expected


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_only_the_apps_own_folders_are_made_private(
        home: Path, known_folders: tuple[Path, Path], platform: str) -> None:
    """The folders ``_ensure`` tightens to 0700 stop at the app's own one, never ``~/.config`` or ``~/Library``."""
    for folder in paths.layout(platform):
        topmost_private = [folder.path, *folder.path.parents][folder.own - 1]
        assert topmost_private.name == ("xcelsior-desktop" if platform == "linux" else "Xcelsior Desktop"), folder


def test_the_folders_of_this_os_are_made_where_its_layout_says(isolated_home: Path) -> None:
    expected = paths.layout()
    made = (paths.config_dir(), paths.data_dir(), paths.state_dir(), paths.log_dir())
    assert made == _paths(expected)
    assert all(folder.is_dir() for folder in made)
