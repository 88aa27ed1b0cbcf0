"""Install, upgrade, self-test and uninstall the Inno Setup installer silently, and check what each step leaves.

Why: an installer is only known to work once it has installed, upgraded and uninstalled the program the way a
user's Windows does it. ``build.py --inno --install-check`` runs this on real Windows (the GitHub workflow) and,
through ``build.py --wine``, in the Wine prefix on Linux: the same checks in both places. Windows only, standard
library only; loaded by path from build.py (packaging/ is no package).

What it checks, in order:
1. an older version (this bundle under the version ``OLD_VERSION``, from the same .iss) installs per user with
   "start at login" unticked: program folder in %LOCALAPPDATA%\\Programs, Start menu entries, uninstall entry;
2. the new installer upgrades it in place: one uninstall entry with the new version, files the old version had and
   the new one has not are gone, the user's settings and history untouched, the user's "start at login" choice
   kept (it is ticked by default); the installed program's version resource and the installer's say the version
   and publisher; the installed --self-test passes;
3. with start at login switched on by the app's own setting, the uninstaller removes the program folder, Start menu
   entries, Run value and uninstall entry, and keeps the user's data;
4. installed afresh (start at login ticked by default), ``unins000.exe /DELETEUSERDATA`` removes the user's data too.

It refuses to run where the app is already installed or its data exists, unless ``XCELSIOR_INSTALL_CHECK_CLEAN=1``
says the account is a throwaway one (build.py --wine's prefix), where it clears both first.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

APP_NAME = "Xcelsior Desktop"
EXE = "xcelsior-desktop.exe"
PUBLISHER = "Xcelsior Desktop developers"
# The .iss AppId; Inno Setup names the uninstall key after it, with "_is1"
UNINSTALL_KEY = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\{6C1D2F0B-6A1E-4D53-9C55-3E0F4B8A7D21}_is1"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = APP_NAME  # xcelsior_desktop/platform/autostart.py RUN_VALUE
OLD_VERSION = "0.0.1"
SILENT = ["/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/SP-"]
STALE_FILE = "_internal/left-by-an-older-version.dll"
SETTINGS_BYTES = b'{"note": "written by the install check: an upgrade must keep it"}\n'
HISTORY_BYTES = b"history written by the install check: an upgrade must keep it\n"
TIMEOUT_S = 300.0
# The installer and uninstaller say nothing on their standard handles (the log file has it all), and a process they
# start (Wine's explorer.exe, say) may inherit a pipe and keep it open long after they ended: no pipes for them.
QUIET: dict[str, int] = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}


class CheckFailed(SystemExit):
    """An install step did not leave what a user expects."""


def log(message: str) -> None:
    print(f"install-check: {message}", flush=True)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(f"install-check: FAILED: {message}")


# -- where things are ------------------------------------------------------------------------------------------


def program_dir() -> Path:
    return Path(os.environ["LOCALAPPDATA"]) / "Programs" / APP_NAME


def start_menu_entries() -> list[Path]:
    folder = Path(os.environ["APPDATA"]) / "Microsoft" / "Windows" / "Start Menu" / "Programs"
    return [folder / f"{APP_NAME}.lnk", folder / f"{APP_NAME} demo (no meter needed).lnk"]


def user_data_dirs() -> list[Path]:
    """The app's folders (xcelsior_desktop/platform/paths.py): settings roaming, history and logs local."""
    return [Path(os.environ["APPDATA"]) / APP_NAME, Path(os.environ["LOCALAPPDATA"]) / APP_NAME]


def user_data_files() -> dict[Path, bytes]:
    config, data = user_data_dirs()
    return {config / "settings.json": SETTINGS_BYTES, data / "history.sqlite3": HISTORY_BYTES}


def registry_value(key: str, name: str) -> str | None:
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
            return str(winreg.QueryValueEx(handle, name)[0])
    except OSError:
        return None


def set_run_value(command: str) -> None:
    import winreg

    with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
        winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, command)


def delete_run_value() -> None:
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, RUN_VALUE)
    except FileNotFoundError:
        pass


def installed_version() -> str | None:
    return registry_value(UNINSTALL_KEY, "DisplayVersion")


