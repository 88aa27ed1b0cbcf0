"""The Windows program under Wine, as a user meets it: its icon docked in an X tray, the window with watts, a toast
(the tray icon's balloon message), one instance at a time.

Uses what ``python packaging/build.py --wine`` built (``.ci/run`` runs it before the tests): the bundle in
dist/windows/ and the Wine prefix in $XCELSIOR_WINE_DIR (user "Zoë Tester"). That build already self-tested the bundle and
installed, upgraded, self-tested and uninstalled the installer; this test runs the program itself. It skips when
that build is absent on a developer machine and fails under CI, where .ci/run builds it first.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.tools import IN_CI, ROOT, load_packaging_module, require_tool
from tests.waiting import wait_until
from tests.xserver import docked_windows, gray_deviation, start_trayer, start_xvfb, window_tree

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

wine = load_packaging_module("wine")
SCREENS = ROOT / "build" / "windows" / "screens"


def _poll(predicate, timeout_s: float):  # type: ignore[no-untyped-def]
    """The predicate's first true value within the time, else None."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)  # polling an external process with a deadline
    return None


def _docked_icons(env: dict[str, str]) -> list[tuple[str, int, int, int, int]]:
    """Icons docked in trayer's panel, at least 16 px square: (id, width, height, x, y) in root coordinates."""
    return [(wid, width, height, x, y) for wid, _name, width, height, x, y in docked_windows(env)
            if width >= 16 and height >= 16]


def _start(env: dict[str, str], lines: list[str], *args: str) -> subprocess.Popen[str]:
    """``xcelsior-desktop.exe demo`` in Wine, its output read into ``lines`` by a thread.

    A pipe, never a file: the frozen program cannot start under Wine with a file as its standard output. The test
    waits for the process, never for the pipe's end: Wine's own processes may inherit the pipe and keep it open.
    """
    process = subprocess.Popen(["wine", str(wine.WINDOWS_EXE), "demo", *args], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                               errors="replace", start_new_session=True)

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    return process


def _geometry(env: dict[str, str], window: str) -> tuple[int, int, int, int]:
    """x, y, width, height of an X window in root coordinates."""
    out = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window], env=env, capture_output=True,
                         text=True, check=True).stdout
    values = dict(line.split("=", 1) for line in out.split())
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def _explorer_popups(env: dict[str, str]) -> list[tuple[int, int, int, int]]:
    """Top-level windows of Wine's explorer.exe bigger than an icon: where Wine draws a tray balloon."""
    found = []
    for line in window_tree(env).splitlines():
        m = re.match(r'\s{5}0x[0-9a-f]+ .*\("explorer\.exe" "explorer\.exe"\)\s+(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)', line)
        if m and int(m.group(1)) >= 150 and int(m.group(2)) >= 30:
            found.append((int(m.group(3)), int(m.group(4)), int(m.group(1)), int(m.group(2))))
    return found


def _shot(env: dict[str, str], path: Path, box: tuple[int, int, int, int]) -> Path:
    """A screenshot of the screen area ``(x, y, width, height)``: a crop of the root window, so ``import`` never
    waits for someone to pick a window (it does when a window id has gone), and never for more than 20 s."""
    x, y, width, height = box
    subprocess.run(["import", "-window", "root", "-crop", f"{width}x{height}+{x}+{y}", "+repage", str(path)],
                   env=env, check=True, capture_output=True, timeout=20)
    return path


def _click(env: dict[str, str], x: int, y: int, button: int = 1) -> None:
    """Point, let the widget see the pointer (a menu highlights its entry), then click."""
    subprocess.run(["xdotool", "mousemove", str(x), str(y)], env=env, check=True)
    time.sleep(0.5)
    subprocess.run(["xdotool", "click", str(button)], env=env, check=True)


