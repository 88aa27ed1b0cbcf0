"""Green Button import and export of a year of 15-minute data in both directions (70,080 readings).

Builds a year of synthetic slots (35,040 intervals, each with delivered and received energy), writes them as a Green Button file, then times what ``history import FILE`` does (read and check the
whole file, store it in one transaction into a fresh history) and what ``history export --format greenbutton``
does (read the history, write the ESPI feed). Also checks the round trip. The last line is:

    import_s=<x> export_s=<y>

Goal: both <= 5 s. Usage: python bench/greenbutton.py [--days 365] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore  # noqa: E402
from xcelsior_desktop.exchange.greenbutton import read_green_button, store_import  # noqa: E402
from xcelsior_desktop.exchange.greenbutton.export_format import write_greenbutton_text  # noqa: E402
from xcelsior_desktop.exchange.greenbutton.writer import write_green_button  # noqa: E402

SLOT_S = 900


def a_year(days: int) -> list[EnergyInterval]:
    """Slots with a daily load shape and solar export at midday (every slot has both directions)."""
    start = dt.datetime(2025, 11, 1, 6, tzinfo=dt.UTC)
    out = []
    for i in range(days * 96):
        hour = (i // 4) % 24
        imported = 80.0 + 40 * (hour in range(17, 22)) + (i * 7919) % 37
        exported = float(max(0, 12 - abs(hour - 13)) * 9 + (i * 104729) % 5) if hour in range(7, 19) else 0.0
        out.append(EnergyInterval(start + dt.timedelta(seconds=SLOT_S * i), SLOT_S, imported, exported))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", type=Path, help="keep the files in this folder")
    args = parser.parse_args()
    intervals = a_year(max(1, args.days))
    readings = sum((iv.imported_wh is not None) + (iv.exported_wh is not None) for iv in intervals)

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        source = folder / "year.xml"
        write_green_button(intervals, source)
        db = folder / "history.sqlite3"
        db.unlink(missing_ok=True)

        started = time.perf_counter()
        with HistoryStore(db) as store:
            report = store_import(read_green_button(source), store)
        import_s = time.perf_counter() - started

        started = time.perf_counter()
        with HistoryStore(db) as store:
            buffer = io.StringIO()
            written = write_greenbutton_text(store.intervals(), buffer)
            (folder / "export.xml").write_text(buffer.getvalue(), encoding="utf-8")
        export_s = time.perf_counter() - started

        same = [(iv.start, iv.duration_s, iv.imported_wh, iv.exported_wh) for iv in report.result.intervals] == [
            (iv.start, iv.duration_s, iv.imported_wh, iv.exported_wh) for iv in intervals
        ]
        size_mb = source.stat().st_size / 1e6
        print(f"intervals: {len(intervals)} ({readings} readings), file {size_mb:.1f} MB")
        print(report.line())
        print(f"exported {written} intervals; round trip identical: {same}")
        print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"import_s={import_s:.2f} export_s={export_s:.2f}")
    return 0 if same and written == len(intervals) else 1


if __name__ == "__main__":
    sys.exit(main())
