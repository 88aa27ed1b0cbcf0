"""Shared by the Green Button tests: where the fixtures are, the schema, and a small ESPI feed builder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

FIXTURES = Path(__file__).parent / "fixtures" / "greenbutton"
SAMPLES = FIXTURES / "samples"
SCHEMA = FIXTURES / "schema" / "wrapper.xsd"


def sample(name: str) -> Path:
    matches = list(SAMPLES.glob(f"*/{name}"))
    assert len(matches) == 1, name
    return matches[0]


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@dataclass
class Block:
    readings: Sequence[tuple[int, int | None, int]]  # start, duration (None: not stated), value


@dataclass
class Meter:
    flow: int | None = 1
    uom: int | None = 72
    power: int | None = 0
    interval_length: int | None = None
    commodity: int | None = None
    accumulation: int | None = None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Point:
    kind: int = 0
    meters: list[Meter] = field(default_factory=list)


def _opt(name: str, value: object) -> str:
    return f"<{name}>{value}</{name}>" if value is not None else ""


def feed(points: Sequence[Point], *, links: bool = True) -> str:
    """An ESPI feed in the usual entry order (UsagePoint, MeterReading, ReadingType, IntervalBlocks), with the
    links a Data Custodian writes, or none at all (``links=False``: tied by document order only)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           "<id>urn:uuid:0</id><title>test</title><updated>2026-01-01T00:00:00Z</updated>"]

    def entry(self_href: str, up: str, related: Sequence[str], body: str) -> None:
        link = ""
        if links:
            link = f'<link rel="self" href="{self_href}"/><link rel="up" href="{up}"/>'
            link += "".join(f'<link rel="related" href="{r}"/>' for r in related)
        out.append(f"<entry><id>{self_href}</id>{link}<title/><content>{body}</content></entry>")

    for p, point in enumerate(points, 1):
        up = f"/User/1/UsagePoint/{p}"
        entry(up, "/User/1/UsagePoint", [f"{up}/MeterReading"],
              f'<UsagePoint xmlns="http://naesb.org/espi"><ServiceCategory><kind>{point.kind}</kind>'
              "</ServiceCategory></UsagePoint>")
        for m, meter in enumerate(point.meters, 1):
            mr = f"{up}/MeterReading/{m}"
            rt = f"/ReadingType/{p}-{m}"
            entry(mr, f"{up}/MeterReading", [f"{mr}/IntervalBlock", rt], '<MeterReading xmlns="http://naesb.org/espi"/>')
            fields = (_opt("accumulationBehaviour", meter.accumulation) + _opt("commodity", meter.commodity)
                      + _opt("flowDirection", meter.flow) + _opt("intervalLength", meter.interval_length)
                      + _opt("powerOfTenMultiplier", meter.power) + _opt("uom", meter.uom))
            entry(rt, "/ReadingType", [], f'<ReadingType xmlns="http://naesb.org/espi">{fields}</ReadingType>')
            for b, block in enumerate(meter.blocks, 1):
                readings = "".join(
                    f"<IntervalReading><timePeriod>{_opt('duration', d)}<start>{s}</start></timePeriod>"
                    f"<value>{v}</value></IntervalReading>"
                    for s, d, v in block.readings
                )
                entry(f"{mr}/IntervalBlock/{b}", f"{mr}/IntervalBlock", [],
                      f'<IntervalBlock xmlns="http://naesb.org/espi">{readings}</IntervalBlock>')
    out.append("</feed>")
    return "\n".join(out)


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path
