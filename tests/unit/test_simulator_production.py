"""The household's PV and load, the production meter's registers and resources, and their agreement with the net meter.

The net meter serves demand = load - PV; the production meter serves PV. Everything here is the model and the
resource tree without a network; tests/integration/test_simulator_production.py reads both meters over TLS.
"""

from __future__ import annotations

import json
import math
from importlib import resources as pkg_resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from xcelsior_desktop.commands import simulate
from xcelsior_desktop.simulator import roles
from xcelsior_desktop.simulator.model import SLOT, HouseholdModel
from xcelsior_desktop.simulator.resources import MeterResources, Snapshot
from xcelsior_desktop.simulator.roles import ProductionMeter, meter_model

T0 = 1791261391  # 2026-10-06, the capture's time
HALF_PERIOD = 10  # the flicker holds each value 10 s and pieces switch on 20 s boundaries: a 10 s midpoint rule is exact


@pytest.fixture(scope="module")
def household() -> HouseholdModel:
    return HouseholdModel.for_seed(0)


def integral_wh(power, start: int, seconds: int, step: float = HALF_PERIOD) -> float:
    """Midpoint rule over windows that start on a 10 s boundary: exact for the model's piecewise-constant power."""
    return sum(power(start + (i + 0.5) * step) for i in range(int(seconds / step))) * step / 3600.0


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=T0 - 40 * 86400, max_value=T0 + 10 * 86400))
def test_demand_is_load_minus_pv_and_neither_goes_below_zero(t):
    household = HouseholdModel.for_seed(0)
    load, pv = household.load_w(t), household.pv_w(t)
    assert pv >= 0.0 and load > 0.0
    assert household.demand_w(t) == pytest.approx(load - pv, rel=1e-9, abs=1e-9)


def test_pv_follows_the_sun(household):
    first = household.local_day_of(T0) - 30
    for day in household.sunny_days(first, 30):
        noon = household.solar_noon(day)
        assert household.pv_w(noon) > 2000, day
        assert household.pv_w(noon - 12 * 3600) == 0.0 and household.pv_w(noon + 9 * 3600) == 0.0  # midnight, 21:00
        morning, afternoon = household.pv_w(noon - 4 * 3600), household.pv_w(noon - 2 * 3600)
        assert 0 < morning < afternoon < household.pv_w(noon) * 1.2


@pytest.mark.parametrize("hours_after", [0, 6, 11, 13, 19])  # night, sunrise, before and after noon, dusk
def test_production_registers_are_the_integral_of_pv(household, hours_after):
    start = T0 // 10 * 10 + hours_after * 3600
    a_delivered, a_received = household.production_wh(start)
    b_delivered, b_received = household.production_wh(start + 1800)
    assert b_delivered - a_delivered == pytest.approx(integral_wh(household.pv_w, start, 1800), rel=1e-9, abs=1e-6)
    assert a_received == b_received == 0.0  # the modelled inverter draws nothing
    # inside a flicker half too, not only over whole periods (abs: a difference of two registers near 4e7 Wh)
    inside = household.production_wh(start + 7.3)[0] - a_delivered
    assert inside == pytest.approx(integral_wh(household.pv_w, start, 7.3, step=7.3 / 50), rel=1e-9, abs=1e-7)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=T0 - 20 * 86400, max_value=T0 + 5 * 86400), st.floats(min_value=0, max_value=7200))
def test_production_never_decreases(t, dt):
    household = HouseholdModel.for_seed(0)
    assert household.production_wh(t + dt)[0] >= household.production_wh(t)[0]


