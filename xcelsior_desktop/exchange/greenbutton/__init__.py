"""Green Button (NAESB ESPI) in and out, Qt-free: read any utility's file into the history's intervals, and write
the history as an ESPI Atom feed that validates against the schemas.

- :func:`read_green_button` (``reader``): a file -> :class:`GreenButtonImport` (intervals + what was skipped, why);
- :func:`import_file` / :func:`store_import` (``importer``): that, stored in one transaction -> :class:`ImportReport`
  (the CLI's line);
- :func:`write_green_button` (``writer``): intervals -> an ESPI feed; ``export_format`` registers it as
  ``history export --format greenbutton``;
- errors (``errors``) are :class:`GreenButtonError` subclasses with a ``user_message``.

Names are loaded on first use, so registering the export format does not import lxml.
"""

from __future__ import annotations

import importlib
from typing import Any

SOURCE = "greenbutton"  # EnergyInterval.source of what a Green Button file gave

_WHERE = {
    "DamagedFile": "errors",
    "FileTooLarge": "errors",
    "FileUnreadable": "errors",
    "GreenButtonError": "errors",
    "HostileFile": "errors",
    "NotGreenButton": "errors",
    "NothingToImport": "errors",
    "GreenButtonImport": "reader",
    "read_green_button": "reader",
    "read_readings": "reader",
    "ImportReport": "importer",
    "import_file": "importer",
    "store_import": "importer",
    "write_green_button": "writer",
}

__all__ = ["SOURCE", *_WHERE]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
