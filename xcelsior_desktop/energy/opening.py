"""Open the app's history store, or say why it lives in memory for this run.

Qt-free. A damaged file is set aside by the store itself (``user_message`` says what was lost: a notification,
once); a file that cannot be written (full disk, read-only file or folder, a folder in its place) or one from a
newer version means this run keeps its history in memory only, and the window says why and what to do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from xcelsior_desktop.energy.errors import HistoryError, StoreTooNew, StoreUnavailable
from xcelsior_desktop.energy.store import HistoryStore

log = logging.getLogger(__name__)

DEMO_FILE_NAME = "demo-history.sqlite3"


@dataclass
class OpenedStore:
    store: HistoryStore
    in_memory_notice: str | None = None  # for the window: why this run's history is not saved
    damaged_message: str | None = None  # for a notification: a damaged file was set aside


def demo_path() -> Path:
    """The demo's own store (never the real meter's)."""
    from xcelsior_desktop.platform import paths

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
        elif isinstance(exc, StoreUnavailable) and exc.cause:
            reason = exc.cause  # the real cause: read-only file or folder, a folder in its place, a full disk
        else:
            reason = (f"the history file cannot be written ({exc.detail or exc}). Check the disk and the file, then "
                      "restart the app.")
        notice = f"History is kept in memory only, and is lost when the app quits: {reason}"
        return OpenedStore(HistoryStore.in_memory(), in_memory_notice=notice)
    damaged = store.user_message and f"{store.user_message} The meter's last 30 days are read again now."
    return OpenedStore(store, damaged_message=damaged or None)
