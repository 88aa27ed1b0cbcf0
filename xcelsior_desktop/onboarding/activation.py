"""Waiting for Xcel to activate our certificate: when to probe the meter next, remembered across restarts.

Xcel's activation takes from minutes to days, and each probe costs the meter a full TLS handshake (~330 ms of its
CPU), so probes back off: every ``base_s`` seconds at first, doubling up to ``cap_s``. The state lives in
``state_dir()/activation.json`` so a restarted app keeps waiting where it left off (and probes at once if the next
probe fell due while it was closed). Qt-free; the app drives it with a timer and ``MeterClient.probe()``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from xcelsior_desktop.common.atomic_file import write_json_atomic
from xcelsior_desktop.meter.errors import CertificateRefused, IdentityMismatch, MeterBusy, Unreachable
from xcelsior_desktop.platform.state_files import (
    integer,
    lfdi,
    load_json_file,
    number,
    one_of,
    optional,
    record,
    string,
)

FILE_NAME = "activation.json"
DEFAULT_BASE_S = 20.0
DEFAULT_CAP_S = 15 * 60.0
Outcome = Literal["accepted", "refused", "unreachable", "busy", "mismatch", "error"]
OUTCOMES: tuple[Outcome, ...] = ("accepted", "refused", "unreachable", "busy", "mismatch", "error")


@dataclass
class ActivationState:
    """What we are waiting for and when we look next."""

    lfdi: str  # our certificate's LFDI, registered in Launchpad
    started_at: float
    attempts: int = 0
    next_probe_at: float = 0.0
    last_probe_at: float | None = None
    last_outcome: Outcome | None = None
    last_message: str | None = None
    accepted_at: float | None = None
    slot: str = "current"  # "pending" while a renewal waits; "production": a solar meter's own certificate
    role: str = "net"  # which meter is asked (its address is its record's, in meters.json)

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None


_TIME = number(0, 1e11)  # unix seconds (year 5138 at most)
_LFDI = lfdi("an LFDI")

#: activation.json: the four facts of the wait are required; a bad optional field is dropped, the wait kept.
SCHEMA = record(
    {
        "lfdi": _LFDI,
        "started_at": _TIME,
        "attempts": integer(0, 10**9),
        "next_probe_at": _TIME,
        "last_probe_at": optional(_TIME),
        "last_outcome": optional(one_of(*OUTCOMES)),
        "last_message": optional(string(max_len=2000)),
        "accepted_at": optional(_TIME),
        "slot": one_of("current", "pending", "production"),
        "role": one_of("net", "production"),
    },
    required=("lfdi", "started_at"),
    lenient=True,
    what="a saved activation wait",
)


def classify(accepted: bool, error: BaseException | None) -> Outcome:
    """A probe's result in one word (see docs/meter-protocol.md, "What a refusal looks like on the wire")."""
    if accepted:
        return "accepted"
    if error is None or isinstance(error, CertificateRefused):
        return "refused"  # the meter answered and did not accept us
    if isinstance(error, MeterBusy):
        return "busy"
    if isinstance(error, IdentityMismatch):
        return "mismatch"
    if isinstance(error, Unreachable):
        return "unreachable"
    return "error"


_STATUS_TEXT: dict[Outcome, str] = {
    "accepted": "The meter accepted this computer's certificate.",
    "refused": "The meter answered but does not accept the certificate yet: Xcel has not finished activating it.",
    "unreachable": "The meter did not answer yet. Until activation finishes its port often looks closed; "
    "also check the address.",
    "busy": "The meter is busy with another program; we will try again.",
    "mismatch": "Another device answered at that address. Check the meter's address.",
    "error": "The last check failed; we will try again.",
}


def describe_outcome(outcome: Outcome) -> str:
    return _STATUS_TEXT[outcome]


