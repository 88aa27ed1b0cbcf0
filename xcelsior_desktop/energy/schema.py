"""The history file's layout, its version (``PRAGMA user_version``) and the steps from each older version.

Version 1 was the first layout: the meter's 15-minute slots only (``slots``) and raw demand (``demand``).
Version 2 keeps intervals of any source at their own length (with which ones the meter shadows), 1-minute demand
rollups, register readings and the longest interval of each source (the bound of every overlap query).
Version 3 adds per-UTC-hour totals of the resolved view, kept in step by every write, so a year's chart sums
8760 rows instead of 35040 slots.
Version 4 keys every row by meter (``net``, or ``production`` for a solar production meter); what a file of an
earlier version holds is the net meter's.
Each step runs in the same transaction as the version bump, so a crash leaves the old version or the new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from xcelsior_desktop.energy.errors import StoreTooNew

CURRENT_VERSION = 4

VERSION_1 = """
CREATE TABLE slots (start INTEGER PRIMARY KEY, imported_wh REAL, exported_wh REAL);
CREATE TABLE demand (at_ms INTEGER PRIMARY KEY, watts REAL NOT NULL);
"""

VERSION_2 = """
CREATE TABLE intervals (
    start INTEGER NOT NULL,               -- unix seconds, UTC
    source TEXT NOT NULL,                 -- 'meter', 'greenbutton', ...
    duration_s INTEGER NOT NULL CHECK (duration_s > 0),
    imported_wh REAL,                     -- NULL: unknown (a row has at least one value)
    exported_wh REAL,
    shadowed INTEGER NOT NULL DEFAULT 0,  -- 1: another source's interval that overlaps a meter slot
    PRIMARY KEY (start, source)
) WITHOUT ROWID;
CREATE TABLE source_durations (source TEXT PRIMARY KEY, max_duration_s INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE demand_samples (at_ms INTEGER PRIMARY KEY, watts REAL NOT NULL);
CREATE TABLE demand_minutes (
    minute INTEGER PRIMARY KEY,           -- unix seconds of the minute's start
    samples INTEGER NOT NULL,
    min_w REAL NOT NULL,
    mean_w REAL NOT NULL,
    max_w REAL NOT NULL
);
CREATE TABLE register_readings (at_ms INTEGER PRIMARY KEY, imported_wh REAL, exported_wh REAL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
"""


VERSION_3 = """
CREATE TABLE hour_totals (
    hour INTEGER PRIMARY KEY,             -- unix seconds of a UTC hour's start
    imported_wh REAL,                     -- sum over the resolved intervals that start in the hour (NULL: no value)
    exported_wh REAL,
    imported_s INTEGER NOT NULL,          -- seconds those values cover
    exported_s INTEGER NOT NULL
);
"""

VERSION_4 = """
CREATE TABLE intervals (
    meter TEXT NOT NULL,                  -- 'net' or 'production'
    start INTEGER NOT NULL,               -- unix seconds, UTC
    source TEXT NOT NULL,                 -- 'meter', 'greenbutton', ...
    duration_s INTEGER NOT NULL CHECK (duration_s > 0),
    imported_wh REAL,                     -- NULL: unknown (a row has at least one value)
    exported_wh REAL,
    shadowed INTEGER NOT NULL DEFAULT 0,  -- 1: another source's interval that overlaps a meter slot
    PRIMARY KEY (meter, start, source)
) WITHOUT ROWID;
CREATE TABLE source_durations (
    meter TEXT NOT NULL, source TEXT NOT NULL, max_duration_s INTEGER NOT NULL, PRIMARY KEY (meter, source)
) WITHOUT ROWID;
CREATE TABLE demand_samples (meter TEXT NOT NULL, at_ms INTEGER NOT NULL, watts REAL NOT NULL,
                             PRIMARY KEY (meter, at_ms)) WITHOUT ROWID;
CREATE TABLE demand_minutes (
    meter TEXT NOT NULL,
    minute INTEGER NOT NULL,              -- unix seconds of the minute's start
    samples INTEGER NOT NULL,
    min_w REAL NOT NULL,
    mean_w REAL NOT NULL,
    max_w REAL NOT NULL,
    PRIMARY KEY (meter, minute)
) WITHOUT ROWID;
CREATE TABLE register_readings (meter TEXT NOT NULL, at_ms INTEGER NOT NULL, imported_wh REAL, exported_wh REAL,
                                PRIMARY KEY (meter, at_ms)) WITHOUT ROWID;
CREATE TABLE hour_totals (
    meter TEXT NOT NULL,
    hour INTEGER NOT NULL,                -- unix seconds of a UTC hour's start
    imported_wh REAL,                     -- sum over the resolved intervals that start in the hour (NULL: no value)
    exported_wh REAL,
    imported_s INTEGER NOT NULL,          -- seconds those values cover
    exported_s INTEGER NOT NULL,
    PRIMARY KEY (meter, hour)
) WITHOUT ROWID;
"""
# (table, its columns after the meter) of the tables version 4 keys by meter
_KEYED = (
    ("intervals", "start, source, duration_s, imported_wh, exported_wh, shadowed"),
    ("source_durations", "source, max_duration_s"),
    ("demand_samples", "at_ms, watts"),
    ("demand_minutes", "minute, samples, min_w, mean_w, max_w"),
    ("register_readings", "at_ms, imported_wh, exported_wh"),
    ("hour_totals", "hour, imported_wh, exported_wh, imported_s, exported_s"),
)

# one meter's hour totals of [lo, hi) from its intervals (the caller deletes the old rows of the range first)
FILL_HOUR_TOTALS = (
    "INSERT INTO hour_totals(meter, hour, imported_wh, exported_wh, imported_s, exported_s) "
    "SELECT meter, start / 3600 * 3600, sum(imported_wh), sum(exported_wh), "
    "total(CASE WHEN imported_wh IS NOT NULL THEN duration_s END), "
    "total(CASE WHEN exported_wh IS NOT NULL THEN duration_s END) "
    "FROM intervals WHERE meter = ? AND start >= ? AND start < ? AND shadowed = 0 GROUP BY start / 3600"
)


class NotAHistoryFile(Exception):
    """The file is an SQLite database, but not one of ours (tables without our version stamp)."""


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    _create(conn, VERSION_2)
    conn.execute(
        "INSERT INTO intervals(start, source, duration_s, imported_wh, exported_wh) "
        "SELECT start, 'meter', 900, imported_wh, exported_wh FROM slots "
        "WHERE imported_wh IS NOT NULL OR exported_wh IS NOT NULL"
    )
    conn.execute(
        "INSERT INTO source_durations(source, max_duration_s) SELECT 'meter', 900 WHERE EXISTS (SELECT 1 FROM intervals)"
    )
    conn.execute("INSERT INTO demand_samples(at_ms, watts) SELECT at_ms, watts FROM demand")
    conn.execute("DROP TABLE slots")
    conn.execute("DROP TABLE demand")


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    _create(conn, VERSION_3)
    conn.execute(
        "INSERT INTO hour_totals(hour, imported_wh, exported_wh, imported_s, exported_s) "
        "SELECT start / 3600 * 3600, sum(imported_wh), sum(exported_wh), "
        "total(CASE WHEN imported_wh IS NOT NULL THEN duration_s END), "
        "total(CASE WHEN exported_wh IS NOT NULL THEN duration_s END) "
        "FROM intervals WHERE shadowed = 0 GROUP BY start / 3600"
    )


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    """Every row so far is the net meter's: the tables are made again with the meter in their key."""
    for table, _ in _KEYED:
        conn.execute(f"ALTER TABLE {table} RENAME TO {table}_v3")
    _create(conn, VERSION_4)
    for table, columns in _KEYED:
        conn.execute(f"INSERT INTO {table}(meter, {columns}) SELECT 'net', {columns} FROM {table}_v3")
        conn.execute(f"DROP TABLE {table}_v3")


# version -> the step that brings a file of that version to the next one
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip() and not s.strip().startswith("--")]


def _create(conn: sqlite3.Connection, script: str) -> None:
    # executescript() commits first; run the statements one by one inside our transaction instead
    for statement in _statements(script):
        conn.execute(statement)


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def ensure(conn: sqlite3.Connection) -> int:
    """Bring the file to :data:`CURRENT_VERSION` (creating it when empty); returns the version it had."""
    found = version(conn)
    if found == CURRENT_VERSION:
        return found
    if found > CURRENT_VERSION:
        raise StoreTooNew(f"history file version {found}, this app knows up to {CURRENT_VERSION}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = version(conn)  # another process may have done it while we waited for the lock
        if found == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if tables:
                raise NotAHistoryFile("an SQLite file with tables but no history version")
            _create(conn, VERSION_2)  # a new file: the version-2 layout, then the steps after it
            found_layout = 2
        else:
            found_layout = found
        for step in range(found_layout, CURRENT_VERSION):
            MIGRATIONS[step](conn)
        conn.execute(f"PRAGMA user_version = {CURRENT_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found
