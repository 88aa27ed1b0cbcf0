"""Meter simulators for tests: one way to start a loopback simulator that knows a client's certificate.

Fixtures reach it through ``start_simulator`` (tests/conftest.py); a module-scoped fixture uses
:func:`running_simulator` directly, since a function-scoped factory cannot serve a wider scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from xcelsior_desktop.energy.store import EnergyInterval
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.simulator import MeterSimulator


@contextmanager
def running_simulator(identity: Identity | None = None, **options: Any) -> Iterator[MeterSimulator]:
    """A simulator on a free loopback port (the network rule), stopped on exit.

    ``identity``: the client certificate it accepts from the start; None registers nobody (an onboarding test
    registers its own). ``options`` are :class:`MeterSimulator` keyword arguments, passed unchanged.
    """
    allowed = [identity.cert_pem] if identity is not None else []
    with MeterSimulator(host="127.0.0.1", port=0, allowed_certs=allowed, **options) as simulator:
        yield simulator


def model_slots(sim: MeterSimulator, first: int, end: int, slot: int = 900) -> list[EnergyInterval]:
    """What the simulator's household model says for every ``slot``-second interval in [first, end) (unix s), as the
    history store keeps it: what a backfill of the meter must store."""
    out = []
    for start in range(first, end, slot):
        iv = sim.model.interval(start)
        out.append(EnergyInterval(dt.datetime.fromtimestamp(start, dt.UTC), slot, float(iv.delivered_wh),
                                  float(iv.received_wh)))
    return out
