"""What sits at a history file's path, told without opening it with SQLite (which would create files beside it), and
why a path cannot be written, in words a user can act on.

Qt-free. Reads at most the first 100 bytes (the SQLite header's magic string) of a regular file; never waits on a
FIFO or reads a device. (The layout version is read through SQLite: with the app running, the newest commits,
the version stamp of a new file among them, live in its write-ahead log, not yet in the file's header.)
"""

from __future__ import annotations

import enum
import errno
import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_BYTES = 100


class Kind(enum.Enum):
    MISSING = "missing"
    EMPTY = "empty"  # a 0-byte file (SQLite's view of a new database: nothing to lose)
    FOLDER = "folder"
    NOT_A_FILE = "not a file"  # a FIFO, device or socket
    NOT_SQLITE = "not sqlite"  # a file whose first bytes are not an SQLite database's
    SQLITE = "sqlite"


@dataclass(frozen=True)
class Found:
    kind: Kind
    size: int = 0


def inspect(path: Path) -> Found:
    """What is at ``path``. Raises OSError only for what stops even a look (no permission to the folder ...)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return Found(Kind.MISSING)
    if stat.S_ISDIR(info.st_mode):
        return Found(Kind.FOLDER)
    if not stat.S_ISREG(info.st_mode):
        return Found(Kind.NOT_A_FILE)
    if info.st_size == 0:
        return Found(Kind.EMPTY)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        head = os.read(fd, HEADER_BYTES)
    finally:
        os.close(fd)
    if len(head) < HEADER_BYTES or not head.startswith(SQLITE_MAGIC):
        return Found(Kind.NOT_SQLITE, size=info.st_size)
    return Found(Kind.SQLITE, info.st_size)


def _read_only_file_system(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def _errno_of(exc: BaseException | None) -> int | None:
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno is not None:
            return exc.errno
        exc = exc.__cause__ or exc.__context__
    return None


def disk_full(exc: BaseException | None) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code == sqlite3.SQLITE_FULL or _errno_of(exc) == errno.ENOSPC


def unwritable_cause(path: Path, exc: BaseException | None = None) -> str:
    """Why the history cannot be saved at ``path``, and what to do: one or two sentences."""
    folder = path.parent
    if path.is_dir():
        return (f"a folder named {path.name} is where the history file should be ({path}). Move it away, then "
                "restart the app.")
    if path.exists() and not path.is_file():
        return f"{path} is not a regular file. Move it away, then restart the app."
    if disk_full(exc):
        return f"the disk is full (the one that holds {folder}). Free some disk space, then restart the app."
    if not folder.exists():
        near = next((p for p in folder.parents if p.exists()), None)
        if near is not None and not near.is_dir():
            return (f"{near} is a file where a folder should be, so {folder} cannot be made. Move it away, then "
                    "restart the app.")
        return f"the folder {folder} does not exist and cannot be made. Create it, then restart the app."
    if _read_only_file_system(folder):
        return (f"the folder {folder} is on a read-only file system. Keep the history on a writable disk (or "
                "remount it writable), then restart the app.")
    if path.exists() and not os.access(path, os.W_OK):
        return (f"the history file {path} is read-only. Make it writable (for example chmod u+w), then restart the "
                "app.")
    if not os.access(folder, os.W_OK):
        return (f"the folder {folder} is read-only, so the history cannot be saved there. Make it writable, then "
                "restart the app.")
    detail = f" ({exc})" if exc is not None else ""
    return f"the history file {path} cannot be written{detail}. Check the disk and the file, then restart the app."
