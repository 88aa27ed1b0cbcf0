"""The meter session's thread: a thin Qt adapter that steps a :class:`MeterSession`.

No policy lives here: the session (session/session.py, Qt-free) decides what to read and when, owns the target
and the connection. This QObject lives in its own QThread and runs ``session.step()`` whenever the session says
something is due or a command arrives. The session's events reach the GUI thread through app/session_events.py.
Commands go in with :meth:`MeterThread.send` (any thread).

Lifecycle (see :class:`MeterThread`): ``start`` in the thread, ``stop`` queued from the GUI; ``abort`` may be
called from any thread to break a blocked request so quitting never waits for a meter timeout.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from xcelsior_desktop.session.commands import Command, Pause, Refresh
from xcelsior_desktop.session.poller import State
from xcelsior_desktop.session.session import MeterSession

log = logging.getLogger(__name__)


class MeterWorker(QObject):
    """Steps the session on the meter thread whenever it is due or woken; its events reach the GUI through
    app/session_events.py."""

    _wake = Signal()
    stopped = Signal()

    def __init__(self, session: MeterSession) -> None:
        super().__init__()
        self.session = session
        self._timer: QTimer | None = None
        self._wake.connect(self._step, Qt.ConnectionType.QueuedConnection)
        self.session.wake = self._wake.emit

    @property
    def history_reads(self) -> list[int]:
        return self.session.history_reads

    @property
    def requests_sent(self) -> int:
        return self.session.requests_sent

    @property
    def state(self) -> State | None:
        return self.session.state

    # -- lifecycle (worker thread) -----------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.timeout.connect(self._step)
        self.session.start()
        self._step()

    @Slot()
    def stop(self) -> None:
        """Close the connection and end the thread's event loop (queued from the GUI thread)."""
        if self._timer is not None:
            self._timer.stop()
        self.session.stop()
        self.stopped.emit()
        thread = self.thread()
        if thread is not None:
            thread.quit()

    def abort(self) -> None:
        """Any thread: make a blocked request fail now (used when quitting)."""
        self.session.abort()

    @Slot()
    def _step(self) -> None:
        wait = self.session.step()
        if self._timer is None or self.session.stopping:
            return
        if wait is None:
            self._timer.stop()
        else:
            self._timer.start(max(10, int(wait * 1000)))


class MeterControl(QObject):
    """Qt-signal shorthands for common commands (``pause.emit(True)`` = ``send(Pause(True))``)."""

    pause = Signal(bool)
    refresh = Signal()


class MeterThread:
    """Runs a :class:`MeterWorker` in its own QThread and stops it without hanging."""

    def __init__(self, worker: MeterWorker) -> None:
        self.worker = worker
        self.session = worker.session
        self.thread = QThread()
        self.thread.setObjectName("meter-worker")
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.start)
        self.control = MeterControl()
        self.control.pause.connect(lambda paused: self.send(Pause(bool(paused))))
        self.control.refresh.connect(lambda: self.send(Refresh()))

    def send(self, command: Command) -> None:
        """Any thread: queue a command for the session (it runs on the meter thread)."""
        self.session.post(command)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout_s: float = 8.0) -> bool:
        """Abort any request in flight, close the connection, join the thread. True when it ended in time."""
        if not self.thread.isRunning():
            return True
        self.worker.abort()
        QMetaObject.invokeMethod(self.worker, "stop", Qt.ConnectionType.QueuedConnection)
        finished = self.thread.wait(int(timeout_s * 1000))
        if not finished:
            log.warning("the meter thread did not stop within %.0f s (a TCP connect in progress?)", timeout_s)
        return bool(finished)
