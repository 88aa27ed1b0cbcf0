"""Files the Green Button reader must refuse with one clear sentence, having used nothing of them."""

from __future__ import annotations

import contextlib
import os
import threading
import zipfile
from pathlib import Path

import pytest

from tests.greenbutton_support import Block, Meter, Point, feed, sample, write
from xcelsior_desktop.exchange.greenbutton import (
    DamagedFile,
    FileTooLarge,
    FileUnreadable,
    GreenButtonError,
    HostileFile,
    NotGreenButton,
    NothingToImport,
    read_green_button,
)
from xcelsior_desktop.exchange.greenbutton.entries import MAX_BYTES

ATOM = 'xmlns="http://www.w3.org/2005/Atom"'
ESPI = 'xmlns="http://naesb.org/espi"'
T0 = 1_767_225_600


def _good_feed() -> str:
    return feed([Point(meters=[Meter(blocks=[Block([(T0, 900, 100), (T0 + 900, 900, 200)])])])])


def _refused(path: Path, kind: type[GreenButtonError], *words: str) -> GreenButtonError:
    with pytest.raises(kind) as caught:
        read_green_button(path)
    message = caught.value.user_message
    assert "\n" not in message and path.name in message
    for word in words:
        assert word in message
    return caught.value


def test_billion_laughs_is_refused_for_its_dtd(tmp_path: Path) -> None:
    entities = '<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    body = _good_feed().replace("<title>test</title>", "<title>&j;</title>")
    body = body.replace('<?xml version="1.0" encoding="UTF-8"?>', f'<?xml version="1.0"?><!DOCTYPE feed [{entities}]>')
    _refused(write(tmp_path / "laughs.xml", body), HostileFile, "DTD")


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", "TOP-SECRET")
    body = _good_feed().replace("<title>test</title>", "<title>&x;</title>")
    body = body.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file://{secret}">]>',
    )
    error = _refused(write(tmp_path / "xxe.xml", body), HostileFile)
    assert "TOP-SECRET" not in str(error) + error.user_message


def test_any_dtd_is_refused_even_without_entities(tmp_path: Path) -> None:
    body = _good_feed().replace('<?xml version="1.0" encoding="UTF-8"?>', '<!DOCTYPE feed SYSTEM "http://127.0.0.1:9/x.dtd">')
    _refused(write(tmp_path / "dtd.xml", body), HostileFile)


