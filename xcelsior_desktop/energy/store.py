"""The local energy history: one SQLite file (standard library ``sqlite3``, WAL) that outlives the meter's 30 days.

Qt-free. It keeps interval energy as each source stated it (the meter's 15-minute slots, other sources' hours or
days at their own length), register readings, and live demand samples (full resolution for 7 days, then rolled up
to 1-minute min/mean/max, kept forever). Times are UTC; the household's day is local time (``tz``).

Rules the store keeps:
- A gap stays a gap: an interval without data is no row at all, never a zero.
- One source never has two overlapping intervals (a newer one replaces what it overlaps), and slots are keyed by
  their UTC start, so a sleep or a DST change cannot duplicate a slot.
- The resolved view (:meth:`HistoryStore.intervals`) lets the meter win: another source's interval that overlaps
  any meter slot is left out (flagged ``shadowed`` when written, so chart queries stay simple range scans).
- The app and ``history sync`` may share the file: WAL, a busy timeout, and writes that take the lock up front.
- A damaged file is set aside (renamed, kept) and a fresh one started; :attr:`HistoryStore.user_message` says what
  was lost. A full disk or read-only folder raises :class:`StoreUnavailable`.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, TypeVar

from xcelsior_desktop.energy import days as periods
from xcelsior_desktop.energy import file_check, schema
from xcelsior_desktop.energy.errors import (
    HistoryError,
    NotAHistoryStore,
    StoreBusy,
    StoreDamaged,
    StoreTooNew,
    StoreUnavailable,
)

log = logging.getLogger(__name__)

METER_SOURCE = "meter"
NET_METER = "net"  # the meter at the service entrance; a solar production meter's rows are "production"
FILE_NAME = "history.sqlite3"
BUSY_TIMEOUT_S = 15.0  # the other program's longest write (a 30-day backfill batch) is far shorter
FULL_RESOLUTION_S = 7 * 24 * 3600  # demand samples and register readings kept as polled for this long
ROLLUP_EVERY_S = 3600  # add_demand rolls up at most this often
REGISTER_KEEP_EVERY_S = 900  # older register readings: the first of each 15 minutes is kept
MEMORY = ":memory:"
REMIND_EVERY_S = 3600  # while the history is kept in memory only, the log says so again this often

T = TypeVar("T")


@dataclass(frozen=True)
class EnergyInterval:
    """Energy over one interval as a source stated it. None = unknown (a gap), never 0 for unknown."""

    start: dt.datetime  # timezone-aware UTC
    duration_s: int  # 900 (the meter), 1800, 3600, 86400 ... kept at its own length
    imported_wh: float | None  # delivered, grid -> home
    exported_wh: float | None  # received, home -> grid
    source: str = METER_SOURCE  # "meter", "greenbutton", ...

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.duration_s)


@dataclass(frozen=True)
class PeriodTotal:
    """Energy over one chart period (a local day, a month ...) from the intervals that start in it.

    ``imported_wh``/``exported_wh`` are None when no interval in the period has that direction (a gap, not 0);
    ``imported_s``/``exported_s`` say how many seconds of the period the sums cover, so a chart can mark a
    partial day.
    """

    start: dt.datetime
    end: dt.datetime
    imported_wh: float | None
    exported_wh: float | None
    imported_s: int
    exported_s: int

    @property
    def length_s(self) -> int:
        return int((self.end - self.start).total_seconds())

    @property
    def complete(self) -> bool:
        return min(self.imported_s, self.exported_s) >= self.length_s


class DemandSample(NamedTuple):
    """One demand reading. A named tuple, not a dataclass: a day is 17,280 of them, read at once for big loads."""

    at: dt.datetime
    watts: float


@dataclass(frozen=True)
class DemandMinute:
    """One minute of demand rolled up (or aggregated on the fly from the samples of the last 7 days)."""

    start: dt.datetime
    samples: int
    min_w: float
    mean_w: float
    max_w: float


@dataclass(frozen=True)
class RegisterReading:
    """The meter's cumulative registers at one moment (None: not read)."""

    at: dt.datetime
    imported_wh: float | None
    exported_wh: float | None


