"""The meter's misbehaviours the simulator can reproduce, each switchable at run time.

| name | what the simulator does while it is on |
|---|---|
| slow_handshake | waits ``seconds`` (3) after TCP accept before answering the ClientHello |
| handshake_failure | the first of every ``every`` (2) full handshakes fails with a TLS alert (decrypt_error, as when the
  meter's signature is bad: the meter's BAD_SIGNATURE glitch); the retry succeeds. With ``chance`` > 0 each handshake
  fails with that probability instead (the field rate is about 1 in 190: ``chance=0.005``). ``linger`` (0) seconds pass
  between the alert and the meter's close, as on a meter busy with its slow handshakes |
| read_stall | waits ``seconds`` (15) before answering every ``every``-th (1) request |
| reset_mid_response | sends the head and half the body of every ``every``-th request, then resets the connection |
| empty_body | answers 200 with an empty body (paths starting with ``path``, default all) |
| malformed_xml | answers 200 with the body cut in half (paths starting with ``path``) |
| blackhole | accepts TCP and never answers the handshake |
| busy | a phantom client holds the one connection: new connections wait ``busy_hold`` and are reset |
| outage | the port is closed (connection refused) for ``seconds`` (30; 0 = until switched off) |
| frozen_register | the ``register`` ("delivered", "received" or "both") stops moving; demand keeps moving |
| spike | adds ``amount`` to ``target`` ("demand": +100000 W, "delivered"/"received": +1000000 Wh) |
| latency | waits ``seconds`` (0.25) before every response (a meter's realistic answer time) |
| stuck_demand | demand stays at the value it had when the fault went on, with the same meter timestamp (as through
  a grid outage) |
| empty_intervals | interval ReadingLists answer ``all="0"`` with no readings (the slots stay gaps) |
| zero_start | summation readings and their sets carry ``timePeriod`` start 0 (1970) |
| flaky_reads | each request stalls ``seconds`` (12, beyond a client's read timeout) with probability ``chance``
  (0.05: about 50 an hour at the app's polling); the others are answered at once, so data still flows |

An ``outage`` also silences mDNS (the agent hung: port closed, no DNS-SD answers) until it ends.
"""

from __future__ import annotations

import random
import threading
from typing import Any

DEFAULTS: dict[str, dict[str, Any]] = {
    "slow_handshake": {"seconds": 3.0},
    "handshake_failure": {"every": 2, "chance": 0.0, "linger": 0.0},
    "read_stall": {"seconds": 15.0, "every": 1},
    "reset_mid_response": {"every": 1},
    "empty_body": {"every": 1, "path": ""},
    "malformed_xml": {"every": 1, "path": ""},
    "blackhole": {},
    "busy": {},
    "outage": {"seconds": 30.0},
    "frozen_register": {"register": "delivered"},
    "spike": {"target": "demand", "amount": None},
    "latency": {"seconds": 0.25},
    # field faults reported by users of other tools for this meter
    "stuck_demand": {},
    "empty_intervals": {},
    "zero_start": {},
    "flaky_reads": {"chance": 0.05, "seconds": 12.0},
}
FAULT_NAMES = tuple(DEFAULTS)
SPIKE_DEFAULT = {"demand": 100_000.0, "delivered": 1_000_000.0, "received": 1_000_000.0}


class FaultSet:
    """Which faults are on, with their parameters and a per-fault event counter (for "every N")."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(f"faults:{seed}")
        self._lock = threading.Lock()
        self._active: dict[str, dict[str, Any]] = {}
        self._counts: dict[str, int] = {}

    @staticmethod
    def check(name: str, params: dict[str, Any]) -> dict[str, Any]:
        if name not in DEFAULTS:
            raise ValueError(f"unknown fault {name!r}; known faults: {', '.join(FAULT_NAMES)}")
        unknown = set(params) - set(DEFAULTS[name]) - {"_at"}
        if unknown:
            raise ValueError(f"fault {name!r} takes {sorted(DEFAULTS[name]) or 'no parameters'}, not {sorted(unknown)}")
        merged = {**DEFAULTS[name], **params}
        if "every" in merged and int(merged["every"]) < 1:
            raise ValueError("every must be 1 or more")
        if "chance" in merged and not 0.0 <= float(merged["chance"]) <= 1.0:
            raise ValueError("chance must be between 0 and 1")
        if name == "spike":
            if merged["target"] not in SPIKE_DEFAULT:
                raise ValueError(f"spike target must be one of {sorted(SPIKE_DEFAULT)}")
            if merged["amount"] is None:
                merged["amount"] = SPIKE_DEFAULT[merged["target"]]
        if name == "frozen_register" and merged["register"] not in ("delivered", "received", "both"):
            raise ValueError("frozen_register register must be 'delivered', 'received' or 'both'")
        return merged

    def set(self, name: str, enabled: bool, params: dict[str, Any]) -> None:
        merged = self.check(name, params)
        with self._lock:
            if enabled:
                self._active[name] = merged
                self._counts[name] = 0
            else:
                self._active.pop(name, None)

    def clear(self) -> None:
        with self._lock:
            self._active.clear()

    def get(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            params = self._active.get(name)
            return dict(params) if params is not None else None

    def names(self) -> list[str]:
        with self._lock:
            return list(self._active)

    def fires(self, name: str, path: str = "") -> dict[str, Any] | None:
        """Count one event for ``name``; return its parameters when this event is one the fault hits."""
        with self._lock:
            params = self._active.get(name)
            if params is None or not path.startswith(str(params.get("path", ""))):
                return None
            count = self._counts.get(name, 0) + 1
            self._counts[name] = count
            chance = float(params.get("chance", 0.0))
            if chance > 0.0:
                return dict(params) if self._rng.random() < chance else None
            if "chance" in params and "every" not in params:
                return None
            every = int(params.get("every", 1))
            return dict(params) if (count - 1) % every == 0 else None
