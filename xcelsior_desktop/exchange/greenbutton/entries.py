"""Read the entries of an Atom feed one at a time, with a parser that refuses what a Green Button file never has.

A ZIP archive (how some utilities deliver the download) is read through its one ``.xml`` member, decompressed as a
stream under the same cap, so a ZIP bomb stops at the cap like any other large file.

Hardened by the project's one XML factory (``xcelsior_desktop/common/safe_xml.py``: a DTD is refused from the bytes,
before the parser sees it, whatever libxml2's own guards would say; no entity substitution, no network, libxml2's
limits on text and depth kept), plus a size cap counted on the bytes actually read (so a pipe or a file that grows cannot slip past a ``stat``). Streaming: each ``<entry>`` is
handed over, then cleared and dropped from the tree, so memory follows one entry, not the file.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from xcelsior_desktop.common import safe_xml
from xcelsior_desktop.common.regular_file import NotARegularFile, open_regular_file
from xcelsior_desktop.common.safe_xml import local_name
from xcelsior_desktop.exchange.greenbutton.errors import (
    DamagedFile,
    FileTooLarge,
    FileUnreadable,
    HostileFile,
    NotGreenButton,
)

# 13 months of 15-minute data in both directions is ~20 MB; five times that and several usage points fit easily
MAX_BYTES = 200 * 1024 * 1024
READ_CHUNK = 1 << 16
ZIP_MAGIC = b"PK\x03\x04"
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


class _TooLarge(Exception):
    pass


class _CappedReader:
    """A file object for lxml that stops with :class:`_TooLarge` once more than ``limit`` bytes were read."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self._raw = raw
        self._limit = limit
        self.count = 0
        self.at_end = False  # the whole file was handed to the parser

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size if size and size > 0 else READ_CHUNK)
        self.at_end = self.at_end or not chunk
        self.count += len(chunk)
        if self.count > self._limit:
            raise _TooLarge(self.count)
        return chunk


def _mb(count: int) -> str:
    return f"{count / (1024 * 1024):.0f} MB"


def _too_large(path: Path, size: int, limit: int) -> FileTooLarge:
    return FileTooLarge(
        f"{path}: {size} bytes > {limit}",
        user_message=(
            f"{path.name} is larger than {_mb(limit)}, far more than any Green Button download, so it was not read. "
            "Download your usage again from your utility's Green Button page (13 months at most)."
        ),
    )


def _declares_dtd(path: Path, what: str) -> HostileFile:
    return HostileFile(f"{path}: declares a DTD ({what})", user_message=(
        f"{path.name} declares a DTD (<!DOCTYPE ...>), which Green Button files never do; it was not read, to be "
        "safe. Download your usage again from your utility's Green Button page."))


def _check_document(tree: etree._ElementTree, path: Path) -> None:
    info = tree.docinfo
    doctype = getattr(info, "doctype", "")  # missing from lxml-stubs
    if doctype or info.internalDTD is not None or info.externalDTD is not None:  # after the byte scan: a 2nd line
        raise _declares_dtd(path, doctype or "internal subset")
    root = tree.getroot()
    if root is None or local_name(root) != "feed":
        found = local_name(root) if root is not None else "nothing"
        raise NotGreenButton(f"{path}: root element <{found}>, not an Atom <feed>", user_message=(
            f"{path.name} is not a Green Button file (its XML is a <{found}>, not an Atom feed of usage data). On "
            "your utility's website choose 'Green Button: Download My Data' and pick the XML format."))


def _syntax_error(path: Path, exc: etree.XMLSyntaxError, reader: _CappedReader, started: bool) -> DamagedFile:
    """What is wrong, told from what the parser was given (never from libxml2's wording, which changes between
    releases): nothing at all; the whole file, with the feed still open at its end (a download cut short); or a
    fault inside it, named with its line."""
    if reader.count == 0:
        what = "is empty"
    elif reader.at_end and started:
        what = "ends before the feed is complete (a download cut short?)"
    else:
        reason = " ".join(str(exc.msg).split()).split(", line ")[0]  # libxml2 appends the position again
        what = f"is not well-formed XML (line {exc.lineno}: {reason})"
    return DamagedFile(f"{path}: {exc}", user_message=(
        f"{path.name} {what}. Download your usage again from your utility's Green Button page."))


