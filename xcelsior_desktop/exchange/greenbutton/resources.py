"""The ESPI resources of a Green Button feed, read from its Atom entries into small plain records.

Only what the import needs is kept: an entry's links, a UsagePoint's service kind, a ReadingType's fields, and an
IntervalBlock's readings packed in arrays (24 bytes a reading, so a large file stays small in memory).
Element names are matched in the resource's own namespace (ESPI in every real file), so a file that forgot the
``espi`` namespace still reads.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from xcelsior_desktop.common.safe_xml import local_name, namespace_of
from xcelsior_desktop.exchange.greenbutton import espi

NO_DURATION = -1
EPOCH_RANGE = (-(2**40), 2**40)  # far beyond year 30000 either way, well inside the arrays' 64 bits
_SCHEME_AND_HOST = re.compile(r"^[a-z][a-z0-9+.\-]*://[^/]*", re.IGNORECASE)


def normalize_href(href: str | None) -> str | None:
    """A link target reduced to its path, so ``https://host/a/b``, ``/a/b`` and ``a/b/`` are the same resource."""
    if href is None:
        return None
    path = _SCHEME_AND_HOST.sub("", href.strip()).strip("/")
    return path or None


@dataclass
class Readings:
    """Readings of one IntervalBlock: start (UTC epoch s), duration (s, or NO_DURATION) and raw value."""

    starts: array[int] = field(default_factory=lambda: array("q"))
    durations: array[int] = field(default_factory=lambda: array("q"))
    values: array[float] = field(default_factory=lambda: array("d"))
    unreadable: int = 0  # IntervalReadings without a usable start or value

    def __len__(self) -> int:
        return len(self.starts)


@dataclass
class Resource:
    """One Atom entry's ESPI resource and its links (hrefs normalised; None when absent)."""

    index: int  # position in the document, for files whose entries are tied by order instead of links
    kind: str  # espi.USAGE_POINT, espi.METER_READING, ...
    self_href: str | None
    up_href: str | None
    related: tuple[str, ...]
    fields: dict[str, str] = field(default_factory=dict)  # ReadingType fields, UsagePoint service kind
    readings: Readings | None = None  # IntervalBlocks only
    block_duration: int | None = None  # IntervalBlock/interval/duration


def _links(entry: etree._Element) -> tuple[str | None, str | None, tuple[str, ...]]:
    self_href = up_href = None
    related: list[str] = []
    for link in entry.iterchildren("{*}link"):
        href = normalize_href(link.get("href"))
        if href is None:
            continue
        rel = (link.get("rel") or "alternate").strip().lower()
        if rel == "self":
            self_href = self_href or href
        elif rel == "up":
            up_href = up_href or href
        elif rel == "related":
            related.append(href)
    return self_href, up_href, tuple(related)


def _resource_element(entry: etree._Element) -> etree._Element | None:
    for content in entry.iterchildren("{*}content"):
        for child in content.iterchildren(tag=etree.Element):
            if local_name(child) in espi.ESPI_RESOURCES:
                return child
    return None


def _leaf_fields(element: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for child in element.iterchildren(tag=etree.Element):
        if len(child) == 0 and child.text is not None:
            out.setdefault(local_name(child), child.text.strip())
    return out


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _block(element: etree._Element) -> tuple[Readings, int | None]:
    ns = namespace_of(element)
    q = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
    tag_reading, tag_period, tag_value = q("IntervalReading"), q("timePeriod"), q("value")
    tag_start, tag_duration, tag_interval = q("start"), q("duration"), q("interval")
    readings = Readings()
    starts, durations, values = readings.starts, readings.durations, readings.values
    for reading in element.iterchildren(tag_reading):
        period = reading.find(tag_period)
        start = _int(period.findtext(tag_start)) if period is not None else None
        value = _number(reading.findtext(tag_value))
        if start is None or value is None:
            readings.unreadable += 1
            continue
        duration = _int(period.findtext(tag_duration)) if period is not None else None
        if not (EPOCH_RANGE[0] <= start <= EPOCH_RANGE[1]) or (duration is not None and not 0 < duration < 2**31):
            readings.unreadable += 1  # beyond any date, or a length that is none (checked again per use)
            continue
        starts.append(start)
        durations.append(duration if duration is not None else NO_DURATION)
        values.append(value)
    interval = element.find(tag_interval)
    block_duration = _int(interval.findtext(tag_duration)) if interval is not None else None
    return readings, block_duration


def _service_kind(element: etree._Element) -> dict[str, str]:
    for category in element.iterchildren("{*}ServiceCategory"):
        kind = category.findtext("{*}kind")
        if kind is not None:
            return {"kind": kind.strip()}
    return {}


def read_resources(entries: Iterable[etree._Element]) -> Iterator[Resource]:
    """The ESPI resources of the entries, in document order (entries without one are passed over)."""
    for index, entry in enumerate(entries):
        element = _resource_element(entry)
        if element is None:
            continue
        kind = local_name(element)
        self_href, up_href, related = _links(entry)
        resource = Resource(index, kind, self_href, up_href, related)
        if kind == espi.INTERVAL_BLOCK:
            resource.readings, resource.block_duration = _block(element)
        elif kind == espi.READING_TYPE:
            resource.fields = _leaf_fields(element)
        elif kind == espi.USAGE_POINT:
            resource.fields = _service_kind(element)
        elif kind == espi.LOCAL_TIME_PARAMETERS:
            resource.fields = _leaf_fields(element)
        yield resource
