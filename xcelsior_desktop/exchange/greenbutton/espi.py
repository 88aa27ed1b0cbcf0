"""Facts of NAESB ESPI (the Green Button schema) that the reader and the writer share."""

from __future__ import annotations

ATOM_NS = "http://www.w3.org/2005/Atom"
ESPI_NS = "http://naesb.org/espi"

# the ESPI resources an Atom entry's <content> can carry that matter here
USAGE_POINT = "UsagePoint"
METER_READING = "MeterReading"
READING_TYPE = "ReadingType"
INTERVAL_BLOCK = "IntervalBlock"
LOCAL_TIME_PARAMETERS = "LocalTimeParameters"
ESPI_RESOURCES = frozenset(
    {
        USAGE_POINT,
        METER_READING,
        READING_TYPE,
        INTERVAL_BLOCK,
        LOCAL_TIME_PARAMETERS,
        "ElectricPowerUsageSummary",
        "ElectricPowerQualitySummary",
        "UsageSummary",
        "ApplicationInformation",
        "Authorization",
        "ReadingQuality",
        "ServiceStatus",
        "BatchList",
    }
)

# ServiceCategory/kind of a UsagePoint
SERVICE_ELECTRICITY = 0
SERVICE_KINDS = {
    0: "electricity",
    1: "gas",
    2: "water",
    3: "time",
    4: "heat",
    5: "refuse",
    6: "sewerage",
    7: "rates",
    8: "TV licence",
    9: "internet",
}

# ReadingType/commodity: 0 none (implied), 1/2/26 electricity (secondary, primary, transmission metered)
ELECTRICITY_COMMODITIES = frozenset({0, 1, 2, 26})
COMMODITY_NAMES = {
    3: "communication",
    4: "air",
    7: "natural gas",
    8: "propane",
    9: "potable water",
    10: "steam",
    11: "waste water",
    12: "heating fluid",
    13: "cooling fluid",
    14: "non-potable water",
}

# ReadingType/flowDirection
FLOW_DELIVERED = 1  # forward: grid -> home (imported)
FLOW_NET = 4  # delivered minus received
FLOW_RECEIVED = 19  # reverse: home -> grid (exported)
FLOW_NAMES = {0: "none", 2: "lagging", 3: "leading", 20: "total", 21: "total by phase"}

# ReadingType/accumulationBehaviour: interval energy is deltaData (4) or left unsaid (0 / absent)
INTERVAL_ACCUMULATIONS = frozenset({0, 4})
ACCUMULATION_NAMES = {
    1: "bulk quantity",
    2: "continuous cumulative",
    3: "cumulative",
    6: "indicating",
    9: "summation",
    10: "time delay",
    12: "instantaneous",
    13: "latching quantity",
    14: "bounded quantity",
}

# ReadingType/uom
UOM_WH = 72
UOM_NAMES = {
    0: "no unit",
    5: "A",
    29: "V",
    31: "J",
    38: "W",
    42: "m3",
    61: "VA",
    63: "VAr",
    71: "VAh",
    73: "VArh",
    106: "Ah",
    119: "cubic feet",
    125: "m3/h",
    128: "US gallons",
    132: "Btu",
    134: "litres",
    169: "therms",
}

# values the writer states in its ReadingTypes
ACCUMULATION_DELTA = 4
COMMODITY_ELECTRICITY_SECONDARY = 1
DATA_QUALIFIER_NORMAL = 12
KIND_ENERGY = 12
PHASE_S12N = 769  # the two legs and neutral of a North American home
TIME_ATTRIBUTE_NONE = 0
