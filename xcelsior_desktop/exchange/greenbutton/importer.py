"""Import a Green Button file into the history: read and check all of it, then store it in one transaction.

Shared by ``history import`` and the window's Import action. Importing the same file again changes nothing (the
store keys intervals by source and start); where an imported interval overlaps the meter's own slots the store's
resolved view keeps the meter's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xcelsior_desktop.common.format import iso_utc
from xcelsior_desktop.exchange.greenbutton import SOURCE
from xcelsior_desktop.exchange.greenbutton.reader import GreenButtonImport, read_green_button


@dataclass(frozen=True)
class ImportReport:
    result: GreenButtonImport
    changed: int  # rows the store added or changed (0: the history already held all of it)
    shadowed: int  # imported intervals that overlap the meter's own slots (the meter's figures are used there)

    def line(self) -> str:
        """``imported N intervals (FIRST .. LAST), M skipped: REASONS`` (no colon when nothing was skipped)."""
        result = self.result
        span = f" ({iso_utc(result.first)} .. {iso_utc(result.last)})" if result.first and result.last else ""
        skipped = f"{result.skipped_count} skipped"
        if result.skipped_count:
            skipped += f": {result.skipped_text}"
        return f"imported {len(result.intervals)} intervals{span}, {skipped}"

    def notes(self) -> list[str]:
        """What else a user should know, one sentence each (may be empty)."""
        out = []
        if self.changed == 0:
            out.append("The history already held all of these intervals: nothing changed.")
        if self.shadowed:
            out.append(f"{self.shadowed} of them overlap the meter's own readings; the meter's figures are used there.")
        return out


def store_import(result: GreenButtonImport, store: Any) -> ImportReport:
    """Add what :func:`read_green_button` gave to ``store`` (a HistoryStore) in one transaction."""
    changed = store.add_intervals(result.intervals)
    first, last = result.first, result.last
    assert first is not None and last is not None  # read_green_button never returns an empty import
    ours = {iv.start for iv in result.intervals}
    kept = {iv.start for iv in store.intervals(first, last) if iv.source == SOURCE}
    return ImportReport(result, changed, len(ours - kept))


def import_file(path: Path | str, store: Any) -> ImportReport:
    """Read ``path`` in full (raising a GreenButtonError, with nothing stored, if it is refused), then store it."""
    return store_import(read_green_button(path), store)
