"""The waiting-for-activation schedule: back-off, persistence across restarts, outcomes in words."""

from __future__ import annotations

import random

from xcelsior_desktop.meter.errors import CertificateRefused, IdentityMismatch, MeterBusy, Unreachable
from xcelsior_desktop.onboarding.activation import ActivationTracker, classify, format_duration


class Clock:
    def __init__(self, t: float = 1_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def tracker(tmp_path, clock, **kw):
    return ActivationTracker(tmp_path / "activation.json", clock=clock, rng=random.Random(1), **kw)


def test_backoff_doubles_up_to_the_cap(tmp_path):
    t = tracker(tmp_path, Clock(), base_s=20, cap_s=900, jitter=0)
    assert [t.delay_after(n) for n in range(1, 9)] == [20, 40, 80, 160, 320, 640, 900, 900]
    jittery = tracker(tmp_path, Clock(), base_s=20, cap_s=900, jitter=0.1)
    assert all(18 <= jittery.delay_after(1) <= 22 for _ in range(50))


def test_probe_cycle_and_acceptance(tmp_path):
    clock = Clock()
    t = tracker(tmp_path, clock, jitter=0)
    assert not t.waiting and t.seconds_until_next() is None
    t.start("A" * 40)
    assert t.due()
    assert t.record(False, CertificateRefused("x")) == "refused"
    assert not t.due() and t.seconds_until_next() == 20
    clock.t += 19
    assert not t.due()
    clock.t += 1
    assert t.due()
    assert t.record(False, Unreachable("x")) == "unreachable"
    assert t.seconds_until_next() == 40
    assert "Waiting for activation for 20 s" in t.status_text()
    assert "Next check in 40 s" in t.status_text()
    t.probe_now()
    assert t.due()
    assert t.record(True) == "accepted"
    assert not t.waiting and t.state is not None and t.state.accepted
    assert "accepted" in t.status_text()


def test_state_survives_a_restart(tmp_path):
    clock = Clock()
    t = tracker(tmp_path, clock, jitter=0)
    t.start("A" * 40, role="production")
    for _ in range(3):
        t.record(False, CertificateRefused("x"))
    clock.t += 3600 * 30  # the app was closed for more than a day
    again = tracker(tmp_path, clock, jitter=0)
    assert again.waiting and again.state is not None
    assert (again.state.role, again.state.attempts) == ("production", 3)
    assert again.due()  # the probe fell due while closed: check at once
    assert "1 day 6 h" in again.status_text()
    again.clear()
    assert not tracker(tmp_path, clock).waiting


def test_corrupt_state_is_ignored(tmp_path):
    (tmp_path / "activation.json").write_text("{not json")
    assert not tracker(tmp_path, Clock()).waiting


def test_classify_and_durations():
    assert classify(True, None) == "accepted"
    assert classify(False, None) == "refused"
    assert classify(False, MeterBusy("x")) == "busy"
    assert classify(False, IdentityMismatch("x")) == "mismatch"
    assert classify(False, ValueError("x")) == "error"
    assert [format_duration(s) for s in (5, 125, 3600, 3900, 86400, 200000)] == [
        "5 s", "2 min", "1 h", "1 h 5 min", "1 day", "2 days 7 h"]
