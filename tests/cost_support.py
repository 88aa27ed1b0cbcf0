"""A history store filled from the simulator's household model (the demo's data), for the cost tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore, RegisterReading
from xcelsior_desktop.money import Tariff, load_tariff
from xcelsior_desktop.simulator.model import HouseholdModel

UTC = dt.UTC
SLOT = 900


def fill_store(store: HistoryStore, model: HouseholdModel, start: dt.datetime, end: dt.datetime,
               skip: frozenset[int] = frozenset()) -> list[EnergyInterval]:
    """The model's 15-minute slots in [start, end) (slots whose index is in ``skip`` left out: a gap)."""
    first, last = int(start.timestamp()), int(end.timestamp())
    slots = []
    for index, t in enumerate(range(first, last, SLOT)):
        if index in skip:
            continue
        iv = model.interval(t)
        slots.append(EnergyInterval(dt.datetime.fromtimestamp(t, UTC), SLOT, float(iv.delivered_wh),
                                    float(iv.received_wh)))
    store.add_intervals(slots)
    return slots


def register_reading(model: HouseholdModel, at: dt.datetime) -> RegisterReading:
    reg = model.registers(at.timestamp())
    return RegisterReading(at, reg.delivered_wh, reg.received_wh)


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tariffs"


def tou_2022() -> Tariff:
    """The xcel-co-tou preset as it was with the 2022 prices carried forward (no monthly charge): the tests
    that work costs out by hand use it, whatever the shipped preset's prices are today."""
    return load_tariff(FIXTURES / "xcel-co-tou-2022.toml")
