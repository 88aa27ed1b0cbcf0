"""'Today so far' in the window comes from the meter's 15-minute history: right from the first reads after a
mid-afternoon launch, it equals the simulated meter's register difference since local (Denver) midnight."""

from __future__ import annotations

import datetime as dt
import math
import time
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QLabel

from tests.meters import meter_at
from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.poller import State

DENVER = ZoneInfo("America/Denver")
MIDNIGHT = dt.datetime(2026, 6, 16, tzinfo=DENVER).astimezone(dt.UTC)
LAUNCH = dt.datetime(2026, 6, 16, 15, 0, tzinfo=DENVER).astimezone(dt.UTC)  # mid-afternoon, as a slot closes


@pytest.fixture
def app(qtbot, qapp, tmp_path, start_simulator):
    identity = generate_identity()
    started = time.monotonic()
    clock = lambda: LAUNCH.timestamp() + (time.monotonic() - started)  # noqa: E731 - the meter's clock runs
    sim = start_simulator(identity, seed=11, clock=clock)
    settings = Settings(poll_interval_s=2, home_timezone="America/Denver")
    xapp = XcelsiorApp(qapp, identity=identity, settings=settings, settings_path=tmp_path / "settings.json",
                       meters=meter_at(sim.host, sim.port),
                       worker_options={"handshake_timeout": 3.0, "read_timeout": 3.0})
    xapp.sim = sim  # type: ignore[attr-defined]
    xapp.start()
    yield xapp
    xapp.shutdown()


def kwh(window, name: str) -> float:
    text = window.findChild(QLabel, name).text()
    assert text.endswith(" kWh"), text
    return float(text.removesuffix(" kWh").replace(",", ""))


def test_today_since_midnight_from_the_first_reads(qtbot, app):
    qtbot.waitUntil(lambda: app.status is not None and app.status.state is State.CONNECTED, timeout=15000)
    qtbot.waitUntil(lambda: app.window.today is not None and app.window.today.intervals_s > 0, timeout=15000)
    today = app.window.today
    model = app.sim.model
    start = model.energy_wh(MIDNIGHT.timestamp())
    end = model.energy_wh(today.as_of.timestamp())
    imported = math.floor(end[0]) - math.floor(start[0])
    exported = math.floor(end[1]) - math.floor(start[1])
    assert imported > 1000 and exported > 0  # a real day: not "0.0 kWh since 15:00"

    assert today.since == MIDNIGHT and today.day == dt.date(2026, 6, 16)
    assert today.intervals_s == 60 * 900 and today.complete
    # the meter serves whole Wh with the reading time in whole seconds; the first second(s) after 15:00 are
    # estimated at the last slot's rate (estimated_s): a few Wh at most
    slack = 2.0 + today.estimated_s * 10_000 / 3600
    assert today.estimated_s < 5
    assert today.imported_wh is not None and today.exported_wh is not None
    assert abs(today.imported_wh - imported) <= slack
    assert abs(today.exported_wh - exported) <= slack

    w = app.window
    assert abs(kwh(w, "import-today") * 1000 - imported) <= 50 + slack  # shown to 0.1 kWh
    assert abs(kwh(w, "export-today") * 1000 - exported) <= 50 + slack
    assert abs(kwh(w, "net-today") * 1000 - (imported - exported)) <= 50 + 2 * slack
    caption = w.findChild(QLabel, "registers-caption").text()
    assert "Today since midnight, from the meter's 15-minute history" in caption
    # one history read, costing few requests (the bench budget counts on <= 12)
    assert len(app.worker.history_reads) == 1 and 0 < app.worker.history_reads[0] <= 12

