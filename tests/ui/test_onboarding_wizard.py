"""The setup wizard driven by pytest-qt against the meter simulator over real TLS, in the three cases:
the certificate already registered, not registered yet, and registered while the wizard waits."""

from __future__ import annotations

from pathlib import Path

import pytest

from xcelsior_desktop.meter.identity import generate_identity, sfdi_from_lfdi
from xcelsior_desktop.onboarding.activation import ActivationTracker
from xcelsior_desktop.onboarding.certificate_lifecycle import export_identity
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.session.meters_file import load_records
from xcelsior_desktop.session.target import MeterTarget

pytest.importorskip("PySide6")


@pytest.fixture
def sim(start_simulator):
    return start_simulator(mdns=False, seed=3)  # no certificate registered: the wizard registers


def no_discovery(_timeout: float) -> list:
    return []


def make_wizard(qtbot, **kw):
    from xcelsior_desktop.app.onboarding.wizard import SetupWizard

    tracker = ActivationTracker(base_s=0.3, cap_s=0.6)
    wizard = SetupWizard(store=IdentityStore(), tracker=tracker, discover=no_discovery,
                         discovery_timeout_s=0.5, **kw)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def go_to_waiting(qtbot, wizard, sim, *, import_files: list[Path] | None = None):
    from xcelsior_desktop.app.onboarding.wizard import PAGE_IDENTITY, PAGE_METER, PAGE_REGISTER, PAGE_WAITING

    wizard.next()
    assert wizard.currentId() == PAGE_IDENTITY
    if import_files:
        wizard.identity_page.add_files(import_files)
    wizard.next()
    assert wizard.currentId() == PAGE_REGISTER, wizard.identity_page.message.text()
    shown = wizard.register_page.lfdi.portal_text
    assert shown == wizard.identity.portal_lfdi and len(shown.split("-")) == 8
    wizard.next()
    assert wizard.currentId() == PAGE_METER
    qtbot.waitUntil(lambda: not wizard.meter_page.searching, timeout=5000)
    wizard.meter_page.manual_radio.setChecked(True)
    wizard.meter_page.address.setText(f"{sim.host}:{sim.port}")
    assert wizard.meter_page.isComplete()
    wizard.next()
    assert wizard.currentId() == PAGE_WAITING


def test_already_registered(qtbot, sim, tmp_path):
    """A certificate made earlier (e.g. by another tool) and already activated: imported, accepted at once."""
    from xcelsior_desktop.app.onboarding.wizard import PAGE_DONE

    existing = generate_identity()
    cert, key = tmp_path / ".cert.pem", tmp_path / ".key.pem"
    export_identity(existing, cert, key)
    sim.register(existing.cert_pem)
    wizard = make_wizard(qtbot)
    with qtbot.waitSignal(wizard.setup_complete, timeout=15000) as done:
        go_to_waiting(qtbot, wizard, sim, import_files=[cert, key])
    assert done.args[0].lfdi == existing.lfdi
    assert wizard.currentId() == PAGE_DONE
    saved = saved_net()
    assert saved["meter_lfdi"] == sim.lfdi
    assert MeterTarget.from_record(saved, None).meter_sfdi == sfdi_from_lfdi(sim.lfdi)
    assert (saved["host"], saved["port"]) == (sim.host, sim.port)
    assert saved["registered_lfdi"] == existing.lfdi
    stored = IdentityStore().load()
    assert stored is not None and stored.lfdi == existing.lfdi
    assert "in-memory test keyring" in wizard.done_page.summary.text()


