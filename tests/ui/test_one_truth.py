"""One instant, one store: every surface of the app shows the same kWh and the same money for today. The Live
tab, the History tab's Day totals, the Cost tab, the tray's tooltip, the alerts' facts and Home Assistant's "Cost
today" all come from the one energy function and the one cost function, in the one home zone.

The app is the real one (every plug-in installed on its shell) with its clock pinned to the instant; the meter is
not contacted: the store holds what the session would have stored (the simulator household's 15-minute slots and
register readings up to the instant), and "today" reaches the surfaces as the session's TodayChanged would."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.meters import meter_at
from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.common import format as fmt
from xcelsior_desktop.energy.periods import View
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore, RegisterReading
from xcelsior_desktop.money.model import format_money
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.events import TodayChanged
from xcelsior_desktop.simulator.model import HouseholdModel

UTC = dt.UTC
DENVER = ZoneInfo("America/Denver")
SLOT = 900


@dataclass(frozen=True)
class Case:
    name: str
    instant: dt.datetime  # aware
    computer_zone: str | None = None  # TZ for this computer (None: as it is)
    filed_lag_s: int = 180  # the meter files a slot a little after it closes


CASES = [
    Case("afternoon", dt.datetime(2026, 11, 23, 18, 20, 30, tzinfo=DENVER)),  # Monday, on-peak
    Case("just after midnight", dt.datetime(2026, 11, 24, 0, 3, 10, tzinfo=DENVER)),
    Case("DST day", dt.datetime(2026, 11, 1, 14, 7, 0, tzinfo=DENVER)),  # 25 hours: 01:00-02:00 twice
    Case("computer in UTC, home in Denver", dt.datetime(2026, 12, 6, 9, 12, 0, tzinfo=DENVER), "UTC"),
]


@pytest.fixture
def computer_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    zone = request.param
    if zone is not None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def filled_store(path: Path, case: Case) -> None:
    """What the session would have stored by the instant: the household's slots until the newest one the meter
    had filed, and a register reading every minute over the last 40 minutes (whole Wh, as the meter serves)."""
    model = HouseholdModel.for_seed(0)
    now = case.instant.timestamp()
    first = int(now - 9 * 86400) // SLOT * SLOT
    filed = int(now - case.filed_lag_s) // SLOT * SLOT
    slots = [EnergyInterval(dt.datetime.fromtimestamp(t, UTC), SLOT, float(model.interval(t).delivered_wh),
                            float(model.interval(t).received_wh)) for t in range(first, filed, SLOT)]
    readings = []
    for k in range(40, -1, -1):
        at = now - 60 * k
        imported, exported = model.energy_wh(at)
        readings.append(RegisterReading(dt.datetime.fromtimestamp(at, UTC), float(math.floor(imported)),
                                        float(math.floor(exported))))
    with HistoryStore(path) as store:
        store.add_intervals(slots)
        store.add_register_readings(readings)


@pytest.mark.parametrize("computer_zone", [c.computer_zone for c in CASES], indirect=True,
                         ids=[c.name for c in CASES])
def test_every_surface_shows_the_same_kwh_and_money(qtbot, qapp, tmp_path: Path, computer_zone: None,
                                                    request: pytest.FixtureRequest) -> None:
    case = next(c for c in CASES if c.name == request.node.callspec.id)
    path = tmp_path / "history.sqlite3"
    filled_store(path, case)
    now = case.instant.astimezone(UTC)
    settings = Settings(home_timezone="America/Denver")
    app = XcelsiorApp(qapp, identity=None, settings=settings, settings_path=tmp_path / "settings.json",
                      meters=meter_at("127.0.0.1", 9),
                      history_path=path, demo=True, clock=now.timestamp)
    try:
        today = app.history.recorder.today()
        assert today is not None and today.imported_wh is not None and today.exported_wh is not None
        assert today.start == dt.datetime.combine(case.instant.date(), dt.time(), DENVER).astimezone(UTC)
        app.events.publish(TodayChanged(today))  # what the session says after each register reading
        kwh, exported = today.imported_wh, today.exported_wh

        # the Live tab
        assert app.window.today is today
        assert app.window.import_today.text() == fmt.energy(kwh)
        assert app.window.export_today.text() == fmt.energy(exported)

        # the History tab: the Day's totals
        view = app.history.view
        view.set_view(View.DAY)
        view.go_today()
        assert view.data is not None and view.data.span.start == today.start
        assert view.data.totals.imported_wh == pytest.approx(kwh, abs=1e-9)
        assert view.data.totals.exported_wh == pytest.approx(exported, abs=1e-9)

        # the Cost tab: today's kWh and money
        overview = app.cost.overview
        assert overview is not None and overview.today.energy.imported_wh == pytest.approx(kwh, abs=1e-9)
        money = overview.today.total
        total_row = [app.cost.panel.costs.item(app.cost.panel.costs.rowCount() - 1, c).text() for c in (1, 2)]
        assert total_row == [f"{kwh / 1000:.2f}", format_money(money, "USD")]

        # the tray's tooltip
        tooltip = app.tray.icon.toolTip()
        assert f"Today {kwh / 1000:.1f} kWh from the grid" in tooltip and format_money(money, "USD") in tooltip

        # the alerts: the daily budget (kWh) and the daily cost rule (money)
        source = app.alerts.engine._cost_source
        assert source is not None
        facts = source(now.timestamp())
        assert facts is not None and facts.today_import_kwh == pytest.approx(kwh / 1000, abs=1e-12)
        assert facts.today_cost == pytest.approx(money, abs=1e-9)

        # Home Assistant's "Cost today"
        published = app.mqtt._cost_today(now)
        assert published is not None and published.amount == pytest.approx(money, abs=1e-9)
        assert published.day_start == today.start
    finally:
        app.shutdown()