def test_production_continuous_across_midnight(household):
    midnight = (T0 // 86400 + 1) * 86400
    assert household.production_wh(midnight)[0] - household.production_wh(midnight - 1e-3)[0] < 0.01


def test_home_use_is_the_load_over_every_slot_of_a_day(household):
    """import - export + production = the integral of the load, slot by slot: the two meters tell one story."""
    first = T0 // SLOT * SLOT - 96 * SLOT
    for k in range(96):
        start = first + k * SLOT
        (a_imp, a_exp), (b_imp, b_exp) = household.energy_wh(start), household.energy_wh(start + SLOT)
        made = household.production_wh(start + SLOT)[0] - household.production_wh(start)[0]
        home_use = (b_imp - a_imp) - (b_exp - a_exp) + made
        assert home_use == pytest.approx(integral_wh(household.load_w, start, SLOT), rel=1e-9, abs=1e-6), start
        assert home_use > 0


# ------------------------------------------------------------------------------------------------ the production meter
@pytest.fixture(scope="module")
def production(household: HouseholdModel) -> ProductionMeter:
    return ProductionMeter(household)


def test_production_intervals_are_register_differences(production):
    slot = T0 // SLOT * SLOT - 60 * SLOT
    for k in range(60):
        start = slot + k * SLOT
        interval = production.interval(start)
        a, b = production.energy_wh(start), production.energy_wh(start + SLOT)
        assert interval.delivered_wh == math.floor(b[0]) - math.floor(a[0]) >= 0
        assert interval.received_wh == 0


def test_production_max_demand_is_the_days_highest_pv(household, production):
    noon = household.solar_noon(household.sunny_days(household.local_day_of(T0) - 10, 10)[0])
    watts, when = production.max_demand(noon + 3600)
    day_start = int(noon + 3600) // 86400 * 86400
    highest = max(household.pv_w(t) for t in range(day_start, int(noon + 3600), 10))
    assert day_start <= when <= noon + 3600
    assert highest <= watts + 0.5 and watts <= highest * 1.08 + 1  # the flicker's top, as the net meter's maximum


def test_production_tou_registers_carry_the_total_only(production):
    regs = production.registers(T0)
    assert regs.tou_delivered[0] == production.energy_wh(production.tou_time(T0))[0]
    assert regs.tou_delivered[0] <= regs.delivered_wh
    assert set(regs.tou_delivered[1:]) == {0.0} and roles.tou_tiers("production") == {0}


def test_the_net_meter_is_the_household_model_itself(household):
    assert meter_model(household, "net") is household
    assert isinstance(meter_model(household, "production"), ProductionMeter)
    with pytest.raises(ValueError, match="role"):
        meter_model(household, "solar")


def test_the_command_line_offers_the_simulators_roles():
    assert simulate.ROLES == roles.ROLES


# ------------------------------------------------------------------------------------------------ resources
@pytest.fixture(scope="module")
def capture():
    folder = pkg_resources.files("xcelsior_desktop.simulator").joinpath("capture")
    return json.loads(folder.joinpath("itron_riva_3_2_50.json").read_text("utf-8"))


def _structure(element):
    return (element.tag, tuple(element.attrib), tuple(_structure(child) for child in element))


def _meters(household: HouseholdModel, production: ProductionMeter):
    net = MeterResources(household, "AB" * 20, 123456789012)
    solar = MeterResources(production, "CD" * 20, 987654321098, tou_tiers=roles.tou_tiers("production"))
    return net, Snapshot.of(household, T0), solar, Snapshot.of(production, T0)


def test_the_production_meter_serves_the_net_meters_tree(capture, household, production):
    """Same agent, same tree: every captured path answers alike, in the same structure; only the TOU tiers differ."""
    net, net_snap, solar, solar_snap = _meters(household, production)
    for key in capture["responses"]:
        path, _, query = key.partition("?")
        ours, theirs = solar.get(path, query, solar_snap), net.get(path, query, net_snap)
        assert (ours.status, ours.content_type, ours.allow) == (theirs.status, theirs.content_type, theirs.allow), key
        if not theirs.body or path.startswith(("/upt/1/mr/8/rs/1/r", "/upt/1/mr/9/rs/1/r")):
            continue
        assert _structure(etree.fromstring(ours.body)) == _structure(etree.fromstring(theirs.body)), key


def _values(body: bytes) -> dict[str, str | None]:
    ns = "{urn:ieee:std:2030.5:ns}"
    root = etree.fromstring(body)
    return {r.get("href"): r.findtext(f"{ns}value") for r in root.iter(f"{ns}Reading")}


def test_the_production_meter_serves_pv_and_its_registers(household, production):
    _, _, solar, snap = _meters(household, production)
    assert _values(solar.get("/upt/1/mr/1/r", "", snap).body) == {"/upt/1/mr/1/r": str(round(household.pv_w(T0)))}
    delivered, received = production.energy_wh(T0)
    assert _values(solar.get("/upt/1/mr/3/r", "", snap).body)["/upt/1/mr/3/r"] == str(math.floor(delivered))
    assert _values(solar.get("/upt/1/mr/2/r", "", snap).body)["/upt/1/mr/2/r"] == str(math.floor(received))
    tiers = _values(solar.get("/upt/1/mr/9/rs/1/r", "s=0&l=25", snap).body)
    total = math.floor(production.energy_wh(production.tou_time(T0))[0])
    assert tiers == {"/upt/1/mr/9/rs/1/r/1": str(total), **{f"/upt/1/mr/9/rs/1/r/{n}": None for n in range(2, 10)}}
    newest = solar.get("/upt/1/mr/12/rs/123/r", "s=0&l=48", snap).body
    first = 1791244800  # the set rs/123 starts at 00:00 UTC of the capture's day
    expected = [str(production.interval(first + i * SLOT).delivered_wh) for i in range((T0 - first) // SLOT)]
    assert list(_values(newest).values()) == expected


def test_device_information_differs_only_by_identity(household, production):
    net, net_snap, solar, solar_snap = _meters(household, production)
    ours, theirs = solar.get("/sdev/sdi", "", solar_snap).body, net.get("/sdev/sdi", "", net_snap).body
    assert ours.replace(b"CD" * 20, b"AB" * 20) == theirs