def test_not_yet_registered_keeps_waiting_across_a_restart(qtbot, sim):
    """Not activated: the wizard says so, keeps probing with back-off, and the wait survives closing the app."""
    from xcelsior_desktop.app.onboarding.activation_watcher import resume_background_activation

    wizard = make_wizard(qtbot)
    go_to_waiting(qtbot, wizard, sim)
    tracker = wizard.watcher.tracker
    qtbot.waitUntil(lambda: tracker.state is not None and tracker.state.attempts >= 2, timeout=15000)
    assert tracker.state is not None and tracker.state.last_outcome == "refused"
    assert not wizard.waiting_page.isComplete()
    assert "does not accept the certificate yet" in wizard.waiting_page.status.text()
    from PySide6.QtWidgets import QLabel

    assert any("minutes to several days" in label.text() for label in wizard.waiting_page.findChildren(QLabel))
    assert sim.log.refused_handshakes >= 2
    identity = wizard.identity
    wizard.close()
    assert saved_net()["meter_lfdi"] is None and saved_net()["host"] == sim.host  # placed, not pinned

    # "restart": the app finds the saved wait, resumes it, pins the meter when it accepts
    restarted = ActivationTracker()
    assert restarted.waiting and restarted.state is not None and restarted.state.lfdi == identity.lfdi
    assert restarted.state.role == "net" and restarted.state.attempts >= 2
    assert saved_net()["automatic"] is False  # the address was typed
    watcher = resume_background_activation(IdentityStore())
    assert watcher is not None and watcher.active
    with qtbot.waitSignal(watcher.accepted, timeout=30000) as accepted:
        sim.register(identity.cert_pem)
        watcher.check_now()  # the saved back-off would wait minutes; "Check now" probes at once
    assert accepted.args[0].meter_lfdi == sim.lfdi
    assert not ActivationTracker().waiting
    assert (saved_net()["meter_lfdi"], saved_net()["host"]) == (sim.lfdi, sim.host)
    assert resume_background_activation(IdentityStore()) is None  # nothing waits any more


def test_registered_while_waiting(qtbot, sim):
    from xcelsior_desktop.app.onboarding.wizard import PAGE_DONE

    wizard = make_wizard(qtbot)
    go_to_waiting(qtbot, wizard, sim)
    tracker = wizard.watcher.tracker
    qtbot.waitUntil(lambda: tracker.state is not None and tracker.state.attempts >= 1, timeout=15000)
    assert not wizard.waiting_page.isComplete()
    with qtbot.waitSignal(wizard.setup_complete, timeout=15000):
        sim.register(wizard.identity.cert_pem)
    assert wizard.currentId() == PAGE_DONE
    assert saved_net()["meter_lfdi"] == sim.lfdi
    assert tracker.state is not None and tracker.state.accepted


def test_the_meter_page_is_searching_until_the_answer_is_shown(qtbot):
    """The search's thread ends a moment before its queued answer reaches the page: until then the page still
    says it is searching, so whoever waits for the search to end finds its answer there."""
    from xcelsior_desktop.app.onboarding.meter_page import MeterPage
    from xcelsior_desktop.meter.discovery import DiscoveredMeter

    found = DiscoveredMeter("192.0.2.7", 8081, 123, "/dcap", "meter")
    page = MeterPage(lambda _timeout: [found], timeout_s=8.0)
    qtbot.addWidget(page)
    page.initializePage()
    call = page._call
    assert call is not None
    call.join(5)  # the thread is done; its answer is queued, not yet delivered
    assert page.searching and page.chosen() is None
    qtbot.waitUntil(lambda: not page.searching)
    assert page.chosen() == ("192.0.2.7", 8081, False)


def test_meter_page_finds_the_simulator_by_mdns(qtbot, start_simulator):
    """The search runs off the GUI thread with progress, on loopback only, and lists the meter it found."""
    from xcelsior_desktop.app.onboarding.meter_page import MeterPage
    from xcelsior_desktop.meter.discovery import discover

    sim = start_simulator(mdns=True, mdns_interfaces=["127.0.0.1"])
    page = MeterPage(lambda timeout: discover(timeout, interfaces=["127.0.0.1"], sfdi=sim.sfdi), timeout_s=8.0)
    qtbot.addWidget(page)
    page.show()
    page.initializePage()
    assert page.searching and not page.isComplete()
    qtbot.waitUntil(lambda: not page.searching, timeout=15000)
    assert page.chosen() == (sim.host, sim.port, False), page.message.text()
    assert str(sim.sfdi) in page.results.item(0).text()
    assert page.progress.value() == 1000 and "Found 1 meter" in page.search_status.text()


def saved_net() -> dict:  # type: ignore[type-arg]
    """The net meter's record as meters.json has it."""
    return next(r for r in load_records() or [] if r["role"] == "net")
