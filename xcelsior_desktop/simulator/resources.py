"""The meter's resource tree (agent 3.2.50): same paths, hrefs, element order, attributes, list order and paging
as the capture, filled with the household model's live values."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs

from xcelsior_desktop.simulator.model import (
    SLOT,
    VAH_PER_WH_DELIVERED,
    VAH_PER_WH_RECEIVED,
    VARH_DELIVERED_PER_WH_RECEIVED,
    VARH_RECEIVED_PER_WH_DELIVERED,
    MeterModel,
)
from xcelsior_desktop.simulator.xmltext import Node, document, leaf

SET_LENGTH = 43_200  # interval ReadingSets cover 12 h, aligned to 00:00 and 12:00 UTC
SET_COUNT = 60  # about 30 days of history
SET_ID_BASE = 41_342  # set ids equal the capture's at its time (rs/123 starts 1791244800) and roll over
SET_ID_WRAP = 65_535
MFID_HEX = "000004D1"  # Itron's mfID 1233, the tail of every mRID
AGENT_START = 1_788_607_796  # when the capture's agent started: stamps the unused TOU tiers and the rs mRIDs
SW_VERSION = "3.2.50"
FIRMWARES = ("3.2.50", "3.2.39")  # 3.2.39: an older agent without the TOU readings (8 and 9)

# ReadingType fields in the agent's order: N -> (accumulationBehaviour, dataQualifier, flowDirection, kind, extra, uom)
_INTERVAL = (("intervalLength", 900),)
_RT: dict[int, tuple[int, int, int, int, tuple[tuple[str, int], ...], int]] = {
    1: (12, 0, 1, 8, (), 38),
    2: (9, 0, 19, 12, (("numberOfTouTiers", 0),), 72),
    3: (9, 0, 1, 12, (("numberOfTouTiers", 0),), 72),
    4: (9, 0, 19, 12, (("numberOfTouTiers", 0),), 71),
    5: (9, 0, 1, 12, (("numberOfTouTiers", 0),), 71),
    6: (9, 0, 19, 12, (("numberOfTouTiers", 0),), 73),
    7: (9, 0, 1, 12, (("numberOfTouTiers", 0),), 73),
    8: (9, 0, 19, 12, (("numberOfTouTiers", 8), ("phase", 0)), 72),
    9: (9, 0, 1, 12, (("numberOfTouTiers", 8), ("phase", 0)), 72),
    10: (4, 0, 4, 12, (), 72),
    11: (4, 0, 19, 12, (), 72),
    12: (4, 0, 1, 12, (), 72),
    13: (4, 0, 19, 12, (), 71),
    14: (4, 0, 1, 12, (), 71),
    15: (4, 0, 19, 12, (), 73),
    16: (4, 0, 1, 12, (), 73),
    17: (12, 8, 19, 8, (), 38),
    18: (12, 8, 1, 8, (), 38),
    19: (12, 0, 0, 0, (("phase", 224),), 65),
    20: (12, 0, 0, 0, (("phase", 128),), 65),
    21: (12, 0, 0, 0, (("phase", 64),), 65),
    22: (12, 0, 0, 0, (("phase", 32),), 65),
}
DESCRIPTIONS = {
    1: "Instantaneous Demand", 2: "Current Summation Received", 3: "Current Summation Delivered",
    4: "VAh Received", 5: "VAh Delivered", 6: "VARh Received", 7: "VARh Delivered", 8: "TOU WH Received",
    9: "TOU WH Delivered", 10: "WH Net (Interval)", 11: "WH Received (Interval)", 12: "WH Delivered (Interval)",
    13: "VAh Received (Interval)", 14: "VAh Delivered (Interval)", 15: "VARh Received (Interval)",
    16: "VARh Delivered (Interval)", 17: "Max Demand Received", 18: "Max Demand Delivered", 19: "Power Factor",
    20: "Power Factor PhaseA", 21: "Power Factor PhaseB", 22: "Power Factor PhaseC",
}
HAS_READING = {1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 18, 19, 20, 21, 22}
SUMMATIONS = {2, 3, 4, 5, 6, 7}  # one ReadingSet rs/1 with one Reading
TOU = {8, 9}  # one ReadingSet rs/1 with 9 Readings (tier 0..8)
INTERVALS = {11: 5, 12: 6, 15: 7, 16: 8}  # N -> its step in the ReadingSet mRID counter
EMPTY_INTERVALS = {10, 13, 14}
TOU_TIERS_IN_USE = frozenset({0, 1, 2, 3})  # the net meter's, as in the capture


@dataclass(frozen=True)
class Snapshot:
    """The values served at one instant (faults may replace some of them)."""

    t: int
    demand_w: int
    delivered_wh: float
    received_wh: float
    tou_delivered: tuple[float, ...]
    tou_received: tuple[float, ...]
    tou_time: int
    power_factor: int  # thousandths
    max_demand_w: int
    max_demand_at: int
    demand_at: int | None = None  # the demand reading's timePeriod start (None: t); frozen by stuck_demand
    summation_at: int | None = None  # the summation readings' timePeriod start (None: t); 0 under zero_start
    intervals_empty: bool = False  # interval ReadingLists answer all="0" (empty_intervals)

    @classmethod
    def of(cls, model: MeterModel, t: float) -> Snapshot:
        regs = model.registers(t)
        peak, peak_at = model.max_demand(t)
        return cls(int(t), int(round(model.demand_w(t))), regs.delivered_wh, regs.received_wh, regs.tou_delivered,
                   regs.tou_received, model.tou_time(t), int(round(model.power_factor(t) * 1000)), peak, peak_at)

    def with_changes(self, **changes: Any) -> Snapshot:
        return replace(self, **changes)

    @property
    def demand_start(self) -> int:
        return self.t if self.demand_at is None else self.demand_at

    @property
    def summation_start(self) -> int:
        return self.t if self.summation_at is None else self.summation_at

    def summation(self, n: int) -> int:
        values = {
            2: self.received_wh, 3: self.delivered_wh,
            4: self.received_wh * VAH_PER_WH_RECEIVED, 5: self.delivered_wh * VAH_PER_WH_DELIVERED,
            6: self.delivered_wh * VARH_RECEIVED_PER_WH_DELIVERED, 7: self.received_wh * VARH_DELIVERED_PER_WH_RECEIVED,
        }
        return math.floor(values[n])


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    allow: str | None = None

    @property
    def content_type(self) -> str | None:
        return "application/sep+xml" if self.status == 200 else None


NOT_FOUND = Response(404)


def _page(query: str) -> tuple[int, int]:
    """``s`` and ``l`` from a query; the meter's default limit is one item."""
    params = parse_qs(query)
    def number(name: str, default: int) -> int:
        try:
            return max(0, int(params[name][0]))
        except (KeyError, ValueError, IndexError):
            return default
    return number("s", 0), number("l", 1)


