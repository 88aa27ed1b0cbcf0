"""A deterministic household for the simulated meter: signed demand, and registers that are its exact integral.

Shape of the model (all a pure function of ``seed`` and the instant asked about):

* Demand is built per UTC day from **pieces**: a smooth household load and the solar output are constant over
  each 15-minute slot, appliances (fridge, furnace or air conditioning, kettle, microwave, cooking, dishwasher,
  laundry, EV charging, ...) are rectangles that switch on and off on 20-second boundaries. Each piece has one
  signed power ``P``.
* On top, a **flicker** changes the value every 10 s: ``P * (1 + a_k * q(t))`` where ``a_k`` (|a_k| < 0.07) is
  drawn per 20-second period ``k`` and ``q`` is +1 for the first 10 s of the period and -1 for the last 10 s. It never
  changes the sign of a piece and integrates to zero over every period, so the energy of each piece is exactly
  ``P * length`` and the registers stay an exact, cheap, analytic integral of the demand that is served.
* Delivered (import) grows only while ``P > 0``, received (export) only while ``P < 0``; neither ever decreases.
* Registers are anchored on 2026-01-01 00:00 UTC (seeded start values). A register at time t is the sum of the
  day totals between the anchor and t's day (computed once per day, cached) plus the integral inside t's day.
* Weather (sunny / partly cloudy / overcast, daily high temperature) is drawn per local day from the seed; solar
  follows the sun's elevation at Denver's latitude, so demand goes negative around midday on sunny days.
* The pieces split into the house's **load** and the **PV** output (:meth:`HouseholdModel.load_w`,
  :meth:`HouseholdModel.pv_w`): demand = load - PV. Both carry the same flicker factor as demand, so the split holds
  at every instant, load stays above zero and PV never goes below it. A production meter on the inverter's output
  (``xcelsior_desktop/simulator/roles.py``) serves the PV and its exact integral (:meth:`HouseholdModel.production_wh`)
  from the same cached days as the net meter's registers.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from xcelsior_desktop.simulator.tou import TouSchedule

DAY = 86_400
SLOT = 900  # the meter's interval length
PERIOD = 20  # flicker period (s); every piece boundary is a multiple of it
HALF = PERIOD // 2
LOCAL_OFFSET = -7 * 3600  # the household lives on Mountain Standard Time (solar time in Denver)
ANCHOR_DAY = (dt.date(2026, 1, 1) - dt.date(1970, 1, 1)).days
LATITUDE = math.radians(39.74)
TIERS = 9  # tier 0 (total) + 8 tiers, as the meter's TOU registers
PV = 2 * TIERS  # index of the PV energy in a day's register vector, after the import and export tiers
VECTOR = PV + 1
FLICKER = 0.07

# reactive / apparent energy as fixed ratios of the real-energy registers (close to a real meter's readings)
VAH_PER_WH_DELIVERED = 1.107
VAH_PER_WH_RECEIVED = 1.154
VARH_RECEIVED_PER_WH_DELIVERED = 0.159
VARH_DELIVERED_PER_WH_RECEIVED = 0.323
PRODUCTION_RECEIVED_WH = 0.0  # the production meter's received register: the model's inverter draws nothing


@dataclass(frozen=True)
class Weather:
    cloudiness: float  # 0 clear .. 1 overcast (daily)
    kind: str  # "sunny" | "partly" | "overcast"
    high_c: float


@dataclass(frozen=True)
class Registers:
    """Exact register values in Wh at an instant (the meter serves their integer part)."""

    delivered_wh: float
    received_wh: float
    tou_delivered: tuple[float, ...]  # index = tier, 0 = total
    tou_received: tuple[float, ...]


@dataclass(frozen=True)
class Interval:
    start: int
    delivered_wh: int
    received_wh: int
    varh_received: int
    varh_delivered: int


class MeterModel(Protocol):
    """The values one meter serves: :class:`HouseholdModel` is the net meter's, the production meter's is in
    ``roles.py``."""

    @property
    def seed(self) -> int: ...

    def demand_w(self, t: float) -> float: ...

    def energy_wh(self, t: float) -> tuple[float, float]: ...

    def registers(self, t: float) -> Registers: ...

    def tou_time(self, t: float) -> int: ...

    def interval(self, slot_start: int) -> Interval: ...

    def power_factor(self, t: float) -> float: ...

    def max_demand(self, t: float) -> tuple[int, int]: ...


class _Day:
    """One UTC day of pieces, with the running import/export at each piece start."""

    __slots__ = ("start", "starts", "power", "cum_imp", "cum_exp", "slot_cum", "totals", "slot_pf", "slot_pv")

    def __init__(self, start: int) -> None:
        self.start = start
        self.starts: list[int] = []
        self.power: list[float] = []
        self.cum_imp: list[float] = []
        self.cum_exp: list[float] = []
        self.slot_cum: list[list[float]] = []  # 97 vectors: [imp tier 0..8, exp tier 0..8, PV] at slot starts
        self.totals: list[float] = [0.0] * VECTOR
        self.slot_pf: list[float] = []
        self.slot_pv: list[float] = []  # PV watts of each slot, before the flicker


def interval_between(slot_start: int, before: tuple[float, float], after: tuple[float, float]) -> Interval:
    """One slot's energy from the (delivered, received) registers at its start and end, as the meter serves
    them: differences of the integer register values, so the slots add up to the registers exactly."""
    a_imp, a_exp = before
    b_imp, b_exp = after
    return Interval(
        slot_start,
        math.floor(b_imp) - math.floor(a_imp),
        math.floor(b_exp) - math.floor(a_exp),
        math.floor(b_imp * VARH_RECEIVED_PER_WH_DELIVERED) - math.floor(a_imp * VARH_RECEIVED_PER_WH_DELIVERED),
        math.floor(b_exp * VARH_DELIVERED_PER_WH_RECEIVED) - math.floor(a_exp * VARH_DELIVERED_PER_WH_RECEIVED),
    )


def _q(t: float) -> int:
    """Round down to the flicker period so every switching instant is a piece boundary."""
    return int(t) // PERIOD * PERIOD


class HouseholdModel:
    """See the module docstring. Thread-safe; share one per seed with :meth:`for_seed`."""

    _shared: dict[int, HouseholdModel] = {}
    _shared_lock = threading.Lock()

    def __init__(self, seed: int = 0, schedule: TouSchedule | None = None) -> None:
        self.seed = seed
        self.schedule = schedule or TouSchedule.default()
        rng = random.Random(f"house:{seed}")
        self.base_w = rng.uniform(160, 300)
        self.morning_w = rng.uniform(250, 450)
        self.evening_w = rng.uniform(500, 900)
        self.solar_w = rng.uniform(4500, 7500)
        self.has_ev = rng.random() < 0.6
        self.has_ac = rng.random() < 0.8
        start_imp = rng.uniform(25e6, 40e6)
        start_exp = rng.uniform(5e6, 9e6)
        imp_split = (0.13, 0.03, 0.84)
        exp_split = (0.04, 0.16, 0.80)
        self._anchor = [0.0] * VECTOR
        self._anchor[0] = start_imp
        self._anchor[TIERS] = start_exp
        for tier in (1, 2, 3):
            self._anchor[tier] = start_imp * imp_split[tier - 1]
            self._anchor[TIERS + tier] = start_exp * exp_split[tier - 1]
        # A stream of its own, so that the net meter's draws above stay what they were before PV had a register:
        # one to four years of output at about 1500 kWh per kW of panels a year.
        self._anchor[PV] = self.solar_w * random.Random(f"production:{seed}").uniform(1500.0, 6000.0)
        self._salt = (seed * 0x9E3779B1 + 0x7F4A7C15) & 0xFFFFFFFF
        self._lock = threading.RLock()
        self._days: OrderedDict[int, _Day] = OrderedDict()
        self._totals: dict[int, list[float]] = {}
        self._prefix: dict[int, list[float]] = {ANCHOR_DAY: list(self._anchor)}
        self._prefix_lo = ANCHOR_DAY
        self._prefix_hi = ANCHOR_DAY
        self._weather = lru_cache(maxsize=512)(self._weather_uncached)
        self._events = lru_cache(maxsize=128)(self._events_uncached)

    @classmethod
    def for_seed(cls, seed: int) -> HouseholdModel:
        with cls._shared_lock:
            model = cls._shared.get(seed)
            if model is None:
                model = cls._shared[seed] = cls(seed)
            return model

    # ---------------------------------------------------------------- weather and appliances
    def weather(self, local_day: int) -> Weather:
        """Weather of a local (Mountain Standard Time) calendar day, numbered in days since 1970-01-01."""
        return self._weather(local_day)

    def _weather_uncached(self, local_day: int) -> Weather:
        rng = random.Random(f"wx:{self.seed}:{local_day}")
        doy = (dt.date(1970, 1, 1) + dt.timedelta(days=local_day)).timetuple().tm_yday
        high = 19.0 - 12.0 * math.cos(2 * math.pi * (doy - 15) / 365.0) + rng.uniform(-6, 6)
        draw = rng.random()
        if draw < 0.6:
            return Weather(rng.uniform(0.0, 0.12), "sunny", high)
        if draw < 0.85:
            return Weather(rng.uniform(0.3, 0.7), "partly", high - 3)
        return Weather(rng.uniform(0.8, 0.97), "overcast", high - 6)

    def local_day_of(self, unix: float) -> int:
        return int(unix + LOCAL_OFFSET) // DAY

    def solar_noon(self, local_day: int) -> int:
        """UTC instant of solar noon (12:00 Mountain Standard Time, Denver lies on the zone's meridian)."""
        return local_day * DAY - LOCAL_OFFSET + 12 * 3600

    def sunny_days(self, first_local_day: int, count: int) -> list[int]:
        return [d for d in range(first_local_day, first_local_day + count) if self.weather(d).kind == "sunny"]

    def _events_uncached(self, local_day: int) -> tuple[tuple[int, int, float], ...]:
        """Appliance runs (start, end, watts) that start on one local day."""
        rng = random.Random(f"ev:{self.seed}:{local_day}")
        midnight = local_day * DAY - LOCAL_OFFSET
        end_of_day = midnight + DAY
        wx = self.weather(local_day)
        out: list[tuple[int, int, float]] = []

        def add(start_h: float, duration_s: float, watts: float) -> None:
            start = _q(midnight + start_h * 3600)
            end = max(start + PERIOD, _q(start + duration_s))
            out.append((start, end, watts))

        def cycles(first_h: float, last_h: float, on: tuple[float, float], off: tuple[float, float],
                   watts: tuple[float, float]) -> None:
            t = midnight + first_h * 3600 + rng.uniform(0, off[1])
            while t < min(end_of_day, midnight + last_h * 3600):
                length = rng.uniform(*on)
                add((t - midnight) / 3600, length, rng.uniform(*watts))
                t += length + rng.uniform(*off)

        cycles(0, 24, (900, 1500), (1800, 2700), (110, 150))  # fridge compressor
        if wx.high_c < 12:  # furnace blower, more often the colder it is
            scale = max(0.4, min(2.5, (12 - wx.high_c) / 8))
            cycles(0, 24, (480, 900), (900 / scale, 3000 / scale), (420, 480))
        elif wx.high_c > 27 and self.has_ac:
            cycles(12.5, 21, (900, 1500), (600, 1500), (2900, 3500))  # air conditioning
        for _ in range(rng.randint(1, 2)):
            add(rng.uniform(6.2, 8.5), rng.uniform(150, 300), 1800)  # kettle
        if rng.random() < 0.5:
            add(rng.uniform(6.5, 7.5), rng.uniform(300, 600), 1500)  # hair dryer
        for centre in rng.sample([7.5, 12.25, 18.5, 21.0], rng.randint(2, 4)):
            add(centre + rng.uniform(-0.5, 0.5), rng.uniform(90, 300), 1100)  # microwave
        if rng.random() < 0.8:
            add(rng.uniform(17.0, 18.75), rng.uniform(900, 2400), rng.uniform(1500, 2200))  # cooktop
        if rng.random() < 0.3:
            add(rng.uniform(17.0, 18.5), rng.uniform(2400, 3600), 2400)  # oven
        if rng.random() < 0.6:
            add(rng.uniform(19.5, 22.0), 4200, 1300)  # dishwasher
        if rng.random() < 0.35:
            washer = rng.uniform(8.0, 15.0)
            add(washer, 2700, 500)
            add(washer + 0.8, 3300, 4800)  # dryer
        if self.has_ev and rng.random() < 0.35:
            add(rng.uniform(21.0, 23.5), rng.uniform(3600, 12600), 7200)  # EV charging, off-peak
        return tuple(out)

    # ---------------------------------------------------------------- per-slot smooth parts
    def _smooth_parts(self, slot_start: int, noise: float) -> tuple[float, float]:
        """(smooth household load, solar output) in W, each constant over one 15-minute slot."""
        centre = slot_start + SLOT / 2
        local = centre + LOCAL_OFFSET
        local_day = int(local) // DAY
        hour = (local % DAY) / 3600.0
        wx = self.weather(local_day)
        winter = 0.5 + 0.5 * math.cos(2 * math.pi * ((local_day % 365) - 355) / 365.0)
        load = self.base_w
        load += self.morning_w * math.exp(-(((hour - 7.3) / 1.1) ** 2))
        load += self.evening_w * (1 + 0.3 * winter) * math.exp(-(((hour - 19.8) / 2.2) ** 2))
        if 9 <= hour <= 17:
            load += 0.2 * self.evening_w
        load *= 1 + 0.08 * noise
        doy = (dt.date(1970, 1, 1) + dt.timedelta(days=local_day)).timetuple().tm_yday
        decl = math.radians(23.44) * math.sin(2 * math.pi * (284 + doy) / 365.0)
        angle = math.radians(15.0 * (hour - 12.0))
        sin_elev = math.sin(LATITUDE) * math.sin(decl) + math.cos(LATITUDE) * math.cos(decl) * math.cos(angle)
        solar = 0.0
        if sin_elev > 0:
            shade = wx.cloudiness * (1.0 + 0.45 * noise if wx.kind == "partly" else 1.0)
            solar = self.solar_w * 0.85 * sin_elev ** 1.15 * max(0.05, 1.0 - shade)
        return load, solar

    # ---------------------------------------------------------------- building a day
    def _day(self, day: int) -> _Day:
        with self._lock:
            cached = self._days.get(day)
            if cached is not None:
                self._days.move_to_end(day)
                return cached
        built = self._build_day(day)
        with self._lock:
            self._days[day] = built
            self._totals[day] = built.totals
            while len(self._days) > 96:
                self._days.popitem(last=False)
        return built

    def _build_day(self, day: int) -> _Day:
        start = day * DAY
        end = start + DAY
        rng = random.Random(f"slot:{self.seed}:{day}")
        slots = DAY // SLOT
        noise = [rng.uniform(-1, 1) for _ in range(slots)]
        parts = [self._smooth_parts(start + j * SLOT, noise[j]) for j in range(slots)]
        smooth = [load - solar for load, solar in parts]
        solar = [pv for _, pv in parts]
        hour_tier = [self.schedule.tier_at(start + h * 3600 + 1) for h in range(24)]
        deltas: dict[int, float] = {}
        first_local = self.local_day_of(start)
        for local_day in (first_local - 1, first_local, first_local + 1):
            for ev_start, ev_end, watts in self._events(local_day):
                a, b = max(ev_start, start), min(ev_end, end)
                if a < b:
                    deltas[a] = deltas.get(a, 0.0) + watts
                    if b < end:
                        deltas[b] = deltas.get(b, 0.0) - watts
        times = sorted(set(range(start, end, SLOT)).union(deltas))
        out = _Day(start)
        vec = [0.0] * VECTOR
        active = 0.0
        imp = exp = 0.0
        for i, t in enumerate(times):
            active += deltas.get(t, 0.0)
            slot = (t - start) // SLOT
            if (t - start) % SLOT == 0:
                out.slot_cum.append(list(vec))
            power = smooth[slot] + active
            length = (times[i + 1] if i + 1 < len(times) else end) - t
            energy = power * length / 3600.0
            out.starts.append(t)
            out.power.append(power)
            out.cum_imp.append(imp)
            out.cum_exp.append(exp)
            tier = hour_tier[(t - start) // 3600]
            vec[PV] += solar[slot] * length / 3600.0
            if power > 0:
                imp += energy
                vec[0] += energy
                vec[tier] += energy
            elif power < 0:
                exp -= energy
                vec[TIERS] -= energy
                vec[TIERS + tier] -= energy
        out.slot_cum.append(list(vec))
        out.totals = vec
        out.slot_pf = [0.93 + 0.05 * n for n in noise]
        out.slot_pv = solar
        return out

    def _day_totals(self, day: int) -> list[float]:
        with self._lock:
            totals = self._totals.get(day)
        return totals if totals is not None else self._day(day).totals

    def _prefix_at(self, day: int) -> list[float]:
        """Register vector at 00:00 UTC of ``day`` (the anchor plus every day total in between)."""
        with self._lock:
            known = self._prefix.get(day)
            if known is not None:
                return known
            while self._prefix_hi < day:
                nxt = [a + b for a, b in zip(self._prefix[self._prefix_hi], self._day_totals(self._prefix_hi),
                                             strict=True)]
                self._prefix_hi += 1
                self._prefix[self._prefix_hi] = nxt
            while self._prefix_lo > day:
                prev = [max(0.0, a - b) for a, b in zip(self._prefix[self._prefix_lo],
                                                        self._day_totals(self._prefix_lo - 1), strict=True)]
                self._prefix_lo -= 1
                self._prefix[self._prefix_lo] = prev
            return self._prefix[day]

    def _flicker(self, period: int) -> float:
        x = (period * 0x9E3779B1 + self._salt) & 0xFFFFFFFF
        x ^= x >> 15
        x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
        x ^= x >> 12
        return (x / 4294967296.0 - 0.5) * 2 * FLICKER

    def _locate(self, t: float) -> tuple[_Day, int]:
        day = self._day(int(t // DAY))
        return day, bisect.bisect_right(day.starts, t) - 1

    # ---------------------------------------------------------------- public answers
    def _flicker_factor(self, t: float) -> float:
        period = int(t // PERIOD)
        sign = 1.0 if t - period * PERIOD < HALF else -1.0
        return 1.0 + self._flicker(period) * sign

    def _wave(self, t: float) -> float:
        """The flicker's share of the energy since the start of ``t``'s period, in seconds of the piece's power."""
        period = int(t // PERIOD)
        tau = t - period * PERIOD
        return self._flicker(period) * (tau if tau < HALF else PERIOD - tau)

    @staticmethod
    def _slot_of(day: _Day, t: float) -> int:
        return int((t - day.start) // SLOT)

    def demand_w(self, t: float) -> float:
        """Signed instantaneous demand in W (negative while exporting): what the net meter serves."""
        day, i = self._locate(t)
        return day.power[i] * self._flicker_factor(t)

    def pv_w(self, t: float) -> float:
        """The solar inverter's output in W (>= 0, 0 at night): what the production meter serves."""
        day, _ = self._locate(t)
        return day.slot_pv[self._slot_of(day, t)] * self._flicker_factor(t)

    def load_w(self, t: float) -> float:
        """The house's own use in W (> 0): :meth:`demand_w` + :meth:`pv_w`, whichever meter it passes."""
        day, i = self._locate(t)
        return (day.power[i] + day.slot_pv[self._slot_of(day, t)]) * self._flicker_factor(t)

    def energy_wh(self, t: float) -> tuple[float, float]:
        """(delivered, received) in Wh, exactly the integral of :meth:`demand_w` since the anchor."""
        day, i = self._locate(t)
        prefix = self._prefix_at(int(t // DAY))
        power = day.power[i]
        partial = power * ((t - day.starts[i]) + self._wave(t)) / 3600.0
        imp = prefix[0] + day.cum_imp[i] + (partial if power > 0 else 0.0)
        exp = prefix[TIERS] + day.cum_exp[i] + (-partial if power < 0 else 0.0)
        return imp, exp

    def registers(self, t: float) -> Registers:
        """Registers at ``t``; the TOU tiers as of the last 15-minute boundary (the meter updates them in steps)."""
        imp, exp = self.energy_wh(t)
        slot_start = int(t) // SLOT * SLOT
        day, _ = self._locate(slot_start)
        prefix = self._prefix_at(slot_start // DAY)
        cum = day.slot_cum[(slot_start - day.start) // SLOT]
        vec = [p + c for p, c in zip(prefix, cum, strict=True)]
        return Registers(imp, exp, tuple(vec[:TIERS]), tuple(vec[TIERS:PV]))

    def production_wh(self, t: float) -> tuple[float, float]:
        """The production meter's (delivered, received) in Wh: exactly the integral of :meth:`pv_w` since the
        anchor, and of the inverter's draw. The model has the inverter draw nothing (its standby use would have
        to come out of the house's load and show as negative production on demand), so received stays 0."""
        day, _ = self._locate(t)
        prefix = self._prefix_at(int(t // DAY))
        slot = self._slot_of(day, t)
        slot_start = day.start + slot * SLOT
        partial = day.slot_pv[slot] * ((t - slot_start) + self._wave(t)) / 3600.0
        return prefix[PV] + day.slot_cum[slot][PV] + partial, PRODUCTION_RECEIVED_WH

    def max_production(self, t: float) -> tuple[int, int]:
        """(watts, when): the highest PV slot of the UTC day so far, the production meter's maximum demand."""
        day, _ = self._locate(t)
        best, when = 0.0, day.start
        for j in range(self._slot_of(day, t) + 1):
            if day.slot_pv[j] > best:
                best, when = day.slot_pv[j], day.start + j * SLOT
        return int(round(best * (1 + FLICKER))), when

    def tou_time(self, t: float) -> int:
        """When the TOU registers were last updated (the last 15-minute boundary)."""
        return int(t) // SLOT * SLOT

    def interval(self, slot_start: int) -> Interval:
        """Energy of one 15-minute slot: the difference of the integer registers across it."""
        return interval_between(slot_start, self.energy_wh(slot_start), self.energy_wh(slot_start + SLOT))

    def power_factor(self, t: float) -> float:
        day, _ = self._locate(t)
        return day.slot_pf[(int(t) - day.start) // SLOT]

    def max_demand(self, t: float) -> tuple[int, int]:
        """(watts, when): the highest import piece of the UTC day so far."""
        day, i = self._locate(t)
        best, when = 0.0, day.start
        for j in range(i + 1):
            if day.power[j] > best:
                best, when = day.power[j], day.starts[j]
        return int(round(best * (1 + FLICKER))), when
