"""A rotating log file in the platform's log folder. Keys and certificates never reach it."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from xcelsior_desktop.services import paths

LOG_NAME = "xcelsior-desktop.log"
_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|$)", re.DOTALL)


class RedactPem(logging.Filter):
    """Replace any PEM block (certificate or key) in a record with a placeholder, whatever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "-----BEGIN" in message:
            record.msg = _PEM.sub("[PEM block removed]", message)
            record.args = None
        if record.exc_text and "-----BEGIN" in record.exc_text:
            record.exc_text = _PEM.sub("[PEM block removed]", record.exc_text)
        return True


def log_path() -> Path:
    return paths.log_dir() / LOG_NAME


def setup_logging(level: int = logging.INFO, *, console: bool = False) -> Path:
    """Send the app's logs to the rotating file (1 MB x 4). Returns the file's path (for the About box)."""
    path = log_path()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_xcelsior", False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler._xcelsior = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    handler.addFilter(RedactPem())
    root.addHandler(handler)
    if console:
        stream = logging.StreamHandler()
        stream._xcelsior = True  # type: ignore[attr-defined]
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        stream.addFilter(RedactPem())
        root.addHandler(stream)
    root.setLevel(level)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    return path
