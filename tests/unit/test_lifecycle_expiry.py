"""Expiry warnings at 30 and 7 days, notified once each, read from the record without unlocking the keyring."""

from __future__ import annotations

import datetime as dt

import pytest

from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.onboarding.certificate_lifecycle import expiry_status, stored_expiry
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.platform.secrets.memory_keyring import MemoryKeyring

NOW = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("days", "level", "threshold"),
    [(400, "ok", None), (30.5, "ok", None), (30, "soon", 30), (8, "soon", 30), (7, "urgent", 7),
     (0.5, "urgent", 7), (0, "expired", None), (-3, "expired", None)],
)
def test_levels(days, level, threshold):
    status = expiry_status(NOW + dt.timedelta(days=days), NOW)
    assert status.level == level
    assert status.threshold == threshold
    assert status.needs_attention == (level != "ok")


def test_messages_say_what_to_do():
    soon = expiry_status(NOW + dt.timedelta(days=20), NOW)
    assert "in 20 days" in soon.message and "March 21, 2027" in soon.message and "Renew" in soon.message
    urgent = expiry_status(NOW + dt.timedelta(days=0.8), NOW)
    assert "tomorrow" in urgent.message and "take days" in urgent.message
    expired = expiry_status(NOW - dt.timedelta(days=1), NOW)
    assert "expired" in expired.message and "LFDI" in expired.message




def test_stored_expiry_needs_no_unlock():
    ident = generate_identity(days=10)
    store = IdentityStore()
    assert stored_expiry(store) is None
    store.save(ident)
    MemoryKeyring.set_locked(True)
    status = stored_expiry(store)
    assert status is not None and status.level == "soon"
    assert 9 < status.days_left <= 10
