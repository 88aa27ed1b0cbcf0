"""The cost plug-in offscreen: its settings page, the Cost tab with a history store filled from the simulator's
household, the tray's period tooltip and on-peak bar, the Day chart's shading and hover cost, and the whole app
against the simulator over TLS (the meter's tiers, maximum demand and power factor reach the tab)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtWidgets import QLabel, QTableWidget

from tests.cost_support import fill_store
from tests.meters import meter_at
from tests.simulators import running_simulator
from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.app.cost.plugin import CostPlugin
from xcelsior_desktop.app.cost.settings_page import CostSettingsPage
from xcelsior_desktop.app.session_events import SessionEvents
from xcelsior_desktop.app.settings_dialog import SettingsDialog
from xcelsior_desktop.app.settings_pages import SettingsPages
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.app.tray import Tray
from xcelsior_desktop.app.window import MainWindow
from xcelsior_desktop.energy import chart_data
from xcelsior_desktop.energy.periods import View, span
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.meter.values import Registers
from xcelsior_desktop.money import load_preset
from xcelsior_desktop.money.cost_settings import CostSettings
from xcelsior_desktop.money.home_zone import resolve_home_zone
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.events import RegistersRead
from xcelsior_desktop.session.poller import State
from xcelsior_desktop.simulator.model import HouseholdModel

UTC = dt.UTC
ZONE = load_preset("xcel-co-tou").zone


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZONE).astimezone(UTC)


def cells(table: QTableWidget) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


# -- the settings page ---------------------------------------------------------------------------------------


def test_settings_page_shows_the_preset_and_saves_edited_prices(qtbot):
    settings = Settings()
    page = CostSettingsPage(settings)
    qtbot.addWidget(page)
    rows = cells(page.prices)
    assert ["off-peak", "winter", "14.296"] in rows and ["on-peak", "summer", "35.424"] in rows  # April 2025
    assert rows[-2] == ["monthly charge", "per billing cycle", "8.17"]
    assert rows[-1][:2] == ["daily charge", "every day"]
    assert "Check your bill" in page.source.text() and "2026" in page.source.text()
    on_peak_winter = next(r for r, row in enumerate(rows) if row[:2] == ["on-peak", "winter"])
    page.prices.item(on_peak_winter, 2).setText("18.5")
    page.prices.item(len(rows) - 1, 2).setText("0.2333")
    page.cycle_day.setValue(12)
    page.validate(settings)
    saved = CostSettings.from_app_settings(settings)
    assert saved == CostSettings("xcel-co-tou", {"on-peak/winter": 0.185, "daily_charge": 0.2333}, 12)
    again = CostSettingsPage(settings)  # reopened: the bill's figures are shown, not the preset's
    qtbot.addWidget(again)
    assert ["on-peak", "winter", "18.5"] in cells(again.prices)
    assert again.cycle_day.value() == 12


@pytest.mark.parametrize(("row_text", "tier_text", "expected"), [
    ("abc", "1=on-peak", "not a number"),
    ("-3000", "1=on-peak", "must be between -1000 and 1000"),
    ("nan", "1=on-peak", "must be between -1000 and 1000"),
    ("inf", "1=on-peak", "must be between -1000 and 1000"),
    ("9.9", "1 on-peak", "tier names are not readable"),
])
def test_settings_page_refuses_bad_input_with_a_message(qtbot, row_text, tier_text, expected):
    settings = Settings()
    page = CostSettingsPage(settings)
    qtbot.addWidget(page)
    page.prices.item(0, 2).setText(row_text)
    page.tier_names.setText(tier_text)
    with pytest.raises(ValueError, match=expected):
        page.validate(settings)
    assert "cost" not in settings.extra
    assert expected in page.error.text() and not page.error.isHidden()


def test_a_tariff_file_that_cannot_be_read_keeps_the_dialog_open(qtbot, tmp_path):
    bad = tmp_path / "mine.toml"
    bad.write_text('name = "mine"\ntimezone = "Mars/Base"\n[[versions]]\nfrom = 2025-01-01\n')
    settings = Settings()
    pages = SettingsPages()
    pages.add("Cost", lambda s: CostSettingsPage(s))
    dialog = SettingsDialog(settings, pages=pages)
    qtbot.addWidget(dialog)
    page = dialog.tabs.widget(1)
    assert isinstance(page, CostSettingsPage)
    page.choice.setCurrentIndex(page.choice.findData("__file__"))
    page.file.setText(str(bad))
    dialog.accept()
    assert dialog.result_settings is None and not dialog.error.isHidden()
    assert "mine.toml" in dialog.error.text() and "timezone" in dialog.error.text()


@pytest.mark.parametrize("own_folder", [True, False])
def test_a_damaged_tariff_file_at_start_never_stops_the_app(qtbot, tmp_path, own_folder):
    from xcelsior_desktop.money.presets import user_dir
    from xcelsior_desktop.platform.state_files import take_reset_notices

    bad = (user_dir() if own_folder else tmp_path) / "mine.toml"
    bad.write_text("name = " + "[" * 20_000 + "]" * 20_000 + "\n", encoding="utf-8")
    settings = Settings()
    CostSettings(tariff="mine" if own_folder else str(bad)).store_in(settings)
    window = MainWindow()
    qtbot.addWidget(window)
    cost = CostPlugin(AppShell(window=window, events=SessionEvents(), settings=lambda: settings))
    try:
        assert cost.tariff is None and cost.problem is not None and "mine.toml" in cost.problem
        notices = take_reset_notices()
        assert len(notices) == 1 and "nested more than 16 deep" in notices[0]
        if own_folder:  # set aside like any damaged file the app keeps
            assert not bad.exists() and bad.with_name("mine.toml.bad").exists()
            assert f"kept as {bad.with_name('mine.toml.bad')}" in notices[0]
        else:  # the user's own document is never renamed
            assert bad.exists() and "left as it is" in notices[0]
    finally:
        cost.stop()


# -- the Cost tab, the tray and the chart with a store -------------------------------------------------------


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at.timestamp()

    def __call__(self) -> float:
        return self.at


@pytest.fixture(scope="module")
def model():
    return HouseholdModel(seed=0)


@pytest.fixture
def plugin(qtbot, model):
    window = MainWindow()
    qtbot.addWidget(window)
    tray = Tray()
    clock = Clock(local(2026, 11, 30, 18))  # Monday 6 pm: on-peak
    shell = AppShell(window=window, events=SessionEvents(), tray=tray, clock=clock,
                     home_zone=lambda: resolve_home_zone("America/Denver", None))  # the app gives its home zone
    with HistoryStore.in_memory() as store:
        fill_store(store, model, local(2026, 11, 10), local(2026, 11, 30, 18))
        cost = CostPlugin(shell)
        shell.provide_history(store)
        cost.refresh()
        yield cost
        cost.stop()


def tiers_registers(model: HouseholdModel, at: dt.datetime) -> Registers:
    reg = model.registers(at.timestamp())
    return Registers(reg.delivered_wh, reg.received_wh, {t: v for t, v in enumerate(reg.tou_delivered) if t},
                     {t: v for t, v in enumerate(reg.tou_received) if t}, read_at=at, delivered_at=at)


def test_the_cost_tab_shows_today_the_cycle_and_the_projection(plugin):
    panel = plugin.panel
    rows = {row[0]: row for row in cells(panel.costs)}
    assert list(rows) == ["on-peak", "off-peak", "fixed charges", "total"]
    today_on_peak = plugin.shell.history.intervals(local(2026, 11, 30, 17), local(2026, 11, 30, 18))
    assert rows["on-peak"][1] == f"{sum(s.imported_wh for s in today_on_peak) / 1000:.2f}"  # 5-6 pm today
    assert all(text.startswith(("$", "-$")) for text in rows["total"][2::2])  # net metering can go below zero
    assert panel.findChild(QLabel, "cost-check-bill").text().count("Check your bill") == 1
    # the source and what the figures are based on sit behind "?" (tooltip and popover), one line on screen
    assert "Source:" in panel.tariff_help.help and "checked 06 December 2026" in panel.tariff_help.help
    assert panel.notes.text() == "Billing cycle 01 Nov \u2013 30 Nov."
    assert "History covers 498 h of the cycle's 715 h so far" in panel.notes_help.help  # 10 Nov on; 1 Nov had 25 h
    assert panel.notes_help.toolTip() == panel.notes_help.help
    assert panel.period_now.text() == "Now: On-peak until 9 pm, 22.996 \u00a2/kWh"


def test_without_a_store_the_tab_says_why(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    cost = CostPlugin(AppShell(window=window, events=SessionEvents(), clock=Clock(local(2026, 11, 30, 10))))
    try:
        assert cost.panel.costs.isHidden()
        assert "history is not open yet" in cost.panel.notes.text()
    finally:
        cost.stop()


def test_the_meters_tiers_beside_the_apps_periods(plugin, model):
    events = plugin.shell.events
    events.publish(RegistersRead(tiers_registers(model, local(2026, 11, 16))))
    events.publish(RegistersRead(tiers_registers(model, local(2026, 11, 23))))
    rows = cells(plugin.panel.tiers)
    assert [r[:2] for r in rows[:3]] == [["1", "on-peak"], ["2", "mid-peak"], ["3", "off-peak"]]
    meter, app = float(rows[0][4]), float(rows[0][5])
    assert meter == pytest.approx(app, abs=0.02) and meter > 1
    assert "agree" in plugin.panel.tiers_verdict.text() and "agree (each within" in plugin.panel.verdict_help.help


def test_a_tariff_with_another_schedule_is_flagged(plugin, model, tmp_path):
    other = tmp_path / "three-to-seven.toml"
    other.write_text('format = 1\nname = "three-to-seven"\ntimezone = "America/Denver"\n[[versions]]\n'
                     'from = 2020-01-01\n  [[versions.periods]]\n  name = "on-peak"\n  start = "15:00"\n'
                     '  end = "19:00"\n  [versions.prices]\n  off-peak = 0.099\n  on-peak = 0.173\n')
    plugin.use_settings(CostSettings(tariff=str(other)))
    events = plugin.shell.events
    events.publish(RegistersRead(tiers_registers(model, local(2026, 11, 16))))
    events.publish(RegistersRead(tiers_registers(model, local(2026, 11, 23))))
    assert "disagree" in plugin.panel.tiers_verdict.text()
    assert "may not be the one the meter bills by" in plugin.panel.verdict_help.help


def test_the_tray_says_the_period_and_marks_on_peak(plugin):
    tray = plugin.tray
    assert tray.on_peak
    assert tray.icon.toolTip().endswith("On-peak until 9 pm, 22.996 \u00a2/kWh")
    plugin.clock.at = local(2026, 11, 30, 21, 30).timestamp()
    plugin.refresh()
    assert not tray.on_peak
    assert tray.icon.toolTip().endswith("Off-peak until tomorrow 5 pm, 14.296 \u00a2/kWh")


def test_the_day_chart_shades_on_peak_and_prices_a_slot(plugin, qtbot):
    """Through the shell's chart hook into a real history view: on-peak shaded on a weekday, a slot's cost on hover."""
    from xcelsior_desktop.app.history.view import HistoryView

    store = plugin.shell.history
    view = HistoryView(store, tz=ZONE, now=lambda: local(2026, 11, 30, 18))
    qtbot.addWidget(view)
    view.add_decorator(plugin.chart_decorator)
    decorator = plugin.chart_decorator
    day = span(View.DAY, dt.date(2026, 11, 27), ZONE)  # Friday after Thanksgiving: a weekday
    assert decorator.bands(day) == [(local(2026, 11, 27, 17), local(2026, 11, 27, 21))]
    bars = chart_data.bars(day, store.intervals(day.start, day.end))
    slot = next(b for b in bars if b.start == local(2026, 11, 27, 18))
    expected = slot.imported_wh / 1000 * 0.22996 - slot.exported_wh / 1000 * 0.22996  # RE-TOU winter on-peak
    assert f"Cost: ${expected:,.2f} (on-peak)" in decorator.hover_extra(day, slot)
    week = span(View.WEEK, dt.date(2026, 11, 27), ZONE)
    assert decorator.bands(week) == []  # days hold hours of both prices: no shading, no single cost
    week_bars = chart_data.bars(week, store.intervals(week.start, week.end))
    assert "Cost" not in decorator.hover_extra(week, week_bars[0])
    assert decorator.bands(span(View.DAY, dt.date(2026, 11, 26), ZONE)) == []  # a holiday has no on-peak


# -- the whole app against the simulator ---------------------------------------------------------------------


def test_the_app_shows_the_meters_tiers_and_other_readings(qtbot, qapp, identity, tmp_path):
    with running_simulator(identity, seed=3) as sim:
        settings = Settings(poll_interval_s=2)
        app = XcelsiorApp(qapp, identity=identity, settings=settings, settings_path=tmp_path / "settings.json",
                          meters=meter_at(sim.host, sim.port),
                          worker_options={"handshake_timeout": 3.0, "read_timeout": 3.0})
        app.start()
        try:
            qtbot.waitUntil(lambda: app.status is not None and app.status.state is State.CONNECTED, timeout=15000)
            panel = app.cost.panel
            qtbot.waitUntil(lambda: panel.tiers.rowCount() > 0, timeout=15000)
            qtbot.waitUntil(lambda: "Power factor" in panel.extras.text(), timeout=15000)
            text = panel.extras.text()
            max_demand = re.search(r"<b>Maximum demand \(from the grid\):</b> ([\d.]+) (k?W)", text)
            power_factor = re.search(r"<b>Power factor:</b> ([\d.]+)", text)
            assert "Power factor: real power / apparent power" in panel.extras_help.help  # the meaning behind "?"
            assert max_demand is not None and float(max_demand.group(1)) > 0
            assert power_factor is not None and 0 < float(power_factor.group(1)) <= 1
            # single-phase: the simulator lists phase A with an empty reading, as real meters do
            assert "<b>Power factor, phase A:</b> listed, no value" in text
            assert [row[1] for row in cells(panel.tiers)[:3]] == ["on-peak", "mid-peak", "off-peak"]
            last_line = app.tray.icon.toolTip().splitlines()[-1]
            assert re.fullmatch(r"(On|Off)-peak until .+, [\d.]+ \u00a2/kWh", last_line), last_line
            assert "Cost" in app.shell.settings_pages.titles()
        finally:
            app.shutdown()


def test_the_decorator_goes_to_the_shells_chart_hook(plugin):
    """The plug-in gives its decorator to the shell's hook (bands(span), hover_extra(span, bar)): the same object."""
    sink: list[object] = []
    plugin.shell.set_chart_sink(sink.append)
    assert sink == [plugin.chart_decorator]  # a decorator added before the history view existed is handed on
    decorator = plugin.chart_decorator
    day = span(View.DAY, dt.date(2026, 11, 30), ZONE)
    assert decorator.bands(day) == [(local(2026, 11, 30, 17), local(2026, 11, 30, 21))]
    assert decorator.bands(span(View.WEEK, dt.date(2026, 11, 30), ZONE)) == []
    store = plugin.shell.history
    bar = chart_data.bars(day, store.intervals(local(2026, 11, 30, 9), local(2026, 11, 30, 9, 15)))[0]
    assert decorator.hover_extra(day, bar).startswith("Cost: ") and "(off-peak)" in decorator.hover_extra(day, bar)