def test_a_truncated_download_is_refused(tmp_path: Path) -> None:
    text = sample("sdge-hourly-2019-10.xml").read_bytes()
    _refused(write(tmp_path / "cut.xml", text[: len(text) // 2]), DamagedFile, "cut short")


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.97])
def test_a_download_cut_anywhere_is_said_to_be_cut_short(tmp_path: Path, cut: float) -> None:
    text = _good_feed().encode()
    _refused(write(tmp_path / "cut.xml", text[: int(len(text) * cut)]), DamagedFile, "cut short")


def test_a_fault_inside_a_whole_file_is_named_with_its_line(tmp_path: Path) -> None:
    body = _good_feed().replace("</title>", "</titel>", 1)
    error = _refused(write(tmp_path / "typo.xml", body), DamagedFile, "not well-formed XML (line ")
    assert "cut short" not in error.user_message


def test_an_empty_file_is_said_to_be_empty(tmp_path: Path) -> None:
    _refused(write(tmp_path / "empty.xml", b""), DamagedFile, "is empty")


@pytest.mark.parametrize("content", [b"", b"date,kWh\n2026-01-01,5\n", b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_not_xml_is_refused(content: bytes, tmp_path: Path) -> None:
    _refused(write(tmp_path / "data.xml", content), DamagedFile, "Download")


def test_other_xml_is_not_green_button(tmp_path: Path) -> None:
    path = write(tmp_path / "page.xml", f'<html><body><entry {ATOM}/></body></html>')
    _refused(path, NotGreenButton, "<html>", "Green Button")


def test_an_atom_feed_without_usage_data_is_not_green_button(tmp_path: Path) -> None:
    body = f'<feed {ATOM}><id>x</id><entry><id>1</id><title>news</title><content>hello</content></entry></feed>'
    _refused(write(tmp_path / "news.xml", body), NotGreenButton, "no Green Button usage data")


def test_a_gas_only_file_imports_nothing_and_says_why() -> None:
    _refused(sample("gas-direct.xml"), NothingToImport, "gas usage point")


def test_a_gigabyte_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with open(path, "wb") as handle:  # sparse: a gigabyte on paper, no disk used
        handle.write(_good_feed().encode())
        handle.truncate(1 << 30)
    assert os.path.getsize(path) > MAX_BYTES
    _refused(path, FileTooLarge, "MB")


def test_a_file_exactly_at_the_cap_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "long.xml", _good_feed())
    assert read_green_button(path, max_bytes=path.stat().st_size).intervals  # the cap on bytes read: zip bomb below


def test_a_pipe_is_refused_at_once_never_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)  # nobody ever writes to it: opening it for reading the usual way would block forever
    outcome: list[BaseException] = []

    def attempt() -> None:
        try:
            read_green_button(fifo)
        except GreenButtonError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=attempt, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # unblock the old behaviour's open() so the thread ends, then fail
        with contextlib.suppress(OSError), open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked waiting for a writer")
    assert len(outcome) == 1 and isinstance(outcome[0], FileUnreadable)
    assert "pipe (FIFO)" in outcome[0].user_message and str(fifo) in outcome[0].user_message


def test_deep_nesting_is_refused_by_the_parser_limits(tmp_path: Path) -> None:
    body = f'<feed {ATOM}><entry><content><IntervalBlock {ESPI}>' + "<x>" * 5000 + "</x>" * 5000
    body += "</IntervalBlock></content></entry></feed>"
    _refused(write(tmp_path / "deep.xml", body), DamagedFile)


@pytest.mark.parametrize("make", ["missing", "folder"])
def test_a_path_that_is_not_a_readable_file(make: str, tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    if make == "folder":
        path.mkdir()
    with pytest.raises(FileUnreadable) as caught:
        read_green_button(path)
    assert str(path) in caught.value.user_message


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zipped_download_reads_like_the_file_inside(tmp_path: Path) -> None:
    data = sample("sdge-hourly-2019-10.xml").read_bytes()
    zipped = _zip(tmp_path / "GreenButton.zip", {"export/usage.xml": data, "readme.txt": b"hello"})
    assert read_green_button(zipped).intervals == read_green_button(sample("sdge-hourly-2019-10.xml")).intervals


def test_a_zip_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    body = _good_feed().replace("<title>test</title>", "<title>" + " " * 4_000_000 + "</title>")
    bomb = _zip(tmp_path / "bomb.zip", {"usage.xml": body.encode()})
    assert bomb.stat().st_size < 100_000
    with pytest.raises(FileTooLarge):
        read_green_button(bomb, max_bytes=1_000_000)


def test_a_zip_with_several_or_no_xml_files_says_so(tmp_path: Path) -> None:
    data = _good_feed().encode()
    _refused(_zip(tmp_path / "two.zip", {"a.xml": data, "b.xml": data}), NotGreenButton, "2 XML files")
    _refused(_zip(tmp_path / "none.zip", {"a.csv": b"x"}), NotGreenButton, "0 XML files")


def test_a_damaged_zip_is_refused(tmp_path: Path) -> None:
    data = _zip(tmp_path / "ok.zip", {"usage.xml": sample("sdge-hourly-2019-10.xml").read_bytes()}).read_bytes()
    _refused(write(tmp_path / "cut.zip", data[: len(data) // 2]), DamagedFile, "ZIP")
    flipped = bytearray(data)
    flipped[200] ^= 0xFF  # inside the compressed member: shows while decompressing
    _refused(write(tmp_path / "bad.zip", bytes(flipped)), DamagedFile)
