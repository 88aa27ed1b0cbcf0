"""The window's Import and Export of the history, Qt-free: each runs in full on a worker thread and returns an
:class:`Outcome` that says, in words, what happened and what to do next.

Import reads and checks the whole Green Button file before the store is touched, then stores it in one transaction
(``exchange/greenbutton/importer.py``), so a refused file changes nothing and the same file twice changes nothing.
Export writes any format of the history's registry (``exchange/csv_export.py`` ``FORMATS``) in one atomic
write, for the local days chosen (both included, like ``history export --from/--to``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xcelsior_desktop.energy import days as periods

log = logging.getLogger(__name__)

NO_HISTORY = (
    "The energy history is not open yet, so there is nothing to {what}. Try again in a minute; if this keeps "
    "happening, restart the app (the window says why the history could not be opened)."
)


@dataclass(frozen=True)
class Outcome:
    """What an import or export did: ``title`` for a dialog or notification, ``lines`` the result in words."""

    ok: bool
    title: str
    lines: tuple[str, ...]
    changed: bool = False  # the history's intervals changed (the charts should be drawn again)
    first: dt.datetime | None = None  # the span the change touched (UTC), when ``changed``
    last: dt.datetime | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def no_history(what: str) -> Outcome:
    """The outcome when the app has no history store (not opened yet, or unavailable)."""
    title = "Nothing imported" if what == "import" else "Nothing exported"
    return Outcome(False, title, (NO_HISTORY.format(what=f"{what} into" if what == "import" else what),))


def import_green_button(path: Path | str, store: Any) -> Outcome:
    """Read ``path`` in full, then store it in one transaction. Never raises for bad input or a failing store."""
    from xcelsior_desktop.energy.errors import HistoryError
    from xcelsior_desktop.exchange.greenbutton import GreenButtonError, read_green_button, store_import

    if store is None:
        return no_history("import")
    try:
        result = read_green_button(path)
    except GreenButtonError as exc:
        log.info("Green Button import refused: %s", exc)
        return Outcome(False, "Green Button file not imported", (exc.user_message,))
    try:
        report = store_import(result, store)
    except HistoryError as exc:
        log.warning("Green Button import could not be stored: %s", exc)
        return Outcome(False, "Green Button file not imported", (exc.user_message,))
    return Outcome(True, "Green Button file imported", (report.line(), *report.notes()), changed=report.changed > 0,
                   first=result.first, last=result.last)


@dataclass(frozen=True)
class ExportRequest:
    """Export the local days ``first`` .. ``last`` (both included) as ``fmt`` to ``path``."""

    fmt: str
    first: dt.date
    last: dt.date
    path: Path
    tz: dt.tzinfo | None = None  # the household's zone; None: the computer's

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return (periods.local_midnight(self.first, self.tz),
                periods.local_midnight(self.last + dt.timedelta(days=1), self.tz))


def local_days(span: tuple[dt.datetime, dt.datetime], tz: dt.tzinfo | None = None) -> tuple[dt.date, dt.date]:
    """The local days a store's ``first_last()`` covers (the last interval ends at, not in, its end)."""
    first, end = span

    def local(instant: dt.datetime) -> dt.date:
        return (instant.astimezone(tz) if tz is not None else instant.astimezone()).date()

    return local(first), max(local(first), local(end - dt.timedelta(seconds=1)))


def export_formats() -> list[str]:
    """The names of every export format (``csv``, ``greenbutton``, and any a later module registers)."""
    import xcelsior_desktop.exchange.greenbutton.export_format  # noqa: F401 - registers "greenbutton"
    from xcelsior_desktop.exchange.csv_export import FORMATS

    return sorted(FORMATS)


def export_history(request: ExportRequest, store: Any) -> Outcome:
    """Write the chosen days in the chosen format, all at once. Never raises for a failing store or disk."""
    from xcelsior_desktop.common.atomic_file import write_bytes_atomic
    from xcelsior_desktop.energy.errors import HistoryError
    from xcelsior_desktop.exchange.csv_export import export_text

    if store is None:
        return no_history("export")
    export_formats()  # the registry is complete before a format is looked up
    days = f"{request.first.isoformat()} .. {request.last.isoformat()}"
    start, end = request.bounds()
    try:
        intervals = store.intervals(start, end)
    except HistoryError as exc:
        return Outcome(False, "History not exported", (exc.user_message,))
    if not any(iv.imported_wh is not None or iv.exported_wh is not None for iv in intervals):
        return Outcome(False, "Nothing exported", (
            f"The history holds no energy from {days}, so no file was written. Choose other days.",))
    text, count = export_text(request.fmt, intervals)
    try:
        write_bytes_atomic(request.path, text.encode("utf-8"), mode=0o644)
    except OSError as exc:
        return Outcome(False, "History not exported", (
            f"{request.path} could not be written ({exc.strerror or exc}). Choose another folder or free some disk "
            "space, then export again.",))
    return Outcome(True, "History exported", (f"exported {count} intervals ({days}) to {request.path}",))
