"""The window's import and export jobs without Qt: outcomes in words, local days, nothing changed on refusal."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.greenbutton_support import sample
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.exchange.transfer import (
    ExportRequest,
    export_formats,
    export_history,
    import_green_button,
    local_days,
)

DENVER = ZoneInfo("America/Denver")
SDGE = "sdge-hourly-2019-10.xml"


def test_a_zipped_download_is_imported_like_the_xml(tmp_path: Path) -> None:
    archive = tmp_path / "Download My Data.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(sample(SDGE), "usage.xml")
    with HistoryStore.in_memory() as store:
        outcome = import_green_button(archive, store)
        assert outcome.ok and outcome.changed and outcome.lines[0].startswith("imported 552 intervals")
        assert len(store.intervals()) == 552


def test_a_missing_file_or_no_store_is_said_and_nothing_is_stored(tmp_path: Path) -> None:
    with HistoryStore.in_memory() as store:
        outcome = import_green_button(tmp_path / "gone.xml", store)
        assert not outcome.ok and not outcome.changed and "gone.xml" in outcome.text
        assert store.intervals() == []
    outcome = import_green_button(sample(SDGE), None)
    assert not outcome.ok and "not open yet" in outcome.text


def test_local_days_of_a_span_end_on_the_last_day_with_data() -> None:
    first = dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC)  # Denver midnight, the DST day
    end = dt.datetime(2026, 3, 10, 6, tzinfo=dt.UTC)  # Denver midnight (MDT) after two local days
    assert local_days((first, end), DENVER) == (dt.date(2026, 3, 8), dt.date(2026, 3, 9))


def test_export_covers_the_local_days_asked_and_says_when_there_is_nothing(tmp_path: Path) -> None:
    assert {"csv", "greenbutton"} <= set(export_formats())
    day = dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC)
    with HistoryStore.in_memory() as store:
        store.add_intervals([EnergyInterval(day + dt.timedelta(minutes=15 * i), 900, 10.0, None) for i in range(96 * 2)])
        target = tmp_path / "one-day.csv"
        outcome = export_history(ExportRequest("csv", dt.date(2026, 3, 8), dt.date(2026, 3, 8), target, DENVER), store)
        assert outcome.ok and outcome.lines == (f"exported 92 intervals (2026-03-08 .. 2026-03-08) to {target}",)
        assert len(target.read_text().splitlines()) == 93  # a 23-hour day: 92 slots and the header
        empty = tmp_path / "empty.csv"
        outcome = export_history(ExportRequest("csv", dt.date(2026, 4, 1), dt.date(2026, 4, 2), empty, DENVER), store)
        assert not outcome.ok and "no energy from 2026-04-01 .. 2026-04-02" in outcome.text and not empty.exists()
