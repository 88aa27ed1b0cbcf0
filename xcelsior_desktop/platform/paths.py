"""Per-OS folders for settings, data, state and logs, created on demand and private to the user (0700).

Linux and other Unix: XDG base directories (honouring ``XDG_*`` variables); macOS: ``~/Library/...``;
Windows: ``%APPDATA%`` (roaming config) and ``%LOCALAPPDATA%`` (data, state, logs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "xcelsior-desktop"
MAC_APP_NAME = "Xcelsior Desktop"


def _home() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


def _xdg(var: str, default: str) -> Path:
    value = os.environ.get(var, "").strip()
    path = Path(value) if value and os.path.isabs(value) else _home() / default
    return path / APP_DIR_NAME


def _windows(var: str, fallback: str) -> Path:
    value = os.environ.get(var, "").strip()
    return (Path(value) if value else _home() / fallback) / MAC_APP_NAME


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


def config_dir() -> Path:
    """Where ``settings.json`` lives."""
    if sys.platform == "darwin":
        return _ensure(_home() / "Library" / "Application Support" / MAC_APP_NAME)
    if sys.platform == "win32":
        return _ensure(_windows("APPDATA", "AppData/Roaming"))
    return _ensure(_xdg("XDG_CONFIG_HOME", ".config"))


def data_dir() -> Path:
    """Long-lived data (history)."""
    if sys.platform == "darwin":
        return _ensure(_home() / "Library" / "Application Support" / MAC_APP_NAME)
    if sys.platform == "win32":
        return _ensure(_windows("LOCALAPPDATA", "AppData/Local"))
    return _ensure(_xdg("XDG_DATA_HOME", ".local/share"))


def state_dir() -> Path:
    """Small runtime state worth keeping across runs (window geometry, lock files)."""
    if sys.platform == "darwin":
        return _ensure(_home() / "Library" / "Application Support" / MAC_APP_NAME / "state", 2)
    if sys.platform == "win32":
        return _ensure(_windows("LOCALAPPDATA", "AppData/Local") / "state", 2)
    return _ensure(_xdg("XDG_STATE_HOME", ".local/state"))


def log_dir() -> Path:
    """The rotating log file's folder (shown in the About box)."""
    if sys.platform == "darwin":
        return _ensure(_home() / "Library" / "Logs" / MAC_APP_NAME)
    if sys.platform == "win32":
        return _ensure(_windows("LOCALAPPDATA", "AppData/Local") / "logs", 2)
    return _ensure(_xdg("XDG_STATE_HOME", ".local/state") / "logs", 2)
