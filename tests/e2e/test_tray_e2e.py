"""End to end under a real X server: `xcelsior-desktop demo` docks its icon in trayer and shows its window."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import require_tool
from tests.waiting import wait_until
from tests.xserver import docked_windows, gray_deviation, start_trayer, start_xvfb, window_tree

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def xserver(tmp_path):
    require_tool("Xvfb", "trayer", "xwininfo", "xdotool", "import", "convert")
    xvfb, display = start_xvfb()
    env = {**os.environ, "DISPLAY": display}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    trayer = start_trayer(env)
    yield env
    for proc in (trayer, xvfb):
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def _docked_icon(env):  # type: ignore[no-untyped-def]
    """Our icon window inside trayer's panel: (id, width, height, x, y) in root coordinates."""
    return next((found[:1] + found[2:] for found in docked_windows(env) if found[1].startswith('"xcelsior-desktop":')),
                None)


def test_demo_docks_in_the_tray_and_shows_its_window(xserver, tmp_path, isolated_home):
    env = {**xserver, "HOME": str(isolated_home)}
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[var] = os.environ[var]
    wait_until(lambda: "trayer" in window_tree(env), 10, "trayer to start", every=0.2)
    app = subprocess.Popen([sys.executable, "-m", "xcelsior_desktop", "demo", "--interval", "2"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        try:
            wid, width, height, x, y = wait_until(lambda: _docked_icon(env), 30, "the icon to dock in trayer", every=0.2)
        except BaseException:
            print(window_tree(env))
            raise
        assert width >= 16 and height >= 16
        tray_png = tmp_path / "tray.png"

        def icon_drawn() -> bool:  # wait for watts: the icon changes from "..." to a filled badge
            subprocess.run(["import", "-window", "root", "-crop", f"{width}x{height}+{x}+{y}", str(tray_png)],
                           env=env, check=True, capture_output=True)
            return gray_deviation(tray_png) > 0.15

        wait_until(icon_drawn, 20, "watts in the tray icon", every=0.2)
        # left click opens the window
        subprocess.run(["xdotool", "mousemove", str(x + width // 2), str(y + height // 2), "click", "1"],
                       env=env, check=True)

        def window_id():
            out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Xcelsior Desktop"],
                                 env=env, capture_output=True, text=True, check=False).stdout.split()
            return out[0] if out else None

        win = wait_until(window_id, 15, "the window to open", every=0.2)
        window_png = tmp_path / "window.png"

        def window_drawn() -> bool:
            shot = subprocess.run(["import", "-window", win, str(window_png)], env=env, capture_output=True, check=False)
            return shot.returncode == 0 and gray_deviation(window_png) > 0.05

        wait_until(window_drawn, 15, "the window to be drawn", every=0.2)
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
