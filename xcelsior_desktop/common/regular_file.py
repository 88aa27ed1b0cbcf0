"""Read a file only when it is a regular file of bounded size: never a folder, a device or a FIFO.

``/dev/zero`` would read without end and a FIFO would block ``open()`` until a writer appears, so the file is opened
non-blocking, checked with ``fstat`` on the open descriptor (no race with a swap of the path), and read up to a cap.
The errors are :class:`OSError` subclasses carrying a ``strerror`` a person can read, so existing ``except OSError``
handlers report them. Qt-free and dependency-free: used by ``meter/`` (certificate files) and the rooms above it (the
app's own files).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

DEFAULT_LIMIT = 1 << 20  # 1 MiB: far above any PEM pair or state file the app writes


class NotARegularFile(OSError):
    """The path is a folder, a device, a FIFO or a socket."""


class FileTooLarge(OSError):
    """The file is larger than the reader accepts."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular_file(path: Path | str) -> BinaryIO:
    """``path`` opened for reading (buffered), only when it is a regular file: a FIFO never blocks the call, a folder
    or a device is refused. Raises FileNotFoundError & co or :class:`NotARegularFile`."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError as exc:
        raise NotARegularFile(errno.EISDIR, "it is a folder, not a file", str(path)) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(errno.EINVAL, f"it is {_kind(info.st_mode)}, not a file", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_file(path: Path | str, *, limit: int = DEFAULT_LIMIT) -> bytes:
    """The bytes of ``path``; raises FileNotFoundError & co, :class:`NotARegularFile` or :class:`FileTooLarge`."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError as exc:  # Windows and some systems refuse to open a folder at all
        raise NotARegularFile(errno.EISDIR, "it is a folder, not a file", str(path)) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(errno.EINVAL, f"it is {_kind(info.st_mode)}, not a file", str(path))
        if info.st_size > limit:
            raise FileTooLarge(errno.EFBIG, f"it is larger than {limit} bytes", str(path))
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # grew while we read it
                raise FileTooLarge(errno.EFBIG, f"it is larger than {limit} bytes", str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)
