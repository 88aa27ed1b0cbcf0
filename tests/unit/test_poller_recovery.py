"""Recovery policy, driven by an injected clock: "Connected" only after a reading,
TCP probes while the meter is away, fixed short cadences, a live "next try", and "Retry now"."""

from __future__ import annotations

import random

import pytest

from tests.clocks import SteppedClock
from tests.poller_support import poller_kwargs, target_box
from xcelsior_desktop.meter import errors
from xcelsior_desktop.session.poller import (
    BACKOFF,
    PROBE_EVERY_S,
    QUICK_RETRY_S,
    REFUSED_QUICK_FOR_S,
    Failure,
    Poller,
    State,
    Task,
    classify,
)


@pytest.fixture
def clock() -> SteppedClock:
    return SteppedClock(1000.0, 1_790_000_000.0)


def make(clock: SteppedClock, **kw) -> Poller:  # type: ignore[no-untyped-def]
    kw.setdefault("rng", random.Random(7))
    return Poller(monotonic=lambda: clock.mono, wall=lambda: clock.wall, **poller_kwargs(kw))


def connect(p: Poller) -> None:
    for task in p.due():
        p.succeeded(task)
    assert p.state is State.CONNECTED


class Meter:
    """What the meter does to the poller's tasks: away (port closed) or answering."""

    def __init__(self) -> None:
        self.away = False
        self.connection_attempts: list[float] = []  # TCP connects the meter sees (probes and handshakes)
        self.handshakes: list[float] = []
        self.watts_at: list[float] = []

    def run(self, p: Poller, clock: SteppedClock) -> None:
        for task in p.due():
            if task is Task.PROBE:
                self.connection_attempts.append(clock.mono)
                p.probed(not self.away)
                continue
            if task is Task.DEMAND:
                self.connection_attempts.append(clock.mono)
                if not self.away:
                    self.handshakes.append(clock.mono)
            if self.away:
                p.failed(task, Failure.UNREACHABLE, "refused")
                break
            p.succeeded(task)
            if task is Task.DEMAND:
                self.watts_at.append(clock.mono)


def step(p: Poller, clock: SteppedClock, meter: Meter, until: float) -> None:
    """Run the poller's loop (wake, run what is due, sleep as told) until ``until``."""
    while clock.mono < until:
        meter.run(p, clock)
        wait = p.wait_s()
        clock.advance(min(until - clock.mono, wait if wait is not None else until - clock.mono) or 0.01)


# -- "Connected" means a reading arrived ----------------------------------------------------------------------

def test_device_info_alone_is_not_connected(clock):
    p = make(clock)
    assert p.due() == [Task.DEMAND, Task.DEVICE_INFO, Task.REGISTERS]
    p.failed(Task.DEMAND, Failure.TRANSIENT, "The meter sent an answer that could not be understood.")
    p.succeeded(Task.DEVICE_INFO)
    p.succeeded(Task.REGISTERS)
    status = p.status()
    assert status.state is State.STALE  # "No fresh readings", with what is wrong
    assert "could not be understood" in status.detail
    assert status.last_reading is None
    clock.advance(p.wait_s() or 0)
    assert p.due() == [Task.DEMAND]  # the demand read is retried soon, the others stay on schedule
    p.succeeded(Task.DEMAND)
    assert p.state is State.CONNECTED


def test_registers_after_an_outage_do_not_claim_connected(clock):
    p = make(clock)
    connect(p)
    clock.advance(5)
    p.failed(Task.DEMAND, Failure.UNREACHABLE, "refused")
    p.succeeded(Task.REGISTERS)
    assert p.state is State.UNREACHABLE


# -- a stall or garbage on a working connection: a short fixed cadence --------------------------------------

