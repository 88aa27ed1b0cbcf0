"""What each meter of a solar household measures.

Many Xcel solar homes have two Itron meters: the **net** meter at the service entrance (demand = load - PV, signed)
and a **production** meter on the solar inverter's output (demand = PV). Both are views of one
:class:`~xcelsior_desktop.simulator.model.HouseholdModel`, so at every instant and over every slot
home use = net import - export + production = the model's load.

The production meter runs the same agent as the net meter, so it serves the same resource tree; what differs is
the values. Its delivered (forward) register is the PV output and received the inverter's draw (none in the model).
Its TOU registers keep the readings and the ReadingType the agent always lists, but only tier 0, the total, carries
a value, as unused tiers have none on the net meter. This is our choice: no observation of a production meter's
tiers is known to us, the household's time-of-use bill is the net meter's, and a reader of this meter is better
tested by a meter without tiers than by tiers the utility may never program.
"""

from __future__ import annotations

from xcelsior_desktop.simulator.model import (
    SLOT,
    TIERS,
    HouseholdModel,
    Interval,
    MeterModel,
    Registers,
    interval_between,
)
from xcelsior_desktop.simulator.resources import TOU_TIERS_IN_USE

ROLES = ("net", "production")
PRODUCTION_TOU_TIERS = frozenset({0})  # only the total: see the module docstring


class ProductionMeter:
    """The production meter of ``household``: PV as demand, its integral as the delivered register."""

    def __init__(self, household: HouseholdModel) -> None:
        self.household = household

    @property
    def seed(self) -> int:
        return self.household.seed

    def demand_w(self, t: float) -> float:
        return self.household.pv_w(t)

    def energy_wh(self, t: float) -> tuple[float, float]:
        """(delivered, received) in Wh: exactly the integral of :meth:`demand_w` since the model's anchor."""
        return self.household.production_wh(t)

    def registers(self, t: float) -> Registers:
        """Registers at ``t``; the TOU total as of the last 15-minute boundary, as the net meter updates its tiers.

        Tiers other than 0 are 0 here and served without a value (:data:`PRODUCTION_TOU_TIERS`)."""
        delivered, received = self.energy_wh(t)
        tou_delivered, tou_received = self.energy_wh(self.tou_time(t))
        unused = (0.0,) * (TIERS - 1)
        return Registers(delivered, received, (tou_delivered, *unused), (tou_received, *unused))

    def tou_time(self, t: float) -> int:
        return int(t) // SLOT * SLOT

    def interval(self, slot_start: int) -> Interval:
        return interval_between(slot_start, self.energy_wh(slot_start), self.energy_wh(slot_start + SLOT))

    def power_factor(self, t: float) -> float:
        # The model has one power factor per slot for the household's service; the inverter's own is not modelled.
        return self.household.power_factor(t)

    def max_demand(self, t: float) -> tuple[int, int]:
        return self.household.max_production(t)


def meter_model(household: HouseholdModel, role: str) -> MeterModel:
    """What the meter of ``role`` ("net" or "production") serves for ``household``."""
    if role == "net":
        return household
    if role == "production":
        return ProductionMeter(household)
    raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")


def tou_tiers(role: str) -> frozenset[int]:
    """The TOU tiers that carry a value on the meter of ``role``."""
    return PRODUCTION_TOU_TIERS if role == "production" else TOU_TIERS_IN_USE
