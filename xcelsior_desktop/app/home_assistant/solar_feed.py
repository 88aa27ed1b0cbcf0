"""A solar (production) meter's feed: its own Home Assistant device beside the net meter's, and the home's use.

The net meter's :class:`~xcelsior_desktop.app.home_assistant.controller.MqttController` owns the broker settings and
builds its publisher; whenever it has one (``publisher_changed``), this feed runs a second publisher with the same
broker and options for the production meter's session. It uses an installation id of its own (``<id>-solar``), so
the two connections never share a client id and each one's tidying (a replaced meter's configs removed) only ever
touches its own meter. Home Assistant's device is "Xcel Energy solar meter <SFDI>"; beside the meter's own sensors
it carries "Home use", the net meter's demand plus the panels', from readings taken within seconds of each other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from xcelsior_desktop.app.home_assistant.controller import MqttController
from xcelsior_desktop.app.session_events import SessionEvents
from xcelsior_desktop.energy.home import home_watts
from xcelsior_desktop.energy.series import PAIR_S
from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.events import (
    DemandRead,
    DeviceInfoRead,
    ReadingFlagged,
    RegistersRead,
    StateChanged,
)
from xcelsior_desktop.session.poller import Status

if TYPE_CHECKING:
    from xcelsior_desktop.home_assistant.publisher import MqttPublisher

log = logging.getLogger(__name__)

SOLAR_SUFFIX = "-solar"  # the production meter's publisher: this installation's id with this after it
DEVICE_LABEL = "solar meter"


class SolarFeed(QObject):
    def __init__(self, controller: MqttController, net: SessionEvents, solar: SessionEvents) -> None:
        super().__init__(controller)
        self.controller = controller
        self.publisher: MqttPublisher | None = None
        self._stopping: list[threading.Thread] = []
        self._info: DeviceInfo | None = None
        self._status: Status | None = None
        self._registers: Registers | None = None
        self._demand: Measurement | None = None  # the panels' newest
        self._net: Measurement | None = None  # the net meter's newest
        solar.on(DeviceInfoRead, lambda event: self._on_info(event.info))
        solar.on(StateChanged, lambda event: self._on_status(event.status))
        solar.on(RegistersRead, lambda event: self._on_registers(event.registers))
        solar.on(DemandRead, lambda event: self._on_demand(event.measurement))
        solar.on(ReadingFlagged, lambda event: self._on_flagged(event.what))
        net.on(DemandRead, lambda event: self._on_net_demand(event.measurement))
        controller.publisher_changed.connect(self._follow)
        self._follow(controller.publisher)

    # -- the net meter's publisher decides -----------------------------------------------------------

    @Slot(object)
    def _follow(self, net_publisher: MqttPublisher | None) -> None:
        """A new publisher for the net meter (or none): the solar meter's is made again from its broker and
        options, the old one signed off on a thread of its own (its "offline" may wait on the network)."""
        self._stop(wait=False)
        if net_publisher is None:
            return
        from xcelsior_desktop.home_assistant.publisher import MqttPublisher  # paho only once publishing is on

        options = dataclasses.replace(net_publisher.options, device_label=DEVICE_LABEL,
                                      installation_id=f"{net_publisher.installation}{SOLAR_SUFFIX}")
        publisher = MqttPublisher(net_publisher.target, options)
        publisher.start()
        self.publisher = publisher
        log.info("MQTT: publishing the solar meter too (installation %s)", options.installation_id)
        if self._info is not None:
            publisher.on_device_info(self._info)
        if self._status is not None:
            publisher.on_status(self._status)
        if self._registers is not None:
            publisher.on_registers(self._registers)
        if self._demand is not None:
            publisher.on_demand(self._demand)
            self._publish_home()

    def _stop(self, *, wait: bool) -> None:
        publisher, self.publisher = self.publisher, None
        if publisher is not None:
            thread = threading.Thread(target=publisher.stop, name="mqtt-solar-stop", daemon=True)
            thread.start()
            self._stopping.append(thread)
        if wait:
            for thread in self._stopping:
                thread.join()
        self._stopping = [t for t in self._stopping if t.is_alive()]

    def shutdown(self) -> None:
        """Sign off ("offline") and wait for it: the app is quitting."""
        self._stop(wait=True)

    # -- the solar meter's session (GUI thread; each call only queues) ---------------------------------

    def _on_flagged(self, what: str) -> None:
        if self.publisher is not None:
            self.publisher.on_flagged(what)

    def _on_info(self, info: DeviceInfo) -> None:
        self._info = info
        if self.publisher is not None:
            self.publisher.on_device_info(info)

    def _on_status(self, status: Status) -> None:
        self._status = status
        if self.publisher is not None:
            self.publisher.on_status(status)

    def _on_registers(self, registers: Registers) -> None:
        self._registers = registers
        if self.publisher is not None:
            self.publisher.on_registers(registers)

    def _on_demand(self, demand: Measurement) -> None:
        self._demand = demand
        if self.publisher is not None:
            self.publisher.on_demand(demand)
        self._publish_home()

    def _on_net_demand(self, demand: Measurement) -> None:
        self._net = demand
        self._publish_home()

    def _publish_home(self) -> None:
        """The home's power from the two newest readings, when they were taken within :data:`PAIR_S`."""
        solar, net, publisher = self._demand, self._net, self.publisher
        if solar is None or net is None or publisher is None:
            return
        if abs((solar.timestamp - net.timestamp).total_seconds()) > PAIR_S:
            return
        watts = home_watts(_watts(net), _watts(solar))
        if watts is not None:
            publisher.on_home_power(watts, max(solar.timestamp, net.timestamp).astimezone(dt.UTC))


def _watts(measurement: Measurement) -> float | None:
    factor = {"W": 1.0, "kW": 1000.0}.get(measurement.unit)
    return None if factor is None else float(measurement.value) * factor
