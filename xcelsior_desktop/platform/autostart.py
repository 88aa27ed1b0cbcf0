"""Start at login, the way each OS expects it (Qt-free).

- Linux and other XDG desktops: an autostart entry ``$XDG_CONFIG_HOME/autostart/<app id>.desktop``
  (XDG Autostart specification; ``~/.config`` when the variable is unset).
- macOS: a LaunchAgent ``~/Library/LaunchAgents/<app id>.plist`` with ``RunAtLoad``; launchd reads it at login.
- Windows: a value in ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``. The Inno Setup installer's
  "start at login" task writes the same value, so the app's setting and the installer agree.

The state lives in the OS (the file or the registry value), never in settings.json, so what the Settings dialog
shows is what will happen at the next login, whoever changed it.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import shutil
import subprocess
import sys
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

from xcelsior_desktop.common.atomic_file import write_bytes_atomic

APP_ID = "io.github.xcelsiordesktop.XcelsiorDesktop"  # same id as the .desktop entry and the macOS bundle
APP_NAME = "Xcelsior Desktop"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
STARTUP_APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
RUN_VALUE = APP_NAME  # the Inno Setup script uses this exact value name


class AutostartError(Exception):
    """Start at login could not be changed; ``user_message`` says what to do."""

    def __init__(self, detail: str, *, user_message: str) -> None:
        super().__init__(detail)
        self.user_message = user_message


def launch_command() -> list[str]:
    """How the login session should start this app: the frozen executable, the installed script, or ``-m``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = shutil.which("xcelsior-desktop")
    if script:
        return [str(Path(script).resolve())]
    return [sys.executable, "-m", "xcelsior_desktop"]


def _write_failed(where: object, exc: OSError) -> AutostartError:
    return AutostartError(
        f"cannot write {where}: {exc}",
        user_message=f"Could not change start at login ({exc.strerror or exc}). Check that {where} is writable.",
    )


class Autostart(ABC):
    """Start-at-login switch for one OS."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the switch lives, in words a user can look up."""

    @abstractmethod
    def is_enabled(self) -> bool: ...

    @abstractmethod
    def enable(self, command: Sequence[str] | None = None) -> None:
        """Start ``command`` (default :func:`launch_command`) at every login."""

    @abstractmethod
    def disable(self) -> None:
        """Stop starting at login; nothing happens if it was not enabled."""

    def set_enabled(self, enabled: bool, command: Sequence[str] | None = None) -> None:
        if enabled:
            self.enable(command)
        else:
            self.disable()


