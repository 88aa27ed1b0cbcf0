"""End to end under a real X server: `xcelsior-desktop demo` docks its icon in trayer and shows its window."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.tools import require_tool
from tests.xserver import start_xvfb

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _wait(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)  # polling an external process with a deadline
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def xserver(tmp_path):
    require_tool("Xvfb", "trayer", "xwininfo", "xdotool", "import", "convert")
    xvfb, display = start_xvfb()
    env = {**os.environ, "DISPLAY": display}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    trayer = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32",
         "--tint", "0x202124", "--transparent", "true", "--alpha", "0", "--SetDockType", "true"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    yield env
    for proc in (trayer, xvfb):
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def _tree(env) -> str:
    return subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True, check=False).stdout


def _docked_icon(env):
    """Our icon window inside trayer's panel: (id, width, height, x, y) in root coordinates."""
    lines = _tree(env).splitlines()
    in_panel = False
    for line in lines:
        if '"panel"' in line and "trayer" in line:
            in_panel = True
            indent = len(line) - len(line.lstrip())
            continue
        if in_panel:
            if len(line) - len(line.lstrip()) <= indent:
                in_panel = False
                continue
            m = re.search(r'(0x[0-9a-f]+) "xcelsior-desktop": \(.*\)\s+(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)', line)
            if m:
                return m.group(1), *(int(m.group(i)) for i in range(2, 6))
    return None


def _variance(path: Path) -> float:
    out = subprocess.run(["convert", str(path), "-colorspace", "Gray", "-format", "%[fx:standard_deviation]", "info:"],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def test_demo_docks_in_the_tray_and_shows_its_window(xserver, tmp_path, isolated_home):
    env = {**xserver, "HOME": str(isolated_home)}
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[var] = os.environ[var]
    _wait(lambda: "trayer" in _tree(env), 10, "trayer to start")
    app = subprocess.Popen([sys.executable, "-m", "xcelsior_desktop", "demo", "--interval", "2"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        try:
            wid, width, height, x, y = _wait(lambda: _docked_icon(env), 30, "the icon to dock in trayer")
        except BaseException:
            print(_tree(env))
            raise
        assert width >= 16 and height >= 16
        tray_png = tmp_path / "tray.png"

        def icon_drawn() -> bool:  # wait for watts: the icon changes from "..." to a filled badge
            subprocess.run(["import", "-window", "root", "-crop", f"{width}x{height}+{x}+{y}", str(tray_png)],
                           env=env, check=True, capture_output=True)
            return _variance(tray_png) > 0.15

        _wait(icon_drawn, 20, "watts in the tray icon")
        # left click opens the window
        subprocess.run(["xdotool", "mousemove", str(x + width // 2), str(y + height // 2), "click", "1"],
                       env=env, check=True)

        def window_id():
            out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Xcelsior Desktop"],
                                 env=env, capture_output=True, text=True, check=False).stdout.split()
            return out[0] if out else None

        win = _wait(window_id, 15, "the window to open")
        window_png = tmp_path / "window.png"

        def window_drawn() -> bool:
            shot = subprocess.run(["import", "-window", win, str(window_png)], env=env, capture_output=True, check=False)
            return shot.returncode == 0 and _variance(window_png) > 0.05

        _wait(window_drawn, 15, "the window to be drawn")
        # a second launch brings up the first one's window instead of starting another app
        second = subprocess.run([sys.executable, "-m", "xcelsior_desktop", "demo"], env=env, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 0 and "already running" in second.stdout
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            out, _ = app.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
            out, _ = app.communicate()
            pytest.fail(f"the app did not quit on SIGTERM:\n{out}")
    assert app.returncode == 0, out
    shots = os.environ.get("XCELSIOR_SCREENSHOTS")
    if shots:  # `XCELSIOR_SCREENSHOTS=docs/screenshots pytest tests/e2e` refreshes the README's images
        Path(shots).mkdir(parents=True, exist_ok=True)
        subprocess.run(["convert", str(tray_png), "-scale", "400%", str(Path(shots) / "tray.png")], check=True)
        subprocess.run(["cp", str(window_png), str(Path(shots) / "window.png")], check=True)