def version_strings(path: Path) -> dict[str, str]:
    """A file's version resource strings (what Explorer shows under Properties, Details)."""
    version = ctypes.windll.version  # type: ignore[attr-defined]
    size = version.GetFileVersionInfoSizeW(str(path), None)
    expect(size > 0, f"{path.name} has no version resource")
    buffer = ctypes.create_string_buffer(size)
    expect(bool(version.GetFileVersionInfoW(str(path), 0, size, buffer)), f"cannot read {path.name}'s version")
    pointer, length = ctypes.c_void_p(), ctypes.c_uint()
    version.VerQueryValueW(buffer, "\\VarFileInfo\\Translation", ctypes.byref(pointer), ctypes.byref(length))
    expect(length.value >= 4, f"{path.name}'s version resource has no translation table")
    language, codepage = ctypes.cast(pointer, ctypes.POINTER(ctypes.c_uint16 * 2)).contents
    strings = {}
    for name in ("CompanyName", "ProductName", "ProductVersion", "FileVersion", "FileDescription"):
        block = f"\\StringFileInfo\\{language:04x}{codepage:04x}\\{name}"
        if version.VerQueryValueW(buffer, block, ctypes.byref(pointer), ctypes.byref(length)) and length.value:
            strings[name] = ctypes.wstring_at(pointer, length.value).rstrip("\0").strip()  # Inno pads them
    return strings


# -- running the installer and the uninstaller -----------------------------------------------------------------


def install(installer: Path, log_dir: Path, *extra: str) -> None:
    log_file = log_dir / f"{installer.stem}-install.log"
    started = time.monotonic()
    result = subprocess.run([str(installer), *SILENT, f"/LOG={log_file}", *extra], timeout=TIMEOUT_S, **QUIET)
    expect(result.returncode == 0, f"{installer.name} exited {result.returncode} (log: {log_file})")
    expect((program_dir() / EXE).is_file(), f"{installer.name} exited 0 but {program_dir() / EXE} is not there")
    log(f"{' '.join([installer.name, *extra])} installed in {time.monotonic() - started:.0f} s")


def uninstall(log_dir: Path, *extra: str) -> None:
    """Run the uninstaller and wait until it has finished.

    unins000.exe starts a copy of itself and returns at once; that copy removes the files and the uninstall entry
    and only then runs the script's last step (the Run value, the user's data). Its log's closing line is the one
    sign that all of it is done.
    """
    uninstaller = program_dir() / "unins000.exe"
    expect(uninstaller.is_file(), f"no uninstaller at {uninstaller}")
    log_file = log_dir / f"uninstall-{len(list(log_dir.glob('uninstall-*.log'))) + 1}.log"
    started = time.monotonic()
    result = subprocess.run([str(uninstaller), *SILENT, f"/LOG={log_file}", *extra], timeout=TIMEOUT_S, **QUIET)
    expect(result.returncode == 0, f"the uninstaller exited {result.returncode}")
    while not (log_file.is_file() and "Log closed." in log_file.read_text(encoding="utf-8", errors="replace")):
        expect(time.monotonic() - started < TIMEOUT_S, f"the uninstaller did not finish in {TIMEOUT_S:.0f} s "
               f"(log: {log_file})")
        time.sleep(0.5)
    log(f"{' '.join(['uninstalled', *extra])} in {time.monotonic() - started:.0f} s")


def clear_leftovers(log_dir: Path) -> None:
    """Start from nothing: uninstall an earlier run's copy and remove its data (throwaway accounts only)."""
    present = [p for p in (program_dir(), *user_data_dirs()) if p.exists()] + (
        ["uninstall entry"] if installed_version() else []) + (
        ["Run value"] if registry_value(RUN_KEY, RUN_VALUE) is not None else [])
    if not present:
        return
    if os.environ.get("XCELSIOR_INSTALL_CHECK_CLEAN") != "1":
        raise CheckFailed(f"install-check: {APP_NAME} is already here ({present}); run the check on a clean account, "
                          "or set XCELSIOR_INSTALL_CHECK_CLEAN=1 to have it uninstalled and its data deleted first")
    if (program_dir() / "unins000.exe").is_file():
        uninstall(log_dir, "/DELETEUSERDATA")
    for path in (program_dir(), *user_data_dirs()):
        shutil.rmtree(path, ignore_errors=True)
    delete_run_value()
    log(f"cleared what an earlier run left: {present}")


# -- the check -------------------------------------------------------------------------------------------------


