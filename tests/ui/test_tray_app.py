"""The whole app object (offscreen) against the simulator: window content, tray, settings, single instance."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QThread, Slot
from PySide6.QtWidgets import QApplication, QLabel

from tests.meters import meter_at
from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.app.crash_dialog import CrashReporter
from xcelsior_desktop.app.logging_setup import setup_logging
from xcelsior_desktop.app.settings_dialog import SettingsDialog
from xcelsior_desktop.app.single_instance import SingleInstance
from xcelsior_desktop.app.tray import tooltip_text
from xcelsior_desktop.app.tray_icon import IconState
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.meters_file import load_records
from xcelsior_desktop.session.poller import State

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sim(start_simulator, identity):
    return start_simulator(identity, seed=5, busy_hold=1.0)


@pytest.fixture
def app(qtbot, qapp, identity, sim, tmp_path):
    settings = Settings(poll_interval_s=2)
    xapp = XcelsiorApp(qapp, identity=identity, settings=settings, settings_path=tmp_path / "settings.json",
                       meters=meter_at(sim.host, sim.port),
                       worker_options={"handshake_timeout": 3.0, "read_timeout": 3.0})
    xapp.start()
    yield xapp
    xapp.shutdown()


def label(window, name: str) -> str:
    return window.findChild(QLabel, name).text()


def test_window_shows_live_value_registers_and_device(qtbot, app, sim, identity):
    qtbot.waitUntil(lambda: app.status is not None and app.status.state is State.CONNECTED, timeout=15000)
    qtbot.waitUntil(lambda: "kWh" in label(app.window, "import-register"), timeout=15000)
    qtbot.waitUntil(lambda: label(app.window, "device-meter_lfdi") == sim.lfdi, timeout=15000)
    w = app.window
    assert label(w, "big-value").endswith(" W")
    assert "read at" in label(w, "value-caption")
    assert label(w, "state-title") == "Connected"
    assert label(w, "device-firmware") not in ("", "\u2014")
    assert label(w, "device-manufacturer") == "Itron"
    assert label(w, "device-our_lfdi") == identity.portal_lfdi
    assert "days" in label(w, "device-cert_expiry")
    assert label(w, "device-address").startswith(f"{sim.host}:{sim.port}")
    assert len(w.history.points) >= 1
    # the tray follows: a live icon and a tooltip with the full value, time and state
    assert app.tray.icon_state is IconState.LIVE
    tip = app.tray.icon.toolTip()
    assert " W" in tip and "read at" in tip and "Connected" in tip
    # the pinned meter LFDI was saved
    assert (load_records() or [{}])[0].get("meter_lfdi") == sim.lfdi  # pinned, saved in meters.json


def test_without_a_tray_the_window_shows_why_and_closing_quits(qtbot, app):
    assert app.window.isVisible()  # offscreen has no system tray
    assert "No system tray" in label(app.window, "notice")
    app.window.close()
    assert not app.meter.thread.isRunning()  # the window was the app: threads joined


def test_show_view_and_close_keeps_running(qtbot, qapp, identity, sim, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QSystemTrayIcon

    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))  # as on a desktop
    app = XcelsiorApp(qapp, identity=identity, settings=Settings(), meters=meter_at(sim.host, sim.port),
                      settings_path=tmp_path / "settings.json")
    app.start()
    qtbot.addWidget(app.window)
    assert not app.window.isVisible()  # with a tray, the app starts in the tray
    app.show_view("device")
    assert app.window.isVisible() and app.window.current_view() == "device"
    app.window.close()
    assert not app.window.isVisible()
    assert app.meter.thread.isRunning()  # closing the window is not quitting
    assert Settings.load(app.settings_path).window_geometry  # geometry remembered
    app.shutdown()


def test_pause_and_busy_states_reach_the_window(qtbot, app, sim):
    qtbot.waitUntil(lambda: app.status is not None and app.status.state is State.CONNECTED, timeout=15000)
    app.set_paused(True)
    qtbot.waitUntil(lambda: app.status.state is State.PAUSED, timeout=5000)
    assert app.tray.pause_action.text() == "Resume"
    assert app.tray.icon_state is IconState.WAITING
    assert label(app.window, "state-title") == "Paused"
    sim.set_fault("busy")
    app.set_paused(False)
    qtbot.waitUntil(lambda: app.status.state is State.BUSY, timeout=20000)
    assert app.tray.icon_state is IconState.OFFLINE
    assert "Another program" in label(app.window, "state-detail")
    assert "next try in" in label(app.window, "state-times")


def test_no_identity_offers_setup(qtbot, qapp, tmp_path):
    xapp = XcelsiorApp(qapp, identity=None, settings=Settings(), meters=meter_at("127.0.0.1", 9),
                       settings_path=tmp_path / "s.json")
    xapp.start()
    try:
        qtbot.waitUntil(lambda: xapp.status is not None and xapp.status.state is State.NO_IDENTITY, timeout=5000)
        assert xapp.tray.icon_state is IconState.ATTENTION
        assert xapp.tray.setup_action.isVisible()
        assert xapp.window.action_button.text().startswith("Set up")
    finally:
        xapp.shutdown()


def test_settings_dialog_validates_and_builds(qtbot):
    dialog = SettingsDialog(Settings(poll_interval_s=5))
    qtbot.addWidget(dialog)
    assert dialog.general.automatic.isChecked()
    dialog.general.manual.setChecked(True)
    dialog.general.address.setText("not a host:99999")
    dialog.accept()
    assert dialog.result_settings is None and "not valid" in dialog.error.text()
    dialog.general.address.setText("192.168.1.40:8082")
    dialog.general.interval.setValue(1)  # clamped to the 2 s minimum
    dialog.general.units.setCurrentIndex(1)
    dialog.accept()
    new = dialog.result_settings
    assert new is not None
    assert (new.poll_interval_s, new.units) == (2.0, "kW")
    assert dialog.result_addresses == {"net": ("192.168.1.40", 8082, False)}  # for the meter's session to take


def test_single_instance_second_launch_activates_first(qtbot):
    first = SingleInstance("test")
    assert first.acquire()
    try:
        with qtbot.waitSignal(first.activated, timeout=5000):
            second = SingleInstance("test")
            assert not second.acquire()
    finally:
        first.release()
    third = SingleInstance("test")
    assert third.acquire()
    third.release()


class RecordingReporter(CrashReporter):
    """The real hooks and signal routing; the dialog replaced by a record of where it would have opened."""

    def __init__(self, log_path: str) -> None:
        self.seen: list[tuple[str, bool]] = []
        super().__init__(log_path)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        self.seen.append((summary, QThread.currentThread() is QApplication.instance().thread()))


def test_thread_exception_reaches_the_gui_thread(qtbot, tmp_path):
    reporter = RecordingReporter(str(tmp_path / "log"))
    reporter.install()
    try:
        thread = threading.Thread(target=lambda: 1 / 0, name="boom")
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: bool(reporter.seen), timeout=5000)
    finally:
        reporter.uninstall()
    summary, on_gui_thread = reporter.seen[0]
    assert "ZeroDivisionError" in summary
    assert on_gui_thread


def test_log_never_contains_pem(identity):
    path = setup_logging()
    logging.getLogger("test").warning("loaded %s", identity.cert_pem.decode() + identity.key_pem.decode())
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "loaded [PEM block removed]" in text
    assert "BEGIN" not in text


def test_tooltip_without_value():
    assert "Xcelsior Desktop" in tooltip_text(None, None, None)


def test_qapp_is_offscreen(qapp):
    assert QApplication.platformName() == "offscreen"


def test_quit_ends_the_event_loop_even_with_the_window_open(tmp_path):
    """Quit from the menu ends the event loop and joins the threads while the window is showing (in a process of
    its own: see tests/ui/quit_with_window_open.py)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "tests.ui.quit_with_window_open", str(tmp_path / "settings.json")],
                            capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "exec=0 meter_thread=stopped", result.stderr[-3000:]



