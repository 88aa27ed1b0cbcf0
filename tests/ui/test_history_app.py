"""The history plug-in in the whole app (offscreen) against the simulator over TLS: the store opened at start,
readings recorded, the meter's 30 days backfilled through the one connection, the Live hour kept over a restart, a
damaged file set aside with one notification, an unwritable folder or a full disk said in the window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.meters import meter_at
from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.energy.periods import View
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.events import DemandRead
from xcelsior_desktop.session.history_recorder import BACKFILL_JOB
from xcelsior_desktop.session.poller import State


@pytest.fixture
def sim(start_simulator, identity):
    return start_simulator(identity, seed=8)


def make_app(qapp, identity, sim, tmp_path: Path, history_path: Path | None) -> XcelsiorApp:
    settings = Settings(poll_interval_s=2)
    return XcelsiorApp(qapp, identity=identity, settings=settings, settings_path=tmp_path / "settings.json",
                       meters=meter_at(sim.host, sim.port),
                       worker_options={"handshake_timeout": 3.0, "read_timeout": 3.0}, history_path=history_path)


def backfilled(app: XcelsiorApp) -> bool:
    return any(name == BACKFILL_JOB for name, _ in app.history.recorder.summaries)


def test_the_app_records_backfills_and_a_restart_keeps_the_live_hour(qtbot, qapp, identity, sim, tmp_path):
    path = tmp_path / "history.sqlite3"
    app = make_app(qapp, identity, sim, tmp_path, path)
    assert app.shell.history is app.history.store and app.history.store.path == path
    app.start()
    try:
        qtbot.waitUntil(lambda: app.status is not None and app.status.state is State.CONNECTED, timeout=15000)
        qtbot.waitUntil(lambda: backfilled(app), timeout=60000)
        qtbot.waitUntil(lambda: len(app.history.store.live_demand(app.history.recorder.meter_now())) >= 3,
                        timeout=20000)
        assert sim.log.max_concurrent == 1
        app.show_view("history")
        view = app.history.view
        assert app.window.current_view() == "history"
        view.set_view(View.MONTH)
        assert sum(not b.empty for b in view.chart.bars) >= 1
        view.set_view(View.DAY)
        view.step(-1)  # yesterday: a whole day from the meter's history
        assert len(view.chart.bars) == 96 and "From the grid" in view.totals_label.text()
    finally:
        app.shutdown()
    with HistoryStore(path) as reopened:
        recorded = reopened.live_demand(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    assert len(recorded) >= 3

    again = make_app(qapp, identity, sim, tmp_path, path)  # not started: nothing new read yet
    try:
        seeded = [w for _, w in again.window.history.points]
        assert seeded[-len(recorded):] == [s.watts for s in recorded]  # the Live tab's hour survived the restart
        view = again.history.view
        view.set_view(View.LIVE)
        assert len(view.live_history.points) >= len(recorded) and "readings" in view.totals_label.text()
    finally:
        again.shutdown()


def test_a_damaged_store_is_set_aside_with_one_notification(qtbot, qapp, identity, sim, tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not an SQLite database, it was damaged " * 100)
    app = make_app(qapp, identity, sim, tmp_path, path)
    try:
        alerts = [a for a in app.alerts.alerts() if a.kind == "history"]
        assert len(alerts) == 1 and alerts[0].title == "Energy history set aside"
        assert "set aside" in alerts[0].body and alerts[0].view == "history"
        assert list(tmp_path.glob("history.sqlite3.damaged-*"))
        assert not app.history.banner.isVisibleTo(app.window)  # a new file works: nothing to say in the window
    finally:
        app.shutdown()
    again = make_app(qapp, identity, sim, tmp_path, path)
    try:
        assert not [a for a in again.alerts.alerts() if a.kind == "history" and a.at > alerts[0].at]  # told once
    finally:
        again.shutdown()


def test_an_unwritable_folder_means_memory_and_the_window_says_so(qtbot, qapp, identity, sim, tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")  # as root, permissions would not stop us
    app = make_app(qapp, identity, sim, tmp_path, blocker / "history.sqlite3")
    app.start()
    try:
        banner = app.history.banner
        assert banner.isVisibleTo(app.window) and banner.text().startswith("History is kept in memory only")
        assert app.shell.history is not None and app.shell.history.size_bytes() == 0  # in memory
        qtbot.waitUntil(lambda: backfilled(app), timeout=60000)
        assert len(app.shell.history.intervals()) > 29 * 96  # charts still work for this run
    finally:
        app.shutdown()


def test_a_full_disk_while_running_is_said_in_the_window_and_readings_go_on(qtbot, qapp, identity, sim, tmp_path):
    app = make_app(qapp, identity, sim, tmp_path, tmp_path / "history.sqlite3")
    store = app.history.store
    with store._lock:  # the real SQLITE_FULL path: the file may not grow any more (the disk is full)
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
    app.start()
    try:
        qtbot.waitUntil(lambda: app.history.banner.isVisibleTo(app.window), timeout=60000)
        assert "disk is full" in app.history.banner.text()
        qtbot.waitUntil(lambda: app.status is not None and app.status.state is State.CONNECTED, timeout=15000)
        readings: list[object] = []
        app.events.on(DemandRead, lambda event: readings.append(event.measurement))
        qtbot.waitUntil(lambda: len(readings) >= 2, timeout=15000)  # live readings go on
    finally:
        app.shutdown()


def test_plugins_decorate_the_charts_through_the_shell_before_or_after_install(qtbot, tmp_path):
    from xcelsior_desktop.app.history import install
    from xcelsior_desktop.app.session_events import SessionEvents
    from xcelsior_desktop.app.shell import AppShell, Launch
    from xcelsior_desktop.app.window import MainWindow

    class Marker:
        def bands(self, span):
            return [(span.start, span.start + dt.timedelta(hours=1))]

        def hover_extra(self, span, bar):
            return "extra"

    window = MainWindow()
    qtbot.addWidget(window)
    sent: list[object] = []
    shell = AppShell(window=window, events=SessionEvents(), send=sent.append,
                     launch=Launch(history_path=tmp_path / "history.sqlite3"))
    early, late = Marker(), Marker()
    shell.add_chart_decorator(early)
    plugin = install(shell)
    shell.add_chart_decorator(late)
    try:
        assert plugin.view.decorators == [early, late]
        assert window.tabs.tabText(1) == "History"  # beside Live
        assert shell.history is plugin.store
        assert type(sent[0]).__name__ == "UseHistory"  # the recorder went to the session
    finally:
        plugin.stop()
