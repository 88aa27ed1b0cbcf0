"""Write the history's intervals as a Green Button (NAESB ESPI) Atom feed that validates against the schemas.

One UsagePoint (electricity), the LocalTimeParameters of the household's zone, and per direction a MeterReading
with its ReadingType (delivered = flowDirection 1, received = 19; Wh) and one IntervalBlock per local day. Each
reading keeps its own start and length; a gap is no reading. Values are integers (the schema's Int48), so each
direction's powerOfTenMultiplier is the coarsest of 0, -1, -2, -3 that states its values exactly (milliwatt-hours
at most). Written as a stream (lxml ``xmlfile``), one entry at a time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from lxml import etree

from xcelsior_desktop.energy.store import EnergyInterval
from xcelsior_desktop.exchange.greenbutton import espi
from xcelsior_desktop.exchange.greenbutton.dst_rules import LocalTimeParameters, local_time_parameters

A = f"{{{espi.ATOM_NS}}}"
E = f"{{{espi.ESPI_NS}}}"
ATOM_MAP: Any = {None: espi.ATOM_NS}  # Any: lxml-stubs refuse a None (default namespace) key
ESPI_MAP: Any = {None: espi.ESPI_NS}
FEED_MAP: Any = {None: espi.ATOM_NS, "espi": espi.ESPI_NS}
BASE = "https://localhost/espi/1_1/resource"  # no server behind it: the links only tie the entries together
CUSTOMER = f"{BASE}/RetailCustomer/1"
USAGE_POINT = f"{CUSTOMER}/UsagePoint/1"
LOCAL_TIME = f"{BASE}/LocalTimeParameters/1"
GENERATOR = "Xcelsior Desktop"
EXACT = 1e-6

# (name, flowDirection, number in the links, EnergyInterval attribute, what it is)
DIRECTIONS = (
    ("delivered", espi.FLOW_DELIVERED, 1, "imported_wh", "grid to home"),
    ("received", espi.FLOW_RECEIVED, 2, "exported_wh", "home to grid"),
)

# (start UTC epoch s, duration s, integer value at the direction's multiplier)
Row = tuple[int, int, int]


def _stamp(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def power_of_ten(values: Iterable[float]) -> int:
    """The coarsest multiplier (0, -1, -2, -3) that states every value as an integer (-3 rounds what is left)."""
    values = list(values)
    for power in (0, -1, -2):
        if all(abs(v * 10 ** (-power) - round(v * 10 ** (-power))) < EXACT for v in values):
            return power
    return -3


def _leaf(parent: etree._Element, name: str, value: object) -> None:
    etree.SubElement(parent, E + name).text = str(value)


def _atom(tag: str, text: str) -> etree._Element:
    element = etree.Element(A + tag, nsmap=ATOM_MAP)
    element.text = text
    return element


class _Entries:
    """Makes Atom entries with stable ids (derived from the feed's id and the entry's self link)."""

    def __init__(self, feed_id: uuid.UUID, updated: str) -> None:
        self._feed_id = feed_id
        self._updated = updated

    def entry(
        self, self_href: str, up_href: str, related: Sequence[str], title: str, resource: str
    ) -> tuple[etree._Element, etree._Element]:
        """An entry and the (empty) ESPI resource inside its content, to be filled by the caller."""
        entry = etree.Element(A + "entry", nsmap=ATOM_MAP)
        etree.SubElement(entry, A + "id").text = f"urn:uuid:{uuid.uuid5(self._feed_id, self_href)}"
        etree.SubElement(entry, A + "link", rel="self", href=self_href)
        etree.SubElement(entry, A + "link", rel="up", href=up_href)
        for href in related:
            etree.SubElement(entry, A + "link", rel="related", href=href)
        etree.SubElement(entry, A + "title").text = title
        content = etree.SubElement(entry, A + "content")
        body = etree.SubElement(content, E + resource, nsmap=ESPI_MAP)
        etree.SubElement(entry, A + "published").text = self._updated
        etree.SubElement(entry, A + "updated").text = self._updated
        return entry, body


def _local_day(epoch_s: int, tz: dt.tzinfo | None) -> dt.date:
    instant = dt.datetime.fromtimestamp(epoch_s, dt.UTC)
    return (instant.astimezone(tz) if tz is not None else instant.astimezone()).date()


def _midnight(day: dt.date, tz: dt.tzinfo | None) -> int:
    naive = dt.datetime.combine(day, dt.time())
    local = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return int(local.timestamp())


def _by_local_day(rows: Sequence[Row], tz: dt.tzinfo | None) -> list[tuple[dt.date, list[Row]]]:
    days: list[tuple[dt.date, list[Row]]] = []
    for row in rows:
        day = _local_day(row[0], tz)
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(row)
    return days


def _usage_point(entries: _Entries) -> etree._Element:
    related = [f"{USAGE_POINT}/MeterReading", LOCAL_TIME]
    entry, body = entries.entry(USAGE_POINT, f"{CUSTOMER}/UsagePoint", related, "Electricity", espi.USAGE_POINT)
    _leaf(etree.SubElement(body, E + "ServiceCategory"), "kind", espi.SERVICE_ELECTRICITY)
    return entry


def _local_time(entries: _Entries, zone: LocalTimeParameters) -> etree._Element:
    up = f"{BASE}/LocalTimeParameters"
    entry, body = entries.entry(LOCAL_TIME, up, [], "Local time", espi.LOCAL_TIME_PARAMETERS)
    _leaf(body, "dstEndRule", zone.dst_end_rule)
    _leaf(body, "dstOffset", zone.dst_offset_s)
    _leaf(body, "dstStartRule", zone.dst_start_rule)
    _leaf(body, "tzOffset", zone.tz_offset_s)
    return entry


def _reading_type(entries: _Entries, href: str, title: str, flow: int, power: int, lengths: set[int]) -> etree._Element:
    entry, body = entries.entry(href, f"{BASE}/ReadingType", [], title, espi.READING_TYPE)
    _leaf(body, "accumulationBehaviour", espi.ACCUMULATION_DELTA)
    _leaf(body, "commodity", espi.COMMODITY_ELECTRICITY_SECONDARY)
    _leaf(body, "dataQualifier", espi.DATA_QUALIFIER_NORMAL)
    _leaf(body, "flowDirection", flow)
    if len(lengths) == 1:  # mixed lengths: each reading states its own (it always does)
        _leaf(body, "intervalLength", next(iter(lengths)))
    _leaf(body, "kind", espi.KIND_ENERGY)
    _leaf(body, "phase", espi.PHASE_S12N)
    _leaf(body, "powerOfTenMultiplier", power)
    _leaf(body, "timeAttribute", espi.TIME_ATTRIBUTE_NONE)
    _leaf(body, "uom", espi.UOM_WH)
    return entry


def _block(entries: _Entries, reading_href: str, name: str, day: dt.date, rows: Sequence[Row],
           tz: dt.tzinfo | None) -> etree._Element:
    start = min(_midnight(day, tz), rows[0][0])
    end = max(_midnight(day + dt.timedelta(days=1), tz), max(s + d for s, d, _ in rows))
    href = f"{reading_href}/IntervalBlock/{day:%Y%m%d}"
    entry, body = entries.entry(
        href, f"{reading_href}/IntervalBlock", [], f"{name.capitalize()} on {day:%Y-%m-%d}", espi.INTERVAL_BLOCK
    )
    interval = etree.SubElement(body, E + "interval")
    _leaf(interval, "duration", end - start)
    _leaf(interval, "start", start)
    for s, d, v in rows:
        reading = etree.SubElement(body, E + "IntervalReading")
        period = etree.SubElement(reading, E + "timePeriod")
        _leaf(period, "duration", d)
        _leaf(period, "start", s)
        _leaf(reading, "value", v)
    return entry


def write_green_button(
    intervals: Iterable[EnergyInterval],
    out: Path | str | IO[bytes],
    *,
    tz: dt.tzinfo | None = None,
    now: dt.datetime | None = None,
    feed_id: uuid.UUID | None = None,
) -> int:
    """Write the intervals (any order, none overlapping) as an ESPI feed; returns how many were written.

    ``tz``: the household's zone (None: the computer's), for the LocalTimeParameters and the per-day blocks.
    ``now``: the feed's updated time (default: now). ``feed_id``: a fixed id for reproducible files.
    """
    ordered = sorted(intervals, key=lambda iv: iv.start)
    now = now or dt.datetime.now(dt.UTC)
    feed_id = feed_id or uuid.uuid4()
    entries = _Entries(feed_id, _stamp(now))
    zone = local_time_parameters(tz, ordered[-1].start.year if ordered else now.year)

    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(A + "feed", nsmap=FEED_MAP):
            xf.write(_atom("id", f"urn:uuid:{feed_id}"))
            xf.write(_atom("title", "Energy history exported by Xcelsior Desktop"))
            xf.write(_atom("updated", _stamp(now)))
            xf.write(_atom("generator", GENERATOR))
            xf.write(etree.Element(A + "link", rel="self", href=f"{CUSTOMER}/UsagePoint", nsmap=ATOM_MAP))
            xf.write(_usage_point(entries))
            xf.write(_local_time(entries, zone))
            for name, flow, number, attribute, what in DIRECTIONS:
                present = [(iv.start, iv.duration_s, getattr(iv, attribute)) for iv in ordered]
                present = [(s, d, v) for s, d, v in present if v is not None]
                power = power_of_ten(v for _, _, v in present)
                scale = 10 ** (-power)
                rows = [(int(s.timestamp()), d, int(round(v * scale))) for s, d, v in present]
                reading_href = f"{USAGE_POINT}/MeterReading/{number}"
                type_href = f"{BASE}/ReadingType/{number}"
                title = f"Energy {name} ({what})"
                related = [f"{reading_href}/IntervalBlock", type_href]
                entry, _ = entries.entry(reading_href, f"{USAGE_POINT}/MeterReading", related, title, espi.METER_READING)
                xf.write(entry)
                xf.write(_reading_type(entries, type_href, title, flow, power, {d for _, d, _ in rows}))
                for day, day_rows in _by_local_day(rows, tz):
                    xf.write(_block(entries, reading_href, name, day, day_rows, tz))
    return len(ordered)
