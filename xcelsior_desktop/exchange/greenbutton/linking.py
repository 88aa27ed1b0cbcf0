"""Tie a feed's resources together: UsagePoint -> MeterReadings -> (ReadingType, IntervalBlocks).

By their Atom links first, the way each utility happens to write them: a child's ``up`` link naming its parent's
``related`` collection, a ``related`` link naming the child itself, or the child's ``self`` path under the parent's.
Where links are missing or lead nowhere, by document order (the order ESPI feeds are written in): a MeterReading
belongs to the UsagePoint before it, an IntervalBlock to the MeterReading before it, and a MeterReading's
ReadingType is the one after it (before the next MeterReading) or else the one before it.
A resource listed twice under the same ``self`` link is taken once (the first).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from xcelsior_desktop.exchange.greenbutton import espi
from xcelsior_desktop.exchange.greenbutton.resources import Resource


@dataclass
class Series:
    """One MeterReading with what it belongs to and what describes and fills it."""

    meter_reading: Resource
    usage_point: Resource | None
    reading_type: Resource | None
    blocks: list[Resource] = field(default_factory=list)


@dataclass
class Linked:
    usage_points: list[Resource]
    series: list[Series]
    orphan_blocks: list[Resource]  # IntervalBlocks of a feed without any MeterReading


def _first_of_each(resources: Sequence[Resource], kind: str) -> list[Resource]:
    seen: set[str] = set()
    out = []
    for resource in resources:
        if resource.kind != kind:
            continue
        if resource.self_href is not None:
            if resource.self_href in seen:
                continue
            seen.add(resource.self_href)
        out.append(resource)
    return out


def _by_related(parents: Sequence[Resource]) -> dict[str, Resource]:
    out: dict[str, Resource] = {}
    for parent in parents:
        for href in parent.related:
            out.setdefault(href, parent)
    return out


def _under(child: Resource, parents: Sequence[Resource]) -> Resource | None:
    if child.self_href is None:
        return None
    for parent in parents:
        if parent.self_href is not None and child.self_href.startswith(parent.self_href + "/"):
            return parent
    return None


def _before(child: Resource, candidates: Sequence[Resource], indexes: Sequence[int]) -> Resource | None:
    position = bisect.bisect_left(indexes, child.index)
    return candidates[position - 1] if position > 0 else None


def _parent(
    child: Resource, parents: Sequence[Resource], related: dict[str, Resource], indexes: Sequence[int]
) -> Resource | None:
    for href in (child.up_href, child.self_href):
        if href is not None and href in related:
            return related[href]
    return _under(child, parents) or _before(child, parents, indexes)


def _reading_type(
    reading: Resource, types: Sequence[Resource], by_self: dict[str, Resource], next_reading_index: int
) -> Resource | None:
    for href in reading.related:
        if href in by_self:
            return by_self[href]
    after = [t for t in types if reading.index < t.index < next_reading_index]
    if after:
        return after[0]
    before = [t for t in types if t.index < reading.index]
    return before[-1] if before else None


def link(resources: Sequence[Resource]) -> Linked:
    usage_points = _first_of_each(resources, espi.USAGE_POINT)
    meter_readings = _first_of_each(resources, espi.METER_READING)
    reading_types = _first_of_each(resources, espi.READING_TYPE)
    blocks = [r for r in resources if r.kind == espi.INTERVAL_BLOCK]

    point_indexes = [p.index for p in usage_points]
    point_by_related = _by_related(usage_points)
    types_by_self = {t.self_href: t for t in reading_types if t.self_href is not None}
    series: list[Series] = []
    for position, reading in enumerate(meter_readings):
        next_index = meter_readings[position + 1].index if position + 1 < len(meter_readings) else 1 << 62
        point = _parent(reading, usage_points, point_by_related, point_indexes)
        if point is None and usage_points:
            point = usage_points[0]  # a MeterReading written before any UsagePoint
        series.append(Series(reading, point, _reading_type(reading, reading_types, types_by_self, next_index)))

    series_of = {id(s.meter_reading): s for s in series}
    reading_indexes = [r.index for r in meter_readings]
    reading_by_related = _by_related(meter_readings)
    orphans: list[Resource] = []
    for block in blocks:
        owner = _parent(block, meter_readings, reading_by_related, reading_indexes)
        if owner is None and meter_readings:
            owner = meter_readings[0]  # a block written before any MeterReading
        if owner is None:
            orphans.append(block)
        else:
            series_of[id(owner)].blocks.append(block)
    return Linked(usage_points, series, orphans)
