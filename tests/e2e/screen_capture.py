"""What the screenshot scripts (``*_screens.py``) share: a dark desktop palette, waiting with the event loop
running, and saving a window with ImageMagick's ``import -window <id>`` (one printed line per PNG)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from tests.waiting import wait_until


def use_dark_palette(qapp: QApplication) -> None:
    """Fusion with a dark palette, as a dark desktop theme gives the app."""
    qapp.setStyle("Fusion")
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.WindowText, "#E8EAED"),
                         (QPalette.ColorRole.Base, "#2B2C2F"), (QPalette.ColorRole.Text, "#E8EAED"),
                         (QPalette.ColorRole.Button, "#303134"), (QPalette.ColorRole.ButtonText, "#E8EAED")):
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#80868B"))
    qapp.setPalette(palette)


def wait(seconds: float) -> None:
    """Let the app run (its event loop turning) for ``seconds``."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def until(condition: Callable[[], object], what: str, timeout: float = 120.0) -> None:
    """Wait, the event loop running, until ``condition()`` is true."""
    wait_until(condition, timeout, what, every=0.1, pause=wait)


def shoot(window: QWidget, path: Path, *, settle_s: float = 1.0) -> None:
    """Save ``window`` as it is on the X server after ``settle_s`` more seconds of painting."""
    wait(settle_s)
    subprocess.run(["import", "-window", str(int(window.winId())), str(path)], check=True)
    print(path, flush=True)
