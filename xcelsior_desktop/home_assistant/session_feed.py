"""The meter session's typed events, handed to the publisher: the feed's one listener, without Qt.

``SessionFeed(publisher).listen(session.events)`` is the whole wiring for a script or a test; the app's plug-in
hands the same events over from its GUI-thread bus.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.events import (
    DemandRead,
    DeviceInfoRead,
    EventBus,
    ReadingFlagged,
    RegistersRead,
    StateChanged,
)
from xcelsior_desktop.session.poller import Status


class FeedListener(Protocol):
    def on_device_info(self, info: DeviceInfo) -> None: ...
    def on_demand(self, demand: Measurement) -> None: ...
    def on_registers(self, registers: Registers) -> None: ...
    def on_status(self, status: Status) -> None: ...
    def on_flagged(self, what: str) -> None: ...


class SessionFeed:
    def __init__(self, publisher: FeedListener) -> None:
        self.publisher = publisher

    def listen(self, bus: EventBus) -> Callable[[], None]:
        """Subscribe to ``bus``; returns the call that unsubscribes again."""
        publisher = self.publisher
        unsubscribe = [
            bus.on(DemandRead, lambda event: publisher.on_demand(event.measurement)),
            bus.on(RegistersRead, lambda event: publisher.on_registers(event.registers)),
            bus.on(StateChanged, lambda event: publisher.on_status(event.status)),
            bus.on(DeviceInfoRead, lambda event: publisher.on_device_info(event.info)),
            bus.on(ReadingFlagged, lambda event: publisher.on_flagged(event.what)),
        ]

        def stop() -> None:
            for call in unsubscribe:
                call()

        return stop
