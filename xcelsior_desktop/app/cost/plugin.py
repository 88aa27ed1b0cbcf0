"""The cost plug-in (:func:`install`).

It adds the Cost tab and the Cost settings page, tells the tray the price period now (tooltip and on-peak bar),
shades on-peak hours on the Day chart and prices a slot on hover, keeps the meter's TOU tier registers to set
beside the app's periods, reads the meter's maximum demand and power factor now and then (a session job), and
gives the alert engine its cost facts. Every figure comes from the history store (``shell.history``; None until
it is open: the tab then says so).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from xcelsior_desktop.alerts.cost_facts import CostFactsSource
from xcelsior_desktop.app.cost import chart
from xcelsior_desktop.app.cost.bill_dialog import BillDialog
from xcelsior_desktop.app.cost.panel import CostPanel
from xcelsior_desktop.app.cost.settings_page import CostSettingsPage
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.energy.errors import HistoryError
from xcelsior_desktop.energy.totals import Energy
from xcelsior_desktop.meter.extras import ExtraReadings, read_extras
from xcelsior_desktop.meter.values import Registers
from xcelsior_desktop.money import TariffError, period_now
from xcelsior_desktop.money.bill_check import Bill, Comparison, compare
from xcelsior_desktop.money.cost_settings import BillPrices, CostSettings, chosen_settings
from xcelsior_desktop.money.meter_tiers import TierWatch, compare_tiers
from xcelsior_desktop.money.model import Tariff, format_money
from xcelsior_desktop.money.overview import CostOverview, cost_overview
from xcelsior_desktop.money.peak import on_peak_at
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.commands import Job
from xcelsior_desktop.session.events import RegistersRead, TodayChanged

log = logging.getLogger(__name__)

VIEW = "cost"
SETTINGS_TITLE = "Cost"
REFRESH_MS = 60_000
EXTRAS_EVERY_S = 15 * 60
NO_STORE = ("The energy history is not open yet: today's and this billing cycle's cost appear once it is (the "
            "cost is worked out from the history, not estimated).")

Clock = Callable[[], float]


class CostPlugin(QObject):
    extras_read = Signal(ExtraReadings)  # emitted on the meter thread (a session job), handled on the GUI thread

    def __init__(self, shell: AppShell) -> None:
        super().__init__(shell.owner)
        self.shell = shell
        self.tray = shell.tray
        self.clock = shell.clock
        self.cost_settings = chosen_settings(shell.settings)
        self.tariff: Tariff | None = None
        self.problem: str | None = None
        self.tiers = TierWatch()
        self.tier_values: tuple[dict[int, float], dict[int, float]] | None = None
        self.overview: CostOverview | None = None  # the newest figures the tab shows
        self.extras: ExtraReadings | None = None
        self._extras_at: float | None = None
        self._extras_job: Job | None = None

        self.panel = CostPanel()
        shell.add_window_tab(VIEW, "Cost", self.panel)
        shell.add_settings_page(SETTINGS_TITLE, CostSettingsPage)
        shell.events.on(RegistersRead, lambda event: self.on_registers(event.registers))
        shell.events.on(TodayChanged, lambda event: self.on_today(event.today))
        self._today: Energy | None = None  # the newest "today" the session gave: its instant is the Cost tab's
        self.extras_read.connect(self._on_extras)
        self.panel.compare_bill.clicked.connect(self.open_bill_check)
        self.bill_dialog: BillDialog | None = None

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
        shell.on_settings_changed(self._on_settings)
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
        self._give_alerts_their_facts()
        self.refresh()

    def _on_settings(self, new: Settings) -> None:
        """Saved settings: another tariff, prices or cycle day is loaded; the home zone may have changed too (today
        and the cycle start at another midnight)."""
        cost = chosen_settings(new)
        if cost != self.cost_settings:
            self.use_settings(cost)
        else:
            self._give_alerts_their_facts()
            self.refresh()

    def _give_alerts_their_facts(self) -> None:
        """The budget rules read today's kWh with or without a tariff; the cost rules need one."""
        self.shell.offer_cost_facts(CostFactsSource(self.tariff, lambda: self.shell.history,
                                                    zone=self.shell.home_zone.zone,
                                                    cycle_start_day=self.cost_settings.cycle_start_day))

    # -- from the session --------------------------------------------------------------------------

    def on_today(self, today: Energy) -> None:
        """Today so far, as the window shows it: the Cost tab and the tray's cost are worked out for its instant,
        so all of them show the same kWh and money."""
        self._today = today
        self.refresh()
        self._timer.start()  # the minute's refresh counts from here: not again moments after this one

    def on_registers(self, registers: Registers) -> None:
        at = (registers.delivered_at or registers.read_at).astimezone(dt.UTC)
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

    @Slot(ExtraReadings)
    def _on_extras(self, extras: ExtraReadings) -> None:
        self.extras = extras
        self.panel.set_extras(extras)
        self.shell.offer_meter_extras(extras)  # the Overview's peak card sets it beside the month's slots

    # -- showing ---------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        """The instant the figures are for: today's (the meter's clock, of the newest register reading) while it
        is fresh, else the clock's."""
        clock = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        if self._today is not None and abs((clock - self._today.as_of).total_seconds()) < REFRESH_MS / 1000 * 2:
            return self._today.as_of
        return clock

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
                overview = cost_overview(tariff, store, now, zone=self.shell.home_zone.zone,
                                         cycle_start_day=self.cost_settings.cycle_start_day)
            except HistoryError as exc:
                self.panel.set_overview(None, f"The energy history could not be read: {exc.user_message}")
            else:
                self.overview = overview
                self.panel.set_overview(overview)
                self.shell.offer_cost_overview(overview)  # the Overview's cards reuse it
                if self.tray is not None:
                    self.tray.set_today_cost(overview.today.energy, format_money(overview.today.total,
                                                                                 overview.currency))
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

    # -- the bill ---------------------------------------------------------------------------------

    @Slot()
    def open_bill_check(self) -> None:
        """Compare with my bill: the app's figures for the bill's days, and the bill's prices in one click."""
        tariff = self.tariff
        if tariff is None:
            return
        zone = self.shell.home_zone.zone

        def compare_with(bill: Bill) -> Comparison:
            store = self.shell.history
            if store is None:
                raise RuntimeError("no history store")
            return compare(bill, tariff, store, zone=zone, now=self.now(),
                           cycle_start_day=self.cost_settings.cycle_start_day)

        dialog = self.bill_dialog = BillDialog(tariff, compare_with, today=self.now().astimezone(zone).date(),
                                               cycle_start_day=self.cost_settings.cycle_start_day,
                                               parent=self.shell.dialog_parent())
        dialog.prices_taken.connect(self.take_bill_prices)
        dialog.show()

    @Slot(object)
    def take_bill_prices(self, bill: BillPrices) -> None:
        """The bill's prices become the tariff's from its first day (a version of their own), saved."""
        cost = dataclasses.replace(self.cost_settings, bills=[
            *(b for b in self.cost_settings.bills if b.valid_from != bill.valid_from), bill])
        cost.bills.sort(key=lambda b: b.valid_from)
        self.shell.update_settings(cost.store_in)  # saved, then every plug-in told (this one loads the tariff)

    def stop(self) -> None:
        self._timer.stop()
        self._at_change.stop()
        self.shell.offer_cost_facts(None)
        self.shell.remove_settings_page(SETTINGS_TITLE)


def install(shell: AppShell) -> CostPlugin:
    """The Cost tab and settings page, the tray's price period, cost facts for the alerts; ``stop()`` at quit."""
    return CostPlugin(shell)
