"""The poller's 15-minute history schedule: once after first contact, then just after each slot closes."""

import random

from tests.poller_support import poller_kwargs
from xcelsior_desktop.session.poller import HISTORY_MARGIN_S, SLOT_S, Failure, Poller, Task

GETS = {Task.DEMAND: 1, Task.REGISTERS: 2, Task.DEVICE_INFO: 3, Task.INTERVALS: 12}  # an interval read: <= 12


class Clock:
    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = 1_781_643_600.0 + 437.0  # mid-slot


def make(clock: Clock, **kw) -> Poller:
    return Poller(monotonic=lambda: clock.mono, wall=lambda: clock.wall, rng=random.Random(1), **poller_kwargs(kw))


def run(p: Poller, clock: Clock, seconds: int) -> list[tuple[float, Task]]:
    done = []
    for _ in range(seconds):
        for task in p.due():
            p.succeeded(task)
            done.append((clock.wall, task))
        clock.mono += 1
        clock.wall += 1
    return done


def test_history_after_first_contact_then_after_each_slot_and_registers_on_the_boundary():
    clock = Clock()
    p = make(clock, history=True)
    assert p.due() == [Task.DEMAND, Task.DEVICE_INFO, Task.REGISTERS, Task.INTERVALS]  # registers first
    for task in (Task.DEMAND, Task.DEVICE_INFO, Task.REGISTERS, Task.INTERVALS):
        p.succeeded(task)
    done = run(p, clock, 3600)
    history = [w for w, t in done if t is Task.INTERVALS]
    assert [w % SLOT_S for w in history] == [HISTORY_MARGIN_S] * 4  # just after each slot closes, once
    registers = [w for w, t in done if t is Task.REGISTERS]
    for h in history:  # a register reading just after every slot boundary, to join history and registers
        assert any(0 < w - (h - HISTORY_MARGIN_S) <= 2 for w in registers)
    assert len(registers) <= 61  # pulled into phase once, not read more often
    tou = 2 * len(registers) / 15  # every 15th register read also reads the TOU tiers (+2 GETs)
    per_min = (sum(GETS[t] for _, t in done) + tou) / 60
    assert per_min <= 15.0  # the bench budget


def test_history_off_by_default_and_a_failed_read_waits_for_the_next_slot():
    clock = Clock()
    assert Task.INTERVALS not in make(clock).due()
    p = make(clock, history=True)
    for task in p.due():
        p.succeeded(task) if task is not Task.INTERVALS else p.failed(task, Failure.TRANSIENT, "empty body")
    history = [w for w, t in run(p, clock, 900) if t is Task.INTERVALS]
    assert len(history) == 1 and history[0] % SLOT_S == HISTORY_MARGIN_S


def test_meter_clock_skew_moves_the_schedule():
    clock = Clock()
    p = make(clock, history=True)
    p.meter_skew_s = 100.0  # the meter is 100 s ahead: its slots close 100 s earlier on our clock
    for task in p.due():
        p.succeeded(task)
    history = [w for w, t in run(p, clock, 900) if t is Task.INTERVALS]
    assert [(w + 100) % SLOT_S for w in history] == [HISTORY_MARGIN_S]
