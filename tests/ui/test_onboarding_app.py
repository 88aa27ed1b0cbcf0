"""Onboarding and the certificate lifecycle inside the running app, against the simulator over real TLS.

A user's journey: first run opens the wizard; a restart while waiting for activation resumes the wait and connects
once the meter accepts; renewal probes through the meter worker (the meter serves one connection) and switches only
when the new certificate is accepted; Forget returns to "no identity"; one expiry notifier; the meter profile is
reused after a restart.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.meters import meter_at
from tests.ui.gui_thread import Collected
from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.onboarding.activation import ActivationTracker
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.events import DemandRead
from xcelsior_desktop.session.meters_file import load_records, save_target
from xcelsior_desktop.session.poller import State
from xcelsior_desktop.session.profile_cache import ProfileCache
from xcelsior_desktop.session.target import MeterTarget

FAST = {"handshake_timeout": 3.0, "read_timeout": 3.0, "connect_timeout": 2.0}


@pytest.fixture
def sim(start_simulator):
    return start_simulator(mdns=False, seed=7, busy_hold=2.0)  # no certificate registered: onboarding registers


@pytest.fixture
def apps(qapp):
    made: list[XcelsiorApp] = []

    def make(identity, settings: Settings, **kw) -> XcelsiorApp:
        app = XcelsiorApp(qapp, identity=identity, settings=settings, discovery_interfaces=["127.0.0.1"],
                          worker_options=FAST, **kw)
        app.setup_discovery_timeout_s = 0.3
        made.append(app)
        return app

    yield make
    for app in made:
        app.shutdown()


def saved_net() -> dict:  # type: ignore[type-arg]
    """The net meter's record as meters.json has it."""
    return next(r for r in load_records() or [] if r["role"] == "net")


def state_of(app: XcelsiorApp) -> State | None:
    return app.status.state if app.status is not None else None


def registered_app(apps, sim, qtbot, identity, **kw):
    IdentityStore().save(identity)
    sim.register(identity.cert_pem)
    settings = Settings(poll_interval_s=2)
    app = apps(identity, settings, meters=meter_at(sim.host, sim.port, registered=True), **kw)
    app.start()
    qtbot.waitUntil(lambda: state_of(app) is State.CONNECTED, timeout=15000)
    return app


def test_first_run_opens_the_wizard_and_uses_what_it_sets_up(qtbot, apps, sim):
    from xcelsior_desktop.app.onboarding.wizard import PAGE_DONE, PAGE_METER, PAGE_WAITING

    app = apps(None, Settings())
    app.start(setup_if_needed=True)
    wizard = app._wizard
    assert wizard is not None and wizard.isVisible()
    qtbot.waitUntil(lambda: state_of(app) is State.NO_IDENTITY, timeout=5000)
    assert app.tray.setup_action.isVisible()
    wizard.next()  # intro -> certificate (a new one, in the test keyring)
    wizard.next()  # -> LFDI and Launchpad
    assert wizard.identity is not None
    wizard.next()  # -> find the meter
    assert wizard.currentId() == PAGE_METER
    qtbot.waitUntil(lambda: not wizard.meter_page.searching, timeout=5000)
    wizard.meter_page.manual_radio.setChecked(True)
    wizard.meter_page.address.setText(f"{sim.host}:{sim.port}")
    wizard.next()
    assert wizard.currentId() == PAGE_WAITING
    tracker = wizard.watcher.tracker
    qtbot.waitUntil(lambda: tracker.state is not None and tracker.state.attempts >= 1, timeout=15000)
    assert tracker.state.last_outcome == "refused"
    with qtbot.waitSignal(wizard.setup_complete, timeout=15000):
        sim.register(wizard.identity.cert_pem)
        wizard.watcher.check_now()
    assert wizard.currentId() == PAGE_DONE
    qtbot.waitUntil(lambda: state_of(app) is State.CONNECTED, timeout=15000)
    qtbot.waitUntil(lambda: app.window.last_measurement is not None, timeout=15000)
    assert app.identity is not None and app.identity.lfdi == wizard.identity.lfdi
    assert app.session.target.meter_lfdi == sim.lfdi and saved_net()["registered_lfdi"] == app.identity.lfdi
    assert saved_net()["meter_lfdi"] == sim.lfdi
    assert sim.log.max_concurrent == 1  # the wizard's probes went through the worker
    wizard.accept()
    qtbot.waitUntil(lambda: app._wizard is None, timeout=5000)


