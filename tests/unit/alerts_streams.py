"""Sample meter streams for the alert tests: a fake clock and a tiny household that keeps its registers honest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from xcelsior_desktop.alerts import Alert, AlertEngine
from xcelsior_desktop.energy.store import HistoryStore, RegisterReading

DENVER = dt.timezone(dt.timedelta(hours=-7), "MST")  # fixed offset: tests never depend on the machine's zone


class FakeClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def local(hour: int, minute: int = 0, day: int = 10) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=DENVER)


@dataclass
class Household:
    """Feeds an engine like the app would: demand every ``demand_every`` s, registers every ``registers_every`` s.

    The registers integrate the demand, so they move exactly as a real meter's would unless frozen.
    """

    engine: AlertEngine
    clock: FakeClock
    delivered_wh: float = 12_345_000.0
    received_wh: float = 2_000_000.0
    demand_every: float = 5.0
    registers_every: float = 60.0
    freeze_delivered: bool = False
    freeze_demand_at: float | None = None
    alerts: list[Alert] = field(default_factory=list)
    store: HistoryStore | None = None  # when set, register readings are also stored (as the history recorder does)
    _since_registers: float = 0.0

    def run(self, seconds: float, demand: Callable[[float], float] | float) -> list[Alert]:
        """Advance ``seconds`` of wall time; ``demand`` is W, or a function of elapsed seconds. Returns new alerts."""
        fired: list[Alert] = []
        elapsed = 0.0
        while elapsed < seconds:
            watts = demand(elapsed) if callable(demand) else float(demand)
            self.clock.advance(self.demand_every)
            elapsed += self.demand_every
            energy = watts * self.demand_every / 3600.0
            if not self.freeze_delivered and energy > 0:
                self.delivered_wh += energy
            if energy < 0:
                self.received_wh += -energy
            shown = self.freeze_demand_at if self.freeze_demand_at is not None else watts
            fired += self.engine.feed_demand(shown)
            self._since_registers += self.demand_every
            if self._since_registers >= self.registers_every:
                self._since_registers = 0.0
                if self.store is not None:
                    at = dt.datetime.fromtimestamp(self.clock.now, dt.UTC)
                    self.store.add_register_readings([RegisterReading(at, round(self.delivered_wh),
                                                                      round(self.received_wh))])
                fired += self.engine.feed_registers(round(self.delivered_wh), round(self.received_wh))
        self.alerts += fired
        return fired

    def silence(self, seconds: float, step: float = 30.0) -> list[Alert]:
        """Time passes with no reading (the app ticks)."""
        fired: list[Alert] = []
        elapsed = 0.0
        while elapsed < seconds:
            self.clock.advance(step)
            elapsed += step
            fired += self.engine.tick()
        self.alerts += fired
        return fired


def wobble(base: float, amplitude: float = 40.0) -> Callable[[float], float]:
    """A realistic demand that changes every 15 s or so (never exactly constant)."""
    return lambda t: base + amplitude * ((int(t // 15) % 5) - 2)