def _list(tag: str, href: str, items: list[Node], total: int, *extra: tuple[str, str]) -> Node:
    attrs = [("href", href), ("subscribable", "0"), ("all", str(total)), ("results", str(len(items))), *extra]
    return Node(tag, attrs, items, is_list=True)


def _time_period(parent: Node, start: int, duration: int = 1) -> None:
    period = parent.add("timePeriod")
    period.children += [leaf("duration", duration), leaf("start", start)]


class MeterResources:
    """Answers GET path?query with the meter's resources for a :class:`Snapshot` and the model's history."""

    def __init__(self, model: MeterModel, lfdi: str, sfdi: int, firmware: str = SW_VERSION,
                 tou_tiers: frozenset[int] = TOU_TIERS_IN_USE) -> None:
        if firmware not in FIRMWARES:
            raise ValueError(f"firmware must be one of {', '.join(FIRMWARES)}, not {firmware!r}")
        self.model = model
        self.tou_tiers = tou_tiers  # the TOU tiers that carry a value; the others are served without one
        self.lfdi = lfdi
        self.sfdi = sfdi
        self.firmware = firmware
        tou = TOU if firmware == SW_VERSION else set()
        self._numbers = [n for n in range(22, 0, -1) if n in _RT and (n not in TOU or n in tou)]

    # -------------------------------------------------------------- routing
    def get(self, path: str, query: str, snap: Snapshot) -> Response:
        parts = [p for p in path.split("/") if p]
        if path == "/sdev/ns":
            return Response(405, allow="")
        try:
            node = self._route(parts, query, snap)
        except (ValueError, KeyError, IndexError):
            node = None
        if node is None:
            return NOT_FOUND
        return Response(200, document(node))

    def _route(self, parts: list[str], query: str, snap: Snapshot) -> Node | None:
        match parts:
            case ["dcap"]:
                return self._dcap()
            case ["tm"]:
                return self._time(snap)
            case ["sdev"]:
                return self._sdev()
            case ["sdev", "sdi"]:
                return self._sdi()
            case ["rt", n]:
                return self._reading_type(self._mr(n))
            case ["upt"]:
                s, limit = _page(query)
                items = [self._usage_point()][s : s + limit]
                return _list("UsagePointList", "/upt", items, 1, ("pollRate", "900"))
            case ["upt", "1"]:
                return self._usage_point()
            case ["upt", "1", "mr"]:
                s, limit = _page(query)
                numbers = self._numbers[s : s + limit]
                return _list("MeterReadingList", "/upt/1/mr", [self._meter_reading(n) for n in numbers],
                             len(self._numbers))
            case ["upt", "1", "mr", n]:
                return self._meter_reading(self._mr(n))
            case ["upt", "1", "mr", n, "r"]:
                return self._current_reading(self._mr(n, HAS_READING), snap)
            case ["upt", "1", "mr", n, "rs"]:
                return self._set_list(self._mr(n, SUMMATIONS | TOU | set(INTERVALS) | EMPTY_INTERVALS), query, snap)
            case ["upt", "1", "mr", n, "rs", k]:
                return self._reading_set(self._mr(n), int(k), snap)
            case ["upt", "1", "mr", n, "rs", k, "r"]:
                return self._reading_list(self._mr(n), int(k), query, snap)
            case ["upt", "1", "mr", n, "rs", k, "r", m]:
                return self._single_reading(self._mr(n), int(k), int(m), snap)
        return None

    def _mr(self, text: str, allowed: set[int] | None = None) -> int:
        n = int(text)
        if str(n) != text or n not in self._numbers or (allowed is not None and n not in allowed):
            raise KeyError(text)
        return n

    # -------------------------------------------------------------- plain resources
    def _dcap(self) -> Node:
        root = Node("DeviceCapability", [("href", "/dcap")])
        root.add("TimeLink", href="/tm")
        root.add("UsagePointListLink", href="/upt", all=1)
        root.add("SelfDeviceLink", href="/sdev")
        return root

    def _time(self, snap: Snapshot) -> Node:
        root = Node("Time", [("href", "/tm")])
        for tag, value in (("currentTime", snap.t), ("dstEndTime", 0), ("dstOffset", 0), ("dstStartTime", 0),
                           ("quality", 5), ("tzOffset", 0)):
            root.add(tag, value)
        return root

    def _sdev(self) -> Node:
        root = Node("SelfDevice", [("href", "/sdev")])
        root.add("DeviceInformationLink", href="/sdev/sdi")
        root.add("sFDI", self.sfdi)
        return root

    def _sdi(self) -> Node:
        root = Node("DeviceInformation", [("href", "/sdev/sdi")])
        for tag, value in (("lFDI", self.lfdi), ("mfDate", 0), ("mfHwVer", ""), ("mfID", 1233), ("mfModel", ""),
                           ("mfSerNum", ""), ("primaryPower", 1), ("secondaryPower", 0), ("swActTime", 0),
                           ("swVer", self.firmware)):
            root.add(tag, value)
        return root

    def _reading_type(self, n: int) -> Node:
        accumulation, qualifier, flow, kind, extra, uom = _RT[n]
        root = Node("ReadingType", [("href", f"/rt/{n}")])
        fields: list[tuple[str, int]] = [("accumulationBehaviour", accumulation), ("commodity", 1),
                                         ("dataQualifier", qualifier), ("flowDirection", flow)]
        if n in INTERVALS or n in EMPTY_INTERVALS:
            fields += [*_INTERVAL, ("kind", kind), ("maxNumberOfIntervals", 144), ("numberOfTouTiers", 0)]
        else:
            fields += [("kind", kind), *extra]
        fields += [("powerOfTenMultiplier", -3 if uom == 65 else 0), ("uom", uom)]
        for tag, value in fields:
            root.add(tag, value)
        return root

    def _usage_point(self) -> Node:
        point = Node("UsagePoint", [("href", "/upt/1")])
        point.add("mRID", "AAAA01000000000000000000000004D1")
        point.add("description", "Meter Usage Point")
        point.add("roleFlags", "00")
        point.add("serviceCategoryKind", 0)
        point.add("status", 1)
        point.add("MeterReadingListLink", href="/upt/1/mr", all=len(self._numbers))
        return point

    def _meter_reading(self, n: int) -> Node:
        node = Node("MeterReading", [("href", f"/upt/1/mr/{n}")])
        node.add("mRID", f"BBBB{n:02X}{0:018X}{MFID_HEX}")
        node.add("description", DESCRIPTIONS[n])
        if n in HAS_READING:
            node.add("ReadingLink", href=f"/upt/1/mr/{n}/r")
        if n in SUMMATIONS or n in TOU:
            node.add("ReadingSetListLink", href=f"/upt/1/mr/{n}/rs", all=1)
        elif n in INTERVALS:
            node.add("ReadingSetListLink", href=f"/upt/1/mr/{n}/rs", all=SET_COUNT)
        elif n in EMPTY_INTERVALS:
            node.add("ReadingSetListLink", href=f"/upt/1/mr/{n}/rs", all=0)
        node.add("ReadingTypeLink", href=f"/rt/{n}")
        return node

    # -------------------------------------------------------------- readings
    def _reading(self, href: str, *, flags: bool = True, start: int | None = None, value: int | None = None,
                 tier: int | None = None, local_id: str | None = None) -> Node:
        node = Node("Reading", [("href", href)])
        if flags:
            node.add("qualityFlags", "01")
        if start is not None:
            _time_period(node, start)
        if tier is not None:
            node.add("touTier", tier)
        if value is not None:
            node.add("value", value)
        if local_id is not None:
            node.add("localID", local_id)
        return node

    def _current_reading(self, n: int, snap: Snapshot) -> Node:
        href = f"/upt/1/mr/{n}/r"
        if n == 1:
            return self._reading(href, start=snap.demand_start, value=snap.demand_w)
        if n in SUMMATIONS:
            return self._reading(href, start=snap.summation_start, value=snap.summation(n))
        if n in TOU:
            total = snap.tou_received[0] if n == 8 else snap.tou_delivered[0]
            return self._reading(href, start=snap.tou_time, value=math.floor(total))
        if n == 17:
            return self._reading(href, start=snap.max_demand_at)
        if n == 18:
            return self._reading(href, start=snap.max_demand_at, value=snap.max_demand_w)
        if n == 19:
            return self._reading(href, start=snap.t, value=snap.power_factor)
        return Node("Reading", [("href", href)])  # single-phase home: phases A/B/C are empty

    # -------------------------------------------------------------- reading sets
    def _newest_set(self, t: int) -> int:
        return t // SET_LENGTH

    @staticmethod
    def set_id(index: int) -> int:
        return (index - SET_ID_BASE) % SET_ID_WRAP + 1

    def _set_index(self, set_id: int, t: int) -> int:
        newest = self._newest_set(t)
        for index in range(newest, newest - SET_COUNT, -1):
            if self.set_id(index) == set_id:
                return index
        raise KeyError(set_id)

    def _set_list(self, n: int, query: str, snap: Snapshot) -> Node:
        s, limit = _page(query)
        href = f"/upt/1/mr/{n}/rs"
        if n in EMPTY_INTERVALS:
            return _list("ReadingSetList", href, [], 0)
        if n in INTERVALS:
            newest = self._newest_set(snap.t)
            indices = list(range(newest, newest - SET_COUNT, -1))[s : s + limit]
            items = [self._interval_set(n, index, snap) for index in indices]
            return _list("ReadingSetList", href, items, SET_COUNT)
        items = [self._summation_set(n, snap)][s : s + limit]
        return _list("ReadingSetList", href, items, 1)

    def _reading_set(self, n: int, k: int, snap: Snapshot) -> Node | None:
        if n in INTERVALS:
            return self._interval_set(n, self._set_index(k, snap.t), snap)
        if (n in SUMMATIONS or n in TOU) and k == 1:
            return self._summation_set(n, snap)
        return None

    def _summation_set(self, n: int, snap: Snapshot) -> Node:
        node = Node("ReadingSet", [("href", f"/upt/1/mr/{n}/rs/1")])
        node.add("mRID", f"{AGENT_START:08X}{n - 1:06X}{MFID_HEX}")
        node.add("description", DESCRIPTIONS[n])
        _time_period(node, 0 if n in TOU else snap.summation_start)
        node.add("ReadingListLink", href=f"/upt/1/mr/{n}/rs/1/r", all=9 if n in TOU else 1)
        return node

    def _interval_set(self, n: int, index: int, snap: Snapshot) -> Node:
        set_id = self.set_id(index)
        start = index * SET_LENGTH
        duration = min(SET_LENGTH, snap.t - start)
        created = start + (index * 7919 + self.model.seed * 104_729) % 1000
        counter = (set_id * 4 + INTERVALS[n]) & 0xFFFFFF
        node = Node("ReadingSet", [("href", f"/upt/1/mr/{n}/rs/{set_id}")])
        node.add("mRID", f"0123456789{created:08X}{counter:06X}{MFID_HEX}")
        node.add("description", DESCRIPTIONS[n])
        _time_period(node, start, duration)
        done = 0 if snap.intervals_empty else self._slots_done(index, snap.t)
        node.add("ReadingListLink", href=f"/upt/1/mr/{n}/rs/{set_id}/r", all=done)
        return node

    @staticmethod
    def _slots_done(index: int, t: int) -> int:
        return min(SET_LENGTH // SLOT, max(0, (t - index * SET_LENGTH) // SLOT))

    def _interval_value(self, n: int, slot_start: int) -> int:
        interval = self.model.interval(slot_start)
        return {11: interval.received_wh, 12: interval.delivered_wh, 15: interval.varh_received,
                16: interval.varh_delivered}[n]

    def _reading_list(self, n: int, k: int, query: str, snap: Snapshot) -> Node | None:
        s, limit = _page(query)
        href = f"/upt/1/mr/{n}/rs/{k}/r"
        if n in INTERVALS:
            index = self._set_index(k, snap.t)
            count = 0 if snap.intervals_empty else self._slots_done(index, snap.t)
            start = index * SET_LENGTH
            items = []
            for i in range(s, min(count, s + limit)):
                # the agent numbers a later page's hrefs oddly (s=25 -> r/74 for the 26th); kept as seen
                number = i + 1 if s == 0 else i + 2 * s - 1
                items.append(self._reading(f"{href}/{number}", value=self._interval_value(n, start + i * SLOT),
                                           local_id=f"{i:02X}"))
            return _list("ReadingList", href, items, count)
        if k != 1:
            return None
        if n in SUMMATIONS:
            items = [self._reading(f"{href}/1", start=snap.summation_start, value=snap.summation(n), local_id="01")]
            return _list("ReadingList", href, items[s : s + limit], 1)
        if n in TOU:
            items = [self._tou_reading(n, tier, snap) for tier in range(9)]
            return _list("ReadingList", href, items[s : s + limit], 9)
        return None

    def _tou_reading(self, n: int, tier: int, snap: Snapshot) -> Node:
        href = f"/upt/1/mr/{n}/rs/1/r/{tier + 1}"
        if tier not in self.tou_tiers:
            return self._reading(href, flags=False, start=AGENT_START, tier=tier)
        values = snap.tou_received if n == 8 else snap.tou_delivered
        return self._reading(href, start=snap.tou_time, tier=tier, value=math.floor(values[tier]))

    def _single_reading(self, n: int, k: int, m: int, snap: Snapshot) -> Node | None:
        href = f"/upt/1/mr/{n}/rs/{k}/r/{m}"
        if n in INTERVALS:
            index = self._set_index(k, snap.t)
            if snap.intervals_empty or not 1 <= m <= self._slots_done(index, snap.t):
                return None
            value = self._interval_value(n, index * SET_LENGTH + (m - 1) * SLOT)
            return self._reading(href, value=value, local_id=f"{m - 1:02X}")
        if k != 1:
            return None
        if n in SUMMATIONS and m == 1:
            return self._reading(href, start=snap.summation_start, value=snap.summation(n), local_id="01")
        if n in TOU and 1 <= m <= 9:
            return self._tou_reading(n, m - 1, snap)
        return None