def _send_test_notification(env: dict[str, str], icon: tuple[int, int, int, int]) -> Path:
    """Tray menu, Settings..., Alerts, "Send a test notification": the app's toast is a tray icon message
    (Shell_NotifyIcon's balloon), which Wine draws as a balloon window by the docked icon. Returns its screenshot.

    Clicks go where Qt lays the widgets out (relative to the menu's and the dialog's corners), as a user would.
    """
    x, y, width, height = icon

    def window_named(name: str) -> str | None:
        ids = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name], env=env,
                             capture_output=True, text=True, check=False).stdout.split()
        return ids[0] if ids else None

    dialog = None
    for _attempt in range(3):  # a click that lands while Qt still places the menu is lost: open it again
        _click(env, x + width // 2, y + height // 2, 3)
        menu = wait_until(lambda: window_named("^xcelsior-desktop$"), 20, "the tray menu", every=0.3)
        time.sleep(1)  # mapped first, then placed by the icon
        mx, my, _mw, _mh = _geometry(env, menu)
        _click(env, mx + 60, my + 58)  # the third entry, "Settings..." (Open, Pause, Settings..., About, Quit)
        dialog = _poll(lambda: window_named("^Xcelsior Desktop settings$"), 15)
        if dialog:
            break
        subprocess.run(["xdotool", "key", "Escape"], env=env, check=False)
    if not dialog:
        _shot(env, SCREENS / "settings-missing.png", (0, 0, 1280, 800))
        pytest.fail(f"the Settings dialog did not open from the tray menu (screen: {SCREENS / 'settings-missing.png'})")
    time.sleep(1)
    dx, dy, dw, dh = _geometry(env, dialog)
    _click(env, dx + 97, dy + 21)  # the "Alerts" tab, second from the left
    time.sleep(1)
    before = set(_explorer_popups(env))
    _click(env, dx + dw - 94, dy + dh - 65)  # "Send a test notification", bottom right of the Alerts page
    try:
        bx, by, bw, bh = wait_until(lambda: [p for p in _explorer_popups(env) if p not in before], 20,
                               "Wine's balloon for the test notification", every=0.3)[0]
    except BaseException:
        _shot(env, SCREENS / "toast-missing.png", (0, 0, 1280, 800))
        print(window_tree(env))
        raise
    left = max(0, bx - 10)
    toast_png = _shot(env, SCREENS / "toast.png", (left, 0, bx + bw + 10 - left, max(by + bh, y + height) + 10))
    assert gray_deviation(toast_png) > 0.05
    assert bx <= x + width and bx + bw >= x - width, "the balloon is not by the tray icon"
    subprocess.run(["xdotool", "key", "--window", dialog, "Escape"], env=env, check=False)
    return toast_png


@pytest.fixture
def wine_desktop():  # type: ignore[no-untyped-def]
    """Xvfb with trayer (an XEMBED system tray, like a Linux panel), and the Wine environment of the build's prefix."""
    require_tool("wine", "wineserver", "Xvfb", "trayer", "xwininfo", "xdotool", "import", "convert")
    if not wine.WINDOWS_EXE.is_file() or not (wine.PREFIX / "system.reg").is_file():
        message = "needs the Windows build under Wine: python3 packaging/build.py --wine"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    _forget_demo_state()
    xvfb, display = start_xvfb("1280x800x24")
    env = wine.wine_env(display)
    trayer = start_trayer(env)
    try:
        wait_until(lambda: "trayer" in window_tree(env), 20, "trayer to start", every=0.3)
        yield env
    finally:
        subprocess.run(["wineserver", "-k"], env=env, check=False)
        for proc in (trayer, xvfb):
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        _forget_demo_state()


def _forget_demo_state() -> None:
    """The demo's settings, history and lock files in the prefix: each run starts afresh (a run cut short by a
    timeout leaves a lock file whose Windows process id Wine soon gives to another process)."""
    for folder in ("AppData/Roaming", "AppData/Local"):
        shutil.rmtree(wine.PREFIX / "drive_c" / "users" / wine.USER_NAME / folder / "Xcelsior Desktop",
                      ignore_errors=True)


def test_windows_program_docks_in_the_tray_shows_watts_and_runs_once(wine_desktop):
    env = wine_desktop
    SCREENS.mkdir(parents=True, exist_ok=True)
    output: list[str] = []
    app = _start(env, output, "--interval", "2")
    try:
        try:
            wid, width, height, x, y = wait_until(lambda: (_docked_icons(env) or [None])[0], 90,
                                                  "the icon to dock in trayer", every=0.3)
        except BaseException:
            print(window_tree(env), "".join(output))
            raise
        tray_png = SCREENS / "tray.png"

        def icon_drawn() -> bool:  # the icon changes from "..." to a badge with the watts
            return gray_deviation(_shot(env, tray_png, (x, y, width, height))) > 0.15

        wait_until(icon_drawn, 60, "watts in the docked tray icon", every=0.3)
        toast_png = _send_test_notification(env, (x, y, width, height))
        # a left click on the docked icon reaches the program through Wine and opens its window
        subprocess.run(["xdotool", "mousemove", str(x + width // 2), str(y + height // 2), "click", "1"],
                       env=env, check=True)

        def window_id() -> str | None:  # the main window, not the Settings dialog
            ids = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Xcelsior Desktop"], env=env,
                                 capture_output=True, text=True, check=False).stdout.split()
            for candidate in ids:
                name = subprocess.run(["xdotool", "getwindowname", candidate], env=env, capture_output=True,
                                      text=True, check=False).stdout
                if "settings" not in name.lower():
                    return candidate
            return None

        try:
            win = wait_until(window_id, 60, "the window to open", every=0.3)
        except BaseException:
            print(window_tree(env), "".join(output))
            raise
        window_png = SCREENS / "window.png"

        def window_drawn() -> bool:
            return gray_deviation(_shot(env, window_png, _geometry(env, win))) > 0.05

        wait_until(window_drawn, 30, "the window to be drawn", every=0.3)
        time.sleep(5)  # two more polls: the live figure and its chart have watts in them
        _shot(env, window_png, _geometry(env, win))
        _shot(env, tray_png, (x, y, width, height))
        # a second launch asks the first (Windows named pipe behind QLocalSocket) to show itself, and ends
        second_output: list[str] = []
        second = _start(env, second_output)
        try:
            code = second.wait(timeout=120)
        except subprocess.TimeoutExpired:
            pytest.fail(f"a second launch did not end in 120 s: {''.join(second_output)}")
        time.sleep(0.5)  # its last line through the pipe
        assert code == 0 and "already running" in "".join(second_output), "".join(second_output)
        assert app.poll() is None, "".join(output)
    finally:
        subprocess.run(["wineserver", "-k"], env=env, check=False)
        app.wait(timeout=30)
        print("".join(output))
    shots = os.environ.get("XCELSIOR_SCREENSHOTS")
    if shots:  # `XCELSIOR_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_windows_wine.py` refreshes the README's
        Path(shots).mkdir(parents=True, exist_ok=True)
        subprocess.run(["convert", str(tray_png), "-scale", "400%", str(Path(shots) / "windows-wine-tray.png")],
                       check=True)
        shutil.copyfile(window_png, Path(shots) / "windows-wine-window.png")
        shutil.copyfile(toast_png, Path(shots) / "windows-wine-toast.png")
