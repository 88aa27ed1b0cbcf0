"""The command line's read-only promise: ``history info`` and ``history export`` never create, rename, repair or
rewrite a file, whatever sits at ``--db``; ``sync`` and ``import`` may create or repair a history file, and never
replace a file that is not one."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

from tests.greenbutton_support import sample
from xcelsior_desktop.cli import main
from xcelsior_desktop.energy import schema
from xcelsior_desktop.energy.store import Access, EnergyInterval, HistoryStore

T0 = dt.datetime(2026, 11, 1, 7, tzinfo=dt.UTC)
SDGE = "sdge-hourly-2019-10.xml"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def _snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every entry of ``folder``: (mode, mtime_ns, bytes of a regular file)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        content = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
        out[str(path.relative_to(folder))] = (info.st_mode, info.st_mtime_ns, content)
    return out


def _history(path: Path, slots: int = 8) -> Path:
    with HistoryStore(path) as store:
        store.add_intervals(EnergyInterval(T0 + dt.timedelta(minutes=15 * i), 900, 100.0 + i, 0.0)
                            for i in range(slots))
    return path


def _make(kind: str, folder: Path) -> Path:
    path = folder / "h.sqlite3"
    if kind == "text":
        path.write_text("my notes, not a history\n")
    elif kind == "one byte":
        path.write_bytes(b"x")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "truncated":
        data = _history(folder / "whole.sqlite3", slots=2000).read_bytes()
        (folder / "whole.sqlite3").unlink()
        path.write_bytes(data[: len(data) // 3])
    elif kind == "foreign":
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE songs (title TEXT)")
        conn.close()
    return path


@pytest.mark.parametrize("kind", ["text", "one byte", "empty", "folder", "fifo", "truncated", "foreign"])
@pytest.mark.parametrize("command", [("info",), ("export", "--format", "csv"), ("export", "--format", "greenbutton")])
def test_a_reading_command_changes_nothing_and_says_what_it_found(tmp_path: Path, capsys, kind: str,
                                                                  command: tuple[str, ...]) -> None:
    path = _make(kind, tmp_path)
    before = _snapshot(tmp_path)
    code, out, err = _run(capsys, "history", *command, "--db", str(path))
    assert _snapshot(tmp_path) == before  # no rename, no new -wal/-shm, no rewrite, no header-only CSV
    assert code == 1 and out == [] and len(err) == 1
    expected = "is damaged" if kind == "truncated" else "is not an Xcelsior history file"
    assert expected in err[0] and "left as it is" in err[0]
    assert "30 days" not in err[0]  # the command line reads nothing from the meter


@pytest.mark.parametrize("command", [("info",), ("export", "--format", "csv")])
def test_a_healthy_history_is_read_without_a_byte_changed(tmp_path: Path, capsys, command: tuple[str, ...]) -> None:
    path = _history(tmp_path / "h.sqlite3")
    before = _snapshot(tmp_path)
    code, out, _ = _run(capsys, "history", *command, "--db", str(path))
    assert code == 0 and out
    assert _snapshot(tmp_path) == before


def test_a_history_in_use_by_the_app_is_read_through_its_log(tmp_path: Path, capsys) -> None:
    path = _history(tmp_path / "h.sqlite3")
    with HistoryStore(path) as app:  # the app holds it open: its -wal and -shm are there
        app.add_intervals([EnergyInterval(T0 + dt.timedelta(hours=2), 900, 555.0, 0.0)])
        before = _snapshot(tmp_path)
        code, out, _ = _run(capsys, "history", "export", "--format", "csv", "--db", str(path))
        assert code == 0 and any(",555" in line for line in out)  # the newest write, still in the log
        assert sorted(_snapshot(tmp_path)) == sorted(before)


def test_an_older_layout_is_read_from_a_copy_in_memory(tmp_path: Path, capsys) -> None:
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as conn:  # the first layout: the meter's slots only
        for statement in schema.VERSION_1.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO slots VALUES (?, 250.0, 0.0)", (int(T0.timestamp()),))
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    before = _snapshot(tmp_path)
    code, out, _ = _run(capsys, "history", "export", "--format", "csv", "--db", str(path))
    assert code == 0 and out[1].startswith("2026-11-01T07:00:00Z,2026-11-01T07:15:00Z,250")
    assert _snapshot(tmp_path) == before  # still version 1 on disk: the app migrates it when it opens it


@pytest.mark.parametrize("kind", ["text", "one byte", "foreign", "folder"])
def test_writing_commands_never_replace_a_file_that_is_not_a_history(tmp_path: Path, capsys, kind: str) -> None:
    path = _make(kind, tmp_path)
    before = _snapshot(tmp_path)
    code, _out, err = _run(capsys, "history", "import", str(sample(SDGE)), "--db", str(path))
    assert code == 1 and len(err) == 1
    assert _snapshot(tmp_path) == before


def test_import_repairs_a_damaged_history_keeping_the_old_file(tmp_path: Path, capsys) -> None:
    path = _make("truncated", tmp_path)
    damaged = path.read_bytes()
    code, out, err = _run(capsys, "history", "import", str(sample(SDGE)), "--db", str(path))
    assert code == 0 and out[0].startswith("imported 552 intervals")
    assert "set aside" in err[0] and "30 days" not in err[0]
    kept = list(tmp_path.glob("h.sqlite3.damaged-*"))
    assert [p.read_bytes() for p in kept if not p.name.endswith(("-wal", "-shm"))] == [damaged]


def test_a_store_opened_for_reading_refuses_to_write(tmp_path: Path) -> None:
    path = _history(tmp_path / "h.sqlite3")
    with HistoryStore(path, access=Access.READ) as store:
        assert len(store.intervals()) == 8
        with pytest.raises(Exception, match="reading only"):
            store.add_intervals([EnergyInterval(T0, 900, 1.0, 0.0)])
