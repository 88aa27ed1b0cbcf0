"""The one hardened XML factory: a DTD is refused from the bytes, before lxml parses anything, so the answer never
depends on which of libxml2's guards a given release trips first."""

from __future__ import annotations

import io

import pytest

from xcelsior_desktop.common import safe_xml
from xcelsior_desktop.meter.errors import ProtocolError
from xcelsior_desktop.meter.resources import parse_xml

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]><feed>&b;</feed>'
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_dtd_is_found_in_every_encoding_lxml_reads(encoding: str) -> None:
    body = LAUGHS.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding.upper()}"?>')
    assert safe_xml.dtd_marker(body.encode(encoding)) == "<!DOCTYPE"


def test_markup_words_are_named() -> None:
    assert safe_xml.dtd_marker(b"<a><!ENTITY x 'y'></a>") == "<!ENTITY"
    assert safe_xml.dtd_marker(b"<! doctype a>") == "<!DOCTYPE"
    assert safe_xml.dtd_marker(b"<feed><title>doctype ENTITY</title><![CDATA[x]]></feed>") is None


def test_the_guard_sees_a_marker_split_across_two_reads() -> None:
    body = b"<?xml version='1.0'?>" + b" " * 4090 + b"<!DOCTYPE feed []><feed/>"
    split = body.index(b"DOCTYPE") + 3  # "<!DOC" ends one read, "TYPE" starts the next

    class TwoReads(io.RawIOBase):
        def __init__(self) -> None:
            self.parts = [body[:split], body[split:]]

        def read(self, size: int = -1) -> bytes:
            return self.parts.pop(0) if self.parts else b""

    guard = safe_xml.DtdGuard(TwoReads())
    guard.read(1 << 16)
    with pytest.raises(safe_xml.DeclaresDtd, match="DOCTYPE"):
        guard.read(1 << 16)


def test_iterparse_refuses_before_handing_over_any_element() -> None:
    seen: list[str] = []
    with pytest.raises(safe_xml.DeclaresDtd):
        for _event, element in safe_xml.iterparse(io.BytesIO(LAUGHS.encode()), tags=("{*}feed",)):
            seen.append(safe_xml.local_name(element))
    assert seen == []


def test_the_meter_parser_names_the_dtd_whatever_libxml2_would_say() -> None:
    with pytest.raises(ProtocolError, match="DTD"):
        parse_xml(LAUGHS.encode("utf-16"))


def test_local_name_and_namespace() -> None:
    root = safe_xml.parse_bytes(b'<a:feed xmlns:a="urn:x"><entry/></a:feed>')
    assert (safe_xml.local_name(root), safe_xml.namespace_of(root)) == ("feed", "urn:x")
    assert (safe_xml.local_name(root[0]), safe_xml.namespace_of(root[0])) == ("entry", None)
