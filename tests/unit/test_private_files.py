"""The log file is 0600 and every folder of the app 0700, also when an older version left them wider
because they hold LFDIs and the meter's address."""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from xcelsior_desktop.app.logging_setup import LOG_NAME, PrivateRotatingFileHandler, remove_logging, setup_logging
from xcelsior_desktop.platform import paths

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes (Windows uses the profile's ACLs)")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def app_logging() -> Iterator[None]:
    yield
    remove_logging()


def test_the_app_folders_are_private(isolated_home: Path) -> None:
    xdg = [isolated_home / ".config", isolated_home / ".local" / "share", isolated_home / ".local" / "state"]
    for folder in xdg:
        os.chmod(folder, 0o751)
    folders = [paths.config_dir(), paths.data_dir(), paths.state_dir(), paths.log_dir()]
    assert {mode(folder) for folder in folders} == {0o700}
    assert paths.log_dir().parent == paths.state_dir()
    assert {mode(folder) for folder in xdg} == {0o751}  # the XDG folders are not the app's: left as they are


def test_folders_left_wide_by_an_older_version_are_tightened(isolated_home: Path) -> None:
    for folder in (isolated_home / ".config" / "xcelsior-desktop", isolated_home / ".local/state/xcelsior-desktop",
                   isolated_home / ".local/state/xcelsior-desktop/logs"):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o755)
    assert mode(paths.config_dir()) == 0o700
    assert mode(paths.log_dir()) == 0o700 and mode(paths.log_dir().parent) == 0o700
    assert mode(isolated_home / ".local" / "state") == 0o755  # XDG_STATE_HOME itself is not the app's


def test_the_log_file_is_private_from_the_first_line_and_after_rotation(app_logging: None) -> None:
    old = paths.log_dir() / LOG_NAME
    old.write_text("from an older version\n")
    os.chmod(old, 0o644)
    (paths.log_dir() / f"{LOG_NAME}.1").write_text("rolled\n")
    os.chmod(paths.log_dir() / f"{LOG_NAME}.1", 0o644)
    path = setup_logging()
    logging.getLogger("test").warning("meter LFDI %s at %s", "9C68A150BD81D49819655B0C440E183D3EEADEAE", "10.0.0.5")
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert mode(paths.log_dir() / f"{LOG_NAME}.1") == 0o600
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, PrivateRotatingFileHandler))
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    handler.doRollover()
    logging.getLogger("test").warning("after the rollover")
    handler.flush()
    assert "after the rollover" in path.read_text()
    assert {mode(p) for p in paths.log_dir().iterdir()} == {0o600}


def test_a_fresh_log_file_is_never_wider(app_logging: None) -> None:
    previous = os.umask(0o000)  # the most permissive umask: the file must still be 0600
    try:
        path = setup_logging()
        logging.getLogger("test").warning("hello")
    finally:
        os.umask(previous)
    assert mode(path) == 0o600


def test_the_history_file_and_its_companions_are_private(isolated_home: Path) -> None:
    import datetime as dt

    from xcelsior_desktop.energy.store import DemandSample, HistoryStore

    with HistoryStore() as store:
        store.add_demand([DemandSample(dt.datetime(2026, 11, 1, tzinfo=dt.UTC), 100.0)])
        files = [store.path, Path(f"{store.path}-wal"), Path(f"{store.path}-shm")]
        assert all(p.exists() for p in files)
        assert [mode(p) for p in files] == [0o600] * 3


def test_a_history_file_left_0644_by_an_older_version_is_tightened(isolated_home: Path) -> None:
    from xcelsior_desktop.energy.store import HistoryStore

    path = paths.data_dir() / "history.sqlite3"
    HistoryStore(path).close()
    os.chmod(path, 0o644)
    HistoryStore(path).close()
    assert mode(path) == 0o600


def test_the_tariffs_folder_is_private(isolated_home: Path) -> None:
    from xcelsior_desktop.money.presets import user_dir

    assert mode(user_dir()) == 0o700


def test_a_folder_the_user_made_read_only_is_never_made_writable(isolated_home: Path) -> None:
    folder = isolated_home / ".local" / "share" / "xcelsior-desktop"
    folder.mkdir(parents=True)
    os.chmod(folder, 0o500)
    try:
        assert paths.data_dir() == folder
        assert mode(folder) == 0o500  # the owner's bits are theirs; only group and other bits ever go
    finally:
        os.chmod(folder, 0o700)
