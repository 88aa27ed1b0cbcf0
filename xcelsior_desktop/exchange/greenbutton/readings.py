"""From linked resources to the electricity readings of one usage point, in Wh, per direction.

What is not electricity interval energy in Wh is left out and counted with the reason: other services (gas, water),
other commodities, other units (therms, VArh ...), cumulative register values, other flow directions, blocks
without a MeterReading or ReadingType. A reading listed twice (same direction, start and length) counts once.
A file with several electricity usage points gives the first one with readings; the history keeps one meter's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from xcelsior_desktop.exchange.greenbutton import espi
from xcelsior_desktop.exchange.greenbutton.linking import Linked, Series
from xcelsior_desktop.exchange.greenbutton.resources import NO_DURATION, Resource

# (start UTC epoch s, duration s, Wh)
Reading = tuple[int, int, float]

DIRECTIONS = ("delivered", "received", "net")


@dataclass
class ElectricityReadings:
    """One usage point's readings per direction, duplicates removed, in file order; and what was left out."""

    delivered: list[Reading] = field(default_factory=list)
    received: list[Reading] = field(default_factory=list)
    net: list[Reading] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> readings

    def total_wh(self, direction: str) -> float:
        return float(sum(wh for _, _, wh in getattr(self, direction)))


def _int_field(fields: dict[str, str], name: str) -> int | None:
    text = fields.get(name)
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _count(series: Series) -> int:
    return sum(len(b.readings) + b.readings.unreadable for b in series.blocks if b.readings is not None)


def _service_problem(point: Resource | None) -> str | None:
    if point is None:
        return None
    kind = _int_field(point.fields, "kind")
    if kind is None or kind == espi.SERVICE_ELECTRICITY:
        return None
    return f"of a {espi.SERVICE_KINDS.get(kind, f'kind {kind}')} usage point (only electricity is imported)"


def _type_problem(reading_type: Resource | None) -> str | None:
    if reading_type is None:
        return "without a ReadingType, so of unknown unit"
    fields = reading_type.fields
    commodity = _int_field(fields, "commodity")
    if commodity is not None and commodity not in espi.ELECTRICITY_COMMODITIES:
        return f"of {espi.COMMODITY_NAMES.get(commodity, 'commodity')} (commodity {commodity}), not electricity"
    power = _int_field(fields, "powerOfTenMultiplier")
    if power is not None and not -12 <= power <= 12:
        return f"with a powerOfTenMultiplier of {power}, which no unit has"
    uom = _int_field(fields, "uom")
    if uom is None:
        return "without a unit of measure (uom)"
    if uom != espi.UOM_WH:
        return f"in {espi.UOM_NAMES.get(uom, 'another unit')} (uom {uom}), not Wh"
    accumulation = _int_field(fields, "accumulationBehaviour")
    if accumulation is not None and accumulation not in espi.INTERVAL_ACCUMULATIONS:
        name = espi.ACCUMULATION_NAMES.get(accumulation, "register values")
        return f"of {name} values, not interval energy (accumulationBehaviour {accumulation})"
    flow = _int_field(fields, "flowDirection")
    if flow is not None and flow not in (espi.FLOW_DELIVERED, espi.FLOW_RECEIVED, espi.FLOW_NET):
        name = espi.FLOW_NAMES.get(flow, "another direction")
        return f"of flowDirection {flow} ({name}), neither delivered nor received"
    return None


def _direction(reading_type: Resource) -> str:
    flow = _int_field(reading_type.fields, "flowDirection")
    if flow == espi.FLOW_RECEIVED:
        return "received"
    if flow == espi.FLOW_NET:
        return "net"
    return "delivered"  # forward, or unsaid: a consumption feed (what every third-party feed without it means)


def _scale(value: float, power: int) -> float:
    # dividing by 10**n (not multiplying by 10**-n) keeps 1234 * 10**-3 exactly 1.234
    return value * 10.0**power if power >= 0 else value / 10.0 ** (-power)


def _add_series(series: Series, out: ElectricityReadings, seen: dict[str, dict[tuple[int, int], float]]) -> None:
    assert series.reading_type is not None
    fields = series.reading_type.fields
    power = _int_field(fields, "powerOfTenMultiplier") or 0
    default_length = _int_field(fields, "intervalLength")
    direction = _direction(series.reading_type)
    target: list[Reading] = getattr(out, direction)
    known = seen[direction]
    for block in series.blocks:
        readings = block.readings
        if readings is None:
            continue
        if readings.unreadable:
            out.skipped["without a usable start time, length or value"] += readings.unreadable
        single = len(readings) == 1
        for start, listed, value in zip(readings.starts, readings.durations, readings.values, strict=True):
            duration = listed
            if listed == NO_DURATION:
                fallback = default_length if default_length else (block.block_duration if single else None)
                if fallback is None or fallback <= 0:
                    out.skipped["without a duration"] += 1
                    continue
                duration = fallback
            wh = _scale(value, power)
            if wh < 0 and direction != "net":  # energy delivered or received is never below zero (net may be)
                out.skipped[f"of {direction} energy with a negative value"] += 1
                continue
            key = (start, duration)
            if key in known:
                if known[key] == wh:
                    out.skipped["listed twice (counted once)"] += 1
                else:
                    out.skipped["listed twice with different values (the first kept)"] += 1
                continue
            known[key] = wh
            target.append((start, duration, wh))


def electricity_readings(linked: Linked) -> ElectricityReadings:
    out = ElectricityReadings()
    for block in linked.orphan_blocks:
        if block.readings is not None:
            out.skipped["of an IntervalBlock that belongs to no MeterReading"] += len(block.readings)
    chosen: Resource | None = None
    chosen_any = False
    seen: dict[str, dict[tuple[int, int], float]] = {d: {} for d in DIRECTIONS}
    for series in linked.series:
        count = _count(series)
        problem = _service_problem(series.usage_point) or _type_problem(series.reading_type)
        if problem is None and chosen_any and series.usage_point is not chosen:
            problem = "of another electricity usage point (the history keeps one meter's)"
        if problem is not None:
            if count:
                out.skipped[problem] += count
            continue
        if count:
            chosen, chosen_any = series.usage_point, True
        _add_series(series, out, seen)
    return out
