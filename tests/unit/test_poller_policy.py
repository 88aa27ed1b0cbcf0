"""The polling policy and state machine, driven by a fake clock."""

import random

import pytest

from tests.poller_support import poller_kwargs, target_box
from xcelsior_desktop.meter import errors
from xcelsior_desktop.session.poller import BACKOFF, Failure, Poller, State, Task, classify


class Clock:
    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = 1_700_000_000.0

    def advance(self, seconds: float, *, asleep: bool = False) -> None:
        self.wall += seconds
        if not asleep:
            self.mono += seconds


@pytest.fixture
def clock():
    return Clock()


def make(clock, **kw) -> Poller:
    kw.setdefault("rng", random.Random(1))
    return Poller(monotonic=lambda: clock.mono, wall=lambda: clock.wall, **poller_kwargs(kw))


def run_all(poller: Poller) -> list[Task]:
    tasks = poller.due()
    for task in tasks:
        poller.succeeded(task)
    return tasks


def test_first_contact_then_steady_schedule(clock):
    p = make(clock)
    assert p.state is State.CONNECTING
    assert run_all(p) == [Task.DEMAND, Task.DEVICE_INFO, Task.REGISTERS]
    assert p.state is State.CONNECTED
    counts = {t: 0 for t in Task}
    for _ in range(600):  # ten minutes in 1 s steps
        clock.advance(1)
        for task in run_all(p):
            counts[task] += 1
    assert counts[Task.DEVICE_INFO] == 0  # once only
    assert counts[Task.DEMAND] == 120  # every 5 s
    assert counts[Task.REGISTERS] == 10  # every minute


def test_interval_never_below_two_seconds(clock):
    p = make(clock, interval_s=0.5)
    assert p.interval_s == 2.0
    run_all(p)
    assert p.wait_s() == pytest.approx(2.0)


def test_refused_before_and_after_registration(clock):
    target = target_box()
    p = make(clock, target=target)
    p.failed(p.due()[0], Failure.REFUSED)
    assert p.state is State.WAITING_REGISTRATION
    assert p.wait_s() == pytest.approx(BACKOFF[Failure.REFUSED].first_s, rel=0.11)
    clock.advance(p.wait_s() or 0)
    run_all(p)
    target.change(registered=True)  # the session notes that the meter accepted the certificate
    assert p.state is State.CONNECTED and p.ever_registered
    clock.advance(5)
    p.failed(p.due()[0], Failure.REFUSED)
    assert p.state is State.CERT_REFUSED  # it worked before: something changed on Xcel's side


def test_busy_state(clock):
    p = make(clock)
    p.failed(Task.DEVICE_INFO, Failure.BUSY)
    assert p.state is State.BUSY
    assert p.due() == []


def test_transient_error_on_good_connection_keeps_state_then_goes_stale(clock):
    p = make(clock)
    run_all(p)
    start = clock.mono
    clock.advance(5)
    p.failed(p.due()[0], Failure.TRANSIENT, "empty body")
    assert p.state is State.CONNECTED  # one bad reading is not a broken connection
    for _ in range(20):
        if clock.mono - start > p.stale_after_s + 1:
            break
        clock.advance(max(0.5, p.wait_s() or 0))
        for task in p.due():
            p.failed(task, Failure.TRANSIENT, "empty body")
    assert p.state is State.STALE
    assert p.status().since == pytest.approx(clock.wall - (clock.mono - 1000.0), abs=1)


def test_stale_wakes_the_worker(clock):
    p = make(clock, interval_s=60, register_interval_s=60)
    run_all(p)
    assert p.wait_s() == pytest.approx(60)


def test_mismatch_in_automatic_mode_relocates(clock):
    p = make(clock, automatic_address=True)
    run_all(p)
    clock.advance(5)
    p.failed(Task.DEMAND, Failure.MISMATCH)
    assert p.state is State.MISMATCH
    assert p.due() == [Task.LOCATE]
    assert p.due() == []  # one search at a time
    p.located(True)
    assert p.state is State.CONNECTING
    assert Task.DEVICE_INFO in p.due()


def test_no_address_locates_and_retries_with_backoff(clock):
    p = make(clock, has_address=False, automatic_address=True)
    assert p.state is State.LOCATING
    assert p.due() == [Task.LOCATE]
    p.located(False, "no meter answered")
    assert p.state is State.LOCATING
    assert p.status().next_retry is not None
    assert p.wait_s() == pytest.approx(BACKOFF[Failure.NOT_FOUND].first_s)
    clock.advance(p.wait_s() or 0)
    assert p.due() == [Task.LOCATE]
    p.located(False)
    assert p.wait_s() == pytest.approx(BACKOFF[Failure.NOT_FOUND].first_s * 2)


def test_repeatedly_unreachable_in_automatic_mode_also_searches(clock):
    p = make(clock, automatic_address=True)
    run_all(p)
    seen = set()
    for _ in range(4):
        clock.advance(p.wait_s() or 0)
        for task in p.due():
            seen.add(task)
            if task is not Task.LOCATE:
                p.failed(task, Failure.UNREACHABLE)
    assert Task.LOCATE in seen
    assert p.state is State.UNREACHABLE


def test_no_identity_does_nothing_until_setup(clock):
    target = target_box(has_identity=False)
    p = make(clock, target=target)
    assert p.state is State.NO_IDENTITY
    assert p.due() == [] and p.wait_s() is None
    target.change(identity=target_box().value.identity)  # setup finished: the session's target has one
    p.identity_changed()
    assert p.state is State.CONNECTING
    assert Task.DEVICE_INFO in p.due()


def test_pause_and_resume(clock):
    p = make(clock)
    run_all(p)
    p.set_paused(True)
    assert p.state is State.PAUSED
    clock.advance(100)
    assert p.due() == [] and p.wait_s() is None
    p.set_paused(False)
    assert p.state is State.STALE  # 100 s without a value
    assert Task.DEMAND in run_all(p)
    assert p.state is State.CONNECTED


def test_sleep_detected_by_wall_clock_jump(clock):
    p = make(clock)
    run_all(p)
    p.failed(Task.DEMAND, Failure.UNREACHABLE)
    p.failed(Task.DEMAND, Failure.UNREACHABLE)
    assert not p.clock_check()
    clock.advance(5)
    assert not p.clock_check()
    clock.advance(3600, asleep=True)  # Linux/macOS: monotonic stops during suspend
    assert p.clock_check()
    assert p.due() == []  # grace period for the Wi-Fi
    clock.advance(3.5)
    assert Task.DEMAND in p.due()


def test_sleep_detected_by_late_timer(clock):
    p = make(clock)
    run_all(p)
    assert not p.clock_check()  # the worker's loop: wake, check clocks, run due tasks, ask how long to wait
    assert p.wait_s() == pytest.approx(5.0)
    clock.advance(600)  # Windows: monotonic keeps running, the timer fired very late
    assert p.clock_check()


def test_classify():
    assert classify(errors.CertificateRefused()) is Failure.REFUSED
    assert classify(errors.MeterBusy()) is Failure.BUSY
    assert classify(errors.Unreachable()) is Failure.UNREACHABLE
    assert classify(errors.IdentityMismatch(expected="A", found="B")) is Failure.MISMATCH
    assert classify(errors.ProtocolError()) is Failure.TRANSIENT
    assert classify(ConnectionResetError()) is Failure.UNREACHABLE
