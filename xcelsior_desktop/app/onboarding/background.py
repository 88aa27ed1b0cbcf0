"""Run one blocking call (a probe, a discovery) off the GUI thread and hand its result back by a signal.

Calls are bounded by their own timeouts (connect/handshake/discovery), so the daemon thread always ends by itself.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class BackgroundCall(QObject):
    """``done(result)`` or ``failed(exception)`` is emitted on the GUI thread (queued signal)."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._thread = threading.Thread(target=self._run, name="xcelsior-setup-call", daemon=True)

    def start(self) -> BackgroundCall:
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to the GUI, which shows exc.user_message or a generic sentence
            self._emit(self.failed, exc)
        else:
            self._emit(self.done, result)

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        with contextlib.suppress(RuntimeError):  # the receiver (a closed wizard) is gone: nobody waits
            signal.emit(value)
