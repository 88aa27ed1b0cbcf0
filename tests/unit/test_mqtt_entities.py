"""Home Assistant discovery configs and state payloads, as data."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from xcelsior_desktop.home_assistant import entities
from xcelsior_desktop.home_assistant.entities import MeterIdentity, Topics
from xcelsior_desktop.meter.identity import sfdi_from_lfdi
from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.poller import State, Status

LFDI = "3E4F45AB31EDFE5B67E343E5E4562E31984E23E5"
NOW = dt.datetime(2026, 11, 29, 15, 0, tzinfo=dt.UTC)


def info(**changes: object) -> DeviceInfo:
    values: dict[str, object] = dict(lfdi=LFDI, sfdi=167261211391, sw_version="4.1.2", mf_id=1233,
                                     manufacturer="Itron", model="", hw_version="", serial_number="SN1")
    values.update(changes)
    return DeviceInfo(**values)  # type: ignore[arg-type]


def meter() -> MeterIdentity:
    identity = MeterIdentity.from_device_info(info())
    assert identity is not None
    return identity


def test_identity_needs_an_lfdi_and_derives_a_missing_sfdi() -> None:
    assert MeterIdentity.from_device_info(info(lfdi=None)) is None
    assert MeterIdentity.from_device_info(info(lfdi="not hex")) is None
    from_tls = MeterIdentity.from_device_info(info(lfdi=None, sfdi=None, tls_lfdi=LFDI.lower()))
    assert from_tls is not None and from_tls.sfdi == sfdi_from_lfdi(LFDI) == 167261211391
    assert from_tls.lfdi == LFDI


def test_device_block_leaves_out_what_the_meter_left_empty() -> None:
    block = meter().device_block()
    assert block == {"identifiers": [LFDI], "name": "Xcel Energy meter 167261211391",
                     "manufacturer": "Itron", "sw_version": "4.1.2", "serial_number": "SN1"}
    unnamed = MeterIdentity.from_device_info(info(manufacturer=None))
    assert unnamed is not None and unnamed.device_block()["manufacturer"] == "Itron"


def test_topics_use_the_base_and_the_sfdi() -> None:
    topics = Topics("home/xcel", "ha", 42)
    assert topics.power == "home/xcel/42/power"
    assert topics.fresh == "home/xcel/42/fresh"
    assert topics.energy("imported", 3) == "home/xcel/42/energy_imported_tier3"
    assert topics.device_config == "ha/device/xcelsior_42/config"
    assert topics.legacy_config("power") == "ha/sensor/xcelsior_42/power/config"
    assert topics.claim("0123456789abcdef") == "home/xcel/42/installations/0123456789abcdef"
    assert len(topics.legacy_configs()) == 5 + 16  # power, 2 energies, meter state, cost, 8 tiers each way


def test_last_reading_is_the_meters_time_and_never_a_placeholder() -> None:
    topics = Topics("x", "h", 1)
    at = dt.datetime(2026, 11, 29, 8, 0, 5, 700000, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    message = entities.last_reading_message(topics, Measurement(100.0, "W", at))
    assert message is not None and message.payload == "2026-11-29T15:00:05+00:00"
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    assert entities.last_reading_message(topics, Measurement(100.0, "W", epoch)) is None
    assert entities.fresh_message(topics, True).payload == "online"
    assert entities.fresh_message(topics, False).payload == "offline"


@pytest.mark.parametrize(("value", "unit", "payload"), [
    (1234.0, "W", "1234"), (-56.54, "W", "-56.5"), (-0.01, "W", "0"), (1.5, "kW", "1500"),
])
def test_power_payloads(value: float, unit: str, payload: str) -> None:
    message = entities.power_message(Topics("x", "h", 1), Measurement(value, unit, NOW))
    assert message is not None and message.payload == payload and message.retain


@pytest.mark.parametrize(("value", "unit"), [(float("nan"), "W"), (float("inf"), "W"), (5.0, "Wh")])
def test_no_power_payload_for_garbage(value: float, unit: str) -> None:
    assert entities.power_message(Topics("x", "h", 1), Measurement(value, unit, NOW)) is None


def test_energy_values_skip_what_the_meter_did_not_give() -> None:
    registers = Registers(delivered_wh=None, received_wh=-5.0, tou_delivered={0: 9.0, 1: 1500.0, 2: float("nan")},
                          tou_received={1: 0.0})
    assert entities.energy_values(registers) == {("imported", 1): 1.5, ("exported", 1): 0.0}


def test_cost_and_meter_state_payloads() -> None:
    topics = Topics("x", "h", 1)
    start = dt.datetime(2026, 11, 29, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    cost = entities.cost_message(topics, 2.3456, "USD", start)
    assert cost is not None
    assert json.loads(cost.payload) == {"amount": 2.35, "currency": "USD", "last_reset": "2026-11-29T07:00:00+00:00"}
    assert entities.cost_message(topics, float("nan"), "USD", start) is None
    status = Status(state=State.UNREACHABLE, since=0.0, next_retry=None, detail="", last_reading=None)
    assert entities.meter_state_message(topics, status).payload == "unreachable"