def utc_seconds(instant: dt.datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("times given to the history store must be timezone-aware")
    return int(instant.timestamp())


def _upsert(conn: sqlite3.Connection, sql: str, rows: Iterable[tuple[Any, ...]]) -> int:
    """Run an INSERT ... ON CONFLICT DO UPDATE ... WHERE changed for each row; the rows that changed anything
    (a reading stored again unchanged is not counted)."""
    return sum(conn.execute(sql, row).rowcount for row in rows)


def _ms(instant: dt.datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("times given to the history store must be timezone-aware")
    return int(round(instant.timestamp() * 1000))


def from_seconds(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, dt.UTC)


def _from_ms(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC)


def default_path() -> Path:
    from xcelsior_desktop.platform import paths

    return paths.data_dir() / FILE_NAME


_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_UNWRITABLE_CODES = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
                     sqlite3.SQLITE_PERM}


def _classify(exc: sqlite3.Error, path: Path | str) -> HistoryError:
    """Turn an sqlite3 error into one of ours with a sentence a user can act on, by SQLite's result code (its
    primary code: the low byte of an extended one), never by the wording of its message."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _BUSY_CODES:
        return StoreBusy(f"{path}: {exc}")
    if primary in _UNWRITABLE_CODES or (primary is None and isinstance(exc, sqlite3.OperationalError)):
        cause = file_check.unwritable_cause(Path(path), exc) if str(path) != MEMORY else None
        return StoreUnavailable(f"{path}: {exc}", cause=cause)
    return HistoryError(
        f"{path}: {exc}",
        user_message=(
            "The energy history file is damaged. Quit and restart the app: it sets the file aside and "
            "reads the meter's last 30 days again."
        ),
    )


class Access(enum.Enum):
    """How a store is opened (see :class:`HistoryStore`)."""

    READ = "read"  # history info / export: never creates, renames, migrates or rewrites anything
    WRITE = "write"  # history sync / import on a file the user named: creates, migrates, repairs a history file
    OWN = "own"  # the app's own file (only the app writes it): also sets aside whatever else sits there


@dataclass
class _Shared:
    """What every meter's view of one file shares: the connection, and the memory fallback once it is in use."""

    conn: sqlite3.Connection | None = None
    memory_cause: str | None = None
    reminded_at: float = 0.0


class HistoryStore:
    """The history file. Thread-safe (one connection behind a lock); use one per process. A store reads and writes
    one meter's rows (the net meter's; :meth:`for_meter` gives the other's view of the same file)."""

    def __init__(self, path: Path | str | None = None, *, access: Access = Access.OWN) -> None:
        self.path: Path = Path(path) if path is not None else default_path()
        self.access = access
        self.user_message: str | None = None  # set when a damaged file was set aside on opening
        self.set_aside_path: Path | None = None
        self.meter = NET_METER  # whose rows this view reads and writes (see for_meter)
        self._shared = _Shared()
        self._memory_listeners: list[Callable[[str], None]] = []
        self._lock = threading.RLock()
        self._last_rollup_ms: int | None = None
        self._conn = self._open_read() if access is Access.READ else self._open()

    def for_meter(self, meter: str) -> HistoryStore:
        """The same file seen as another meter's history (``production``: the solar meter): same connection,
        lock and memory fallback, every row keyed by that meter."""
        if meter == self.meter:
            return self
        view = copy.copy(self)
        view.meter = meter
        view._last_rollup_ms = None
        return view

    # the connection and the memory fallback are the file's, shared by every meter's view
    @property
    def _conn(self) -> sqlite3.Connection:
        conn = self._shared.conn
        assert conn is not None, "the store is not open"
        return conn

    @_conn.setter
    def _conn(self, conn: sqlite3.Connection) -> None:
        self._shared.conn = conn

    @property
    def memory_cause(self) -> str | None:
        """Set when a file that stopped taking writes is run from memory (for every meter's view)."""
        return self._shared.memory_cause

    @property
    def _reminded_at(self) -> float:
        return self._shared.reminded_at

    @classmethod
    def in_memory(cls) -> HistoryStore:
        """A store that lives only as long as the process (the app's fallback when the file cannot be written)."""
        return cls(MEMORY)

    # --- opening -------------------------------------------------------------------------------------------

    @property
    def _is_memory(self) -> bool:
        return str(self.path) == MEMORY

    def _connect(self) -> sqlite3.Connection:
        if not self._is_memory:
            try:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                _make_private(self.path)
            except OSError as exc:
                raise StoreUnavailable(f"{self.path.parent}: {exc}",
                                       cause=file_check.unwritable_cause(self.path, exc)) from exc
        try:
            conn = sqlite3.connect(
                str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise _classify(exc, self.path) from exc
        conn.text_factory = _text
        return conn

    def _not_ours(self, what: str) -> NotAHistoryStore:
        message = (f"{self.path} is not an Xcelsior history file ({what}); it was left as it is. Give --db the path "
                   "of a history file, or a new file name.")
        return NotAHistoryStore(message, user_message=message)

    def _open(self) -> sqlite3.Connection:
        """Open for writing (Access.WRITE / OWN): create, migrate, repair; check that a write goes through."""
        if self._is_memory:
            conn = self._connect()
            self._prepare(conn)
            return conn
        try:
            found = file_check.inspect(self.path)
        except OSError as exc:
            raise StoreUnavailable(f"{self.path}: {exc}", cause=file_check.unwritable_cause(self.path, exc)) from exc
        if found.kind in (file_check.Kind.FOLDER, file_check.Kind.NOT_A_FILE):
            raise StoreUnavailable(f"{self.path}: {found.kind.value}", cause=file_check.unwritable_cause(self.path))
        foreign = found.kind is file_check.Kind.NOT_SQLITE or (
            found.kind is file_check.Kind.SQLITE and _peek(self.path) == (0, True))
        if foreign:
            what = "its content is not an SQLite database" if found.kind is file_check.Kind.NOT_SQLITE else (
                "an SQLite database of another program")
            if self.access is not Access.OWN:
                raise self._not_ours(what)
            return self._start_afresh(what)  # the app's own path: it was ours, and is damaged beyond its header
        conn = self._connect()
        try:
            self._prepare(conn)
            self._check_writable(conn)
            return conn
        except StoreTooNew:
            conn.close()
            raise
        except schema.NotAHistoryFile as exc:
            conn.close()
            if self.access is not Access.OWN:
                raise self._not_ours(str(exc)) from None
            return self._start_afresh(str(exc))
        except sqlite3.OperationalError as exc:
            conn.close()
            raise _classify(exc, self.path) from exc
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # damaged pages: set aside (kept), never rewritten
            conn.close()
            return self._start_afresh(str(exc))

    def _check_writable(self, conn: sqlite3.Connection) -> None:
        """A read-only file opens without complaint and fails at its first write: find out now, not at every poll."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('opened_at', ?)",
                         (int(dt.datetime.now(dt.UTC).timestamp()),))
            conn.execute("COMMIT")
        except BaseException:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    def _open_read(self) -> sqlite3.Connection:
        """Open for reading only (Access.READ): nothing at the path, or beside it, is created or changed.

        No write-ahead log beside the file means no program has it open: it is read as immutable (SQLite then
        creates no -wal or -shm). With the app running, its -wal and -shm are there and are used as they are. A file
        of an older layout is copied into memory and brought up to date there."""
        try:
            found = file_check.inspect(self.path)
        except OSError as exc:
            raise HistoryError(f"{self.path}: {exc}", user_message=(
                f"{self.path} cannot be read ({exc.strerror or exc}).")) from exc
        if found.kind is file_check.Kind.MISSING:
            raise HistoryError(f"{self.path}: no such file", user_message=f"There is no history file at {self.path}.")
        if found.kind is not file_check.Kind.SQLITE:
            what = {file_check.Kind.EMPTY: "it is empty", file_check.Kind.FOLDER: "it is a folder",
                    file_check.Kind.NOT_A_FILE: "it is not a regular file"}.get(
                found.kind, "its content is not an SQLite database")
            raise self._not_ours(what)
        try:
            conn = _read_only(self.path)
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            check = conn.execute("PRAGMA quick_check(1)").fetchone()
            if not check or check[0] != "ok":
                conn.close()
                raise sqlite3.DatabaseError(f"quick_check: {check[0] if check else 'no answer'}")
            version = schema.version(conn)  # through the app's write-ahead log: the file's header may lag
            if version > schema.CURRENT_VERSION:
                conn.close()
                raise StoreTooNew(f"history file version {version}, this app knows up to {schema.CURRENT_VERSION}")
            if version == 0:
                conn.close()
                raise self._not_ours("an SQLite database without the history's version stamp")
            if version < schema.CURRENT_VERSION:
                conn = _migrated_copy(conn)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # SQLite's message on a damaged page may not
            code = getattr(exc, "sqlite_errorcode", None)  # be UTF-8: the sqlite3 module then raises this instead
            if isinstance(code, int) and code & 0xFF in _BUSY_CODES:
                raise StoreBusy(f"{self.path}: {exc}") from exc
            raise StoreDamaged(f"{self.path}: {exc}", user_message=(
                f"The history file {self.path} is damaged ({exc}), so it cannot be read. It was left as it is: "
                "the app sets it aside and starts a new one when it next opens it.")) from exc
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        if not self._is_memory:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        if not self._is_memory:
            check = conn.execute("PRAGMA quick_check(1)").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(f"quick_check: {check[0] if check else 'no answer'}")
        schema.ensure(conn)

    def _start_afresh(self, reason: str) -> sqlite3.Connection:
        if self.access is Access.READ:  # never: a read changes nothing
            raise StoreDamaged(f"{self.path}: {reason}")
        """Set the damaged file aside (with its -wal and -shm) and open a new, empty one."""
        span = _readable_span(self.path)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        try:
            for suffix in ("", "-wal", "-shm"):
                part = Path(str(self.path) + suffix)
                if part.exists():
                    os.replace(part, Path(str(aside) + suffix))
        except OSError as exc:
            raise StoreUnavailable(f"{self.path}: damaged ({reason}) and cannot be moved aside: {exc}") from exc
        self.set_aside_path = aside
        lost = f" It held history from {span[0]:%Y-%m-%d} to {span[1]:%Y-%m-%d}." if span else ""
        self.user_message = (
            f"The energy history file was damaged and has been set aside as {aside.name}.{lost} A new one was "
            "started; anything older than what is read again is only in the set-aside file."
        )
        conn = self._connect()
        try:
            self._prepare(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise _classify(exc, self.path) from exc
        return conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- plumbing --------------------------------------------------------------------------------------------

    def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            try:
                return work(self._conn)
            except sqlite3.Error as exc:
                raise _classify(exc, self.path) from exc

    def _transact(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` in one transaction that takes the write lock up front (so the busy timeout applies, never a
        deadlock). When the file no longer takes writes, the store goes on in memory (see :meth:`_to_memory`) and
        ``work`` runs again there."""
        try:
            result = self._transact_once(work)
        except StoreUnavailable as exc:
            if self._is_memory or not self._memory_listeners or not self._to_memory(exc):
                raise
            result = self._transact_once(work)
        if self.memory_cause is not None and time.monotonic() - self._reminded_at >= REMIND_EVERY_S:
            self._shared.reminded_at = time.monotonic()
            log.warning("the energy history is still kept in memory only: %s", self.memory_cause)
        return result

    def _transact_once(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            if self.access is Access.READ:
                raise HistoryError(f"{self.path}: opened for reading only")
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _classify(exc, self.path) from exc
            try:
                result = work(conn)
                conn.execute("COMMIT")
                return result
            except BaseException as exc:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise _classify(exc, self.path) from exc
                raise

    # --- running from memory -----------------------------------------------------------------------------------

    def on_memory(self, listener: Callable[[str], None]) -> None:
        """Go on in memory for the rest of this run when the file stops taking writes (the app's choice: a command
        fails instead, so nothing is silently lost), and call ``listener(message)`` on the writing thread then."""
        self._memory_listeners.append(listener)

    def _to_memory(self, exc: StoreUnavailable) -> bool:
        with self._lock:
            if self.memory_cause is not None:
                return False
            memory = sqlite3.connect(MEMORY, isolation_level=None, check_same_thread=False)
            try:
                self._conn.backup(memory)
            except sqlite3.Error as copy_error:
                log.warning("the history could not be copied into memory (%s): starting empty", copy_error)
                memory.close()
                memory = sqlite3.connect(MEMORY, isolation_level=None, check_same_thread=False)
                self._prepare(memory)
            old, self._conn = self._conn, memory
            with suppress(sqlite3.Error):
                old.close()
            cause = exc.cause or str(exc)
            self._shared.memory_cause = cause
            self._shared.reminded_at = time.monotonic()
        message = f"History is kept in memory only from now on, and is lost when the app quits: {cause}"
        log.warning(message)
        for listener in list(self._memory_listeners):
            listener(message)
        return True

    # --- intervals -------------------------------------------------------------------------------------------

    def add_intervals(self, intervals: Iterable[EnergyInterval], *, not_after: dt.datetime | None = None) -> int:
        """Insert in ONE transaction (all or nothing); returns how many rows were new or changed.

        Adding the same intervals again changes nothing and returns 0. Intervals with neither value are skipped
        (a gap is no row); a known value is never overwritten by an unknown one. With ``not_after`` (the meter's
        current time) an interval that ends after it (the slot still in progress) is not stored.
        """
        limit = utc_seconds(not_after) if not_after is not None else None
        rows = []
        for iv in intervals:
            start = utc_seconds(iv.start)
            if iv.duration_s <= 0:
                raise ValueError(f"interval at {iv.start} has no length")
            if iv.imported_wh is None and iv.exported_wh is None:
                continue
            if limit is not None and start + iv.duration_s > limit:
                continue
            rows.append((iv.source, start, iv.duration_s, iv.imported_wh, iv.exported_wh))
        if not rows:
            return 0
        meter = self.meter

        def work(conn: sqlite3.Connection) -> int:
            changed = 0
            max_duration = dict(conn.execute("SELECT source, max_duration_s FROM source_durations WHERE meter = ?",
                                             (meter,)).fetchall())
            for source, start, duration, imported, exported in rows:
                if duration > max_duration.get(source, 0):
                    conn.execute(
                        "INSERT INTO source_durations(meter, source, max_duration_s) VALUES (?, ?, ?) "
                        "ON CONFLICT(meter, source) DO UPDATE SET max_duration_s = excluded.max_duration_s",
                        (meter, source, duration),
                    )
                    max_duration[source] = duration
                # one source never overlaps itself: a new interval replaces the ones it overlaps
                changed += conn.execute(
                    "DELETE FROM intervals WHERE meter = ? AND source = ? AND start > ? AND start < ? AND start != ? "
                    "AND start + duration_s > ?",
                    (meter, source, start - max_duration[source], start + duration, start, start),
                ).rowcount
                changed += conn.execute(
                    "INSERT INTO intervals(meter, start, source, duration_s, imported_wh, exported_wh) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(meter, start, source) DO UPDATE SET "
                    "duration_s = excluded.duration_s, "
                    "imported_wh = coalesce(excluded.imported_wh, imported_wh), "
                    "exported_wh = coalesce(excluded.exported_wh, exported_wh) "
                    "WHERE (duration_s, imported_wh, exported_wh) IS NOT "
                    "(excluded.duration_s, coalesce(excluded.imported_wh, imported_wh), "
                    "coalesce(excluded.exported_wh, exported_wh))",
                    (meter, start, source, duration, imported, exported),
                ).rowcount
            if changed:
                lo = min(r[1] for r in rows)
                hi = max(r[1] + r[2] for r in rows)
                self._reshadow(conn, meter, lo, hi, max_duration)
                # every interval whose row or shadow may have changed starts in [lo - longest, hi)
                first_hour = (lo - max(max_duration.values())) // 3600 * 3600
                end_hour = -(-hi // 3600) * 3600
                conn.execute("DELETE FROM hour_totals WHERE meter = ? AND hour >= ? AND hour < ?",
                             (meter, first_hour, end_hour))
                conn.execute(schema.FILL_HOUR_TOTALS, (meter, first_hour, end_hour))
            return changed

        return self._transact(work)

    @staticmethod
    def _reshadow(conn: sqlite3.Connection, meter: str, lo: int, hi: int, max_duration: dict[str, int]) -> None:
        """Recompute which other-source intervals touching [lo, hi) overlap a meter slot (the meter wins)."""
        other = max((d for s, d in max_duration.items() if s != METER_SOURCE), default=0)
        if not other:
            return
        longest_slot = max_duration.get(METER_SOURCE, 0)
        conn.execute(
            "UPDATE intervals SET shadowed = EXISTS (SELECT 1 FROM intervals AS m WHERE m.meter = intervals.meter "
            "AND m.source = ? AND m.start > intervals.start - ? AND m.start < intervals.start + intervals.duration_s "
            "AND m.start + m.duration_s > intervals.start) "
            "WHERE meter = ? AND start > ? AND start < ? AND source != ? AND start + duration_s > ?",
            (METER_SOURCE, longest_slot, meter, lo - other, hi, METER_SOURCE, lo),
        )

    def intervals(self, start: dt.datetime | None = None, end: dt.datetime | None = None) -> list[EnergyInterval]:
        """The resolved view, oldest first, intervals with start >= start and start < end: where an interval of
        another source overlaps any of the meter's own slots, the meter wins (the other is left out). Intervals
        without data are not rows at all."""
        return self._select_intervals(start, end, "shadowed = 0")

    def intervals_of(
        self, source: str, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> list[EnergyInterval]:
        """One source's intervals as it stated them (including those the meter shadows), oldest first."""
        return self._select_intervals(start, end, "source = ?", (source,))

    def _select_intervals(
        self, start: dt.datetime | None, end: dt.datetime | None, where: str, args: Sequence[Any] = ()
    ) -> list[EnergyInterval]:
        lo = utc_seconds(start) if start is not None else -(2**62)
        hi = utc_seconds(end) if end is not None else 2**62
        sql = (
            "SELECT start, duration_s, imported_wh, exported_wh, source FROM intervals "
            f"WHERE meter = ? AND start >= ? AND start < ? AND {where} ORDER BY start, source"
        )

        def work(conn: sqlite3.Connection) -> list[EnergyInterval]:
            return [
                EnergyInterval(from_seconds(s), d, i, e, src)
                for s, d, i, e, src in conn.execute(sql, (self.meter, lo, hi, *args))
            ]

        return self._read(work)

    def newest_meter_slot(self, direction: str | None = None) -> EnergyInterval | None:
        """The meter's newest stored slot (with a value for ``direction`` "imported"/"exported" when given)."""
        column = {None: None, "imported": "imported_wh", "exported": "exported_wh"}[direction]
        where = f"AND {column} IS NOT NULL " if column else ""
        sql = (
            "SELECT start, duration_s, imported_wh, exported_wh, source FROM intervals "
            f"WHERE meter = ? AND source = ? {where}ORDER BY start DESC LIMIT 1"
        )

        def work(conn: sqlite3.Connection) -> EnergyInterval | None:
            row = conn.execute(sql, (self.meter, METER_SOURCE)).fetchone()
            return EnergyInterval(from_seconds(row[0]), row[1], row[2], row[3], row[4]) if row else None

        return self._read(work)

    def newest_interval(self, start: dt.datetime, end: dt.datetime) -> EnergyInterval | None:
        """The resolved view's newest interval that starts in [start, end) and ends by ``end``; None without one."""
        sql = (
            "SELECT start, duration_s, imported_wh, exported_wh, source FROM intervals "
            "WHERE meter = ? AND shadowed = 0 AND start >= ? AND start < ? AND start + duration_s <= ? "
            "ORDER BY start DESC LIMIT 1"
        )
        lo, hi = utc_seconds(start), utc_seconds(end)

        def work(conn: sqlite3.Connection) -> EnergyInterval | None:
            row = conn.execute(sql, (self.meter, lo, hi, hi)).fetchone()
            return EnergyInterval(from_seconds(row[0]), row[1], row[2], row[3], row[4]) if row else None

        return self._read(work)

    def first_last(self) -> tuple[dt.datetime, dt.datetime] | None:
        """Start of the first, end of the last interval of the resolved view; None when there is none."""

        meter = self.meter

        def work(conn: sqlite3.Connection) -> tuple[dt.datetime, dt.datetime] | None:
            first = conn.execute("SELECT min(start) FROM intervals WHERE meter = ? AND shadowed = 0",
                                 (meter,)).fetchone()[0]
            if first is None:
                return None
            longest = conn.execute("SELECT max(max_duration_s) FROM source_durations WHERE meter = ?",
                                   (meter,)).fetchone()[0] or 0
            newest = conn.execute("SELECT max(start) FROM intervals WHERE meter = ? AND shadowed = 0",
                                  (meter,)).fetchone()[0]
            last = conn.execute(
                "SELECT max(start + duration_s) FROM intervals WHERE meter = ? AND shadowed = 0 AND start >= ?",
                (meter, newest - longest),
            ).fetchone()[0]
            return from_seconds(first), from_seconds(last)

        return self._read(work)

    def period_totals(self, boundaries: Sequence[dt.datetime]) -> list[PeriodTotal]:
        """Totals of the resolved view for consecutive periods [b0, b1), [b1, b2) ... (an interval counts in the
        period where it starts). Periods without any data are left out (a gap, not a zero)."""
        edges = [utc_seconds(b) for b in boundaries]
        # one range aggregate per period (one GROUP BY over a join with the periods sorts every row in a temporary
        # b-tree: ten times slower). Periods on whole UTC hours (every zone but the :30 and :45 ones) sum the hour
        # totals, a quarter of the rows.
        if all(edge % 3600 == 0 for edge in edges):
            sql = (
                "SELECT sum(imported_wh), sum(exported_wh), total(imported_s), total(exported_s), count(*) "
                "FROM hour_totals WHERE meter = ? AND hour >= ? AND hour < ?"
            )
        else:
            sql = (
                "SELECT sum(imported_wh), sum(exported_wh), "
                "total(CASE WHEN imported_wh IS NOT NULL THEN duration_s END), "
                "total(CASE WHEN exported_wh IS NOT NULL THEN duration_s END), count(*) "
                "FROM intervals WHERE meter = ? AND start >= ? AND start < ? AND shadowed = 0"
            )

        def work(conn: sqlite3.Connection) -> list[PeriodTotal]:
            out = []
            for i, (lo, hi) in enumerate(zip(edges, edges[1:], strict=False)):
                imp, exp, si, se, rows = conn.execute(sql, (self.meter, lo, hi)).fetchone()
                if rows:
                    out.append(
                        PeriodTotal(
                            boundaries[i].astimezone(dt.UTC), boundaries[i + 1].astimezone(dt.UTC), imp, exp,
                            int(si), int(se),
                        )
                    )
            return out

        return self._read(work)

    def day_slots(self, day: dt.date, tz: dt.tzinfo | None = None) -> list[EnergyInterval]:
        """The Day chart: the resolved intervals of one local day (96 slots; 92 or 100 on DST days)."""
        start, end = periods.day_bounds(day, tz)
        return self.intervals(start, end)

    def daily_totals(self, first: dt.date, last: dt.date, tz: dt.tzinfo | None = None) -> list[PeriodTotal]:
        """The Week and Month charts: totals per local day ``first`` .. ``last``; days without data left out."""
        return self.period_totals(periods.days(first, last, tz))

    def monthly_totals(self, year: int, tz: dt.tzinfo | None = None) -> list[PeriodTotal]:
        """The Year chart: totals per local month; months without data left out."""
        return self.period_totals(periods.months(year, tz))

    # --- demand ----------------------------------------------------------------------------------------------

    def add_demand(self, samples: Iterable[DemandSample]) -> int:
        """Store live demand samples (one per poll); a sample at an already stored instant replaces it.

        Samples older than 7 days are rolled up to 1-minute min/mean/max, at most once an hour (by the samples'
        own clock, which is the meter's).
        """
        rows = [(self.meter, _ms(s.at), float(s.watts)) for s in samples]
        if not rows:
            return 0

        count = self._transact(lambda conn: _upsert(
            conn, "INSERT INTO demand_samples(meter, at_ms, watts) VALUES (?, ?, ?) "
                  "ON CONFLICT(meter, at_ms) DO UPDATE SET watts = excluded.watts WHERE watts != excluded.watts",
            rows))
        newest = max(r[1] for r in rows)
        if self._last_rollup_ms is None or newest - self._last_rollup_ms >= ROLLUP_EVERY_S * 1000:
            self.roll_up(_from_ms(newest))
        return count

    def roll_up(self, now: dt.datetime) -> int:
        """Roll demand samples older than 7 days (before ``now``) into 1-minute rows and delete them; thin
        register readings older than 7 days to the first of each 15 minutes. Returns how many samples went."""
        cutoff_ms = (_ms(now) - FULL_RESOLUTION_S * 1000) // 60_000 * 60_000
        meter = self.meter
        # the net meter keeps the key an earlier version wrote; another meter has its own
        thinned_key = "registers_thinned_before_ms" if meter == NET_METER else f"registers_thinned_before_ms:{meter}"

        def work(conn: sqlite3.Connection) -> int:
            conn.execute(
                "INSERT INTO demand_minutes(meter, minute, samples, min_w, mean_w, max_w) "
                "SELECT meter, at_ms / 60000 * 60, count(*), min(watts), avg(watts), max(watts) FROM demand_samples "
                "WHERE meter = ? AND at_ms < ? GROUP BY at_ms / 60000 "
                "ON CONFLICT(meter, minute) DO UPDATE SET min_w = min(min_w, excluded.min_w), "
                "max_w = max(max_w, excluded.max_w), "
                "mean_w = (mean_w * samples + excluded.mean_w * excluded.samples) / (samples + excluded.samples), "
                "samples = samples + excluded.samples",
                (meter, cutoff_ms),
            )
            gone = conn.execute("DELETE FROM demand_samples WHERE meter = ? AND at_ms < ?",
                                (meter, cutoff_ms)).rowcount
            thinned_before = conn.execute("SELECT value FROM meta WHERE key = ?", (thinned_key,)).fetchone()
            since = int(thinned_before[0]) if thinned_before else -(2**62)
            keep_ms = REGISTER_KEEP_EVERY_S * 1000
            conn.execute(
                "DELETE FROM register_readings WHERE meter = ? AND at_ms >= ? AND at_ms < ? AND at_ms NOT IN "
                "(SELECT min(at_ms) FROM register_readings WHERE meter = ? AND at_ms >= ? AND at_ms < ? "
                "GROUP BY at_ms / ?)",
                (meter, since, cutoff_ms, meter, since, cutoff_ms, keep_ms),
            )
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (thinned_key, cutoff_ms // keep_ms * keep_ms),
            )
            return gone

        gone = self._transact(work)
        self._last_rollup_ms = _ms(now)
        return gone

    def demand(self, start: dt.datetime, end: dt.datetime) -> list[DemandSample]:
        """Demand samples at full resolution with start <= at < end, oldest first (the last 7 days hold them)."""
        sql = "SELECT at_ms, watts FROM demand_samples WHERE meter = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms"

        def work(conn: sqlite3.Connection) -> list[DemandSample]:
            at, utc = dt.datetime.fromtimestamp, dt.UTC  # _from_ms inlined: this runs once per 5-second reading
            return [DemandSample(at(t / 1000, utc), w) for t, w in conn.execute(sql, (self.meter, _ms(start), _ms(end)))]

        return self._read(work)

    def live_demand(self, now: dt.datetime, window_s: int = 3600) -> list[DemandSample]:
        """The Live chart: the samples of the last ``window_s`` seconds before ``now`` (inclusive of now)."""
        return self.demand(now - dt.timedelta(seconds=window_s), now + dt.timedelta(milliseconds=1))

    def demand_by_minute(self, start: dt.datetime, end: dt.datetime) -> list[DemandMinute]:
        """1-minute min/mean/max for minutes starting in [start, end): stored rollups for older minutes, the
        samples aggregated on the fly for the last 7 days. Minutes without samples are left out."""
        lo = utc_seconds(start) // 60 * 60
        hi = utc_seconds(end)
        sql = (
            "SELECT minute, samples, min_w, mean_w, max_w FROM demand_minutes WHERE meter = ? AND minute >= ? "
            "AND minute < ? UNION ALL SELECT at_ms / 60000 * 60, count(*), min(watts), avg(watts), max(watts) "
            "FROM demand_samples WHERE meter = ? AND at_ms >= ? AND at_ms < ? GROUP BY at_ms / 60000 ORDER BY 1"
        )
        meter = self.meter

        def work(conn: sqlite3.Connection) -> list[DemandMinute]:
            merged: dict[int, DemandMinute] = {}
            for minute, n, lo_w, mean_w, hi_w in conn.execute(sql, (meter, lo, hi, meter, lo * 1000, hi * 1000)):
                row = DemandMinute(from_seconds(minute), n, lo_w, mean_w, hi_w)
                old = merged.get(minute)
                if old is not None:  # a minute split across the roll-up cutoff
                    total = old.samples + n
                    row = DemandMinute(
                        row.start,
                        total,
                        min(old.min_w, lo_w),
                        (old.mean_w * old.samples + mean_w * n) / total,
                        max(old.max_w, hi_w),
                    )
                merged[minute] = row
            return list(merged.values())

        return self._read(work)

    # --- registers -------------------------------------------------------------------------------------------

    def add_register_readings(self, readings: Iterable[RegisterReading]) -> int:
        """Store the meter's cumulative register readings (all for 7 days, then one per 15 minutes)."""
        rows = [(self.meter, _ms(r.at), r.imported_wh, r.exported_wh) for r in readings
                if r.imported_wh is not None or r.exported_wh is not None]
        if not rows:
            return 0

        return self._transact(lambda conn: _upsert(
            conn, "INSERT INTO register_readings(meter, at_ms, imported_wh, exported_wh) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT(meter, at_ms) DO UPDATE SET imported_wh = excluded.imported_wh, "
                  "exported_wh = excluded.exported_wh "
                  "WHERE (imported_wh, exported_wh) IS NOT (excluded.imported_wh, excluded.exported_wh)",
            rows))

    def register_readings(self, start: dt.datetime, end: dt.datetime) -> list[RegisterReading]:
        sql = (
            "SELECT at_ms, imported_wh, exported_wh FROM register_readings WHERE meter = ? AND at_ms >= ? "
            "AND at_ms < ? ORDER BY at_ms"
        )

        def work(conn: sqlite3.Connection) -> list[RegisterReading]:
            return [RegisterReading(_from_ms(t), i, e)
                    for t, i, e in conn.execute(sql, (self.meter, _ms(start), _ms(end)))]

        return self._read(work)

    # --- facts for `history info` ------------------------------------------------------------------------------

    def gaps(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        """Stretches inside [first, last] of the resolved view (or of [start, end)) that no interval covers."""
        rows = self._read(
            lambda conn: conn.execute(
                "SELECT start, duration_s FROM intervals WHERE meter = ? AND shadowed = 0 AND start >= ? AND start < ? "
                "ORDER BY start",
                (
                    self.meter,
                    utc_seconds(start) if start is not None else -(2**62),
                    utc_seconds(end) if end is not None else 2**62,
                ),
            ).fetchall()
        )
        out: list[tuple[dt.datetime, dt.datetime]] = []
        covered_to: int | None = utc_seconds(start) if start is not None else None
        for s, d in rows:
            if covered_to is not None and s > covered_to:
                out.append((from_seconds(covered_to), from_seconds(s)))
            covered_to = s + d if covered_to is None else max(covered_to, s + d)
        if end is not None and covered_to is not None and covered_to < utc_seconds(end):
            out.append((from_seconds(covered_to), end.astimezone(dt.UTC)))
        return out

    def size_bytes(self) -> int:
        """The file's size on disk including its write-ahead log (0 in memory)."""
        if self._is_memory:
            return 0
        total = 0
        for suffix in ("", "-wal"):
            with suppress(OSError):
                total += os.path.getsize(str(self.path) + suffix)
        return total


def _readable_span(path: Path) -> tuple[dt.datetime, dt.datetime] | None:
    """What a damaged file still tells about the history it held (best effort, read-only)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        for table in ("intervals", "slots"):
            try:
                row = conn.execute(f"SELECT min(start), max(start) FROM {table}").fetchone()
            except (sqlite3.Error, UnicodeDecodeError):
                continue
            if row and row[0] is not None:
                return from_seconds(int(row[0])), from_seconds(int(row[1]))
        return None
    finally:
        conn.close()


def _text(raw: bytes) -> str:
    """Text from the file as SQLite returns it: a damaged page may hold bytes that are not UTF-8 (in a message of
    quick_check, say), which must read as damage, never raise from inside the sqlite3 module."""
    return raw.decode("utf-8", "replace")


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that changes nothing at or beside ``path``. No write-ahead log beside the file means no
    program has it open: read it as immutable (SQLite then creates no -wal or -shm). With the app running, its
    -wal and -shm are there and are read as they are (the newest commits live in the log)."""
    wal, shm = (Path(f"{path}{suffix}") for suffix in ("-wal", "-shm"))
    options = "mode=ro" if wal.exists() and shm.exists() else "mode=ro&immutable=1"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{options}", uri=True, timeout=BUSY_TIMEOUT_S,
                           isolation_level=None, check_same_thread=False)
    conn.text_factory = _text
    return conn


def _peek(path: Path) -> tuple[int, bool] | None:
    """(layout version, holds tables) of an SQLite file, read without changing it; None when it cannot be read."""
    try:
        conn = _read_only(path)
    except sqlite3.Error:
        return None
    try:
        version = schema.version(conn)
        tables = bool(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
        return version, tables
    except (sqlite3.Error, UnicodeDecodeError):
        return None  # damaged: judged by the caller as such
    finally:
        conn.close()


def _migrated_copy(conn: sqlite3.Connection) -> sqlite3.Connection:
    """A file of an older layout, read-only: its content copied into memory and brought up to date there."""
    memory = sqlite3.connect(MEMORY, isolation_level=None, check_same_thread=False)
    try:
        conn.backup(memory)
    finally:
        conn.close()
    schema.ensure(memory)
    return memory


def _make_private(path: Path) -> None:
    """The history file is the user's alone (0600), made so before SQLite creates it, and tightened when an older
    version left it 0644. SQLite gives its -wal and -shm the database file's mode."""
    if os.name != "posix":
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        mode = os.stat(path).st_mode & 0o777
        if mode & 0o077 and os.access(path, os.W_OK):
            os.chmod(path, mode & 0o700)
