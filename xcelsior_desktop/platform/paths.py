"""Per-OS folders for settings, data, state and logs, created on demand and private to the user (0700).

The folders are where earlier versions put them (moving one would lose a user's settings, history and logs):

- Linux and other Unix: the XDG base directories, by platformdirs' rules: ``$XDG_CONFIG_HOME/xcelsior-desktop``,
  ``$XDG_DATA_HOME/...`` and ``$XDG_STATE_HOME/...`` (the logs in its ``logs/``); a variable that is unset, empty or
  not an absolute path means ``~/.config``, ``~/.local/share`` or ``~/.local/state``.
- Windows: ``Xcelsior Desktop`` in the Roaming AppData folder (settings, which follow a roaming profile) and in the
  Local one (data, ``state``, ``logs``). platformdirs asks the shell for these known folders, so a launcher that
  drops or rewrites ``%APPDATA%`` in the environment does not move them.
- macOS: ``~/Library/Application Support/Xcelsior Desktop`` (``state/`` inside it) and
  ``~/Library/Logs/Xcelsior Desktop``, computed here rather than by platformdirs: on macOS platformdirs lets
  ``$XDG_*`` variables win over ``~/Library``, so a user who sets one in their shell profile would get one set of
  folders when starting the app from a terminal and another (the existing one) when starting it from Finder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

from platformdirs.unix import Unix
from platformdirs.windows import Windows

APP_DIR_NAME = "xcelsior-desktop"  # the folder's name on Linux and other Unix
MAC_APP_NAME = "Xcelsior Desktop"  # ... and on macOS and Windows


class Folder(NamedTuple):
    """One of the app's folders, before anything is created."""

    path: Path
    own: int = 1  # how many of its trailing folders are the app's (made private); those above are the user's


class Layout(NamedTuple):
    """Where each kind of file lives on one OS."""

    config: Folder
    data: Folder
    state: Folder
    logs: Folder


def layout(platform: str | None = None) -> Layout:
    """The folders for ``platform`` (a ``sys.platform`` value, this one's by default), computed from the environment
    without touching the disk."""
    platform = sys.platform if platform is None else platform
    if platform == "darwin":
        return _macos_layout()
    if platform == "win32":
        return _windows_layout()
    return _unix_layout()  # Linux, the BSDs, Cygwin: anything else follows XDG


def _unix_layout() -> Layout:
    # opinion=False: no "log" folder of platformdirs' choosing, the logs stay in our "logs"; use_site_for_root stays
    # off, so root keeps its folders under its own home like any user
    dirs = Unix(appname=APP_DIR_NAME, opinion=False)
    state = dirs.user_state_path
    return Layout(Folder(dirs.user_config_path), Folder(dirs.user_data_path), Folder(state), Folder(state / "logs", 2))


def _windows_layout() -> Layout:
    # appauthor=False: "<known folder>\Xcelsior Desktop", not "<known folder>\<author>\Xcelsior Desktop";
    # roaming picks the Roaming AppData folder (for the settings only); opinion=False: our "logs", not "Logs"
    roaming = Windows(appname=MAC_APP_NAME, appauthor=False, roaming=True, opinion=False).user_config_path
    local = Windows(appname=MAC_APP_NAME, appauthor=False, roaming=False, opinion=False).user_data_path
    return Layout(Folder(roaming), Folder(local), Folder(local / "state", 2), Folder(local / "logs", 2))


def _macos_layout() -> Layout:
    # Not platformdirs, which would follow $XDG_* here (see the module's docstring).
    support = _home() / "Library" / "Application Support" / MAC_APP_NAME
    return Layout(Folder(support), Folder(support), Folder(support / "state", 2),
                  Folder(_home() / "Library" / "Logs" / MAC_APP_NAME))


def _home() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


PRIVATE_DIR_MODE = 0o700


def _ensure(path: Path, levels: int = 1) -> Path:
    """Create ``path`` and make its last ``levels`` folders (the app's own, not ``~/.config``) private.

    New folders are 0700. An existing one loses its group and other bits (an older version made them 0755; they
    hold LFDIs, the meter's address and logs) and keeps its owner's bits as they are: a folder the user made 0500
    is never made writable behind their back.
    """
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if sys.platform != "win32":  # Windows folders under the profile are private through their ACLs
        folder = path
        for _ in range(levels):
            try:
                mode = folder.stat().st_mode & 0o777
                if mode & 0o077:
                    os.chmod(folder, mode & 0o700)
            except OSError:  # not ours to change (a shared XDG folder set up by an admin): leave it
                pass
            folder = folder.parent
    return path


def ensure_private(path: Path) -> Path:
    """A folder of the app's own inside one of the folders below (e.g. ``tariffs/``), private like them."""
    return _ensure(path)


def _made(folder: Folder) -> Path:
    return _ensure(folder.path, folder.own)


def config_dir() -> Path:
    """Where ``settings.json`` lives."""
    return _made(layout().config)


def data_dir() -> Path:
    """Long-lived data (history)."""
    return _made(layout().data)


def state_dir() -> Path:
    """Small runtime state worth keeping across runs (window geometry, lock files)."""
    return _made(layout().state)


def log_dir() -> Path:
    """The rotating log file's folder (shown in the About box)."""
    return _made(layout().logs)
