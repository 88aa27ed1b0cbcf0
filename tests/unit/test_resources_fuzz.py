"""The parser, fuzzed: whatever the meter (or something pretending to be it) sends, only ProtocolError escapes."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.client_support import capture_responses
from tests.fuzz_support import mutated_bodies
from xcelsior_desktop.meter import resources as res
from xcelsior_desktop.meter.errors import ProtocolError

BODIES = sorted({record["body"].encode() for record in capture_responses().values() if record["body"]})
PARSERS = list(res.PARSERS.values()) + [res.parse_any]
NASTY = [
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/hostname'>]>",
    b"<!ENTITY a '&a;&a;'>",
    b"&e;",
    b"&#0;",
    b"<![CDATA[",
    b"]]>",
    b"<?xml version='1.0' encoding='utf-16'?>",
    b"\x00",
    b"\xff\xfe",
    b"<value>99999999999999999999999999999999999999999999</value>",
    b"<localID>-1</localID>",
    b"xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include href='/etc/passwd'/>",
]


def _check(body: bytes) -> None:
    for parser in PARSERS:
        with contextlib.suppress(ProtocolError):  # anything else escapes and fails the test
            parser(body)


def mutated() -> st.SearchStrategy[bytes]:
    return mutated_bodies(BODIES, NASTY)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_capture_bodies(body: bytes) -> None:
    _check(body)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes(body: bytes) -> None:
    _check(body)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(BODIES), st.sampled_from(NASTY))
def test_dtd_and_entities_spliced_after_the_prolog(body: bytes, nasty: bytes) -> None:
    _check(nasty + body)
    _check(b'<?xml version="1.0"?>' + nasty + body)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_text_values(value: str) -> None:
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8", "surrogatepass")
    _check(b"<Reading><value>" + escaped + b"</value><localID>" + escaped + b"</localID></Reading>")
