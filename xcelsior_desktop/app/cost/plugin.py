"""The cost plug-in: one call from ``application.py`` (:func:`install_cost`).

It adds the Cost tab and the Cost settings page, tells the tray the price period now (tooltip and on-peak bar),
shades on-peak hours on the Day chart and prices a slot on hover, keeps the meter's TOU tier registers to set
beside the app's periods, reads the meter's maximum demand and power factor now and then (a session job), and
gives the alert engine its cost facts. Every figure comes from the history store (``shell.history``; None until
it is open: the tab then says so).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from xcelsior_desktop.app.cost import chart
from xcelsior_desktop.app.cost.panel import CostPanel
from xcelsior_desktop.app.cost.settings_page import CostSettingsPage
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.meter.values import Registers
from xcelsior_desktop.services.alerts.cost_facts import CostFactsSource
from xcelsior_desktop.services.history.errors import HistoryError
from xcelsior_desktop.services.history.store import RegisterReading
from xcelsior_desktop.services.meter_extras import ExtraReadings, read_extras
from xcelsior_desktop.services.session import Job
from xcelsior_desktop.services.settings import Settings
from xcelsior_desktop.services.tariff import TariffError, period_now
from xcelsior_desktop.services.tariff.app_settings import CostSettings
from xcelsior_desktop.services.tariff.meter_tiers import TierWatch, compare_tiers
from xcelsior_desktop.services.tariff.model import Tariff
from xcelsior_desktop.services.tariff.overview import cost_overview
from xcelsior_desktop.services.tariff.peak import on_peak_at

if TYPE_CHECKING:
    from xcelsior_desktop.app.notifications.controller import AlertsController
    from xcelsior_desktop.app.tray import Tray

log = logging.getLogger(__name__)

VIEW = "cost"
SETTINGS_TITLE = "Cost"
REFRESH_MS = 60_000
EXTRAS_EVERY_S = 15 * 60
NO_STORE = ("The energy history is not open yet: today's and this billing cycle's cost appear once it is (the "
            "cost is worked out from the history, not estimated).")

Clock = Callable[[], float]


class CostPlugin(QObject):
    extras_read = Signal(object)  # ExtraReadings, emitted on the meter thread, handled on the GUI thread

    def __init__(self, shell: AppShell, tray: Tray | None, settings: Settings, *,
                 alerts: AlertsController | None = None, clock: Clock = time.time,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.shell = shell
        self.tray = tray
        self.alerts = alerts
        self.clock = clock
        self.cost_settings = CostSettings.from_app_settings(settings)
        self.tariff: Tariff | None = None
        self.problem: str | None = None
        self.tiers = TierWatch()
        self.tier_values: tuple[dict[int, float], dict[int, float]] | None = None
        self.latest: RegisterReading | None = None
        self.extras: ExtraReadings | None = None
        self._extras_at: float | None = None
        self._extras_job: Job | None = None

        self.panel = CostPanel()
        shell.add_window_tab(VIEW, "Cost", self.panel)
        shell.add_settings_page(SETTINGS_TITLE, lambda s: CostSettingsPage(s, on_apply=self.use_settings))
        shell.events.registers_read.connect(self.on_registers)
        self.extras_read.connect(self._on_extras)

        self.chart_decorator = chart.CostChartDecorator(lambda: self.tariff,
                                                        lambda: self.cost_settings.cycle_start_day)
        shell.add_chart_decorator(self.chart_decorator)  # on-peak shading and cost in the history charts
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._at_change = QTimer(self)
        self._at_change.setSingleShot(True)
        self._at_change.timeout.connect(self.refresh)
        self.use_settings(self.cost_settings, at_start=True)
        self._timer.start()

    # -- settings ----------------------------------------------------------------------------------

    def use_settings(self, cost: CostSettings, *, at_start: bool = False) -> None:
        """Load the tariff the settings name (with the bill's prices); a problem is shown, never raised. At start
        a damaged tariff file is dealt with like any damaged file the app keeps (see load_tariff_at_start)."""
        self.cost_settings = cost
        if at_start:
            self.tariff, self.problem = cost.load_tariff_at_start()
            if self.problem:
                log.warning("cost: %s", self.problem)
        else:
            try:
                self.tariff, self.problem = cost.load_tariff(), None
            except TariffError as exc:
                self.tariff = None
                self.problem = f"The tariff in Settings, Cost cannot be used:\n{exc.user_message}"
                log.warning("cost: %s", exc)
        if cost.dropped:
            self.problem = ((self.problem + "\n") if self.problem else "") + (
                "Some saved cost settings could not be read and their defaults are used: "
                f"{', '.join(cost.dropped)}. Open Settings, Cost to check them.")
        self.panel.set_tariff(self.tariff, self.problem)
        tariff = self.tariff
        if self.alerts is not None:
            source = None if tariff is None else CostFactsSource(
                tariff, lambda: self.shell.history, cycle_start_day=cost.cycle_start_day, latest=lambda: self.latest)
            self.alerts.set_cost_source(source)
        self.refresh()

    # -- from the session --------------------------------------------------------------------------

    @Slot(object)
    def on_registers(self, registers: Registers) -> None:
        at = (registers.delivered_at or registers.read_at).astimezone(dt.UTC)
        if registers.delivered_wh is not None and registers.received_wh is not None:
            self.latest = RegisterReading(at, registers.delivered_wh, registers.received_wh)
        if registers.tou_delivered:
            self.tier_values = (dict(registers.tou_delivered), dict(registers.tou_received))
            self.tiers.add(at, registers.tou_delivered, registers.tou_received)
            self._show_tiers()
        self._maybe_read_extras()

    def _maybe_read_extras(self) -> None:
        now = self.clock()
        if self._extras_job is not None or (self._extras_at is not None and now - self._extras_at < EXTRAS_EVERY_S):
            return
        self._extras_at = now

        def step(client: Any) -> bool:
            self.extras_read.emit(read_extras(client))
            return False

        job = self._extras_job = Job("meter extras", step)
        job.result.add_done_callback(lambda _f: self._job_done())
        self.shell.send(job)

    def _job_done(self) -> None:
        self._extras_job = None

    @Slot(object)
    def _on_extras(self, extras: ExtraReadings) -> None:
        self.extras = extras
        self.panel.set_extras(extras)

    # -- showing ---------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    @Slot()
    def refresh(self) -> None:
        """Tray period, cost table and tier comparison, as of now."""
        tariff, now = self.tariff, self.now()
        if tariff is None:
            self._set_tray(None, False)
            self.panel.set_period(None)
            self.panel.set_overview(None, "")
            self._show_tiers()
            return
        current = period_now(tariff, now)
        self._set_tray(current.summary() if current else None, on_peak_at(tariff, now))
        if current is not None and current.until is not None:  # the tray turns at the change, not up to 1 min late
            wait_ms = (current.until - now).total_seconds() * 1000
            if 0 <= wait_ms < REFRESH_MS:
                self._at_change.start(int(wait_ms) + 200)
        self.panel.set_period(current)
        store = self.shell.history
        if store is None:
            self.panel.set_overview(None, NO_STORE)
        else:
            try:
                overview = cost_overview(tariff, store, now, cycle_start_day=self.cost_settings.cycle_start_day,
                                         latest=self.latest)
            except HistoryError as exc:
                self.panel.set_overview(None, f"The energy history could not be read: {exc.user_message}")
            else:
                self.panel.set_overview(overview)
        self._show_tiers()

    def _set_tray(self, summary: str | None, on_peak: bool) -> None:
        if self.tray is not None:
            self.tray.set_period(summary, on_peak)

    def _show_tiers(self) -> None:
        comparison = None
        if self.tariff is not None:
            try:
                comparison = compare_tiers(self.tiers, self.tariff, self.shell.history, self.cost_settings.tier_names)
            except HistoryError as exc:
                log.warning("cost: tier comparison: %s", exc)
        self.panel.set_tiers(self.tier_values, comparison, self.cost_settings.tier_names)

    def stop(self) -> None:
        self._timer.stop()
        self._at_change.stop()
        if self.alerts is not None:
            self.alerts.set_cost_source(None)
        self.shell.remove_settings_page(SETTINGS_TITLE)


def install_cost(shell: AppShell, tray: Tray | None, settings: Settings, *,
                 alerts: AlertsController | None = None, parent: QObject | None = None) -> CostPlugin:
    """The one call ``XcelsiorApp`` makes; call ``stop()`` on the result at shutdown."""
    return CostPlugin(shell, tray, settings, alerts=alerts, parent=parent)