def test_transient_failures_retry_on_a_fixed_short_cadence(clock):
    p = make(clock, interval_s=2)
    connect(p)
    waits = []
    for _ in range(30):
        clock.advance(p.wait_s() or 0)
        for task in p.due():
            p.failed(task, Failure.TRANSIENT, "no answer within 10 s")
        waits.append(p.wait_s())
    assert max(w for w in waits if w is not None) <= QUICK_RETRY_S + 1e-9
    assert p.state is State.STALE
    clock.advance(p.wait_s() or 0)
    for task in p.due():
        p.succeeded(task)
    assert p.state is State.CONNECTED


def test_read_timeout_is_a_stall_not_unreachable():
    assert classify(errors.ReadTimeout("stall")) is Failure.STALLED
    assert classify(errors.Unreachable("refused")) is Failure.UNREACHABLE


def test_a_stall_pauses_every_read_briefly_and_says_why(clock):
    p = make(clock)
    connect(p)
    clock.advance(60)
    assert p.due() == [Task.DEMAND, Task.REGISTERS]
    p.succeeded(Task.DEMAND)
    p.failed(Task.REGISTERS, Failure.STALLED, "did not answer a request in time")
    assert p.state is State.CONNECTED and p.status().detail == "did not answer a request in time"
    clock.advance(5)  # the demand falls due: it waits for the pause too (a read now meets the same stall)
    assert p.due() == []
    waits = []
    for _ in range(12):
        clock.advance(p.wait_s() or 0)
        tasks = p.due()
        if tasks:  # (a wake-up may only be the one that shows "stale")
            p.failed(tasks[0], Failure.STALLED, "did not answer a request in time")
            waits.append(p.wait_s() or 0)
    assert p.state is State.STALE and "in time" in p.status().detail
    assert max(waits) <= QUICK_RETRY_S


def test_a_stall_at_first_contact_is_not_unreachable(clock):
    p = make(clock)
    p.failed(p.due()[0], Failure.STALLED, "did not answer a request in time")
    assert p.state is State.STALE


# -- away: TCP probes, no handshakes, and watts soon after the meter answers again -------------------------

@pytest.mark.parametrize("outage_s", [30, 600, 6 * 3600])
def test_outage_of_any_length_probes_kindly_and_recovers_within_seconds(clock, outage_s):
    p = make(clock)
    meter = Meter()
    connect(p)
    start = clock.mono
    meter.away = True
    step(p, clock, meter, start + outage_s)
    assert p.state is State.UNREACHABLE
    assert meter.handshakes == []  # not one handshake while the port was closed
    attempts = meter.connection_attempts
    for i, t in enumerate(attempts):  # at most 6 connection attempts in any minute
        assert sum(1 for u in attempts[i:] if u < t + 60) <= 6
    back = clock.mono
    meter.away = False
    step(p, clock, meter, back + 60)
    assert meter.watts_at and meter.watts_at[0] - back <= PROBE_EVERY_S * 1.05 + 1e-6
    assert len(meter.handshakes) >= 1 and p.state is State.CONNECTED


def test_probe_in_flight_then_answer(clock):
    p = make(clock)
    connect(p)
    clock.advance(5)
    p.failed(Task.DEMAND, Failure.UNREACHABLE, "refused")
    assert p.due() == []  # nothing until the probe is due
    clock.advance(p.wait_s() or 0)
    assert p.due() == [Task.PROBE]
    assert p.due() == []  # one probe at a time
    assert p.status().next_retry == pytest.approx(clock.wall)  # in flight: "now"
    p.probed(True)
    assert p.due()[0] is Task.DEMAND  # the port answers: handshake and read at once


def test_busy_retries_on_a_fixed_cadence(clock):
    p = make(clock)
    connect(p)
    waits = []
    for _ in range(20):
        clock.advance(p.wait_s() or 0)
        for task in p.due():
            p.failed(task, Failure.BUSY, "another program holds the connection")
            break
        waits.append(p.wait_s() or 0)
    assert p.state is State.BUSY
    assert all(PROBE_EVERY_S <= w <= PROBE_EVERY_S * 1.05 for w in waits)