class _FileAutostart(Autostart):
    """A switch that is one file: present (with our command) = on, absent = off."""

    path: Path

    @property
    def location(self) -> str:
        return str(self.path)

    @abstractmethod
    def content(self, command: Sequence[str]) -> bytes:
        """The file that starts ``command`` at login."""

    def enable(self, command: Sequence[str] | None = None) -> None:
        try:
            write_bytes_atomic(self.path, self.content(command or launch_command()), mode=0o644)
        except OSError as exc:
            raise _write_failed(self.path, exc) from exc

    def disable(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise _write_failed(self.path, exc) from exc


# -- Linux / XDG -----------------------------------------------------------------------------------------------

_EXEC_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def quote_exec_arg(arg: str) -> str:
    """One argument of a desktop entry ``Exec=`` key (Desktop Entry Specification, "The Exec key").

    Arguments with reserved characters are double-quoted with ``"`\\$`` backslash-escaped inside; the string
    escape rule (a backslash written as two) applies on top of that, and a literal ``%`` is written ``%%``.
    """
    arg = arg.replace("%", "%%")
    if arg and not (set(arg) & _EXEC_RESERVED):
        return arg
    quoted = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return '"' + quoted.replace("\\", "\\\\") + '"'


class XdgAutostart(_FileAutostart):
    """``$XDG_CONFIG_HOME/autostart/<app id>.desktop``."""

    def __init__(self, config_home: Path | None = None) -> None:
        if config_home is None:
            env = os.environ.get("XDG_CONFIG_HOME", "")
            config_home = Path(env) if os.path.isabs(env) else Path.home() / ".config"  # the spec ignores relative
        self.path = config_home / "autostart" / f"{APP_ID}.desktop"

    def entry(self, command: Sequence[str]) -> str:
        return (
            "[Desktop Entry]\n"
            "Type=Application\n"
            f"Name={APP_NAME}\n"
            "Comment=Live electricity use from your smart meter, in the system tray\n"
            f"Exec={' '.join(quote_exec_arg(a) for a in command)}\n"
            "Icon=xcelsior-desktop\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n"
            # tray icons need the panel: give it a moment on desktops that honour this key
            "X-GNOME-Autostart-Delay=5\n"
        )

    def is_enabled(self) -> bool:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError:
            return False
        keys = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
        if keys.get("Hidden", "false").strip().lower() == "true":
            return False
        return keys.get("X-GNOME-Autostart-enabled", "true").strip().lower() != "false"

    def content(self, command: Sequence[str]) -> bytes:
        return self.entry(command).encode("utf-8")


# -- macOS -----------------------------------------------------------------------------------------------------


class MacLaunchAgent(_FileAutostart):
    """``~/Library/LaunchAgents/<app id>.plist``, loaded by launchd at the next login."""

    def __init__(self, home: Path | None = None) -> None:
        self.path = (home or Path.home()) / "Library" / "LaunchAgents" / f"{APP_ID}.plist"

    @staticmethod
    def plist(command: Sequence[str]) -> bytes:
        return plistlib.dumps(
            {
                "Label": APP_ID,
                "ProgramArguments": list(command),
                "RunAtLoad": True,
                "KeepAlive": False,  # Quit in the tray menu means quit
                "ProcessType": "Interactive",
                "LimitLoadToSessionType": "Aqua",  # only in a graphical login, not over ssh
            },
            fmt=plistlib.FMT_XML,
        )

    def is_enabled(self) -> bool:
        try:
            data = plistlib.loads(self.path.read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return bool(data.get("RunAtLoad")) and not data.get("Disabled", False)

    def content(self, command: Sequence[str]) -> bytes:
        return self.plist(command)


# -- Windows ---------------------------------------------------------------------------------------------------


class WindowsRunKey(Autostart):
    r"""``HKCU\Software\Microsoft\Windows\CurrentVersion\Run`` value ``Xcelsior Desktop``.

    Task Manager's "Disable" leaves the Run value and marks it off under ``Explorer\StartupApproved\Run``
    (first byte odd = disabled); that counts as disabled here, and enabling clears the mark.
    """

    def __init__(self, value_name: str = RUN_VALUE) -> None:
        import winreg  # only on Windows

        self._winreg = winreg
        self.value_name = value_name

    @property
    def location(self) -> str:
        return f"HKEY_CURRENT_USER\\{RUN_KEY} ({self.value_name})"

    def command_line(self) -> str | None:
        winreg = self._winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                value, _kind = winreg.QueryValueEx(key, self.value_name)
        except OSError:
            return None
        return str(value)

    def _approved_off(self) -> bool:
        winreg = self._winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, STARTUP_APPROVED_KEY) as key:
                value, _kind = winreg.QueryValueEx(key, self.value_name)
        except OSError:
            return False
        return isinstance(value, bytes) and len(value) > 0 and value[0] % 2 == 1

    def is_enabled(self) -> bool:
        return self.command_line() is not None and not self._approved_off()

    def enable(self, command: Sequence[str] | None = None) -> None:
        winreg = self._winreg
        line = subprocess.list2cmdline(list(command or launch_command()))
        try:
            with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
                winreg.SetValueEx(key, self.value_name, 0, winreg.REG_SZ, line)
        except OSError as exc:
            raise _write_failed(self.location, exc) from exc
        with contextlib.suppress(OSError), winreg.OpenKey(
            winreg.HKEY_CURRENT_USER, STARTUP_APPROVED_KEY, 0, winreg.KEY_SET_VALUE
        ) as key:
            winreg.DeleteValue(key, self.value_name)

    def disable(self) -> None:
        winreg = self._winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, self.value_name)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise _write_failed(self.location, exc) from exc


def for_platform(platform: str | None = None) -> Autostart:
    """The start-at-login switch for this OS (or for ``platform``, a ``sys.platform`` value)."""
    platform = platform or sys.platform
    if platform == "win32":
        return WindowsRunKey()
    if platform == "darwin":
        return MacLaunchAgent()
    return XdgAutostart()
