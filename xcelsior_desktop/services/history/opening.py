"""Open the app's history store, or say why it lives in memory for this run.

Qt-free. A damaged file is set aside by the store itself (``user_message`` says what was lost: a notification,
once); a file that cannot be written (full disk, read-only folder, no permission) or one from a newer version
means this run keeps its history in memory only, and the window says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from xcelsior_desktop.services.history.errors import HistoryError, StoreTooNew
from xcelsior_desktop.services.history.store import HistoryStore

log = logging.getLogger(__name__)

DEMO_FILE_NAME = "demo-history.sqlite3"


@dataclass
class OpenedStore:
    store: HistoryStore
    in_memory_notice: str | None = None  # for the window: why this run's history is not saved
    damaged_message: str | None = None  # for a notification: a damaged file was set aside


def demo_path() -> Path:
    """The demo's own store (never the real meter's)."""
    from xcelsior_desktop.services import paths

    return paths.data_dir() / DEMO_FILE_NAME


def open_history(path: Path | None = None) -> OpenedStore:
    """The store at ``path`` (default: the app's), or an in-memory one with the reason."""
    try:
        store = HistoryStore(path)
    except HistoryError as exc:
        where = Path(path) if path is not None else None
        log.warning("the history store %s cannot be used: %s", where or "(default)", exc)
        if isinstance(exc, StoreTooNew):
            reason = exc.user_message
        else:
            reason = (f"the history file cannot be written ({exc.detail or exc}). Free some disk space or make its "
                      "folder writable, then restart the app.")
        notice = f"History is kept in memory only, and is lost when the app quits: {reason}"
        return OpenedStore(HistoryStore.in_memory(), in_memory_notice=notice)
    return OpenedStore(store, damaged_message=store.user_message)
