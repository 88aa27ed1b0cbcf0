"""The meter session's typed events, handed to the publisher: the feed's one listener, without Qt.

``session.subscribe(SessionFeed(publisher).on_event)`` is the whole wiring for a script or a test; the app's
plug-in hands the same events over from its event bus.
"""

from __future__ import annotations

from typing import Protocol

from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.poller import Status
from xcelsior_desktop.session.session import (
    DemandRead,
    DeviceInfoRead,
    Event,
    ReadingFlagged,
    RegistersRead,
    StateChanged,
)


class FeedListener(Protocol):
    def on_device_info(self, info: DeviceInfo) -> None: ...
    def on_demand(self, demand: Measurement) -> None: ...
    def on_registers(self, registers: Registers) -> None: ...
    def on_status(self, status: Status) -> None: ...
    def on_flagged(self, what: str) -> None: ...


class SessionFeed:
    def __init__(self, publisher: FeedListener) -> None:
        self.publisher = publisher

    def on_event(self, event: Event) -> None:
        if isinstance(event, DemandRead):
            self.publisher.on_demand(event.measurement)
        elif isinstance(event, RegistersRead):
            self.publisher.on_registers(event.registers)
        elif isinstance(event, StateChanged):
            self.publisher.on_status(event.status)
        elif isinstance(event, DeviceInfoRead):
            self.publisher.on_device_info(event.info)
        elif isinstance(event, ReadingFlagged):
            self.publisher.on_flagged(event.what)
