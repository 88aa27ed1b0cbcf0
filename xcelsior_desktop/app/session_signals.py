"""The meter session's events as Qt signals: what the app and its plug-ins listen to.

:class:`~xcelsior_desktop.app.meter_worker.MeterWorker` emits them from the meter thread (Qt queues each to the
listener's thread). Tests of a listener may emit them from a plain :class:`SessionSignals`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class SessionSignals(QObject):
    any_event = Signal(object)  # every session.session event, for listeners that want them all
    demand_read = Signal(object)  # meter.values.Measurement
    registers_read = Signal(object)  # meter.values.Registers
    today_changed = Signal(object)  # energy.totals.Energy: today so far (the one energy function)
    device_info_read = Signal(object)  # meter.values.DeviceInfo
    status_changed = Signal(object)  # session.poller.Status
    reading_flagged = Signal(object)  # session.session.ReadingFlagged: a reading not trusted (suspect, stale)
    target_changed = Signal(object)  # session.target.MeterTarget
    meter_pinned = Signal(str)  # the meter's LFDI, learned on first contact
    locate_requested = Signal(object)  # SFDI to look for (int) or None: answer with a Located command
    request_failed = Signal(str, str)  # task, technical detail (for the log and notifications)
    probed = Signal(object)  # a finished session.session.Probe (tests, logs)
    stopped = Signal()