def format_duration(seconds: float) -> str:
    """A short human duration: "45 s", "3 min", "2 h 5 min", "3 days"."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        hours, minutes = divmod(seconds // 60, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, rest = divmod(seconds, 86400)
    hours = rest // 3600
    unit = "day" if days == 1 else "days"
    return f"{days} {unit} {hours} h" if hours else f"{days} {unit}"


class ActivationTracker:
    """The probe schedule with back-off, persisted as JSON."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        base_s: float = DEFAULT_BASE_S,
        cap_s: float = DEFAULT_CAP_S,
        jitter: float = 0.1,
        rng: random.Random | None = None,
    ) -> None:
        self._path = path
        self.clock = clock
        self.base_s = base_s
        self.cap_s = cap_s
        self.jitter = jitter
        self._rng = rng or random.Random()
        self.state: ActivationState | None = self._read()

    @property
    def path(self) -> Path:
        if self._path is None:
            from xcelsior_desktop.platform import paths

            return paths.state_dir() / FILE_NAME
        return self._path

    # -- persistence ------------------------------------------------------------------------------

    def _read(self) -> ActivationState | None:
        loaded = load_json_file(
            self.path, SCHEMA, title="The saved wait for activation",
            on_reset="Open Set up… from the tray menu to check the meter again.",
            on_drop="The wait goes on.",
        )
        return None if loaded.data is None else ActivationState(**loaded.data)

    def _write(self) -> None:
        if self.state is None:
            return
        write_json_atomic(self.path, dataclasses.asdict(self.state))

    # -- schedule ---------------------------------------------------------------------------------

    @property
    def waiting(self) -> bool:
        return self.state is not None and not self.state.accepted

    def start(self, lfdi: str, *, role: str = "net", slot: str = "current") -> ActivationState:
        """Begin (or restart) waiting for ``lfdi`` on the ``role`` meter; the first probe is due at once."""
        now = self.clock()
        self.state = ActivationState(lfdi=lfdi, started_at=now, next_probe_at=now, slot=slot, role=role)
        self._write()
        return self.state

    def delay_after(self, attempts: int) -> float:
        """Seconds to wait after ``attempts`` unsuccessful probes: base * 2^(n-1), capped, with jitter."""
        delay = min(self.cap_s, self.base_s * 2.0 ** max(0, attempts - 1))
        spread = delay * self.jitter
        return max(1.0, delay + self._rng.uniform(-spread, spread))

    def seconds_until_next(self) -> float | None:
        if not self.waiting or self.state is None:
            return None
        return max(0.0, self.state.next_probe_at - self.clock())

    def due(self) -> bool:
        remaining = self.seconds_until_next()
        return remaining is not None and remaining <= 0

    def record(self, accepted: bool, error: BaseException | None = None) -> Outcome:
        """Note a probe's result and schedule the next one (or finish on acceptance)."""
        if self.state is None:
            raise RuntimeError("record() before start()")
        now = self.clock()
        outcome = classify(accepted, error)
        state = self.state
        state.last_probe_at = now
        state.last_outcome = outcome
        state.last_message = getattr(error, "user_message", None) if error else None
        if outcome == "accepted":
            state.accepted_at = now
            state.next_probe_at = now
        else:
            state.attempts += 1
            state.next_probe_at = now + self.delay_after(state.attempts)
        self._write()
        return outcome

    def probe_now(self) -> None:
        """The user asked to check now: make the next probe due (the back-off is kept)."""
        if self.state is not None:
            self.state.next_probe_at = self.clock()
            self._write()

    def clear(self) -> None:
        self.state = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def status_text(self) -> str:
        """One or two sentences for the waiting page and the tray tooltip."""
        state = self.state
        if state is None:
            return "Not waiting for activation."
        if state.accepted:
            return describe_outcome("accepted")
        now = self.clock()
        parts = [f"Waiting for activation for {format_duration(now - state.started_at)}."]
        if state.last_outcome:
            parts.append(describe_outcome(state.last_outcome))
        remaining = self.seconds_until_next()
        if remaining is not None:
            parts.append("Checking now…" if remaining <= 0 else f"Next check in {format_duration(remaining)}.")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any] | None:
        return dataclasses.asdict(self.state) if self.state else None
