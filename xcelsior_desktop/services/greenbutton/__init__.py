"""Green Button (NAESB ESPI) in and out, Qt-free: read any utility's file into the history's intervals, and write
the history as an ESPI Atom feed that validates against the schemas.

``read_green_button(path) -> GreenButtonImport`` and ``write_green_button(intervals, out, tz=...)``; errors are
:class:`GreenButtonError` subclasses with a ``user_message``.
"""

from __future__ import annotations

from xcelsior_desktop.services.greenbutton.errors import (
    DamagedFile,
    FileTooLarge,
    FileUnreadable,
    GreenButtonError,
    HostileFile,
    NotGreenButton,
    NothingToImport,
)
from xcelsior_desktop.services.greenbutton.intervals import SOURCE
from xcelsior_desktop.services.greenbutton.reader import GreenButtonImport, read_green_button, read_readings

__all__ = [
    "SOURCE",
    "DamagedFile",
    "FileTooLarge",
    "FileUnreadable",
    "GreenButtonError",
    "GreenButtonImport",
    "HostileFile",
    "NotGreenButton",
    "NothingToImport",
    "read_green_button",
    "read_readings",
]
