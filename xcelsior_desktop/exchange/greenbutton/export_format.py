"""``history export --format greenbutton``: the ESPI writer in the history's export-format registry.

Importing this module registers the format; the writer (and lxml) load only when an export runs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TextIO

from xcelsior_desktop.energy.store import EnergyInterval
from xcelsior_desktop.exchange.csv_export import ExtraColumns, register_format

NAME = "greenbutton"


def write_greenbutton_text(intervals: Sequence[EnergyInterval], out: TextIO, extras: Sequence[ExtraColumns] = ()) -> int:
    """The registry's writer signature: an ESPI feed in the computer's zone. Extra columns have no place in ESPI
    and are left out."""
    from xcelsior_desktop.exchange.greenbutton.writer import write_green_button

    buffer = io.BytesIO()
    count = write_green_button(intervals, buffer)
    out.write(buffer.getvalue().decode("utf-8"))
    return count


register_format(NAME, write_greenbutton_text)
