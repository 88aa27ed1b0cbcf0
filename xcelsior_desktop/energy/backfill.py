"""Read the meter's interval history into the store, one GET per step, so live polling can go on in between.

Qt-free. :class:`Backfill` lists every reading set the meter holds (both directions: delivered = imported,
received = exported), then reads each set the store lacks, newest first. What the meter holds decides what is
read, never a window computed from this computer's clock. :meth:`Backfill.closed_slots` is the small job for
after a backfill: read the slots that closed since, from the newest set, in a couple of GETs.

Facts from the meter (docs/meter-protocol.md, section 4): sets are listed newest first, ~60 sets of 12 h per direction; the newest is
partial and grows; set ids roll; lists page with ``?s=<start>&l=<limit>`` and pages may be short; a reading has
no timePeriod: slot start = set start + localID x intervalLength; a missing localID is a missing interval.
A set that answers 404 (it rolled away) or an empty body/list is a gap to retry on the next backfill, not an error.

Each :meth:`Backfill.step` does exactly one GET (the session's demand poll is never more than one GET late) and
writes what it read at once, so an error (the meter went away) loses nothing: call ``step()`` again later to
retry the same GET, or start a new backfill.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from xcelsior_desktop.common.format import iso_utc
from xcelsior_desktop.energy.store import METER_SOURCE, EnergyInterval, HistoryStore, from_seconds
from xcelsior_desktop.meter import resources as res
from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.errors import ProtocolError
from xcelsior_desktop.meter.profile import ChannelInfo, Getter, MeterProfile, paged
from xcelsior_desktop.meter.transport import HttpResult

DEFAULT_INTERVAL_S = 900
LARGE_PAGE = 100  # more than a 12-hour set's 48 readings or the ~60 sets of a list: one page when the meter allows
SAFE_PAGE = 25  # always accepted by the meter (docs/meter-protocol.md, "Paging")
MAX_PAGES_PER_LIST = 40  # a list that keeps paging beyond this is answering nonsense
DIRECTIONS: tuple[tuple[str, Channel], ...] = (
    ("imported", Channel.INTERVAL_DELIVERED_WH),
    ("exported", Channel.INTERVAL_RECEIVED_WH),
)


@dataclass(frozen=True)
class ListedSet:
    """One interval reading set as the meter listed it."""

    start: int  # unix seconds
    duration: int  # grows while the set is the newest
    readings_href: str


@dataclass
class _Direction:
    name: str  # "imported" or "exported"
    info: ChannelInfo
    sets: dict[int, ListedSet] = field(default_factory=dict)  # by start: set ids roll, starts do not
    rolled: bool = False  # the list shifted while being paged

    @property
    def length(self) -> int:
        return self.info.interval_length or DEFAULT_INTERVAL_S


@dataclass(frozen=True)
class _ListSets:
    direction: _Direction
    start: int
    limit: int
    pages_left: int  # 0: this is the last page to ask for (closed_slots lists only the newest sets)


@dataclass(frozen=True)
class _ReadSet:
    direction: _Direction
    listed: ListedSet
    start: int
    limit: int
    pages_left: int = MAX_PAGES_PER_LIST


@dataclass
class BackfillSummary:
    """What a backfill did so far: slots that were not in the store before, their span, GETs, gaps to retry."""

    new_slots: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None  # the end of the newest new slot
    gets: int = 0
    sets_read: int = 0
    gap_sets: list[str] = field(default_factory=list)  # reading lists that answered 404 or nothing

    def line(self) -> str:
        """The line ``history sync`` prints."""
        if self.first is None or self.last is None:
            return f"synced {self.new_slots} new slots"
        return f"synced {self.new_slots} new slots ({iso_utc(self.first)} .. {iso_utc(self.last)})"


class Backfill:
    """A steppable job: ``while job.step(): poll_demand_if_due()``. ``summary`` says what it did."""

    def __init__(
        self,
        get: Getter,
        profile: MeterProfile,
        store: HistoryStore,
        meter_now: Callable[[], dt.datetime],
        *,
        page_limit: int = LARGE_PAGE,
        _listing: bool = True,
    ) -> None:
        self.get = get
        self.store = store
        self.meter_now = meter_now
        self.page_limit = max(1, page_limit)
        self.summary = BackfillSummary()
        self._tasks: deque[_ListSets | _ReadSet] = deque()
        self._directions: list[_Direction] = []
        for name, channel in DIRECTIONS:
            info = profile.get(channel)
            if info is not None and info.reading_set_list_href:
                self._directions.append(_Direction(name, info))
        if _listing:
            for direction in self._directions:
                self._tasks.append(_ListSets(direction, 0, self.page_limit, MAX_PAGES_PER_LIST))

    # --- the job ---------------------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return not self._tasks

    def step(self) -> bool:
        """Do one GET of the job and store what it brought; returns whether more remains."""
        if self._tasks:
            task = self._tasks[0]
            if isinstance(task, _ListSets):
                self._list_sets(task)
            else:
                self._read_set(task)
            self._tasks.popleft()  # only once the GET and the write succeeded: an error retries the same task
        return bool(self._tasks)

    def run(self) -> BackfillSummary:
        """All steps in a row (for ``history sync``, which has no demand to poll)."""
        while self.step():
            pass
        return self.summary

    @property
    def newest_sets(self) -> dict[str, ListedSet]:
        """The newest listed set of each direction (hand it to :meth:`closed_slots`)."""
        return {d.name: d.sets[max(d.sets)] for d in self._directions if d.sets}

    @classmethod
    def closed_slots(
        cls,
        get: Getter,
        profile: MeterProfile,
        store: HistoryStore,
        meter_now: Callable[[], dt.datetime],
        newest_sets: dict[str, ListedSet] | None = None,
    ) -> Backfill:
        """The job that reads the slots closed since the newest one stored: one GET per direction when the slots
        are in the newest set known, plus one to list the two newest sets when a new set has begun."""
        job = cls(get, profile, store, meter_now, _listing=False)
        now = job._now_s()
        for direction in job._directions:
            listed = (newest_sets or {}).get(direction.name)
            stored_end = job._newest_stored_end(direction)
            if stored_end is None:
                job._tasks.append(_ListSets(direction, 0, 2, 0))
                continue
            closed_end = now - now % direction.length
            if stored_end >= closed_end:
                continue
            if listed is not None and closed_end <= listed.start + _full_length(listed, direction):
                direction.sets[listed.start] = listed
                first = max(0, (stored_end - listed.start) // direction.length - 2)  # room for a few missing localIDs
                count = (closed_end - listed.start) // direction.length - first + 1
                job._tasks.append(_ReadSet(direction, listed, first, count, 1))
            else:
                job._tasks.append(_ListSets(direction, 0, 2, 0))
        return job

    # --- steps -----------------------------------------------------------------------------------------------

    def _fetch(self, path: str) -> HttpResult:
        self.summary.gets += 1
        return self.get(path)

    def _list_sets(self, task: _ListSets) -> None:
        direction = task.direction
        assert direction.info.reading_set_list_href is not None
        result = self._fetch(paged(direction.info.reading_set_list_href, task.start, task.limit))
        if result.status == 404 or not result.body.strip():
            self.summary.gap_sets.append(direction.info.reading_set_list_href)
            self._queue_reads(direction)
            return
        if result.status != 200:
            if task.limit > SAFE_PAGE:  # the meter refused a large page: ask again the way it always accepts
                self._tasks.insert(1, _ListSets(direction, task.start, SAFE_PAGE, task.pages_left))
                self.page_limit = SAFE_PAGE
                return
            raise ProtocolError(f"GET {result.path} answered HTTP {result.status}")
        page = res.reading_set_list(result.body)
        for item in page.items:
            listed = _listed(item)
            if listed is None:
                continue
            if task.start > 0 and listed.start in direction.sets:
                direction.rolled = True  # a new set began while we paged: everything moved down the list
            direction.sets[listed.start] = listed  # a set seen twice counts once (keyed by its start)
        following = task.start + len(page.items)
        total = page.meta.all
        if page.items and task.pages_left > 0 and (total is None or following < total):
            self._tasks.insert(1, _ListSets(direction, following, task.limit, task.pages_left - 1))
        elif direction.rolled:
            direction.rolled = False  # look at the head of the list again for the set(s) that began meanwhile
            self._tasks.insert(1, _ListSets(direction, 0, 2, 0))
        else:
            self._queue_reads(direction)

    def _queue_reads(self, direction: _Direction) -> None:
        """After the listing: read every set the store lacks, newest first."""
        reads = [
            _ReadSet(direction, listed, 0, self.page_limit)
            for start, listed in sorted(direction.sets.items(), reverse=True)
            if self._lacks(direction, listed)
        ]
        position = 1
        for read in reads:
            self._tasks.insert(position, read)
            position += 1

    def _read_set(self, task: _ReadSet) -> None:
        direction, listed = task.direction, task.listed
        result = self._fetch(paged(listed.readings_href, task.start, task.limit))
        if result.status == 404 or not result.body.strip():
            self.summary.gap_sets.append(listed.readings_href)  # rolled away or empty: retry next backfill
            return
        if result.status != 200:
            if task.limit > SAFE_PAGE:
                self._tasks.insert(1, _ReadSet(direction, listed, task.start, SAFE_PAGE, task.pages_left))
                self.page_limit = SAFE_PAGE
                return
            raise ProtocolError(f"GET {result.path} answered HTTP {result.status}")
        page = res.reading_list(result.body)
        if not page.items and task.start == 0:
            self.summary.gap_sets.append(listed.readings_href)
            return
        self._store(direction, listed, page.items)
        following = task.start + len(page.items)
        total = page.meta.all
        if page.items and task.pages_left > 1 and total is not None and following < total:
            self._tasks.insert(1, _ReadSet(direction, listed, following, task.limit, task.pages_left - 1))
        else:
            self.summary.sets_read += 1

    # --- store -----------------------------------------------------------------------------------------------

    def _now_s(self) -> int:
        return int(self.meter_now().timestamp())

    def _newest_stored_end(self, direction: _Direction) -> int | None:
        newest = self.store.newest_meter_slot(direction.name)
        return int(newest.end.timestamp()) if newest is not None else None

    def _lacks(self, direction: _Direction, listed: ListedSet) -> bool:
        """Whether a closed slot of this set has no value of this direction in the store."""
        now = self._now_s()
        closed_end = min(listed.start + max(listed.duration, 0), now - now % direction.length)
        if closed_end <= listed.start:
            return False
        have = self._stored_starts(direction, listed.start, closed_end)
        return any(start not in have for start in range(listed.start, closed_end, direction.length))

    def _stored_starts(self, direction: _Direction, start: int, end: int) -> set[int]:
        rows = self.store.intervals_of(METER_SOURCE, from_seconds(start), from_seconds(end))
        value = "imported_wh" if direction.name == "imported" else "exported_wh"
        return {int(r.start.timestamp()) for r in rows if getattr(r, value) is not None}

    def _store(self, direction: _Direction, listed: ListedSet, readings: list[res.Reading]) -> None:
        length = direction.length
        intervals = []
        for reading in readings:
            if reading.local_id is None or reading.value is None:
                continue  # no value: the slot stays a gap
            start = listed.start + reading.local_id * length
            value = direction.info.scale(reading.value)
            imported, exported = (value, None) if direction.name == "imported" else (None, value)
            intervals.append(EnergyInterval(from_seconds(start), length, imported, exported, METER_SOURCE))
        if not intervals:
            return
        lo = min(iv.start for iv in intervals)
        hi = max(iv.end for iv in intervals)
        before = {iv.start for iv in self.store.intervals_of(METER_SOURCE, lo, hi)}
        now = self.meter_now()
        self.store.add_intervals(intervals, not_after=now)
        fresh = [iv for iv in intervals if iv.start not in before and iv.end <= now]
        if not fresh:
            return
        self.summary.new_slots += len({iv.start for iv in fresh})
        first = min(iv.start for iv in fresh)
        last = max(iv.end for iv in fresh)
        self.summary.first = first if self.summary.first is None else min(self.summary.first, first)
        self.summary.last = last if self.summary.last is None else max(self.summary.last, last)


def _listed(item: res.ReadingSet) -> ListedSet | None:
    period = item.time_period
    if period is None or res.utc(period.start) is None or period.start is None:
        return None
    href = item.reading_list_link.href if item.reading_list_link else (f"{item.href}/r" if item.href else None)
    if href is None:
        return None
    return ListedSet(period.start, period.duration or 0, href)


def _full_length(listed: ListedSet, direction: _Direction) -> int:
    """How long the set will be when complete (12 h on the meter; never less than what it covers now)."""
    return max(listed.duration, 12 * 3600 if direction.length == DEFAULT_INTERVAL_S else listed.duration)