def check_installed(version: str, start_at_login: bool) -> None:
    expect(installed_version() == version, f"the uninstall entry says version {installed_version()}, not {version}")
    expect(registry_value(UNINSTALL_KEY, "Publisher") == PUBLISHER, "the uninstall entry names no publisher")
    missing = [str(p) for p in start_menu_entries() if not p.is_file()]
    expect(not missing, f"Start menu entries missing: {missing}")
    run_value = registry_value(RUN_KEY, RUN_VALUE)
    if start_at_login:
        expect(run_value is not None and str(program_dir() / EXE).lower() in run_value.lower(),
               f"the Run value is {run_value!r}, not the installed program")
    else:
        expect(run_value is None, f"start at login was not chosen but the Run value is {run_value!r}")


def check(installer: Path, version: str, work: Path, build_inno: Callable[..., Path],
          run_self_test: Callable[[Path, str], float]) -> None:
    """The whole install / upgrade / self-test / uninstall cycle; SystemExit on the first thing that is wrong."""
    expect(sys.platform == "win32", "the install check runs on Windows (or under Wine)")
    started = time.monotonic()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log(f"user profile {Path(os.environ['USERPROFILE'])}, program folder {program_dir()}")
    clear_leftovers(work)
    # The installer's own file properties
    setup_strings = version_strings(installer)
    expect(setup_strings.get("ProductVersion") == version and setup_strings.get("CompanyName") == PUBLISHER,
           f"{installer.name}'s version resource says {setup_strings}")

    # 1. an older version, start at login unticked
    old = build_inno(OLD_VERSION, output_dir=work, compression="zip/1")
    install(old, work, "/MERGETASKS=!startatlogin")
    check_installed(OLD_VERSION, start_at_login=False)
    for path, content in user_data_files().items():  # what the older version's user has made by now
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (program_dir() / STALE_FILE).write_bytes(b"a library the new version no longer ships\n")

    # 2. the upgrade, in place: the user's earlier choice of tasks stays (Inno's UsePreviousTasks), not the default
    install(installer, work)
    check_installed(version, start_at_login=False)
    expect(not (program_dir() / STALE_FILE).exists(), f"the upgrade left {STALE_FILE} of the older version")
    for path, content in user_data_files().items():
        expect(path.is_file() and path.read_bytes() == content, f"the upgrade changed or removed {path}")
    exe_strings = version_strings(program_dir() / EXE)
    expect(exe_strings.get("ProductVersion") == version and exe_strings.get("CompanyName") == PUBLISHER,
           f"{EXE}'s version resource says {exe_strings}")
    log(f"upgrade {OLD_VERSION} -> {version} in place: settings and history kept, start at login kept, "
        f"{EXE} says {exe_strings.get('ProductName')} {exe_strings.get('ProductVersion')} by {exe_strings.get('CompanyName')}")
    seconds = run_self_test(program_dir() / EXE, "the installed program")
    log(f"installed program's --self-test passed in {seconds:.1f} s")

    # 3. start at login switched on in the app's Settings (autostart.WindowsRunKey writes this), then uninstalled:
    # the program and the Run value go, the user's data stays
    set_run_value(f'"{program_dir() / EXE}"')
    uninstall(work)
    left = [str(p) for p in (program_dir(), *start_menu_entries()) if p.exists()]
    expect(not left, f"the uninstaller left {left}")
    expect(registry_value(RUN_KEY, RUN_VALUE) is None, "the uninstaller left the Run value the app had set")
    expect(installed_version() is None, "the uninstaller left the uninstall entry")
    for path, content in user_data_files().items():
        expect(path.is_file() and path.read_bytes() == content, f"the uninstaller removed {path} without being asked")
    log("uninstalled: program folder, Start menu entries, Run value and uninstall entry gone; user data kept")

    # 4. a fresh install takes the default tasks (start at login ticked); uninstalled with the user's data,
    # nothing at all is left
    install(installer, work)
    check_installed(version, start_at_login=True)
    uninstall(work, "/DELETEUSERDATA")
    left = [str(p) for p in (program_dir(), *start_menu_entries(), *user_data_dirs()) if p.exists()]
    expect(not left, f"the uninstaller with /DELETEUSERDATA left {left}")
    expect(registry_value(RUN_KEY, RUN_VALUE) is None, "the uninstaller left the Run value")
    log(f"install check passed in {time.monotonic() - started:.0f} s")
