"""Per-OS folders for settings, data, state and logs, created on demand.

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


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


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
        return _ensure(_home() / "Library" / "Application Support" / MAC_APP_NAME / "state")
    if sys.platform == "win32":
        return _ensure(_windows("LOCALAPPDATA", "AppData/Local") / "state")
    return _ensure(_xdg("XDG_STATE_HOME", ".local/state"))


def log_dir() -> Path:
    """The rotating log file's folder (shown in the About box)."""
    if sys.platform == "darwin":
        return _ensure(_home() / "Library" / "Logs" / MAC_APP_NAME)
    if sys.platform == "win32":
        return _ensure(_windows("LOCALAPPDATA", "AppData/Local") / "logs")
    return _ensure(_xdg("XDG_STATE_HOME", ".local/state") / "logs")
