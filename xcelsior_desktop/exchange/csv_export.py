"""Exports of the history: a registry of formats and of extra column providers. Qt-free.

A format is a writer ``(intervals, out, extras) -> rows written``; ``csv`` is built in. Another format (e.g.
``greenbutton``) registers itself with :func:`register_format`. Extra columns (e.g. a tariff's ``period,cost``)
are :class:`ExtraColumns`: names plus a function that gives one tuple of values per interval; the CSV writer puts
them after ``start,end,imported_wh,exported_wh`` in the order given.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TextIO

from xcelsior_desktop.common.format import iso_utc
from xcelsior_desktop.energy.store import EnergyInterval

CSV_COLUMNS = ("start", "end", "imported_wh", "exported_wh")


@dataclass(frozen=True)
class ExtraColumns:
    """Columns after the standard ones: ``values`` gets the intervals (oldest first) and returns one tuple of
    ``len(names)`` values per interval (None = an empty cell, unknown)."""

    names: tuple[str, ...]
    values: Callable[[Sequence[EnergyInterval]], Sequence[Sequence[object | None]]]


Writer = Callable[[Sequence[EnergyInterval], TextIO, Sequence[ExtraColumns]], int]
FORMATS: dict[str, Writer] = {}


def register_format(name: str, writer: Writer) -> None:
    """Make ``history export --format NAME`` available."""
    FORMATS[name] = writer


def wh_text(value: float | None) -> str:
    """Wh as given (an integer stays an integer); empty = unknown."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _cell(value: object | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return wh_text(value)
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    return str(value)


def write_csv(intervals: Sequence[EnergyInterval], out: TextIO, extras: Sequence[ExtraColumns] = ()) -> int:
    """A header, then one row per interval with data, oldest first."""
    rows = [iv for iv in intervals if iv.imported_wh is not None or iv.exported_wh is not None]
    columns = [extra.values(rows) for extra in extras]
    for extra, values in zip(extras, columns, strict=True):
        if len(values) != len(rows) or any(len(v) != len(extra.names) for v in values):
            raise ValueError(f"the columns {','.join(extra.names)} do not give one value per interval and column")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(name for extra in extras for name in extra.names)])
    for index, iv in enumerate(rows):
        extra_cells = [_cell(v) for values in columns for v in values[index]]
        writer.writerow([iso_utc(iv.start), iso_utc(iv.end), wh_text(iv.imported_wh), wh_text(iv.exported_wh),
                         *extra_cells])
    return len(rows)


register_format("csv", write_csv)


def export_text(fmt: str, intervals: Iterable[EnergyInterval], extras: Sequence[ExtraColumns] = ()) -> tuple[str, int]:
    """The whole export as text (written to a file in one go by the caller) and how many rows it has."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(sorted(FORMATS))}")
    buffer = io.StringIO()
    count = FORMATS[fmt](list(intervals), buffer, extras)
    return buffer.getvalue(), count
