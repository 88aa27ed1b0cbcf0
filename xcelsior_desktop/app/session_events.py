"""The meter session's events on the GUI thread, typed as the session publishes them.

The session publishes on its own thread (session/events.py). This object listens there for every event, queues
it, and replays it on the GUI thread to the app's listeners, which subscribe by event class exactly as on the
session's bus: ``events.on(DemandRead, self.on_demand)``. No event changes type on the way, so a listener's
signature says what it receives. Tests of a listener make one without a source and :meth:`publish` to it.
"""

from __future__ import annotations

import collections
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from xcelsior_desktop.session.events import E, Event, EventBus, Unsubscribe


class SessionEvents(QObject):
    _arrived = Signal()  # "events are queued": the queue, not the signal, carries them (typed)

    def __init__(self, source: EventBus | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = EventBus()
        self._queue: collections.deque[Event] = collections.deque()  # appends and pops are thread-safe
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._detach = source.on_any(self._enqueue) if source is not None else None

    def on(self, kind: type[E], listener: Callable[[E], None]) -> Unsubscribe:
        """``listener(event)`` on the GUI thread for each event of class ``kind``."""
        return self._bus.on(kind, listener)

    def on_any(self, listener: Callable[[Event], None]) -> Unsubscribe:
        return self._bus.on_any(listener)

    def publish(self, event: Event) -> None:
        """GUI thread: hand ``event`` to the listeners now."""
        self._bus.publish(event)

    def detach(self) -> None:
        """Stop listening to the session (the app is shutting down)."""
        if self._detach is not None:
            self._detach()
            self._detach = None

    def _enqueue(self, event: Event) -> None:  # the session's thread
        self._queue.append(event)
        self._arrived.emit()

    def _deliver(self) -> None:  # the GUI thread
        while self._queue:
            self._bus.publish(self._queue.popleft())