def test_failed_probes_look_for_a_moved_meter_in_automatic_mode(clock):
    p = make(clock, automatic_address=True)
    connect(p)
    clock.advance(5)
    p.failed(Task.DEMAND, Failure.UNREACHABLE)
    seen = set()
    for _ in range(4):
        clock.advance(p.wait_s() or 0)
        for task in p.due():
            seen.add(task)
            if task is Task.PROBE:
                p.probed(False, "port closed")
    assert Task.LOCATE in seen


# -- the "next try in N s" and "Retry now" ---------------------------------------------------------------------

def test_next_retry_is_the_wall_time_of_the_next_attempt(clock):
    p = make(clock)
    connect(p)
    clock.advance(5)
    p.failed(Task.DEMAND, Failure.UNREACHABLE)
    first = p.status().next_retry
    assert first == pytest.approx(clock.wall + (p.wait_s() or 0))
    clock.advance(4)
    assert p.status().next_retry == pytest.approx(first)  # a fixed instant: "in N s" counts down live
    assert p.status().next_retry - clock.wall == pytest.approx(p.wait_s() or 0)


def test_next_retry_never_in_the_past_of_a_later_task(clock):
    p = make(clock)
    connect(p)
    clock.advance(5)
    p.failed(Task.DEMAND, Failure.REFUSED)
    status = p.status()
    assert status.next_retry == pytest.approx(clock.wall + (p.wait_s() or 0))


def test_retry_now_tries_at_once_and_resets_the_back_off(clock):
    p = make(clock)
    connect(p)
    for _ in range(6):
        clock.advance(p.wait_s() or 0)
        for task in p.due():
            if task is Task.PROBE:
                p.probed(False)
            else:
                p.failed(task, Failure.UNREACHABLE)
                break
    assert p.state is State.UNREACHABLE and (p.wait_s() or 0) > 5
    p.retry_now()
    assert p.wait_s() == 0
    tasks = p.due()
    assert tasks[0] is Task.DEMAND  # a full attempt, not a probe
    p.failed(tasks[0], Failure.UNREACHABLE)
    assert p.wait_s() == pytest.approx(PROBE_EVERY_S, rel=0.11)  # the back-off starts over


def test_retry_now_does_nothing_while_paused(clock):
    p = make(clock)
    connect(p)
    p.set_paused(True)
    p.retry_now()
    assert p.due() == [] and p.state is State.PAUSED


def test_retry_now_searches_again_when_the_address_is_unknown(clock):
    p = make(clock, has_address=False, automatic_address=True)
    assert p.due() == [Task.LOCATE]
    p.located(False)
    assert p.due() == []
    p.retry_now()
    assert p.due() == [Task.LOCATE]


def test_a_silent_meter_gets_handshakes_not_probes_spaced_from_their_start(clock):
    p = make(clock)
    connect(p)
    starts = []
    for _ in range(12):
        clock.advance(p.wait_s() or 0)
        tasks = p.due()
        assert Task.PROBE not in tasks  # the port accepts TCP: only a handshake tells when it is back
        starts.append(clock.mono)
        clock.advance(15)  # the handshake hangs until its timeout
        p.failed(tasks[0], Failure.SILENT, "handshake timed out")
        assert p.state is State.UNREACHABLE
        assert 1.0 <= (p.wait_s() or 0) <= PROBE_EVERY_S  # the time spent waiting counts
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= PROBE_EVERY_S  # never more than 6 a minute
    assert max(gaps) <= 15 + 1.0 + 1e-9  # the next try follows soon after a hung one


def test_classify_tells_a_hung_handshake_from_a_closed_port():
    assert classify(errors.HandshakeTimeout("hung")) is Failure.SILENT
    assert classify(errors.Unreachable("refused")) is Failure.UNREACHABLE


