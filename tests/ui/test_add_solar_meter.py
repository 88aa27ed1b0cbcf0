"""Adding the household's solar meter in the running app, against a two-meter household of simulators over real
mutual TLS: the same certificate registered on the second meter, or one of its own kept in the keyring and loaded
again after a restart; the net meter's address refused as the solar meter's; a wait that goes on through the solar
meter's own session (the net meter reading throughout), and a wait closed early that a restart carries on."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.app.onboarding.wizard import PAGE_DONE, PAGE_IDENTITY, PAGE_METER, PAGE_REGISTER, PAGE_WAITING
from xcelsior_desktop.meter.identity import Identity, generate_identity, portal_form
from xcelsior_desktop.onboarding.activation import ActivationTracker
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.events import DemandRead
from xcelsior_desktop.session.meters_file import load_records, save_target
from xcelsior_desktop.session.poller import State
from xcelsior_desktop.session.target import NET, PRODUCTION, MeterTarget
from xcelsior_desktop.simulator.household import HouseholdMeters

NOON = 1_781_805_600.0  # 2026-06-18 12:00 Denver: the sun is up
FAST = {"handshake_timeout": 3.0, "read_timeout": 3.0, "connect_timeout": 1.0}


@pytest.fixture
def household() -> Iterator[tuple[Identity, HouseholdMeters]]:
    """The net meter knows this computer; the solar meter does not yet."""
    identity = generate_identity()
    started = time.monotonic()
    meters = HouseholdMeters(5, host="127.0.0.1", mdns=False,
                             clock=lambda: NOON + (time.monotonic() - started)).start()
    meters.net.register(identity.cert_pem)
    IdentityStore().save(identity)
    yield identity, meters
    meters.stop()


@pytest.fixture
def apps(qapp) -> Iterator:  # type: ignore[type-arg]
    made: list[XcelsiorApp] = []

    def make(identity: Identity, targets: list[MeterTarget] | None = None) -> XcelsiorApp:
        app = XcelsiorApp(qapp, identity=identity, settings=Settings(poll_interval_s=2, home_timezone="America/Denver"),
                          meters=targets, discovery_interfaces=["127.0.0.1"], worker_options=FAST)
        app.setup_discovery_timeout_s = 0.3
        made.append(app)
        return app

    yield make
    for app in made:
        app.shutdown()


def records() -> dict[str, dict]:  # type: ignore[type-arg]
    return {r["role"]: r for r in load_records() or []}


def state(app: XcelsiorApp, role: str) -> State | None:
    return app.meters.runtime(role).session.state  # type: ignore[arg-type]


def net_target(meters: HouseholdMeters) -> MeterTarget:
    return MeterTarget(host=meters.net.host, port=meters.net.port, automatic=False, registered=True)


def test_adding_the_solar_meter_registers_the_same_certificate_on_it(qtbot, apps, household) -> None:  # type: ignore[no-untyped-def]
    identity, meters = household
    app = apps(identity, [net_target(meters)])
    app.start()
    qtbot.waitUntil(lambda: state(app, NET) is State.CONNECTED, timeout=20000)
    assert app.tray.add_solar_action.isVisible()
    net_readings: list[float] = []
    app.events.on(DemandRead, lambda event: net_readings.append(event.measurement.value))

    app.open_add_solar()
    wizard = app._wizard
    assert wizard is not None and wizard.currentId() == PAGE_IDENTITY  # which certificate: the same, by default
    assert wizard.choice_page is not None and wizard.choice_page.same_radio.isChecked()
    wizard.next()
    assert wizard.currentId() == PAGE_REGISTER
    assert wizard.register_page.lfdi.portal_text == portal_form(identity.lfdi)
    assert "solar" in wizard.register_page.title().lower()
    wizard.next()
    assert wizard.currentId() == PAGE_METER
    qtbot.waitUntil(lambda: not wizard.meter_page.searching, timeout=5000)
    wizard.meter_page.manual_radio.setChecked(True)
    wizard.meter_page.address.setText(f"{meters.net.host}:{meters.net.port}")  # the net meter's: refused
    wizard.next()
    assert wizard.currentId() == PAGE_METER
    assert "net meter" in wizard.meter_page.message.text()
    wizard.meter_page.address.setText(f"{meters.production.host}:{meters.production.port}")
    wizard.next()
    assert wizard.currentId() == PAGE_WAITING
    # the solar meter has its own session now, idle until it accepts; its record is saved for a restart
    assert app.meters.has(PRODUCTION) and app.solar_panel is not None
    assert records()[PRODUCTION]["port"] == meters.production.port
    assert records()[PRODUCTION]["registered_lfdi"] is None
    tracker = wizard.watcher.tracker
    qtbot.waitUntil(lambda: tracker.state is not None and tracker.state.attempts >= 1, timeout=15000)
    assert tracker.state is not None and tracker.state.role == PRODUCTION and tracker.state.last_outcome == "refused"
    assert meters.production.log.requests == []  # a refused certificate only ever sees handshakes

    with qtbot.waitSignal(wizard.setup_complete, timeout=15000):
        meters.production.register(identity.cert_pem)
        wizard.watcher.check_now()
    assert wizard.currentId() == PAGE_DONE
    assert "solar meter" in wizard.done_page.summary.text()
    qtbot.waitUntil(lambda: state(app, PRODUCTION) is State.CONNECTED, timeout=20000)
    panel = app.solar_panel
    qtbot.waitUntil(lambda: panel.production_watts is not None, timeout=15000)
    saved = records()[PRODUCTION]
    assert saved["meter_lfdi"] == meters.production.lfdi and saved["registered_lfdi"] == identity.lfdi
    assert records()[NET]["meter_lfdi"] == meters.net.lfdi  # the net meter's record untouched
    qtbot.waitUntil(lambda: len(net_readings) >= 2, timeout=10000)  # the net meter reads on
    assert state(app, NET) is State.CONNECTED
    assert not app.tray.add_solar_action.isVisible()
    wizard.accept()
    qtbot.waitUntil(lambda: app._wizard is None, timeout=5000)


def test_a_solar_meter_wait_closed_early_goes_on_after_a_restart(qtbot, apps, household) -> None:  # type: ignore[no-untyped-def]
    identity, meters = household
    # what an earlier run left: both meters' records (the solar one not yet accepted) and the wait for it
    save_target(net_target(meters).replace(identity=identity))
    save_target(MeterTarget(host=meters.production.host, port=meters.production.port, automatic=False,
                            role=PRODUCTION))
    ActivationTracker().start(identity.lfdi, role=PRODUCTION)

    app = apps(identity)
    app.start()
    assert app.onboarding is not None and app.onboarding.waiting and app.onboarding.waiting_for == PRODUCTION
    # the net meter is not held up, and the tray's own state stays the net meter's
    qtbot.waitUntil(lambda: app.status is not None and app.status.state is State.CONNECTED, timeout=20000)
    watcher = app.onboarding.watcher
    assert watcher is not None
    qtbot.waitUntil(lambda: watcher.tracker.state.attempts >= 1, timeout=15000)
    assert "waiting for registration" in app.tray.meter_line.text().lower()
    assert meters.production.log.requests == []

    meters.production.register(identity.cert_pem)
    watcher.check_now()
    qtbot.waitUntil(lambda: state(app, PRODUCTION) is State.CONNECTED, timeout=20000)
    assert records()[PRODUCTION]["meter_lfdi"] == meters.production.lfdi
    accepted = [a for a in app.alerts.alerts() if a.kind == "activation"]
    assert len(accepted) == 1 and "solar meter" in accepted[0].title
    assert not ActivationTracker().waiting


def test_a_solar_meter_with_its_own_certificate_reads_again_after_a_restart(qtbot, apps, household) -> None:  # type: ignore[no-untyped-def]
    identity, meters = household
    app = apps(identity, [net_target(meters)])
    app.start()
    qtbot.waitUntil(lambda: state(app, NET) is State.CONNECTED, timeout=20000)
    app.open_add_solar()
    wizard = app._wizard
    wizard.choice_page.own_radio.setChecked(True)
    wizard.next()
    own = wizard.identity
    assert own is not None and own.lfdi != identity.lfdi
    assert IdentityStore().load("production").lfdi == own.lfdi  # kept in the keyring, in its own slot
    assert IdentityStore().load().lfdi == identity.lfdi  # the net meter's certificate untouched
    assert wizard.register_page.lfdi.portal_text == portal_form(own.lfdi)
    wizard.next()
    qtbot.waitUntil(lambda: not wizard.meter_page.searching, timeout=5000)
    wizard.meter_page.manual_radio.setChecked(True)
    wizard.meter_page.address.setText(f"{meters.production.host}:{meters.production.port}")
    wizard.next()
    assert wizard.currentId() == PAGE_WAITING
    assert records()[PRODUCTION]["certificate"] == "production"
    with qtbot.waitSignal(wizard.setup_complete, timeout=15000):
        meters.production.register(own.cert_pem)  # only the solar meter knows the new certificate
        wizard.watcher.check_now()
    qtbot.waitUntil(lambda: state(app, PRODUCTION) is State.CONNECTED, timeout=20000)
    assert records()[PRODUCTION]["registered_lfdi"] == own.lfdi
    assert own.lfdi not in meters.net.registered_lfdis
    wizard.accept()
    app.shutdown()

    again = apps(identity)  # a restart: the solar meter's record names its slot, and its certificate is loaded
    assert again.meters.target(PRODUCTION).identity is not None
    assert again.meters.target(PRODUCTION).identity.lfdi == own.lfdi and again.meters.target(PRODUCTION).registered
    again.start()
    qtbot.waitUntil(lambda: state(again, PRODUCTION) is State.CONNECTED and state(again, NET) is State.CONNECTED,
                    timeout=20000)
