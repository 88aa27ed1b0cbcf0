"""Expiry banner and renewal against the simulator: the old certificate is used until the new one is accepted."""

from __future__ import annotations

import pytest

from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.onboarding.activation import ActivationTracker
from xcelsior_desktop.platform.secrets import IdentityStore

simulator = pytest.importorskip("xcelsior_desktop.simulator")


def in_window(qtbot, banner):
    """The banner inside a shown window, as in the app (a top-level widget would ignore its hidden state)."""
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    window = QWidget()
    QVBoxLayout(window).addWidget(banner)
    qtbot.addWidget(window)
    window.show()
    banner.window_ref = window  # keep the window alive as long as the banner is used
    return banner


@pytest.mark.parametrize(("days", "level", "visible"), [(400, None, False), (25, "soon", True),
                                                         (5, "urgent", True)])
def test_banner_levels(qtbot, days, level, visible):
    from xcelsior_desktop.app.onboarding.lifecycle_ui import ExpiryBanner

    store = IdentityStore()
    store.save(generate_identity(days=days))
    banner = in_window(qtbot, ExpiryBanner(store))
    assert banner.isVisible() == visible
    if visible:
        assert banner.property("level") == level
        assert "Renew" in banner.text.text() and banner.renew_button.isVisible()
    with qtbot.waitSignal(banner.renew_requested):
        banner.renew_button.click()


def test_renew_switches_when_the_meter_accepts(qtbot):
    from xcelsior_desktop.app.onboarding.lifecycle_ui import ExpiryBanner, RenewDialog

    old = generate_identity(days=6)
    store = IdentityStore()
    store.save(old)
    with simulator.MeterSimulator(host="127.0.0.1", port=0, allowed_certs=[old.cert_pem]) as sim:
        dialog = RenewDialog(store, sim.host, sim.port, tracker=ActivationTracker(base_s=0.3, cap_s=0.6))
        qtbot.addWidget(dialog)
        assert dialog.begin()
        dialog.show()
        new = dialog.pending
        assert new is not None and new.lfdi != old.lfdi
        assert dialog.lfdi.portal_text == new.portal_lfdi
        banner = in_window(qtbot, ExpiryBanner(store))
        assert banner.isVisible() and banner.property("level") == "renewing"
        tracker = dialog.watcher.tracker
        qtbot.waitUntil(lambda: tracker.state is not None and tracker.state.attempts >= 1, timeout=15000)
        current = store.load()
        assert current is not None and current.lfdi == old.lfdi  # still the old one
        with qtbot.waitSignal(dialog.switched, timeout=15000) as switched:
            sim.register(new.cert_pem)
        assert switched.args[0].lfdi == new.lfdi
        current = store.load()
        assert current is not None and current.lfdi == new.lfdi
        assert not store.has_identity("pending")
        banner.refresh()
        assert not banner.isVisible()  # the new certificate has three years ahead of it
