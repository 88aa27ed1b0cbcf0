"""Is a reading one a home's electric service can produce, and is it still moving?

Meters glitch (docs/meter-protocol.md, section 5): demand spikes, a register jumps, goes backwards or freezes while demand moves, and
demand can stay on one value through a grid outage. A reading that fails these checks must never reach the
alerts or the history (a +1 GWh jump once fired "Daily budget reached: 1000.0 kWh"): the session asks this
checker first, logs the reason and shows the reading as suspect or stale. Nothing is repaired or estimated:
a flagged register is a gap, never a guessed value.

The limits come from the service itself: a residential service of 200 A at 240 V carries at most 48 kW either
way, so demand beyond that is impossible, and no register can move faster than that power over the time
between two readings. Qt-free; time is passed in so tests drive it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xcelsior_desktop.meter.values import Measurement, Registers

SERVICE_AMPS = 200.0
SERVICE_VOLTS = 240.0
MAX_POWER_W = SERVICE_AMPS * SERVICE_VOLTS  # 48 kW, importing or exporting
REGISTER_ROUNDING_WH = 1.0  # the meter serves whole Wh: one step of slack on every comparison
STUCK_AFTER_S = 60.0  # demand visibly changes every 10-25 s and its timestamp every second
FROZEN_AFTER_WH = 50.0  # a register that has not moved while demand says this much flowed is frozen...
FROZEN_AFTER_S = 300.0  # ...and for this long (a register that lags a little behind demand is not frozen)
MAX_INTEGRATION_GAP_S = 300.0  # demand readings further apart than this say nothing about the energy between


class Verdict(enum.StrEnum):
    OK = "ok"
    SUSPECT = "suspect"  # impossible for the service: not fed to alerts or history
    STALE = "stale"  # demand repeats itself (same value, same meter timestamp): not fresh
    FROZEN = "frozen"  # a register stopped while demand says energy flowed: its value is not trusted


# What the window shows next to a flagged value (the reason goes to the log and the tooltip)
VERDICT_TEXT: dict[Verdict, str] = {
    Verdict.OK: "",
    Verdict.SUSPECT: "Suspect reading: ignored",
    Verdict.STALE: "Not updating",
    Verdict.FROZEN: "Register frozen: not used",
}


@dataclass(frozen=True)
class Check:
    """The verdict on one value, with a sentence for the log and the window when it is not OK."""

    verdict: Verdict = Verdict.OK
    reason: str = ""

    @property
    def trusted(self) -> bool:
        """True when the value may go to alerts and history."""
        return self.verdict is Verdict.OK

    @property
    def label(self) -> str:
        return VERDICT_TEXT[self.verdict]


OK = Check()


@dataclass(frozen=True)
class RegisterCheck:
    """Verdicts on the import (delivered) and export (received) registers of one reading."""

    delivered: Check = OK
    received: Check = OK

    @property
    def trusted(self) -> bool:
        return self.delivered.trusted and self.received.trusted

    @property
    def reasons(self) -> list[str]:
        return [check.reason for check in (self.delivered, self.received) if not check.trusted]

    def trusted_part(self, registers: Registers) -> Registers:
        """The reading with every flagged register (and its TOU tiers) left out as a gap (None), never guessed."""
        changes: dict[str, Any] = {}
        if not self.delivered.trusted:
            changes.update(delivered_wh=None, tou_delivered={}, delivered_at=None)
        if not self.received.trusted:
            changes.update(received_wh=None, tou_received={}, received_at=None)
        return dataclasses.replace(registers, **changes) if changes else registers


def _kw(watts: float) -> str:
    return f"{watts / 1000:.1f} kW"


def _energy(wh: float) -> str:
    return f"{wh / 1000:.1f} kWh" if abs(wh) >= 1000 else f"{wh:.0f} Wh"


def _seconds(value: float) -> str:
    return f"{value / 60:.0f} min" if value >= 120 else f"{value:.0f} s"


@dataclass
class _Register:
    """The last trusted value of one register, and what demand says flowed since it last moved."""

    name: str  # "import" / "export"
    value: float | None = None
    at: dt.datetime | None = None
    moved_mono: float | None = None
    expected_wh: float = 0.0  # energy demand readings account for since the register last moved


class PlausibilityChecker:
    """Checks demand and register readings of one meter in the order they arrive. Call :meth:`reset` when the
    meter changes (another meter pinned); a reconnect to the same meter keeps the baselines."""

    def __init__(
        self,
        *,
        max_power_w: float = MAX_POWER_W,
        stuck_after_s: float = STUCK_AFTER_S,
        frozen_after_wh: float = FROZEN_AFTER_WH,
        frozen_after_s: float = FROZEN_AFTER_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_power_w = max_power_w
        self.stuck_after_s = stuck_after_s
        self.frozen_after_wh = frozen_after_wh
        self.frozen_after_s = frozen_after_s
        self._mono = monotonic
        self.reset()

    def reset(self) -> None:
        self._demand_key: tuple[float, dt.datetime] | None = None
        self._demand_first_seen = 0.0
        self._last_demand: tuple[float, float] | None = None  # (mono, W) of the last trusted demand
        self._import = _Register("import")
        self._export = _Register("export")

    # -- demand ------------------------------------------------------------------------------------

    def check_demand(self, demand: Measurement) -> Check:
        """SUSPECT beyond the service's power, STALE when the meter repeats one reading, else OK."""
        now = self._mono()
        watts = demand.value
        if abs(watts) > self.max_power_w:
            return Check(Verdict.SUSPECT, f"a demand of {_kw(watts)} is more than a home's {SERVICE_AMPS:.0f} A, "
                                          f"{SERVICE_VOLTS:.0f} V service can carry ({_kw(self.max_power_w)}); "
                                          "the reading was ignored")
        key = (watts, demand.timestamp)
        if key != self._demand_key:
            self._demand_key = key
            self._demand_first_seen = now
        elif now - self._demand_first_seen >= self.stuck_after_s:
            stamp = demand.timestamp.astimezone(dt.UTC).strftime("%H:%M:%S UTC")
            self._last_demand = None  # a repeated value says nothing about the energy that flows now
            return Check(Verdict.STALE, f"the meter has repeated the same demand ({watts:.0f} W, stamped {stamp}) "
                                        f"for {_seconds(now - self._demand_first_seen)}")
        self._integrate(now, watts)
        return OK

    def _integrate(self, now: float, watts: float) -> None:
        last = self._last_demand
        self._last_demand = (now, watts)
        if last is None:
            return
        elapsed = now - last[0]
        if not 0 < elapsed <= MAX_INTEGRATION_GAP_S:
            return
        # Each reading stands for the power until the next one; the lower of the two keeps the estimate modest.
        for register, sign in ((self._import, 1.0), (self._export, -1.0)):
            power = min(max(0.0, sign * last[1]), max(0.0, sign * watts))
            register.expected_wh += power * elapsed / 3600.0

    # -- registers ---------------------------------------------------------------------------------

    def check_registers(self, registers: Registers) -> RegisterCheck:
        """Each register: SUSPECT when it goes backwards or climbs faster than the service allows, FROZEN when it
        stays put while demand says energy flowed, else OK (and it becomes the new baseline)."""
        now = self._mono()
        return RegisterCheck(
            delivered=self._check_register(self._import, registers.delivered_wh,
                                           registers.delivered_at or registers.read_at, now),
            received=self._check_register(self._export, registers.received_wh,
                                          registers.received_at or registers.read_at, now),
        )

    def _check_register(self, register: _Register, value: float | None, at: dt.datetime, now: float) -> Check:
        if value is None:
            return OK  # nothing read, nothing to judge (and nothing stored)
        if register.value is None or register.at is None:
            register.value, register.at, register.moved_mono, register.expected_wh = value, at, now, 0.0
            return OK
        step = value - register.value
        elapsed = max(0.0, (at - register.at).total_seconds())
        if step < 0:
            return Check(Verdict.SUSPECT, f"the {register.name} register went backwards by {_energy(-step)} "
                                          f"(from {register.value:.0f} to {value:.0f} Wh); the reading was ignored")
        limit = self.max_power_w * elapsed / 3600.0 + REGISTER_ROUNDING_WH
        if step > limit:
            return Check(Verdict.SUSPECT, f"the {register.name} register rose by {_energy(step)} in "
                                          f"{_seconds(elapsed)}, more than {_kw(self.max_power_w)} could carry "
                                          f"({_energy(limit)}); the reading was ignored")
        if step >= REGISTER_ROUNDING_WH:
            register.value, register.at, register.moved_mono, register.expected_wh = value, at, now, 0.0
            return OK
        still = now - (register.moved_mono if register.moved_mono is not None else now)
        if register.expected_wh >= self.frozen_after_wh and still >= self.frozen_after_s:
            return Check(Verdict.FROZEN, f"the {register.name} register has not moved for {_seconds(still)} "
                                         f"although demand says about {_energy(register.expected_wh)} flowed; "
                                         "its readings are not used until it moves again")
        register.at = at  # still plausible (little energy flowed): a slower register is not a frozen one
        return OK
