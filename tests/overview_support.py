"""A history store holding what a month of the app's running leaves, made from the simulator's household (the demo's
data): 35 days of the meter's 15-minute slots, two days of 5-second demand, a day of register readings. And the
whole app on it, at a pinned time, fed the meter's readings of that instant as events (no network).

Used by the Overview's UI tests, the layout walk and the screenshots.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.cost_support import fill_store
from xcelsior_desktop.energy.store import DemandSample, HistoryStore, RegisterReading
from xcelsior_desktop.simulator.model import HouseholdModel

DENVER = ZoneInfo("America/Denver")
# a Monday evening, on-peak, late in a billing cycle: every card has something to say
NOW = dt.datetime(2026, 11, 30, 18, 40, 0, tzinfo=DENVER).astimezone(dt.UTC)


def fill_history(store: HistoryStore, model: HouseholdModel, now: dt.datetime = NOW, *, days: int = 35,
                 demand_hours: int = 48, every_s: int = 5) -> None:
    """Slots up to the quarter hour before ``now``; demand every ``every_s`` s and registers every minute after."""
    end = dt.datetime.fromtimestamp(now.timestamp() // 900 * 900, dt.UTC)
    fill_store(store, model, end - dt.timedelta(days=days), end)
    start = now.timestamp() - demand_hours * 3600
    store.add_demand(DemandSample(dt.datetime.fromtimestamp(t, dt.UTC), model.demand_w(t))
                     for t in range(int(start), int(now.timestamp()) + 1, every_s))
    readings = []
    for t in range(int(now.timestamp()) - 86400, int(now.timestamp()) + 1, 60):
        reg = model.registers(t)
        readings.append(RegisterReading(dt.datetime.fromtimestamp(t, dt.UTC), reg.delivered_wh, reg.received_wh))
    store.add_register_readings(readings)


def make_history_file(path: Path, seed: int = 0, now: dt.datetime = NOW) -> Path:
    with HistoryStore(path) as store:
        fill_history(store, HouseholdModel(seed), now)
    return path
