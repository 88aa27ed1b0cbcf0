"""The Green Button reader, fuzzed: whatever a file holds, only a GreenButtonError (with a one-line user message)
escapes, and whatever it returns keeps the history's rules (sorted, no overlaps, lengths a minute to a day)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_support import mutated_bodies
from tests.greenbutton_support import Block, Meter, Point, feed, sample
from xcelsior_desktop.exchange.greenbutton import GreenButtonError, read_green_button

T0 = 1_767_225_600
BODIES = [
    sample("opower-15min-no-flow-direction.xml").read_bytes(),
    sample("sce-bulk-15min-with-summaries.xml").read_bytes(),
    feed([Point(meters=[Meter(flow=1, blocks=[Block([(T0, 900, 5), (T0 + 900, 900, 6)])]),
                        Meter(flow=19, power=-3, blocks=[Block([(T0, 3600, 7000)])]),
                        Meter(flow=4, interval_length=900, blocks=[Block([(T0 + 7200, None, -3)])])])]).encode(),
]
NASTY = [
    b"<!DOCTYPE feed [<!ENTITY e SYSTEM 'file:///etc/hostname'>]>",
    b"&e;",
    b"&#0;",
    b"<![CDATA[",
    b"\x00",
    b"\xff\xfe",
    b"<?xml version='1.0' encoding='utf-16'?>",
    b"<start>99999999999999999999999999999</start>",
    b"<duration>-900</duration>",
    b"<duration>0</duration>",
    b"<value>1e400</value>",
    b"<value>NaN</value>",
    b"<powerOfTenMultiplier>400</powerOfTenMultiplier>",
    b"<intervalLength>99999999999999999999</intervalLength>",
    b"<flowDirection>19</flowDirection>",
    b"<flowDirection>4</flowDirection>",
    b'<link rel="self" href="/v1/ReadingType/1"/>',
    b'<link rel="up" href=""/>',
    b"</entry><entry>",
    b"<IntervalReading><timePeriod><start>0</start></timePeriod></IntervalReading>",
]


def mutated() -> st.SearchStrategy[bytes]:
    return mutated_bodies(BODIES, NASTY, delete_up_to=60, digits=True)


def _check(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.xml"
        path.write_bytes(body)
        try:
            result = read_green_button(path)
        except GreenButtonError as exc:  # anything else escapes and fails the test
            assert exc.user_message and "\n" not in exc.user_message
            return
    intervals = result.intervals
    assert intervals
    assert all(60 <= iv.duration_s <= 90_000 for iv in intervals)
    assert all(a.end <= b.start for a, b in zip(intervals, intervals[1:], strict=False))
    assert all(iv.imported_wh is not None or iv.exported_wh is not None for iv in intervals)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files(body: bytes) -> None:
    _check(body)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes(body: bytes) -> None:
    _check(body)


def test_a_namespace_with_a_brace_in_it_is_read_or_refused_with_a_message() -> None:
    """Found by test_mutated_files: lxml's QName refuses a namespace holding '}' with a ValueError."""
    body = BODIES[0].replace(b'xmlns="http://www.w3.org/2005/Atom"', b'xmlns="}ttp://www.w3.org/2005/Atom"')
    assert b"}ttp" in body
    _check(body)