def _zip_damaged(path: Path, exc: BaseException) -> DamagedFile:
    return DamagedFile(f"{path}: {type(exc).__name__}: {exc}", user_message=(
        f"{path.name} is a ZIP archive that cannot be unpacked ({exc}). Unpack it with your file manager and import "
        "the .xml file inside, or download your usage again."))


def _xml_stream(raw: IO[bytes], path: Path) -> IO[bytes]:
    """``raw`` itself, or the one XML member of a ZIP archive (decompressed as it is read)."""
    peek = getattr(raw, "peek", None)
    head = peek(len(ZIP_MAGIC))[: len(ZIP_MAGIC)] if peek is not None else b""
    if head != ZIP_MAGIC:
        return raw
    try:
        archive = zipfile.ZipFile(raw)
        members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".xml")]
        if len(members) != 1:
            raise NotGreenButton(f"{path}: a ZIP archive with {len(members)} .xml files", user_message=(
                f"{path.name} is a ZIP archive with {len(members)} XML files, not one Green Button file. Unpack it "
                "with your file manager and import the Green Button .xml file from it."))
        return archive.open(members[0])
    except ZIP_ERRORS as exc:
        raise _zip_damaged(path, exc) from None
    except OSError as exc:
        raise FileUnreadable(str(exc), user_message=f"{path} could not be read to the end ({exc.strerror}).") from exc


def iter_entries(path: Path | str, *, max_bytes: int = MAX_BYTES) -> Iterator[etree._Element]:
    """The feed's ``<entry>`` elements in document order; each is cleared once the caller moves on.

    Raises :class:`FileUnreadable`, :class:`FileTooLarge`, :class:`HostileFile`, :class:`DamagedFile` or
    :class:`NotGreenButton`; nothing of a refused file is handed over before the refusal of a DTD or a wrong root.
    """
    path = Path(path)
    try:
        raw = open_regular_file(path)  # closed in the finally below, across the generator's life; never a FIFO
        size = os.fstat(raw.fileno()).st_size
    except NotARegularFile as exc:
        message = (f"{path} cannot be read as a Green Button file: {exc.strerror}. Choose the .xml (or .zip) file "
                   "you downloaded.")
        raise FileUnreadable(message, user_message=message) from exc
    except FileNotFoundError as exc:
        raise FileUnreadable(str(exc), user_message=f"{path} does not exist. Check the file name.") from exc
    except OSError as exc:
        raise FileUnreadable(str(exc), user_message=f"{path} cannot be read ({exc.strerror}).") from exc
    if size > max_bytes:
        raw.close()
        raise _too_large(path, size, max_bytes)
    try:
        stream = _xml_stream(raw, path)
    except BaseException:
        raw.close()
        raise
    reader = _CappedReader(stream, max_bytes)
    context = safe_xml.iterparse(reader, tags=("{*}feed", "{*}entry"))
    checked = False
    try:
        for event, element in context:
            if not checked:
                _check_document(element.getroottree(), path)
                checked = True
            if event != "end" or local_name(element) != "entry":
                continue
            parent = element.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # an entry nested somewhere else is not one of the feed's
            yield element
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del parent[0]
        if not checked:
            _check_document(context.root.getroottree(), path)
    except safe_xml.DeclaresDtd as exc:
        raise _declares_dtd(path, str(exc)) from None
    except _TooLarge as exc:
        raise _too_large(path, int(exc.args[0]), max_bytes) from None
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(path, exc, reader, checked) from None
    except ZIP_ERRORS as exc:  # a damaged member shows while it is decompressed
        raise _zip_damaged(path, exc) from None
    except OSError as exc:
        raise FileUnreadable(str(exc), user_message=f"{path} could not be read to the end ({exc.strerror}).") from exc
    finally:
        if stream is not raw:
            stream.close()
        raw.close()
