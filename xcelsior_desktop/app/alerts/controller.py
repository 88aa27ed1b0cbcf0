"""Glue between the meter worker's signals, the Qt-free alert engine, the notifier and the alerts list.

Kept thin on purpose: the decisions are in :mod:`xcelsior_desktop.alerts`. What lives here: a timer
that ticks the engine, the stores (rules, history, engine state), and coalescing: alerts that fire together
become one notification; the in-app list always gets every alert.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from xcelsior_desktop.alerts import (
    Alert,
    AlertEngine,
    AlertHistory,
    AlertRule,
    Clock,
    Connection,
    EngineStateStore,
    RulesStore,
)
from xcelsior_desktop.alerts.engine import CostSource
from xcelsior_desktop.app.alerts.base import Notifier
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.values import Measurement, Registers
from xcelsior_desktop.session.poller import Status

log = logging.getLogger(__name__)

TICK_MS = 30_000

# the meter worker's states (session.poller.State values) as the engine sees them
_STATE_CONNECTION = {
    "connected": Connection.ONLINE,
    "stale": Connection.ONLINE,  # the meter answers; the "data stale" rule judges the values
    "busy": Connection.OFFLINE,
    "unreachable": Connection.OFFLINE,
    "cert_refused": Connection.OFFLINE,
    "mismatch": Connection.OFFLINE,
    "locating": Connection.OFFLINE,
    "no_identity": Connection.INACTIVE,
    "waiting_registration": Connection.INACTIVE,  # provisioning takes days: not an outage
    "paused": Connection.INACTIVE,
}


def connection_for_state(state: object) -> Connection | None:
    """The engine's view of a worker state (a ``Status``, a ``State`` or its value); None for transitional
    states (connecting) that change nothing."""
    state = getattr(state, "state", state)
    return _STATE_CONNECTION.get(str(getattr(state, "value", state)))


class AlertsController(QObject):
    historyChanged = Signal()
    openView = Signal(str)  # a notification or a list entry was clicked

    def __init__(
        self,
        notifier: Notifier,
        rules_store: RulesStore | None = None,
        history: AlertHistory | None = None,
        state_store: EngineStateStore | None = None,
        clock: Clock = time.time,
        tz: dt.tzinfo | None = None,
        tick_ms: int = TICK_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.notifier = notifier
        self.rules_store = rules_store or RulesStore()
        self.history = history or AlertHistory()
        self.state_store = state_store or EngineStateStore()
        self._clock = clock
        self.engine = AlertEngine(self.rules_store.load(), clock=clock, tz=tz)
        self.engine.restore(self.state_store.load())
        self.history.load()
        self.load_message = self.rules_store.message or self.history.message  # for the app to show once
        notifier.activated.connect(self.openView)
        notifier.failed.connect(lambda alert, why: log.warning("notification not shown (%s): %s", why, alert.title))
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    # -- inputs (connect the meter worker's signals here) --------------------------------------------------

    def on_demand(self, reading: Measurement | float) -> None:
        """A demand reading: a ``Measurement`` (``.value`` W) or a number of watts."""
        value = reading.value if isinstance(reading, Measurement) else reading
        self._handle(self.engine.feed_demand(float(value)))

    def on_registers(self, registers: Registers) -> None:
        """A ``Registers`` object (``.delivered_wh``, ``.received_wh``)."""
        self._handle(
            self.engine.feed_registers(
                getattr(registers, "delivered_wh", None), getattr(registers, "received_wh", None)
            )
        )

    def on_state(self, state: Status) -> None:
        connection = connection_for_state(state)
        if connection is not None:
            self._handle(self.engine.feed_connection(connection))

    def on_certificate(self, not_after: dt.datetime | None) -> None:
        self._handle(self.engine.feed_certificate(not_after))

    def on_identity(self, identity: Identity | None) -> None:
        """Our identity changed (setup, renewal, removal): watch its certificate's expiry."""
        self.on_certificate(getattr(identity, "not_after", None))

    def announce(self, kind: str, title: str, body: str, view: str = "live") -> Alert:
        """A one-off event that is not a rule (e.g. the meter accepted our certificate): notified and listed."""
        alert = Alert(rule_id=kind, kind=kind, title=title, body=body, at=self._clock(), view=view)
        self._handle([alert])
        return alert

    def set_cost_source(self, source: CostSource | None) -> None:
        """What the cost rules read (the cost plug-in's tariff over the history store); None: cost rules silent."""
        self.engine.set_cost_source(source)

    @Slot()
    def tick(self) -> None:
        self._handle(self.engine.tick())

    # -- rules and history ------------------------------------------------------------------------------

    def rules(self) -> list[AlertRule]:
        return self.engine.rules

    def set_rules(self, rules: Iterable[AlertRule]) -> None:
        """Use and save new rules (from the editor)."""
        rules = [rule.validated() for rule in rules]
        self.rules_store.save(rules)
        self.engine.set_rules(rules)
        self._save_state()

    def alerts(self) -> list[Alert]:
        return self.history.alerts

    def clear_history(self) -> None:
        self.history.clear()
        self.historyChanged.emit()

    def shutdown(self) -> None:
        self._timer.stop()
        self._save_state()
        self.notifier.close()

    # -- internals ----------------------------------------------------------------------------------------

    def _handle(self, alerts: list[Alert]) -> None:
        if not alerts:
            return
        for alert in alerts:
            log.info("alert %s: %s", alert.rule_id, alert.title)
        self.history.append(alerts)
        self._save_state()
        self.historyChanged.emit()
        loud = [alert for alert in alerts if alert.notify]
        if len(loud) == 1:
            self.notifier.notify(loud[0])
        elif loud:
            self.notifier.notify(coalesce(loud))

    def _save_state(self) -> None:
        self.state_store.save(self.engine.snapshot())


def coalesce(alerts: list[Alert]) -> Alert:
    """Several alerts at once: one notification that names them all and opens the alerts list."""
    titles = "; ".join(alert.title for alert in alerts)
    return Alert(
        rule_id="coalesced",
        kind="coalesced",
        title=f"{len(alerts)} alerts from Xcelsior Desktop",
        body=titles,
        at=alerts[-1].at,
        view="alerts",
    )
