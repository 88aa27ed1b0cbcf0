"""The About box: versions (for bug reports) and where the log file is."""

from __future__ import annotations

import platform
import ssl
import sys

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from xcelsior_desktop import __version__


def versions() -> dict[str, str]:
    return {
        "Xcelsior Desktop": __version__,
        "Python": platform.python_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "OpenSSL": ssl.OPENSSL_VERSION,
        "System": f"{platform.system()} {platform.release()} ({sys.platform})",
    }


def about_html(log_path: str) -> str:
    rows = "".join(f"<tr><td>{k}</td><td>&nbsp;{v}</td></tr>" for k, v in versions().items())
    return (
        "<h3>Xcelsior Desktop</h3>"
        "<p>Live electricity use read directly from your Xcel Energy smart meter on your home network. "
        "Nothing goes to the cloud.</p>"
        f"<table>{rows}</table>"
        f"<p>Log file: <code>{log_path}</code></p>"
        "<p>Licensed under the Apache License 2.0.</p>"
    )


def show_about(parent: QWidget | None, log_path: str) -> None:
    box = QMessageBox(parent)
    box.setWindowTitle("About Xcelsior Desktop")
    box.setText(about_html(log_path))
    box.setObjectName("about-box")
    box.exec()
