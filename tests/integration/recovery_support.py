"""The recovery policy in miniature, for integration tests: the real client over TLS to the simulator, the
Poller (quick recovery) on a clock the test moves. Each step runs what is due, as the session will, then jumps
the clock to the next wake-up, so minutes of policy take a moment of real time and nothing sleeps."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tests.clocks import SteppedClock
from xcelsior_desktop.meter.client import MeterClient
from xcelsior_desktop.meter.errors import MeterError
from xcelsior_desktop.session.poller import Failure, Poller, State, Task, classify
from xcelsior_desktop.session.target import MeterTarget


@dataclass
class PollLoop:
    client: MeterClient
    target: MeterTarget
    clock: SteppedClock = field(default_factory=lambda: SteppedClock(10_000.0, 1_791_261_391.0))
    interval_s: float = 5.0
    poller: Poller = field(init=False)
    watts_at: list[float] = field(default_factory=list)  # fake times of demand readings
    contacts: list[tuple[float, str]] = field(default_factory=list)  # (fake time, "probe" / "tcp") per TCP connect
    states: list[State] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    done: list[Task] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.poller = Poller(target=lambda: self.target, interval_s=self.interval_s,
                             monotonic=lambda: self.clock.mono, wall=lambda: self.clock.wall, rng=random.Random(5))

    def _count_contacts(self, before: tuple[int, int]) -> None:
        stats = self.client.stats
        self.contacts += [(self.clock.mono, "probe")] * (stats.probes - before[0])
        self.contacts += [(self.clock.mono, "tcp")] * (stats.tcp_connects - before[1])

    def run_due(self) -> None:
        for task in self.poller.due():
            before = (self.client.stats.probes, self.client.stats.tcp_connects)
            try:
                if task is Task.PROBE:
                    self.poller.probed(self.client.port_answers(timeout=1.0))
                    continue
                self._call(task)
            except Exception as exc:  # noqa: BLE001 - classified as the session will
                failure = classify(exc)
                if failure is not Failure.TRANSIENT:
                    self.client.disconnect()
                self.poller.failed(task, failure, exc.user_message if isinstance(exc, MeterError) else str(exc))
                if failure is not Failure.TRANSIENT:
                    break
            else:
                self.poller.succeeded(task)
                self.target = self.target.replace(registered=True)  # as the session notes: the meter accepted us
                self.done.append(task)
                if task is Task.DEMAND:
                    self.watts_at.append(self.clock.mono)
            finally:
                self._count_contacts(before)
        status = self.poller.status()
        self.states.append(status.state)
        self.details.append(status.detail)

    def _call(self, task: Task) -> object:
        if task is Task.DEMAND:
            return self.client.read_demand()
        if task is Task.REGISTERS:
            return self.client.read_registers(include_tou=False)
        if task is Task.DEVICE_INFO:
            return self.client.device_info()
        raise AssertionError(f"unexpected task {task}")

    def run_for(self, seconds: float) -> None:
        end = self.clock.mono + seconds
        while self.clock.mono < end:
            self.run_due()
            wait = self.poller.wait_s()
            self.clock.advance(max(0.01, min(end - self.clock.mono, wait if wait is not None else seconds)))

    def seconds_to_watts(self, since: float) -> float | None:
        later = [t for t in self.watts_at if t >= since]
        return later[0] - since if later else None

    def most_contacts_in_a_minute(self, since: float) -> int:
        times = [t for t, _ in self.contacts if t >= since]
        return max((sum(1 for u in times[i:] if u < t + 60) for i, t in enumerate(times)), default=0)