def test_status_counts_down_live_from_one_instant(clock):
    p = make(clock)
    connect(p)
    clock.advance(5)
    assert p.due() == [Task.DEMAND]
    p.failed(Task.DEMAND, Failure.UNREACHABLE)
    status = p.status()
    assert status.offers_retry_now
    first = status.retry_in_s(clock.wall)
    assert first is not None and PROBE_EVERY_S <= first <= PROBE_EVERY_S * 1.05 + 1
    assert status.retry_in_s(clock.wall + 6) == first - 6  # the tooltip and the window agree at any moment
    assert status.retry_in_s(clock.wall + 60) == 0
    connect_status = make(clock).status()
    assert connect_status.retry_in_s(clock.wall) is None and not connect_status.offers_retry_now


def test_readings_that_cannot_be_used_turn_the_state_stale_with_the_reason(clock):
    p = make(clock)
    connect(p)
    fresh_at = clock.wall
    for _ in range(8):  # the meter repeats one value with one timestamp (a grid outage)
        clock.advance(p.wait_s() or 0)
        for task in p.due():
            p.succeeded(task, fresh=task is not Task.DEMAND, detail="the meter has repeated the same demand")
    status = p.status()
    assert status.state is State.STALE and status.since == pytest.approx(fresh_at)
    assert "repeated" in status.detail and status.last_reading == pytest.approx(fresh_at)
    assert p.wait_s() == pytest.approx(5.0)  # polling goes on as usual
    clock.advance(5)
    p.succeeded(Task.DEMAND)
    assert p.state is State.CONNECTED and p.status().detail == ""


def test_an_unusable_first_reading_is_not_connected(clock):
    p = make(clock)
    p.succeeded(Task.DEMAND, fresh=False, detail="a demand of 148.0 kW is more than a home's service can carry")
    assert p.state is State.STALE and "148.0 kW" in p.status().detail


def test_a_certificate_refused_after_it_worked_is_retried_briskly_for_ten_minutes(clock):
    target = target_box()
    p = make(clock, target=target)
    connect(p)
    target.change(registered=True)  # the session notes that the meter accepted the certificate
    waits = []
    for _ in range(80):
        clock.advance(p.wait_s() or 0)
        tasks = p.due()
        p.failed(tasks[0], Failure.REFUSED, "refused")
        waits.append((clock.mono, p.wait_s() or 0))
    assert p.state is State.CERT_REFUSED
    start = waits[0][0]
    early = [w for t, w in waits if t - start < 590]
    late = [w for t, w in waits if t - start > 700]
    assert early and all(PROBE_EVERY_S <= w <= PROBE_EVERY_S * 1.05 for w in early)
    assert late and max(late) > 60  # then the usual back-off: each refused try costs the meter a handshake


def test_waiting_for_a_first_registration_keeps_the_back_off(clock):
    p = make(clock)
    p.failed(p.due()[0], Failure.REFUSED, "refused")
    assert p.state is State.WAITING_REGISTRATION
    assert p.wait_s() == pytest.approx(BACKOFF[Failure.REFUSED].first_s, rel=0.11)


def test_after_the_brisk_ten_minutes_the_back_off_starts_from_its_first_step(clock):
    target = target_box()
    p = make(clock, target=target)
    connect(p)
    target.change(registered=True)  # the session notes that the meter accepted the certificate
    start = clock.mono
    waits = []
    while clock.mono - start < 3600:
        clock.advance(p.wait_s() or 0)
        p.failed(p.due()[0], Failure.REFUSED, "refused")
        waits.append((clock.mono - start, p.wait_s() or 0))
    assert all(w <= PROBE_EVERY_S * 1.05 for t, w in waits if t < REFUSED_QUICK_FOR_S - PROBE_EVERY_S)
    late = [w for _, w in waits if w > PROBE_EVERY_S * 1.05]
    backoff = BACKOFF[Failure.REFUSED]
    assert late[0] == pytest.approx(backoff.first_s, rel=0.11)  # 60 s, not the 15-minute cap at once
    assert late[1] == pytest.approx(backoff.first_s * 2, rel=0.11)
    assert max(late) == pytest.approx(backoff.max_s, rel=0.11)
