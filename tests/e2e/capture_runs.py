"""The pytest side of the screenshot tests: a fresh Xvfb, the program that draws (a screenshot script or one dialog)
in a process of its own with a new user's folders, and the check that each capture is drawn, not blank.
``XCELSIOR_SCREENSHOTS=docs/screenshots`` saves the pictures for the README."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from tests.tools import ROOT, require_tool
from tests.waiting import wait_until
from tests.xserver import gray_deviation, start_xvfb

DRAWN = 0.05  # a capture whose grey levels vary less than this is blank or one colour


def screenshots_folder(tmp_path: Path) -> Path:
    """Where the captures go: the README's folder when asked for, else the test's own."""
    shots = os.environ.get("XCELSIOR_SCREENSHOTS")
    return Path(shots) if shots else tmp_path


def _x_env(display: str) -> dict[str, str]:
    env = {**os.environ, "DISPLAY": display, "PYTHONPATH": str(ROOT)}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def _new_user(home: Path) -> dict[str, str]:
    """A new user's home and XDG folders: the demo's store and settings start empty."""
    return {"HOME": str(home), **{var: str(home / sub) for var, sub in (
        ("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"))}}


def run_screens(script: str, out: Path, tmp_path: Path, runs: Sequence[Sequence[str]] = ((),)) -> None:
    """Run ``python -m <script> <out> <args>`` once per entry of ``runs`` on one Xvfb, each as a new user."""
    require_tool("Xvfb", "import", "convert")
    xvfb, display = start_xvfb("1280x900x24")
    env = _x_env(display)
    try:
        for index, extra in enumerate(runs):
            run = subprocess.run([sys.executable, "-m", script, str(out), *extra],
                                 env={**env, **_new_user(tmp_path / f"home{index}")},
                                 capture_output=True, text=True, timeout=600)
            assert run.returncode == 0, run.stdout + run.stderr
    finally:
        xvfb.terminate()
        xvfb.wait(5)


def assert_drawn(out: Path, names: Iterable[str]) -> None:
    for name in names:
        png = out / f"{name}.png"
        assert png.exists() and gray_deviation(png) > DRAWN, name


def capture_dialog(script: str, db: Path, png: Path, what: str) -> None:
    """Run ``python -m <script> <db>`` (it prints ``dialog 0x<window id>`` once shown) and save the dialog to
    ``png``; AssertionError naming ``what`` if it is never drawn."""
    require_tool("Xvfb", "import", "convert")
    xvfb, display = start_xvfb()
    env = _x_env(display)
    shower = subprocess.Popen([sys.executable, "-m", script, str(db)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert shower.stdout is not None
        line = shower.stdout.readline().strip()
        assert line.startswith("dialog 0x"), line
        wid = line.split()[1]

        def drawn() -> bool:
            shot = subprocess.run(["import", "-window", wid, str(png)], env=env, capture_output=True, check=False)
            return shot.returncode == 0 and gray_deviation(png) > DRAWN

        wait_until(drawn, 20, what, every=0.2)
    finally:
        shower.terminate()
        shower.wait(10)
        xvfb.terminate()
        xvfb.wait(10)
    shots = os.environ.get("XCELSIOR_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, Path(shots) / png.name)
