"""Showing one dialog in a process of its own on a fresh Xvfb and capturing it once it is drawn (not blank), as
the dialog e2e tests do; ``XCELSIOR_SCREENSHOTS=docs/screenshots`` also saves the picture for the README."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_tray_e2e import _variance, _wait
from tests.tools import ROOT, require_tool
from tests.xserver import start_xvfb


def capture_dialog(script: str, db: Path, png: Path, what: str) -> None:
    """Run ``python -m <script> <db>`` (it prints ``dialog 0x<window id>`` once shown) and save the dialog to
    ``png``; AssertionError naming ``what`` if it is never drawn."""
    require_tool("Xvfb", "import", "convert")
    xvfb, display = start_xvfb()
    env = {**os.environ, "DISPLAY": display, "PYTHONPATH": str(ROOT)}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    shower = subprocess.Popen([sys.executable, "-m", script, str(db)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert shower.stdout is not None
        line = shower.stdout.readline().strip()
        assert line.startswith("dialog 0x"), line
        wid = line.split()[1]

        def drawn() -> bool:
            shot = subprocess.run(["import", "-window", wid, str(png)], env=env, capture_output=True, check=False)
            return shot.returncode == 0 and _variance(png) > 0.05

        _wait(drawn, 20, what)
    finally:
        shower.terminate()
        shower.wait(10)
        xvfb.terminate()
        xvfb.wait(10)
    shots = os.environ.get("XCELSIOR_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, Path(shots) / png.name)
