"""A rotating log file in the platform's log folder, readable by the user only (0600 in a 0700 folder: it holds
LFDIs and the meter's address). Keys and certificates never reach it."""

from __future__ import annotations

import contextlib
import io
import logging
import logging.handlers
import os
import re
import weakref
from pathlib import Path

from xcelsior_desktop.platform import paths

# The handlers this module installed: set up again (a second run in one process), they are replaced, not doubled
_OURS: weakref.WeakSet[logging.Handler] = weakref.WeakSet()

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


LOG_FILE_MODE = 0o600


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose every file (the first, and each one after a rollover) is created 0600, and an
    older, wider file tightened when opened; the rolled-over copies keep the mode (a rename keeps it)."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_FILE_MODE)
        if hasattr(os, "fchmod"):
            with contextlib.suppress(OSError):
                os.fchmod(fd, LOG_FILE_MODE)
        stream = open(fd, "a", encoding=self.encoding, errors=self.errors)  # noqa: SIM115 (the handler closes it)
        assert isinstance(stream, io.TextIOWrapper)
        return stream


def _tighten_old_logs(path: Path) -> None:
    """Rolled-over logs from an older version (0644) become private too."""
    for old in path.parent.glob(path.name + ".*"):
        with contextlib.suppress(OSError):
            if old.is_file() and old.stat().st_mode & 0o777 != LOG_FILE_MODE:
                os.chmod(old, LOG_FILE_MODE)


def log_path() -> Path:
    return paths.log_dir() / LOG_NAME


def setup_logging(level: int = logging.INFO, *, console: bool = False) -> Path:
    """Send the app's logs to the rotating file (1 MB x 4). Returns the file's path (for the About box)."""
    path = log_path()
    remove_logging()
    root = logging.getLogger()
    _tighten_old_logs(path)
    handler = PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    _OURS.add(handler)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    handler.addFilter(RedactPem())
    root.addHandler(handler)
    if console:
        stream = logging.StreamHandler()
        _OURS.add(stream)
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        stream.addFilter(RedactPem())
        root.addHandler(stream)
    root.setLevel(level)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    return path


def remove_logging() -> None:
    """Take out and close the handlers :func:`setup_logging` installed (before setting up again, and in tests)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler in _OURS:
            root.removeHandler(handler)
            handler.close()