def test_restart_resumes_a_pending_activation_and_connects_when_accepted(qtbot, apps, sim):
    identity = generate_identity()
    IdentityStore().save(identity)
    save_target(MeterTarget(host=sim.host, port=sim.port, automatic=False))  # saved by an earlier run: the meter
    ActivationTracker().start(identity.lfdi)  # and the wait for it

    app = apps(identity, Settings())
    app.start()
    assert app.onboarding is not None and app.onboarding.waiting
    assert state_of(app) is State.WAITING_REGISTRATION
    watcher = app.onboarding.watcher
    qtbot.waitUntil(lambda: watcher.tracker.state.attempts >= 1, timeout=15000)  # refused: not registered yet
    assert state_of(app) is State.WAITING_REGISTRATION
    assert "Waiting for activation" in app.status.detail
    assert sim.log.requests == []  # the worker stays idle while waiting: probes are handshakes only

    sim.register(identity.cert_pem)
    watcher.check_now()
    qtbot.waitUntil(lambda: state_of(app) is State.CONNECTED, timeout=15000)
    qtbot.waitUntil(lambda: app.window.last_measurement is not None, timeout=15000)
    assert not app.onboarding.waiting
    assert app.session.target.meter_lfdi == sim.lfdi and app.session.target.host == sim.host
    assert saved_net()["meter_lfdi"] == sim.lfdi
    accepted = [a for a in app.alerts.alerts() if a.kind == "activation"]
    assert len(accepted) == 1 and "accepted" in accepted[0].title
    assert not ActivationTracker().waiting
    assert sim.log.max_concurrent == 1


def test_renewal_probes_through_the_worker_and_switches_once_accepted(qtbot, apps, sim):
    old = generate_identity(days=20)
    app = registered_app(apps, sim, qtbot, old)
    assert app.onboarding.banner.isVisible() and app.onboarding.banner.property("level") == "soon"
    actions = app.onboarding.actions
    assert actions.renew.isEnabled()
    actions.open_renew()
    dialog = actions.dialog
    assert dialog is not None
    new = dialog.pending
    assert new is not None and new.lfdi != old.lfdi
    tracker = dialog.watcher.tracker
    qtbot.waitUntil(lambda: tracker.state is not None and tracker.state.attempts >= 1, timeout=15000)
    assert tracker.state.last_outcome == "refused"
    assert app.identity.lfdi == old.lfdi and IdentityStore().load().lfdi == old.lfdi  # still the old one
    app.onboarding.banner.refresh()
    assert app.onboarding.banner.property("level") == "renewing"
    readings = Collected()  # on the GUI thread, after the state that came with each reading
    app.events.on(DemandRead, lambda event: readings.append(event.measurement))
    qtbot.waitUntil(lambda: len(readings) >= 1, timeout=15000)  # polling went on around the probe

    with qtbot.waitSignal(dialog.switched, timeout=15000):
        sim.register(new.cert_pem)
        dialog.watcher.check_now()
    assert app.identity.lfdi == new.lfdi
    assert IdentityStore().load().lfdi == new.lfdi and not IdentityStore().has_identity("pending")
    sim.unregister(old.cert_pem)  # from now on only the new certificate can read the meter
    readings.clear()
    qtbot.waitUntil(lambda: len(readings) >= 1, timeout=15000)
    assert state_of(app) is State.CONNECTED
    assert saved_net()["registered_lfdi"] == new.lfdi
    assert not app.onboarding.banner.isVisible()
    assert sim.log.max_concurrent == 1
    dialog.close()


def _click_when_modal(text: str) -> None:
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        for button in box.buttons():
            if button.text() == text:
                button.click()
                return

    QTimer.singleShot(0, click)


