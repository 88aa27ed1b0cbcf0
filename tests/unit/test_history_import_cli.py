"""``history import FILE`` and ``history export --format greenbutton``, through the real CLI and a real store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from tests.greenbutton_support import sample, schema, write
from xcelsior_desktop.cli import main
from xcelsior_desktop.energy import days as periods
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore

SDGE = "sdge-hourly-2019-10.xml"
SDGE_LINE = "imported 552 intervals (2019-10-01T00:00:00Z .. 2019-10-24T00:00:00Z), 0 skipped"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def _rows(db: Path) -> list[EnergyInterval]:
    with HistoryStore(db) as store:
        return store.intervals_of("greenbutton") + store.intervals_of("meter")


def test_import_prints_the_line_and_a_second_import_changes_nothing(tmp_path: Path, capsys) -> None:
    db = tmp_path / "h.sqlite3"
    assert _run(capsys, "history", "import", str(sample(SDGE)), "--db", str(db)) == (0, [SDGE_LINE], [])
    first = _rows(db)
    assert len(first) == 552 and sum(iv.imported_wh or 0 for iv in first) == 351_425
    code, out, err = _run(capsys, "history", "import", str(sample(SDGE)), "--db", str(db))
    assert (code, err) == (0, [])
    assert out == [SDGE_LINE, "The history already held all of these intervals: nothing changed."]
    assert _rows(db) == first


def test_the_skipped_readings_and_their_reasons_are_on_the_line(tmp_path: Path, capsys) -> None:
    text = sample(SDGE).read_text()
    gas = text.replace("<kind>0</kind>", "<kind>1</kind>").replace("UsagePoint/01", "UsagePoint/02")
    gas = gas[gas.index("<entry>"): gas.rindex("</feed>")]
    both = write(tmp_path / "both.xml", text.replace("</feed>", gas + "</feed>"))
    code, out, _ = _run(capsys, "history", "import", str(both), "--db", str(tmp_path / "h.sqlite3"))
    assert code == 0
    assert out == [SDGE_LINE.replace("0 skipped", "552 skipped: 552 readings of a gas usage point (only electricity "
                                     "is imported)")]


def test_where_the_meter_has_slots_the_meter_wins(tmp_path: Path, capsys) -> None:
    db = tmp_path / "h.sqlite3"
    hour = dt.datetime(2019, 10, 2, 12, tzinfo=dt.UTC)
    meter = [EnergyInterval(hour + dt.timedelta(minutes=15 * i), 900, 1.0, 0.0) for i in range(8)]
    with HistoryStore(db) as store:
        store.add_intervals(meter)
    code, out, _ = _run(capsys, "history", "import", str(sample(SDGE)), "--db", str(db))
    assert code == 0 and out[1] == "2 of them overlap the meter's own readings; the meter's figures are used there."
    with HistoryStore(db) as store:
        resolved = store.intervals(hour - dt.timedelta(hours=1), hour + dt.timedelta(hours=3))
    assert [(iv.source, iv.start.hour, iv.duration_s) for iv in resolved] == [
        ("greenbutton", 11, 3600), *(("meter", iv.start.hour, 900) for iv in meter), ("greenbutton", 14, 3600)]


def _sparse_gigabyte(path: Path, head: str) -> Path:
    with open(path, "wb") as handle:  # a gigabyte on paper, no disk used
        handle.write(head.encode())
        handle.truncate(1 << 30)
    return path


@pytest.mark.parametrize("kind", ["truncated", "dtd", "not-xml", "gas", "missing", "gigabyte"])
def test_a_refused_file_gets_one_line_and_changes_nothing(kind: str, tmp_path: Path, capsys) -> None:
    db = tmp_path / "h.sqlite3"
    fresh = tmp_path / "fresh.sqlite3"
    assert _run(capsys, "history", "import", str(sample("utilityapi-hourly-2023.xml")), "--db", str(db))[0] == 0
    before = _rows(db)
    text = sample(SDGE).read_text()
    path = {
        "truncated": lambda: write(tmp_path / "cut.xml", text[: len(text) * 2 // 3]),
        "dtd": lambda: write(tmp_path / "dtd.xml", text.replace("<feed ", '<!DOCTYPE feed [<!ENTITY a "b">]><feed ', 1)),
        "not-xml": lambda: write(tmp_path / "usage.csv", "start,kWh\n"),
        "gas": lambda: sample("gas-direct.xml"),
        "missing": lambda: tmp_path / "nothing.xml",
        "gigabyte": lambda: _sparse_gigabyte(tmp_path / "huge.xml", text),
    }[kind]()
    for target in (db, fresh):
        code, out, err = _run(capsys, "history", "import", str(path), "--db", str(target))
        assert (code, out, len(err)) == (1, [], 1)
        assert err[0].startswith("xcelsior-desktop history import: ") and path.name in err[0]
    assert _rows(db) == before
    assert not fresh.exists()  # a refused file does not even create the history


def test_export_greenbutton_validates_and_round_trips(tmp_path: Path, capsys) -> None:
    db, again = tmp_path / "h.sqlite3", tmp_path / "again.sqlite3"
    meter_day = dt.datetime(2023, 3, 10, 6, tzinfo=dt.UTC)
    with HistoryStore(db) as store:
        store.add_intervals([EnergyInterval(meter_day + dt.timedelta(minutes=15 * i), 900, 12.0 + i, 0.5 * i)
                             for i in range(96)])
    assert _run(capsys, "history", "import", str(sample("utilityapi-hourly-2023.xml")), "--db", str(db))[0] == 0
    out_file = tmp_path / "export.xml"
    assert _run(capsys, "history", "export", "--format", "greenbutton", "--db", str(db), "-o", str(out_file)) == (0, [], [])
    validator = schema()
    assert validator.validate(etree.parse(str(out_file))), validator.error_log.last_error
    code, out, _ = _run(capsys, "history", "import", str(out_file), "--db", str(again))
    assert code == 0 and out[0].startswith("imported 396 intervals (2023-02-22T18:00:00Z .. 2023-03-11T06:00:00Z)")
    with HistoryStore(db) as original, HistoryStore(again) as copy:
        assert [(iv.start, iv.duration_s, iv.imported_wh, iv.exported_wh) for iv in copy.intervals()] == [
            (iv.start, iv.duration_s, iv.imported_wh, iv.exported_wh) for iv in original.intervals()]


def test_export_greenbutton_respects_the_local_days_asked(tmp_path: Path, capsys) -> None:
    db = tmp_path / "h.sqlite3"
    assert _run(capsys, "history", "import", str(sample(SDGE)), "--db", str(db))[0] == 0
    code, out, _ = _run(capsys, "history", "export", "--format", "greenbutton", "--db", str(db),
                        "--from", "2019-10-05", "--to", "2019-10-06")
    assert code == 0
    document = etree.fromstring("\n".join(out).encode())
    starts = [int(s.text) for s in document.iter("{http://naesb.org/espi}start")
              if s.getparent().tag.endswith("timePeriod")]
    home = ZoneInfo("America/Denver")  # the home zone: the default tariff's (Settings, General can change it)
    lo = periods.local_midnight(dt.date(2019, 10, 5), home).timestamp()
    hi = periods.local_midnight(dt.date(2019, 10, 7), home).timestamp()
    assert len(starts) == 48 and min(starts) == lo and max(starts) == hi - 3600