def test_retry_now_is_offered_and_the_tooltip_counts_down(qtbot, qapp, tmp_path):
    """Unreachable: "Retry now" in the window and the tray menu; the tooltip's "next try in" stays live."""
    import time

    from xcelsior_desktop.session.poller import Status

    xapp = XcelsiorApp(qapp, identity=None, settings=Settings(), settings_path=tmp_path / "s.json")
    try:
        now = time.time()
        xapp.show_status(Status(State.UNREACHABLE, now - 60, now + 30, "no answer", None))
        assert xapp.tray.retry_action.isVisible()
        assert not xapp.window.retry_button.isHidden()
        first = xapp.tray.icon.toolTip()
        assert "next try in 30 s" in first or "next try in 29 s" in first
        qtbot.waitUntil(lambda: xapp.tray.icon.toolTip() != first, timeout=5000)  # counts down by itself
        assert "next try in 2" in xapp.tray.icon.toolTip()
        xapp.show_status(Status(State.CONNECTED, now, None, "", now))
        assert not xapp.tray.retry_action.isVisible() and xapp.window.retry_button.isHidden()
    finally:
        xapp.shutdown()


def test_a_flagged_reading_is_shown_by_the_gui_thread(qtbot, app, sim, monkeypatch):
    """The session's events come from the meter thread; the window may be touched only on the GUI thread (a slot
    of a QObject there, never a plain function, which PySide6 runs on the sender's thread)."""
    qtbot.waitUntil(lambda: app.status is not None and app.status.state is State.CONNECTED, timeout=15000)
    threads: list[str] = []
    shown = app.window.set_flagged

    def recording(*args: str) -> None:
        threads.append(threading.current_thread().name)
        shown(*args)

    monkeypatch.setattr(app.window, "set_flagged", recording)
    sim.set_fault("spike", target="demand")  # +100 kW: no household service can draw that
    qtbot.waitUntil(lambda: bool(threads), timeout=15000)
    assert set(threads) == {threading.main_thread().name}
    assert app.window.flag_label.text().startswith("Suspect reading")  # said under the value, by the GUI thread
