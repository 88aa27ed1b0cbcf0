"""Atomic writes: the old file survives a failed write (a full disk), modes are exact, no temp files linger."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from xcelsior_desktop.common.atomic_file import write_bytes_atomic, write_json_atomic


def test_json_round_trip_and_mode(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "settings.json"
    write_json_atomic(target, {"b": 1, "a": "é"}, sort_keys=True)
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": "é", "b": 1}
    assert target.read_text(encoding="utf-8").endswith("\n")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    write_bytes_atomic(target, b"x", mode=0o644)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o644


class _FullDisk:
    """A file object whose write fails like a full disk."""

    def __init__(self, real):  # type: ignore[no-untyped-def]
        self.real = real

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *exc):  # type: ignore[no-untyped-def]
        self.real.close()
        return False

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "alerts.json"
    write_json_atomic(target, {"kept": True})
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FullDisk(real_fdopen(fd, *a, **k)))
    with pytest.raises(OSError) as err:
        write_json_atomic(target, {"kept": False})
    assert err.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert json.loads(target.read_text()) == {"kept": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alerts.json"]
