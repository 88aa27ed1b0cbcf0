"""Collect a session signal's values on the GUI thread, in order with the app's own slots.

``app.events`` is the meter worker, which lives on the meter thread, and PySide6 runs a plain function (a list's
``append``, a lambda) on the sender's thread: connected directly, a test would see a reading before the app's
queued slots have seen the state that came with it. A slot of a QObject on the GUI thread is queued like the app's.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Slot


class Collected(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.values: list[Any] = []

    @Slot(object)
    def append(self, value: Any) -> None:
        self.values.append(value)

    def clear(self) -> None:
        self.values.clear()

    def __len__(self) -> int:
        return len(self.values)
