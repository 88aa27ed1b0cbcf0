"""The one hardened way XML from outside (the meter's answers, Green Button files) is parsed.

A document type declaration is refused before the parser sees it: the bytes are scanned for ``<!DOCTYPE``,
``<!ENTITY``, ``<!ELEMENT`` and ``<!ATTLIST`` (in UTF-8 and in UTF-16/32, with or without a byte-order mark), so
what the user is told never depends on which of libxml2's own guards (entity amplification, depth, ...) a given
lxml release happens to trip first. Neither format ever has a DTD, so a file that declares one is refused for
what it holds, not called damaged. The parser itself is built with every outside-reaching feature off as a
second line: no entity substitution, no network, no DTD loading, libxml2's size and depth limits kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO, Any

from lxml import etree

_MARKUP = ("DOCTYPE", "ENTITY", "ELEMENT", "ATTLIST")
_ASCII_MARKERS = re.compile(rb"<!\s*(?:" + b"|".join(word.encode() for word in _MARKUP) + rb")", re.IGNORECASE)
_WIDE_MARKERS = tuple(
    (("<!" + spelled).encode(encoding), "<!" + word)
    for word in _MARKUP
    for spelled in (word, word.lower())
    for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
# A marker split across two reads is still seen: each scan also covers the tail of the previous read.
_OVERLAP = 4 * (len("<!ATTLIST") + 16)

PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "attribute_defaults": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


class DeclaresDtd(Exception):
    """The document declares a DTD (its words name what was found, e.g. ``<!DOCTYPE``)."""


def dtd_marker(data: bytes) -> str | None:
    """The DTD markup ``data`` holds (``"<!DOCTYPE"``, ...), or None."""
    found = _ASCII_MARKERS.search(data)
    if found is not None:
        return "<!" + found.group(0)[2:].strip().upper().decode("ascii")
    for marker, name in _WIDE_MARKERS:
        if marker in data:
            return name
    return None


def refuse_dtd(data: bytes) -> None:
    """Raise :class:`DeclaresDtd` when ``data`` declares a DTD."""
    marker = dtd_marker(data)
    if marker is not None:
        raise DeclaresDtd(marker)


class DtdGuard:
    """A file object for lxml that raises :class:`DeclaresDtd` on the read whose bytes hold DTD markup."""

    def __init__(self, raw: IO[bytes] | Any) -> None:
        self._raw = raw
        self._tail = b""

    def read(self, size: int = -1) -> bytes:
        chunk: bytes = self._raw.read(size)
        if chunk:
            refuse_dtd(self._tail + chunk)
            self._tail = (self._tail + chunk)[-_OVERLAP:]
        return chunk


def local_name(element: etree._Element) -> str:
    """The element's name without its namespace ("" for a comment or processing instruction). Unlike
    ``etree.QName`` it takes any namespace text: a damaged document can declare one with a '}' in it."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def namespace_of(element: etree._Element) -> str | None:
    """The element's namespace (None without one), whatever text it holds (see :func:`local_name`)."""
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    return tag[1:tag.rindex("}")]


def parser() -> etree.XMLParser:
    """A parser with every outside-reaching feature off (see :data:`PARSER_OPTIONS`)."""
    return etree.XMLParser(**PARSER_OPTIONS)


def parse_bytes(body: bytes) -> etree._Element:
    """Parse a whole document held in memory. Raises :class:`DeclaresDtd` or lxml's syntax errors."""
    refuse_dtd(body)
    return etree.fromstring(body, parser())


def iterparse(stream: IO[bytes] | Any, *, tags: Iterable[str], events: tuple[str, ...] = ("start", "end")) -> Any:
    """``etree.iterparse`` over ``stream`` through a :class:`DtdGuard`, with the hardened options."""
    return etree.iterparse(DtdGuard(stream), events=events, tag=tuple(tags), **PARSER_OPTIONS)
