"""A history that cannot be written: read-only file, read-only folder, a folder in its place. The app runs from
memory and names the real cause; the reading commands still read a healthy read-only file.

Root ignores file permissions, so read-only here is real: a read-only bind mount (of the file itself, or of its
folder), which the kernel enforces for root too. The mounts are undone when each test ends."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tools import IN_CI, require_tool
from xcelsior_desktop.cli import main
from xcelsior_desktop.energy.opening import open_history
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore

T0 = dt.datetime(2026, 11, 1, 7, tzinfo=dt.UTC)


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` (a file or a folder) read-only for everyone, root included, until the block ends."""
    require_tool("mount", "umount")
    if os.geteuid() != 0:
        message = "a read-only bind mount needs root"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True)
        yield
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _history(path: Path) -> Path:
    with HistoryStore(path) as store:
        store.add_intervals(EnergyInterval(T0 + dt.timedelta(minutes=15 * i), 900, 100.0, 0.0) for i in range(8))
    return path


def _open_in_app(path: Path, caplog: pytest.LogCaptureFixture) -> str:
    with caplog.at_level(logging.WARNING):
        opened = open_history(path)
    try:
        assert opened.store.size_bytes() == 0  # in memory
        opened.store.add_intervals([EnergyInterval(T0, 900, 1.0, 0.0)])  # and it works there
        assert opened.in_memory_notice is not None
        assert opened.in_memory_notice.startswith("History is kept in memory only")
        return opened.in_memory_notice
    finally:
        opened.store.close()


def test_a_read_only_history_file(tmp_path: Path, caplog, capsys) -> None:
    path = _history(tmp_path / "history.sqlite3")
    with read_only(path):
        notice = _open_in_app(path, caplog)
        assert f"the history file {path} is read-only" in notice and "chmod u+w" in notice
        assert "disk" not in notice  # never blamed on a full disk
        assert main(["history", "info", "--db", str(path)]) == 0  # a healthy read-only file is still read
        assert "first slot: 2026-11-01T07:00:00Z" in capsys.readouterr().out


def test_a_read_only_folder(tmp_path: Path, caplog, capsys) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = _history(folder / "history.sqlite3")
    with read_only(folder):
        notice = _open_in_app(path, caplog)
        assert f"the folder {folder} is on a read-only file system" in notice
        assert main(["history", "export", "--format", "csv", "--db", str(path)]) == 0
        assert len(capsys.readouterr().out.splitlines()) == 9
        assert sorted(p.name for p in folder.iterdir()) == ["history.sqlite3"]
    missing = folder / "new.sqlite3"
    with read_only(folder):
        notice = _open_in_app(missing, caplog)
        assert "read-only file system" in notice


def test_a_folder_where_the_file_should_be(tmp_path: Path, caplog) -> None:
    path = tmp_path / "history.sqlite3"
    path.mkdir()
    notice = _open_in_app(path, caplog)
    assert f"a folder named history.sqlite3 is where the history file should be ({path})" in notice
    assert path.is_dir() and not list(path.iterdir())  # left alone
