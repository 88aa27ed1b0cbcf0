"""What a meter reading means, decided from its ReadingType (never from its path or index).

IEEE 2030.5 codes used: accumulationBehaviour 3 cumulative, 4 delta (interval), 9 summation,
12 instantaneous; flowDirection 1 forward (delivered, grid to home), 19 reverse (received, home to
grid), 4 net; uom 38 W, 65 cos(theta), 71 VAh, 72 Wh, 73 varh; dataQualifier 8 maximum;
phase 128/64/32 = A/B/C. Older agents give TOU and plain summations identical tuples: they are told
apart by numberOfTouTiers, then by the description.
"""

from __future__ import annotations

import enum
import re

from xcelsior_desktop.meter.resources import ReadingType


class Channel(enum.StrEnum):
    DEMAND = "demand"
    MAX_DEMAND_DELIVERED = "max_demand_delivered"
    MAX_DEMAND_RECEIVED = "max_demand_received"
    DELIVERED_WH = "delivered_wh"
    RECEIVED_WH = "received_wh"
    TOU_DELIVERED_WH = "tou_delivered_wh"
    TOU_RECEIVED_WH = "tou_received_wh"
    VAH_DELIVERED = "vah_delivered"
    VAH_RECEIVED = "vah_received"
    VARH_DELIVERED = "varh_delivered"
    VARH_RECEIVED = "varh_received"
    INTERVAL_DELIVERED_WH = "interval_delivered_wh"
    INTERVAL_RECEIVED_WH = "interval_received_wh"
    INTERVAL_NET_WH = "interval_net_wh"
    INTERVAL_VAH_DELIVERED = "interval_vah_delivered"
    INTERVAL_VAH_RECEIVED = "interval_vah_received"
    INTERVAL_VARH_DELIVERED = "interval_varh_delivered"
    INTERVAL_VARH_RECEIVED = "interval_varh_received"
    POWER_FACTOR = "power_factor"
    POWER_FACTOR_A = "power_factor_a"
    POWER_FACTOR_B = "power_factor_b"
    POWER_FACTOR_C = "power_factor_c"


INTERVAL_CHANNELS = frozenset(c for c in Channel if c.value.startswith("interval_"))
TOU_CHANNELS = frozenset({Channel.TOU_DELIVERED_WH, Channel.TOU_RECEIVED_WH})

UOM_UNITS = {
    0: "",
    5: "A",
    29: "V",
    33: "Hz",
    38: "W",
    61: "VA",
    63: "var",
    65: "",  # cos(theta): a plain ratio
    71: "VAh",
    72: "Wh",
    73: "varh",
}

FLOW_DELIVERED = 1
FLOW_RECEIVED = 19
FLOW_NET = 4
_UOM_W, _UOM_PF, _UOM_VAH, _UOM_WH, _UOM_VARH = 38, 65, 71, 72, 73
_ACC_CUMULATIVE, _ACC_DELTA, _ACC_SUMMATION, _ACC_INSTANT = 3, 4, 9, 12
_QUALIFIER_MAXIMUM = 8
_TOU_WORD = re.compile(r"\btou\b|time[- ]of[- ]use", re.IGNORECASE)


def unit_of(uom: int | None) -> str:
    return UOM_UNITS.get(uom if uom is not None else 0, f"uom{uom}")


def _by_flow(flow: int | None, delivered: Channel, received: Channel, net: Channel | None = None) -> Channel | None:
    if flow == FLOW_RECEIVED:
        return received
    if flow == FLOW_DELIVERED:
        return delivered
    if flow == FLOW_NET:
        return net
    return None


def classify(rt: ReadingType, description: str | None = None) -> Channel | None:
    """The meaning of a reading, or None when it is something we do not use."""
    uom, acc, flow = rt.uom, rt.accumulation_behaviour, rt.flow_direction
    if uom == _UOM_PF:
        phase = rt.phase or 0
        if phase in (128, 129):
            return Channel.POWER_FACTOR_A
        if phase in (64, 65):
            return Channel.POWER_FACTOR_B
        if phase in (32, 33):
            return Channel.POWER_FACTOR_C
        return Channel.POWER_FACTOR
    if uom == _UOM_W:
        if rt.data_qualifier == _QUALIFIER_MAXIMUM:
            return _by_flow(flow, Channel.MAX_DEMAND_DELIVERED, Channel.MAX_DEMAND_RECEIVED)
        if acc in (_ACC_INSTANT, None) and flow != FLOW_RECEIVED:
            return Channel.DEMAND
        return None
    is_interval = acc == _ACC_DELTA or (acc is None and (rt.interval_length or 0) > 0)
    if is_interval:
        if uom == _UOM_WH:
            return _by_flow(flow, Channel.INTERVAL_DELIVERED_WH, Channel.INTERVAL_RECEIVED_WH, Channel.INTERVAL_NET_WH)
        if uom == _UOM_VAH:
            return _by_flow(flow, Channel.INTERVAL_VAH_DELIVERED, Channel.INTERVAL_VAH_RECEIVED)
        if uom == _UOM_VARH:
            return _by_flow(flow, Channel.INTERVAL_VARH_DELIVERED, Channel.INTERVAL_VARH_RECEIVED)
        return None
    if acc in (_ACC_SUMMATION, _ACC_CUMULATIVE, None):
        if uom == _UOM_WH:
            tou = (rt.number_of_tou_tiers or 0) > 0 or bool(description and _TOU_WORD.search(description))
            if tou:
                return _by_flow(flow, Channel.TOU_DELIVERED_WH, Channel.TOU_RECEIVED_WH)
            return _by_flow(flow, Channel.DELIVERED_WH, Channel.RECEIVED_WH)
        if uom == _UOM_VAH:
            return _by_flow(flow, Channel.VAH_DELIVERED, Channel.VAH_RECEIVED)
        if uom == _UOM_VARH:
            return _by_flow(flow, Channel.VARH_DELIVERED, Channel.VARH_RECEIVED)
    return None
