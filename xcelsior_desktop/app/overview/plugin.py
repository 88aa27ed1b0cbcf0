"""The Overview plug-in (:func:`install`): the first tab, cards that answer at a glance (now, today, this bill cycle,
always on, peak, solar, home use with a solar meter, big loads), the Big loads tab, big loads marked on the Day chart, and Settings, Overview.

Every figure comes from the store (``shell.history``) through the one energy and cost functions, in the home
zone, with the tariff the cost plug-in offers (``shell.on_cost_facts``); the cards' words are money/glance.py's. The
figures are worked out when the tab is shown, once a minute while it is, and when the history gains energy; a
demand reading only changes the Now card.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from xcelsior_desktop.alerts.cost_facts import CostFactsSource
from xcelsior_desktop.app.overview.loads_view import LoadsView, ShownLoad
from xcelsior_desktop.app.overview.page import OverviewPage
from xcelsior_desktop.app.overview.settings_page import OverviewSettingsPage, StepSettings
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.energy.baseline import (
    SOLAR_LOOKBACK_DAYS,
    Baseline,
    SolarHours,
    TrendPoint,
    always_on,
    always_on_trend,
    solar_hours,
)
from xcelsior_desktop.energy.chart_data import Bar, Mark
from xcelsior_desktop.energy.compare import usual_day
from xcelsior_desktop.energy.days import day_span, local_midnight
from xcelsior_desktop.energy.errors import HistoryError
from xcelsior_desktop.energy.home import home_energy
from xcelsior_desktop.energy.load_labels import LoadLabels, default_path
from xcelsior_desktop.energy.peaks import covering_month, month_peak_of
from xcelsior_desktop.energy.periods import Span, View
from xcelsior_desktop.energy.steps import FULL_RESOLUTION_DAYS, BigLoad, big_loads
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.energy.totals import energy
from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.extras import ExtraReadings
from xcelsior_desktop.money import period_now
from xcelsior_desktop.money.big_loads import load_cost
from xcelsior_desktop.money.cost import Cost
from xcelsior_desktop.money.glance import (
    CardText,
    CycleGlance,
    always_on_card,
    cycle_card,
    cycle_glance,
    home_card,
    last_cycle_by_now,
    load_words,
    loads_card,
    now_card,
    peak_card,
    production_card,
    solar_card,
    today_card,
)
from xcelsior_desktop.money.model import Tariff
from xcelsior_desktop.money.overview import CostOverview, cost_overview
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.events import DemandRead, TodayChanged
from xcelsior_desktop.session.target import PRODUCTION

log = logging.getLogger(__name__)

VIEW = "overview"
LOADS_VIEW = "loads"
SETTINGS_TITLE = "Overview"
REFRESH_MS = 60_000
SLOW_EVERY_S = 15 * 60  # the always-on trend changes slowly: worked out again this often
SECONDARY_DELAY_MS = 100
TREND_MIN_DAYS = 7  # fewer points than a week make no trend worth a line
MIN_GAP_S = 20.0  # readings come every few seconds; the cards need not follow each one
FRESH_S = 90  # the cost plug-in's figures are reused while they are at most this old
NO_STORE = "The energy history is not open yet: the figures appear once it is."


CycleKey = tuple[dt.date, int, int]  # the cycle's first day, the quarter hour of the figures, the tariff


def _cycle_key(overview: CostOverview, tariff: Tariff | None) -> CycleKey:
    """What the last cycle by now depends on: it is worked out again when this changes."""
    return overview.cycle.projection.first_day, int(overview.at.timestamp() // 900), id(tariff)


@dataclass(frozen=True)
class SlowFigures:
    """What follows the paint, worked out on the overview's worker thread: the last cycle as far in (when its key
    changed) and the always-on trend (when due). ``generation`` tells a result asked for before a settings or
    tariff change, which is dropped."""

    generation: int
    last_cycle: tuple[CycleKey, tuple[Cost, dt.date]] | None
    trend: list[TrendPoint] | None


class OverviewPlugin(QObject):
    _slow_figures_ready = Signal(object)  # a SlowFigures, from the worker thread (queued to the GUI thread)

    def __init__(self, shell: AppShell) -> None:
        super().__init__(shell.owner)
        self.shell = shell
        self.tariff: Tariff | None = None
        self.cycle_start_day = 1
        self.steps = StepSettings.of(shell.settings)
        self.max_demand_w: float | None = None
        self.watts: float | None = None
        self.read_at: dt.datetime | None = None
        self._meter_offset_s = 0.0  # the meter's clock minus ours: "now" is the meter's, as for the Cost tab
        self._solar: SolarHours | None = None
        self._trend: list[TrendPoint] = []
        self._trend_at: float | None = None
        self._baseline: Baseline | None = None
        self._overview: CostOverview | None = None
        self._last_cycle: tuple[CycleKey, tuple[Cost, dt.date]] | None = None
        self._glance: CycleGlance | None = None  # the cycle card's figures as last shown
        self._secondary_due = False
        self._generation = 0  # a settings or tariff change: slow figures asked for before it are dropped
        self._stopped = False
        # the slow figures read up to a year of history (about half a second): off the GUI thread, one at a time
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="overview")
        self._slow_figures_ready.connect(self._show_slow_figures)
        self._refreshed_at = -MIN_GAP_S
        self._loads: dict[tuple[dt.date, float, float], tuple[float, list[BigLoad]]] = {}
        self.labels = LoadLabels(default_path(shell.launch.demo))
        self.last_refresh_ms = 0.0

        self.page = OverviewPage()
        self.page.open_view.connect(shell.show_view)
        self.page.shown.connect(self.refresh)
        shell.add_window_tab(VIEW, "Overview", self.page)
        self.loads_view = LoadsView()
        self.loads_view.label_requested.connect(self.set_label)
        self.loads_view.shown.connect(self.refresh_loads)
        shell.add_window_tab(LOADS_VIEW, "Big loads", self.loads_view)
        tabs = shell.window.tabs
        tabs.tabBar().moveTab(tabs.indexOf(self.page), 0)  # the first tab: what the window opens on
        history = next((i for i in range(tabs.count()) if (w := tabs.widget(i)) is not None
                        and w.objectName() == "view-history"), None)
        if history is not None:
            tabs.tabBar().moveTab(tabs.indexOf(self.loads_view), history + 1)
        tabs.setCurrentWidget(self.page)
        shell.add_settings_page(SETTINGS_TITLE, OverviewSettingsPage)

        shell.events.on(DemandRead, self.on_demand)
        shell.events.on(TodayChanged, lambda _event: self.refresh_if_shown())
        shell.on_cost_facts(self.on_cost_facts)
        shell.on_meter_extras(self.on_extras)
        shell.on_settings_changed(self.on_settings)
        shell.on_history_changed(self.refresh_if_shown)
        shell.add_chart_decorator(self)  # big loads marked on the Day chart
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh_if_shown)
        self._timer.start()
        if self.labels.notice:
            shell.announce("overview", "Big-load labels reset", self.labels.notice, LOADS_VIEW)

    # -- inputs ------------------------------------------------------------------------------------

    def on_cost_facts(self, source: CostFactsSource | None) -> None:
        """The cost plug-in's tariff and billing cycle (None: no tariff)."""
        self.tariff = source.tariff if source is not None else None
        self.cycle_start_day = source.cycle_start_day if source is not None else 1
        self._loads.clear()  # priced again
        self._last_cycle = None
        self._generation += 1
        self._refreshed_at = -MIN_GAP_S
        self.refresh_if_shown()

    def on_extras(self, extras: ExtraReadings) -> None:
        reading = extras.values.get(Channel.MAX_DEMAND_DELIVERED)
        self.max_demand_w = float(reading.value) if reading is not None else None
        self.refresh_if_shown()

    def on_settings(self, new: Settings) -> None:
        steps = StepSettings.of(new)
        if steps != self.steps:
            self.steps = steps
            self._loads.clear()
        self._trend_at = None  # the home zone may have changed
        self._last_cycle = None
        self._generation += 1
        self._refreshed_at = -MIN_GAP_S
        self.refresh_if_shown()

    def on_demand(self, event: DemandRead) -> None:
        measurement = event.measurement
        self.watts = float(measurement.value)
        self.read_at = measurement.timestamp
        self._meter_offset_s = measurement.timestamp.timestamp() - self.shell.clock()
        self._show_now()

    # -- figures -----------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.shell.clock() + self._meter_offset_s, dt.UTC)

    def _show_now(self) -> None:
        if not self.page.isVisible():
            return
        period = period_now(self.tariff, self.now()) if self.tariff is not None else None
        self.page.set_card("now", now_card(self.watts, self.read_at, period, units=self.shell.settings.units,
                                           zone=self.shell.home_zone.zone))

    @property
    def following(self) -> bool:
        """The figures that follow the paint (trend, last cycle) are still to come."""
        return self._secondary_due

    def shown(self) -> bool:
        return self.page.isVisible() or self.loads_view.isVisible()

    @Slot()
    def refresh_if_shown(self) -> None:
        """A new reading or slot: the shown tab is worked out again, at most every :data:`MIN_GAP_S`."""
        if self.page.isVisible() and time.monotonic() - self._refreshed_at >= MIN_GAP_S:
            self.refresh()
        if self.loads_view.isVisible():
            self.refresh_loads()

    def refresh(self) -> None:
        """Every card's figure as of now; what changes slowly and costs more (the always-on trend, the last cycle
        as far in) follows right after the paint, from a cache of :data:`SLOW_EVERY_S`."""
        started = time.perf_counter()
        self._refreshed_at = time.monotonic()
        self._show_now()
        store = self.shell.history
        if store is None:
            self.page.set_note(NO_STORE)
            return
        try:
            self._refresh_cards(store)
        except HistoryError as exc:
            log.warning("overview: the history could not be read: %s", exc)
            self.page.set_note(f"The energy history could not be read: {exc.user_message}")
        self.last_refresh_ms = (time.perf_counter() - started) * 1000
        if not self._secondary_due:
            self._secondary_due = True
            QTimer.singleShot(SECONDARY_DELAY_MS, self._refresh_secondary)  # after the cards are painted

    def _cost_now(self, store: HistoryStore, now: dt.datetime, zone: dt.tzinfo) -> CostOverview | None:
        """Today's and the cycle's cost: the cost plug-in's newest figures while they are fresh, else worked out."""
        if self.tariff is None:
            return None
        shared = self.shell.cost_overview
        if shared is not None and shared.tariff is self.tariff and shared.zone is zone and \
                abs((now - shared.at).total_seconds()) <= FRESH_S:
            return shared
        return cost_overview(self.tariff, store, now, zone=zone, cycle_start_day=self.cycle_start_day)

    def _refresh_cards(self, store: HistoryStore) -> None:
        now, zone, tariff = self.now(), self.shell.home_zone.zone, self.tariff
        self.page.set_note("" if tariff is not None else "Choose a tariff in Settings, Cost to see money here.")
        overview = self._overview = self._cost_now(store, now, zone)
        today = overview.today.energy if overview is not None else energy(store, *day_span(now, zone), now,
                                                                          zone=zone)
        self.page.set_card("today", today_card(today, overview.today if overview else None,
                                               usual_day(store, now, zone)))
        self._show_cycle(store)
        # one read: the solar hours' look-back and the month's peak
        recent = store.intervals(covering_month(now - dt.timedelta(days=SOLAR_LOOKBACK_DAYS), now, zone), now)
        self._solar = solar_hours(recent, zone)
        baseline = always_on(store, now, zone=zone, solar=self._solar)
        self._baseline = baseline
        self.page.set_card("always_on", always_on_card(baseline, self._trend, tariff, now))
        self.page.set_card("peak", peak_card(month_peak_of(recent, now, zone), self.max_demand_w, zone))
        meters = self.shell.meters
        if meters is not None and meters.has(PRODUCTION):  # a solar meter: what the panels made, and home use
            home = home_energy(store, *day_span(now, zone), now, zone=zone)
            self.page.set_card("solar", production_card(home, overview.today if overview is not None else None))
            self.page.set_card("home", home_card(home))
        else:
            exported = overview is not None and ((overview.today.energy.exported_wh or 0) > 0 or
                                                 (overview.cycle.cost.energy.exported_wh or 0) > 0)
            self.page.set_card("solar", solar_card(overview.today, overview.cycle.cost)
                               if exported and overview is not None else None)
            self.page.set_card("home", None)
        self.page.set_card("loads", loads_card(self.loads_of(now.astimezone(zone).date()), zone))

    def _show_cycle(self, store: HistoryStore) -> None:
        overview, tariff = self._overview, self.tariff
        if tariff is None or overview is None:
            self._glance = None
            self.page.set_card("cycle", CardText("\u2014", "No tariff chosen"))
            return
        key = _cycle_key(overview, tariff)
        last = self._last_cycle[1] if self._last_cycle is not None and self._last_cycle[0] == key else None
        self._glance = cycle_glance(tariff, store, overview, cycle_start_day=self.cycle_start_day, last=last)
        self.page.set_card("cycle", cycle_card(self._glance))

    @Slot()
    def _refresh_secondary(self) -> None:
        """Ask the worker for the figures that follow the paint; they are shown when they come back."""
        store, overview, tariff = self.shell.history, self._overview, self.tariff
        if store is None or self._stopped:  # stopped: a paint's timer that fired while the app quits
            self._secondary_due = False
            return
        now, zone, solar, generation = self.now(), self.shell.home_zone.zone, self._solar, self._generation
        cycle_start_day = self.cycle_start_day
        key: CycleKey | None = None
        if tariff is not None and overview is not None:
            key = _cycle_key(overview, tariff)
            if self._last_cycle is not None and self._last_cycle[0] == key:
                key = None  # still the one shown
        trend_due = self._trend_at is None or abs(time.monotonic() - self._trend_at) >= SLOW_EVERY_S
        if key is None and not trend_due:
            self._secondary_due = False
            return
        if trend_due:
            self._trend_at = time.monotonic()

        def work() -> SlowFigures:
            last_cycle, trend = None, None
            try:
                if key is not None and tariff is not None and overview is not None:
                    last_cycle = (key, last_cycle_by_now(tariff, store, overview, cycle_start_day=cycle_start_day))
                if trend_due:
                    trend = always_on_trend(store, now, zone=zone, solar=solar)
            except HistoryError as exc:
                log.warning("overview: the history could not be read: %s", exc)
            except Exception:  # a worker's error must still end the wait, or the figures never come again
                log.exception("overview: the trend or the last cycle could not be worked out")
            return SlowFigures(generation, last_cycle, trend)

        self._worker.submit(lambda: self._slow_figures_ready.emit(work()))

    @Slot(object)
    def _show_slow_figures(self, figures: SlowFigures) -> None:
        self._secondary_due = False
        if self._stopped:  # the app is quitting: the history store may be closed already
            return
        if figures.generation != self._generation:  # asked for before the settings or the tariff changed
            self._trend_at = None
            if self.page.isVisible():
                self._secondary_due = True
                self._refresh_secondary()
            return
        if figures.last_cycle is not None:
            self._last_cycle = figures.last_cycle
            glance = self._glance
            if glance is not None and _cycle_key(glance.overview, self.tariff) == figures.last_cycle[0]:
                cost, first_day = figures.last_cycle[1]  # the shown card's range stays: only the last cycle is added
                self.page.set_card("cycle", cycle_card(dataclasses.replace(glance, last=cost, last_first_day=first_day)))
            elif (store := self.shell.history) is not None:
                self._show_cycle(store)
        if figures.trend is not None:
            self._trend = figures.trend
            if self._baseline is not None:
                self.page.set_card("always_on", always_on_card(self._baseline, self._trend, self.tariff, self.now()))
            values = [p.baseline.watts for p in self._trend]
            known = [v for v in values if v is not None]
            self.page.trend.set_values(values if len(known) >= TREND_MIN_DAYS else [],
                                       f"Always-on over {len(values)} days: from {known[0]:.0f} W to "
                                       f"{known[-1]:.0f} W." if known else "No always-on figures yet.")

    # -- big loads ---------------------------------------------------------------------------------

    def loads_of(self, day: dt.date) -> list[BigLoad]:
        """The big loads of a local day (cached; today's for a minute)."""
        store = self.shell.history
        if store is None:
            return []
        key = (day, self.steps.min_w, self.steps.hold_s)
        cached = self._loads.get(key)
        zone = self.shell.home_zone.zone
        today = self.now().astimezone(zone).date()
        if cached is not None and (day < today - dt.timedelta(days=1) or time.monotonic() - cached[0] < 55):
            return cached[1]
        loads = big_loads(store, local_midnight(day, zone), local_midnight(day + dt.timedelta(days=1), zone),
                          min_w=self.steps.min_w, hold_s=self.steps.hold_s)
        self._loads[key] = (time.monotonic(), loads)
        return loads

    def refresh_loads(self) -> None:
        """The Big loads tab: the last seven days, newest first."""
        store = self.shell.history
        if store is None:
            self.loads_view.set_loads([], NO_STORE)
            return
        zone = self.shell.home_zone.zone
        today = self.now().astimezone(zone).date()
        days = []
        try:
            for back in range(FULL_RESOLUTION_DAYS):
                day = today - dt.timedelta(days=back)
                days.append((day, [self._shown(load, zone) for load in self.loads_of(day)]))
        except HistoryError as exc:
            self.loads_view.set_loads([], f"The energy history could not be read: {exc.user_message}")
            return
        size = f"{self.steps.min_w / 1000:g} kW" if self.steps.min_w >= 1000 else f"{self.steps.min_w:.0f} W"
        self.loads_view.set_loads(days, f"Steps of {size} or more held {self.steps.hold_s:.0f} s, from the last "
                                        "7 days' 5-second readings. The cost is the load's share only.")

    def _shown(self, load: BigLoad, zone: dt.tzinfo) -> ShownLoad:
        priced = load_cost(self.tariff, load, cycle_start_day=self.cycle_start_day) \
            if self.tariff is not None and load.on else None
        label = self.labels.label_of(load.at, load.watts)
        offered = None if label else self.labels.offered(load.watts)
        return ShownLoad(load, priced, load_words(load, priced, zone, label), label, offered)

    def set_label(self, load: BigLoad, label: str) -> None:
        try:
            self.labels.set(load.at, load.watts, label)
        except OSError as exc:
            self.loads_view.note.setText(f"The label could not be saved: {exc.strerror or exc}.")
            return
        self.refresh_loads()

    # -- the Day chart's marks (shell.add_chart_decorator) -----------------------------------------

    def bands(self, _span: Span) -> list[tuple[dt.datetime, dt.datetime]]:
        return []

    def hover_extra(self, _span: Span, _bar: Bar) -> str:
        return ""  # the chart adds the marks' own words

    def marks(self, span: Span) -> list[Mark]:
        if span.view is not View.DAY or span.end < self.now() - dt.timedelta(days=FULL_RESOLUTION_DAYS + 1):
            return []
        zone = self.shell.home_zone.zone
        return [Mark(load.at, load.on, f"Big load: {self._shown(load, zone).words}") for load in
                self.loads_of(span.anchor)]

    # -- stop --------------------------------------------------------------------------------------

    def stop(self) -> None:
        self._timer.stop()
        self._stopped = True
        self._worker.shutdown(wait=True, cancel_futures=True)  # before the history store closes
        self.shell.remove_settings_page(SETTINGS_TITLE)


def install(shell: AppShell) -> OverviewPlugin:
    """The Overview and Big loads tabs, Settings, Overview, the Day chart's big-load marks; ``stop()`` at quit."""
    return OverviewPlugin(shell)
