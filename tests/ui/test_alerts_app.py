"""Alerts inside the real XcelsiorApp: the Alerts view, the Settings page, the certificate watch, demo separation."""

from __future__ import annotations

import datetime as dt

import pytest

from xcelsior_desktop.app.alerts.alerts_list import AlertsListWidget
from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.platform import paths
from xcelsior_desktop.platform.settings import Settings


@pytest.fixture(scope="module")
def identity():
    return generate_identity(days=20)  # replaces conftest's: a certificate close enough to its end to warn


def make_app(qapp, identity, name: str, *, demo: bool = False) -> XcelsiorApp:
    return XcelsiorApp(qapp, identity=identity, settings=Settings(), settings_path=paths.config_dir() / name,
                       demo=demo)


def test_app_has_the_alerts_view_and_watches_its_certificate(qtbot, qapp, identity):
    app = make_app(qapp, identity, "settings.json")
    try:
        # no session bus in tests (conftest): the tray's messages are the delivery, and the list gets everything
        assert app.alerts.notifier.name == "tray icon messages"
        assert [a.rule_id for a in app.alerts.alerts()] == ["cert-30"]  # a 20-day certificate
        view = app.window.findChild(AlertsListWidget)
        assert view is not None and view.count() == 1
        app.alerts.openView.emit("alerts")
        assert app.window.current_view() == "alerts"
        assert "Alerts" in app.shell.settings_pages.titles()
        renewed = generate_identity(days=1094)
        app.set_identity(renewed)  # renewal re-arms; nothing new fires
        assert len(app.alerts.alerts()) == 1
        assert app.alerts.engine.snapshot()["rules"]["cert-30"]["armed"] is True
    finally:
        app.shutdown()


def test_demo_keeps_its_own_history_and_ignores_its_throwaway_certificate(qtbot, qapp, identity):
    app = make_app(qapp, identity, "demo-settings.json", demo=True)
    try:
        assert app.alerts.alerts() == []
        assert app.alerts.history.path.name == "demo-alerts-history.json"
        app.alerts.on_certificate(dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
        assert (paths.data_dir() / "demo-alerts-history.json").exists()
        assert not (paths.data_dir() / "alerts-history.json").exists()
    finally:
        app.shutdown()
