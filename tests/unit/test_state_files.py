"""Every file the app keeps goes through one loader: whatever a file holds, the app starts, the file is kept aside
as ``.bad`` (never lost), the defaults are used, and the user is told once what was reset."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from xcelsior_desktop.platform.state_files import MAX_DEPTH, integer, load_json_file, record, string, take_reset_notices

SCHEMA = record({"name": string(max_len=20), "count": integer(0, 10)}, what="a test file")


def _nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


# what else a file can hold: (id, writer); each writer puts something unusable at the path
def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("kept")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _symlink_loop(path: Path) -> None:  # unreadable even for root (the tests may run as root, so no chmod 000)
    path.symlink_to(path.name)


UNUSABLE: list[tuple[str, Callable[[Path], None]]] = [
    ("not-utf8", _bytes(b'{"name": "\xff\xfe"}')),
    ("not-json", _bytes(b"{not json")),
    ("empty", _bytes(b"")),
    ("nul-bytes", _bytes(b"\x00\x01")),
    ("array-not-object", _bytes(b"[]")),
    ("wrong-type", _bytes(b'{"name": 5}')),
    ("bool-for-int", _bytes(b'{"count": true}')),
    ("deep-nesting-recursion", _bytes(_nested(100_000))),
    ("deep-nesting", _bytes(b'{"name": "x", "more": ' + _nested(MAX_DEPTH + 5) + b"}")),
    ("huge-float", _bytes(b'{"count": 1e999}')),
    ("huge-int-digits", _bytes(b'{"count": ' + b"9" * 5000 + b"}")),
    ("huge-int", _bytes(b'{"count": ' + b"9" * 400 + b"}")),
    ("nan", _bytes(b'{"count": NaN}')),
    ("infinity", _bytes(b'{"count": -Infinity}')),
    ("folder", _folder),
    ("fifo", _fifo),
    ("symlink-loop", _symlink_loop),
]


@pytest.mark.parametrize(("case", "write"), UNUSABLE, ids=[case for case, _ in UNUSABLE])
def test_anything_unusable_is_set_aside_and_reported_once(tmp_path: Path, case: str,
                                                         write: Callable[[Path], None]) -> None:
    path = tmp_path / "thing.json"
    write(path)
    before = _snapshot(path)
    loaded = load_json_file(path, SCHEMA, title="The test file", on_reset="Defaults are used.")
    assert loaded.data is None and loaded.reset
    assert loaded.notice is not None and "The test file" in loaded.notice and "Defaults are used." in loaded.notice
    bad = tmp_path / "thing.json.bad"
    assert loaded.kept_as == bad and str(bad) in loaded.notice
    assert not os.path.lexists(path)
    assert _snapshot(bad) == before  # the very same bytes (or folder, or link) are kept
    assert take_reset_notices() == [loaded.notice]
    assert take_reset_notices() == []
    # the next start finds no file: defaults, no second notice
    assert load_json_file(path, SCHEMA, title="The test file", on_reset="x").notice is None


def _snapshot(path: Path) -> object:
    if path.is_symlink():
        return ("link", os.readlink(path))
    if path.is_dir():
        return ("dir", sorted(p.name for p in path.iterdir()))
    if path.is_fifo():
        return "fifo"
    return path.read_bytes()


def test_an_older_bad_copy_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "thing.json"
    for text in ("first", "second", "third"):
        path.write_text(text)
        load_json_file(path, SCHEMA, title="The test file", on_reset="x")
    assert (tmp_path / "thing.json.bad").read_text() == "first"
    assert (tmp_path / "thing.json.bad-2").read_text() == "second"
    assert (tmp_path / "thing.json.bad-3").read_text() == "third"


def test_a_good_file_loads_and_a_missing_one_is_quiet(tmp_path: Path) -> None:
    path = tmp_path / "thing.json"
    assert load_json_file(path, SCHEMA, title="t", on_reset="x").data is None
    path.write_text('\ufeff{"name": "ok", "count": 3}', encoding="utf-8")  # a BOM from a Windows editor is fine
    loaded = load_json_file(path, SCHEMA, title="t", on_reset="x")
    assert loaded.data == {"name": "ok", "count": 3} and loaded.notice is None
    assert take_reset_notices() == []


def test_a_huge_file_is_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "thing.json"
    with path.open("wb") as handle:
        handle.truncate(64 << 20)  # sparse: 64 MiB of NULs
    loaded = load_json_file(path, SCHEMA, title="The test file", on_reset="x")
    assert loaded.reset and "larger than" in (loaded.notice or "")
    assert (tmp_path / "thing.json.bad").stat().st_size == 64 << 20