def test_forget_asks_then_returns_to_no_identity(qtbot, apps, sim):
    identity = generate_identity()
    app = registered_app(apps, sim, qtbot, identity)
    _click_when_modal("Cancel")
    app.onboarding.actions.forget.trigger()
    assert app.identity is not None and IdentityStore().has_identity()  # cancelled: nothing happened

    _click_when_modal("Forget certificate")
    app.onboarding.actions.forget.trigger()
    assert app.identity is None and not IdentityStore().has_identity()
    qtbot.waitUntil(lambda: state_of(app) is State.NO_IDENTITY, timeout=10000)
    assert app.tray.setup_action.isVisible()
    assert not app.onboarding.actions.renew.isEnabled() and not app.onboarding.actions.forget.isEnabled()
    assert "Set up" in app.window.device_fields["our_lfdi"].text()


def test_certificate_expiry_has_one_notifier(qtbot, apps):
    """The alerts engine notifies; the lifecycle code only shows the banner (no second ledger or notice)."""
    from xcelsior_desktop.app.onboarding import lifecycle_ui
    from xcelsior_desktop.onboarding import certificate_lifecycle as identity_lifecycle
    from xcelsior_desktop.platform import paths

    identity = generate_identity(days=20)
    IdentityStore().save(identity)
    app = apps(identity, Settings(), meters=meter_at("127.0.0.1", 9, registered=True))
    app.start()
    app.onboarding.refresh()
    app.set_identity(identity)  # e.g. identity re-read: still one warning
    certificate = [a for a in app.alerts.alerts() if a.kind == "certificate_expiring"]
    assert [a.rule_id for a in certificate] == ["cert-30"]
    assert app.onboarding.banner.isVisible() and app.onboarding.banner.property("level") == "soon"
    assert not hasattr(identity_lifecycle, "NotificationLedger")
    assert not hasattr(lifecycle_ui, "expiry_notification")
    assert not (paths.state_dir() / "expiry-notified.json").exists()


def walk_requests(sim) -> list[str]:
    """GETs only the profile walk makes: the usage point and meter reading listings, the reading types."""
    return [path for path, _ in sim.log.requests if path.startswith(("/upt?", "/upt/1/mr?", "/rt/"))]


def test_restart_reuses_the_saved_meter_profile(qtbot, apps, sim):
    identity = generate_identity()
    first = registered_app(apps, sim, qtbot, identity)
    qtbot.waitUntil(lambda: first.window.device_fields["firmware"].text() not in ("", "\u2014"), timeout=15000)
    cache = ProfileCache()
    qtbot.waitUntil(lambda: cache.firmware(sim.lfdi) is not None, timeout=5000)
    assert len(walk_requests(sim)) >= 20  # the first contact learned the meter's resources
    first.shutdown()

    sim.log.reset()
    settings = Settings.load()
    assert saved_net()["meter_lfdi"] == sim.lfdi  # the next start reads the meter from meters.json
    second = apps(identity, settings)
    readings = Collected()
    second.events.on(DemandRead, lambda event: readings.append(event.measurement))
    second.start()
    qtbot.waitUntil(lambda: len(readings) >= 1, timeout=15000)
    first_request = sim.log.requests[0][0]
    assert walk_requests(sim) == [], sim.log.requests  # the usage point listing was not read: the saved profile was used
    assert first_request.startswith("/upt/") and first_request.endswith("/r")  # straight to the demand reading

    # a damaged file is ignored: the next start walks the meter again and saves a good profile
    second.shutdown()
    cache.path.write_text("{ not json")
    sim.log.reset()
    third = apps(identity, Settings.load())
    readings.clear()
    third.events.on(DemandRead, lambda event: readings.append(event.measurement))
    third.start()
    qtbot.waitUntil(lambda: len(readings) >= 1, timeout=15000)
    assert len(walk_requests(sim)) >= 20  # walked again
    qtbot.waitUntil(lambda: json.loads(cache.path.read_text()).get("meter_lfdi") == sim.lfdi, timeout=5000)
