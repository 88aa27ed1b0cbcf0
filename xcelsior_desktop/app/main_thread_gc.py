"""Python's cycle collector runs on the GUI thread only, so Qt objects are never destroyed on another thread.

Python collects reference cycles whenever allocations cross a threshold, on whichever thread is allocating at that
moment. When a cycle holds a Qt object (a widget and a lambda connected to it, say), its C++ destructor then runs
on that thread, e.g. the meter thread or the simulator's connection thread, and can deadlock against the GUI
thread (seen: the GUI thread deleting a widget waits for a Qt mutex while the other thread, inside ``~QObject``,
waits for the GIL). So the automatic collector is switched off and the GUI thread collects on a timer, with the
same generation thresholds Python would use (the usual remedy in Qt apps written in Python).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


class MainThreadCollector(QObject):
    """Create it on the GUI thread; it disables automatic collection until :meth:`stop`."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start()

    def collect_if_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold, as Python's own trigger would."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                return gc.collect(generation)
        return 0

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
