"""What two meters tell together: the home's own use, how much of the solar it used itself, how much of its use
the sun covered.

Qt-free. A solar home with a production meter on the inverter's output has two views of one history (the store's
``net`` and ``production`` meters). Per span, from the one energy function (energy/totals.py) of each:

- home use = net import + production - net export: what the house consumed, whichever way it came;
- self-consumption = production - net export: the solar the house used before any went to the grid;
- self-sufficiency = 1 - net import / home use: the share of the home's use the sun covered.

A figure is None whenever one of its parts is unknown: a gap on either meter is never a zero, and a span is only
as complete as the less complete of the two meters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.energy.totals import Energy, energy

PRODUCTION_METER = "production"
HOME_SOURCE = "home"  # the source of intervals worked out from both meters


@dataclass(frozen=True)
class HomeEnergy:
    grid: Energy  # the net meter's figure for the span
    solar: Energy  # the production meter's (its delivered register: what the panels made)

    @property
    def produced_wh(self) -> float | None:
        return self.solar.imported_wh

    @property
    def home_use_wh(self) -> float | None:
        return home_use(self.grid.imported_wh, self.grid.exported_wh, self.produced_wh)

    @property
    def self_consumed_wh(self) -> float | None:
        produced, exported = self.produced_wh, self.grid.exported_wh
        if produced is None or exported is None:
            return None
        return max(0.0, produced - exported)

    @property
    def self_sufficiency(self) -> float | None:
        """0..1, the share of the home's use the sun covered; None when unknown or nothing was used."""
        use, imported = self.home_use_wh, self.grid.imported_wh
        if use is None or imported is None or use <= 0:
            return None
        return min(1.0, max(0.0, 1.0 - imported / use))

    @property
    def as_of(self) -> dt.datetime:
        """Both meters are known up to here."""
        return min(self.grid.as_of, self.solar.as_of)


def home_use(imported_wh: float | None, exported_wh: float | None, produced_wh: float | None) -> float | None:
    """import + production - export, or None when any part is unknown (never below zero: registers round)."""
    if imported_wh is None or exported_wh is None or produced_wh is None:
        return None
    return max(0.0, imported_wh + produced_wh - exported_wh)


def home_energy(store: HistoryStore, start: dt.datetime, end: dt.datetime, now: dt.datetime, *,
                zone: dt.tzinfo | None = None) -> HomeEnergy:
    """Both meters' energy in [start, end) as of ``now``, for the home-use figures (``store``: any view)."""
    grid = energy(store.for_meter("net"), start, end, now, zone=zone)
    solar = energy(store.for_meter(PRODUCTION_METER), start, end, now, zone=zone)
    return HomeEnergy(grid, solar)


def home_intervals(store: HistoryStore, start: dt.datetime, end: dt.datetime) -> list[EnergyInterval]:
    """The home's use per interval both meters measured (the same start and length): ``imported_wh`` is the home's
    use, ``exported_wh`` the solar it used itself. An interval only one meter has is a gap here."""
    grid = {(iv.start, iv.duration_s): iv for iv in store.for_meter("net").intervals(start, end)}
    out: list[EnergyInterval] = []
    for solar in store.for_meter(PRODUCTION_METER).intervals(start, end):
        net = grid.get((solar.start, solar.duration_s))
        if net is None:
            continue
        use = home_use(net.imported_wh, net.exported_wh, solar.imported_wh)
        if use is None or solar.imported_wh is None or net.exported_wh is None:
            continue
        out.append(EnergyInterval(solar.start, solar.duration_s, use, max(0.0, solar.imported_wh - net.exported_wh),
                                  HOME_SOURCE))
    return out


def home_watts(net_w: float | None, production_w: float | None) -> float | None:
    """What the house draws now: the net meter's demand (negative while exporting) plus what the panels make."""
    if net_w is None or production_w is None:
        return None
    return max(0.0, net_w + production_w)
