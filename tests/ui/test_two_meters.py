"""Two meters, net and solar, each its own session against its own simulator of one household (real mutual TLS on
loopback): home use and solar on the Live tab and in the tray, each meter's history in its own rows, one meter down
never stopping the other, and an address that answers with the other meter's LFDI never read as this one."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget

from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.events import DemandRead
from xcelsior_desktop.session.meters_file import load_records
from xcelsior_desktop.session.poller import State
from xcelsior_desktop.session.target import NET, PRODUCTION, MeterTarget
from xcelsior_desktop.simulator.household import HouseholdMeters

NOON = 1_781_805_600.0  # 2026-06-18 12:00 Denver: the sun is up
FAST = {"handshake_timeout": 3.0, "read_timeout": 3.0, "connect_timeout": 1.0}


@pytest.fixture
def household() -> Iterator[tuple[object, HouseholdMeters]]:
    identity = generate_identity()
    started = time.monotonic()
    meters = HouseholdMeters(3, host="127.0.0.1", allowed_certs=[identity.cert_pem], mdns=False,
                             clock=lambda: NOON + (time.monotonic() - started)).start()
    yield identity, meters
    meters.stop()


def make_app(qapp, tmp_path, identity, targets) -> XcelsiorApp:  # type: ignore[no-untyped-def]
    settings = Settings(poll_interval_s=2, home_timezone="America/Denver")
    return XcelsiorApp(qapp, identity=identity, settings=settings, settings_path=tmp_path / "settings.json",
                       meters=targets, worker_options=FAST)


def both(meters: HouseholdMeters) -> list[MeterTarget]:
    return [MeterTarget(host=meters.net.host, port=meters.net.port, automatic=False),
            MeterTarget(host=meters.production.host, port=meters.production.port, automatic=False, role=PRODUCTION)]


def state(app: XcelsiorApp, role: str) -> State | None:
    return app.meters.runtime(role).session.state  # type: ignore[arg-type]


def test_home_use_and_solar_from_two_meters(qtbot, qapp, tmp_path, household) -> None:  # type: ignore[no-untyped-def]
    identity, meters = household
    app = make_app(qapp, tmp_path, identity, both(meters))
    solar: list[float] = []
    app.meters.events(PRODUCTION).on(DemandRead, lambda event: solar.append(event.measurement.value))
    app.start()
    try:
        qtbot.waitUntil(lambda: state(app, NET) is State.CONNECTED and state(app, PRODUCTION) is State.CONNECTED,
                        timeout=20000)
        qtbot.waitUntil(lambda: bool(solar) and app.window.last_measurement is not None, timeout=15000)
        panel = app.solar_panel
        app.window.show_view("live")
        assert panel is not None and panel.isVisibleTo(app.window)
        qtbot.waitUntil(lambda: panel.home_watts is not None, timeout=15000)
        # home use now = net demand + production, and the panels make power at noon
        household_model = meters.household
        assert solar[-1] > 0
        assert panel.home_watts == pytest.approx(max(0.0, float(app.window.last_measurement.value) + solar[-1]))
        assert abs(panel.home_watts - household_model.load_w(NOON)) < household_model.load_w(NOON) + 10_000
        qtbot.waitUntil(lambda: "Solar " in app.tray.icon.toolTip() and "home using" in app.tray.icon.toolTip(),
                        timeout=15000)
        # each meter's 15-minute history in its own rows of the one store
        store = app.shell.history
        assert store is not None
        qtbot.waitUntil(lambda: len(store.for_meter("production").intervals()) > 96, timeout=60000)
        qtbot.waitUntil(lambda: len(store.intervals()) > 96, timeout=60000)
        qtbot.waitUntil(lambda: "home used" in panel.today.text() and "from the sun" in panel.today.text(),
                        timeout=15000)
        # the Overview: what the panels made and the home's use, from the same two meters' history
        app.window.show_view("overview")
        cards = app.window.findChild(QWidget, "view-overview")
        assert cards is not None
        page = app.overview.page
        page.shown.emit()
        qtbot.waitUntil(lambda: not page.cards["home"].isHidden(), timeout=10000)
        assert "kWh today" in page.cards["home"].figure.text() and "from the sun" in page.cards["home"].line.text()
        assert "kWh today" in page.cards["solar"].figure.text()
        produced = {iv.start: iv.imported_wh for iv in store.for_meter("production").intervals()}
        grid = {iv.start: iv for iv in store.intervals()}
        common = [s for s in produced if s in grid][-48:]
        assert common
        for start in common:  # home use per slot = import + production - export = the household's load (>= 0)
            net = grid[start]
            assert net.imported_wh is not None and net.exported_wh is not None
            assert net.imported_wh + (produced[start] or 0) - net.exported_wh >= -3  # whole Wh per served value
        # both meters' records saved, each pinned to its own meter
        records = {r["role"]: r for r in load_records() or []}
        assert records[NET]["meter_lfdi"] == meters.net.lfdi
        assert records[PRODUCTION]["meter_lfdi"] == meters.production.lfdi
    finally:
        app.shutdown()


def test_one_meter_down_never_stops_the_other(qtbot, qapp, tmp_path, household) -> None:  # type: ignore[no-untyped-def]
    identity, meters = household
    app = make_app(qapp, tmp_path, identity, both(meters))
    readings: list[float] = []
    app.events.on(DemandRead, lambda event: readings.append(event.measurement.value))
    app.start()
    try:
        qtbot.waitUntil(lambda: state(app, PRODUCTION) is State.CONNECTED, timeout=20000)
        meters.production.set_fault("outage", seconds=0)  # the solar meter is gone
        qtbot.waitUntil(lambda: state(app, PRODUCTION) is State.UNREACHABLE, timeout=30000)
        panel = app.solar_panel
        assert panel is not None
        app.window.show_view("live")
        qtbot.waitUntil(lambda: panel.state.isVisibleTo(app.window) and "unreachable" in panel.state.text(),
                        timeout=10000)
        assert "unreachable" in app.tray.meter_line.text()
        readings.clear()
        qtbot.waitUntil(lambda: len(readings) >= 2, timeout=15000)  # the net meter goes on
        assert state(app, NET) is State.CONNECTED and app.tray.status is not None
        assert app.tray.status.state is State.CONNECTED  # the tray's own icon is the net meter's
        meters.production.clear_faults()
        qtbot.waitUntil(lambda: state(app, PRODUCTION) is State.CONNECTED, timeout=30000)
    finally:
        app.shutdown()


def test_the_other_meter_at_an_address_is_never_read_as_this_one(qtbot, qapp, tmp_path, household) -> None:  # type: ignore[no-untyped-def]
    identity, meters = household
    # the solar meter's record says the net meter's address (DHCP moved them), but it is pinned to its own LFDI;
    # the net meter's own record points elsewhere, so nothing else holds the net meter's one connection
    wrong = MeterTarget(host=meters.net.host, port=meters.net.port, automatic=False, role=PRODUCTION,
                        meter_lfdi=meters.production.lfdi)
    app = make_app(qapp, tmp_path, identity, [MeterTarget(host="127.0.0.1", port=9, automatic=False), wrong])
    solar: list[float] = []
    app.meters.events(PRODUCTION).on(DemandRead, lambda event: solar.append(event.measurement.value))
    app.start()
    try:
        qtbot.waitUntil(lambda: state(app, PRODUCTION) is State.MISMATCH, timeout=20000)
        assert solar == [] and meters.net.log.requests == []  # no reading asked of, or taken from, the other meter
        assert app.meters.target(PRODUCTION).meter_lfdi == meters.production.lfdi  # the pin stays
    finally:
        app.shutdown()
