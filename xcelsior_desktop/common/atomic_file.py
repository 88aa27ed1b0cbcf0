"""Write a file so that a crash or a full disk leaves the old file or the new one, never half of one.

The bytes go to a temporary file in the same folder (mode 0600 from the start, so a secret never sits in a
wider-mode file), are flushed to disk, get their final mode, and replace the target in one rename. On failure
the temporary file is removed and the error (``OSError``, e.g. ENOSPC) reaches the caller with the old file intact.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_bytes_atomic(path: Path | str, data: bytes, *, mode: int = 0o600, overwrite: bool = True) -> None:
    """Atomically write ``data`` to ``path`` with permission bits ``mode``."""
    path = Path(path)
    if not overwrite and path.exists():
        raise FileExistsError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def write_json_atomic(path: Path | str, data: Any, *, mode: int = 0o600, sort_keys: bool = False) -> None:
    """Atomically write ``data`` as indented UTF-8 JSON ending in a newline."""
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=sort_keys) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


def set_aside(path: Path) -> Path | None:
    """Move a damaged file (or whatever sits in its place) to ``<name>.bad``, or ``.bad-2``, ``.bad-3``, ... so an
    earlier one is never overwritten; return where it went, or None when it could not be moved."""
    for number in range(1, 1000):
        bad = path.with_name(path.name + (".bad" if number == 1 else f".bad-{number}"))
        if os.path.lexists(bad):
            continue
        try:
            os.rename(path, bad)
        except FileNotFoundError:
            return None
        except OSError:
            if os.path.lexists(bad):  # taken meanwhile (or a folder in the way on Windows): try the next name
                continue
            return None
        return bad
    return None
