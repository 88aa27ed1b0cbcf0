"""meters.json: one record per meter, the only place its facts are kept; an earlier release's facts (six settings
fields and meter-pin.json) move there at the first start; a bad value is dropped and named, never the meter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.platform import paths
from xcelsior_desktop.platform.settings import LEGACY_METER_KEYS, Settings
from xcelsior_desktop.platform.state_files import take_reset_notices
from xcelsior_desktop.session import meters_file
from xcelsior_desktop.session.target import NET, PRODUCTION, MeterTarget

LFDI = "9C68A150BD81D49819655B0C440E183D3EEADEAE"
OTHER = "3E4F45AB31EDFE5B67E343E5E4562E31984E23E5"


@pytest.fixture(scope="module")
def identity():  # type: ignore[no-untyped-def]
    return generate_identity(days=30)


def test_a_meter_round_trips_without_its_key(identity) -> None:  # type: ignore[no-untyped-def]
    net = MeterTarget(identity=identity, host="192.168.1.50", port=8082, automatic=False, meter_lfdi=LFDI,
                      registered=True)
    solar = MeterTarget(identity=identity, host="192.168.1.51", automatic=True, role=PRODUCTION, name="Garage PV")
    meters_file.save_targets([solar, net])
    text = meters_file.default_path().read_text()
    assert "PRIVATE KEY" not in text and identity.lfdi in text  # the key stays in the keyring; its LFDI is named
    loaded = meters_file.load_targets(lambda slot: identity if slot == "current" else None)
    assert [t.role for t in loaded] == [NET, PRODUCTION]  # net first
    assert loaded[0] == net
    assert loaded[1].label == "Garage PV" and loaded[1].automatic and not loaded[1].registered
    # registered means: this certificate was accepted; another certificate starts unregistered
    other = generate_identity(days=1)
    assert not meters_file.load_targets(lambda _slot: other)[0].registered


def test_saving_one_meter_keeps_the_other() -> None:
    meters_file.save_targets([MeterTarget(host="10.0.0.1"), MeterTarget(host="10.0.0.2", role=PRODUCTION)])
    meters_file.save_target(MeterTarget(host="10.0.0.9", meter_lfdi=OTHER))
    records = meters_file.load_records() or []
    assert [(r["role"], r["host"]) for r in records] == [(NET, "10.0.0.9"), (PRODUCTION, "10.0.0.2")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("meter_lfdi", "zz"),
        ("host", 5),
        ("host", "my meter"),
        ("port", 70000),
        ("port", "8081"),
        ("registered_lfdi", ["x"]),
        ("automatic", "yes"),
        ("name", "x" * 200),
    ],
)
def test_a_bad_value_drops_that_field_only_and_names_it(field: str, value: object) -> None:
    good = {"role": "net", "name": "House", "host": "192.168.1.50", "port": 8082, "automatic": False,
            "meter_lfdi": LFDI, "certificate": "current"}
    original = json.dumps({"format": 1, "meters": [{**good, field: value}]})
    meters_file.default_path().write_text(original)
    (record,) = meters_file.load_records() or []
    assert field not in record  # its default is used
    assert {k: record[k] for k in good if k != field} == {k: v for k, v in good.items() if k != field}
    (notice,) = take_reset_notices()
    assert field in notice and "dropped" in notice
    assert (paths.config_dir() / "meters.json.bad").read_text() == original  # kept aside, never lost
    assert meters_file.load_records() == [record] and take_reset_notices() == []  # the next start is quiet


def test_a_good_file_is_not_touched() -> None:
    meters_file.save_targets([MeterTarget(host="fe80::1%wlan0", automatic=False, meter_lfdi=LFDI)])
    before = meters_file.default_path().read_bytes()
    (loaded,) = meters_file.load_targets(lambda _slot: None)
    assert loaded.host == "fe80::1%wlan0" and loaded.meter_sfdi == 419856437878
    assert meters_file.default_path().read_bytes() == before and take_reset_notices() == []


def test_a_damaged_file_is_set_aside_and_says_what_to_do() -> None:
    meters_file.default_path().write_bytes(b"\xff not json")
    assert meters_file.load_targets(lambda _slot: None) == []
    (notice,) = take_reset_notices()
    assert "Set up" in notice and "meters.json.bad" in notice
    assert (paths.config_dir() / "meters.json.bad").read_bytes() == b"\xff not json"


# -- an earlier release's files -----------------------------------------------------------------------------


def earlier_settings(path: Path, **fields: object) -> Settings:
    """A settings file as an earlier release wrote it (the meter's facts among the preferences)."""
    path.write_text(json.dumps({"poll_interval_s": 7, "units": "kW", **fields}))
    return Settings.load(path)


def test_an_earlier_release_settings_file_becomes_the_net_record(tmp_path: Path, identity) -> None:  # type: ignore[no-untyped-def]
    settings_path = tmp_path / "settings.json"
    settings = earlier_settings(settings_path, meter_host="192.168.1.50", meter_port=8082, meter_lfdi=LFDI.lower(),
                                meter_sfdi="419856437878", last_meter_host="192.168.1.50",
                                registered_lfdi=identity.lfdi)
    (paths.config_dir() / "meter-pin.json").write_text(json.dumps({"meter_lfdi": LFDI, "port": 8082}))
    (net,) = meters_file.load_targets(lambda _slot: identity, settings=settings, settings_path=settings_path)
    assert (net.host, net.port, net.automatic, net.meter_lfdi, net.registered) == (
        "192.168.1.50", 8082, False, LFDI, True)
    saved = json.loads(settings_path.read_text())
    assert not set(LEGACY_METER_KEYS) & set(saved) and saved["units"] == "kW"  # preferences kept, facts moved
    assert not (paths.config_dir() / "meter-pin.json").exists()
    assert meters_file.load_targets(lambda _slot: identity) == [net]  # the next start reads meters.json


def test_a_reset_settings_file_keeps_the_pinned_meter(tmp_path: Path) -> None:
    """An earlier release kept the pin apart so a damaged settings file could not take the meter with it."""
    settings_path = tmp_path / "settings.json"
    settings = earlier_settings(settings_path)  # nothing about the meter: it was reset
    (paths.config_dir() / "meter-pin.json").write_text(json.dumps(
        {"meter_lfdi": OTHER, "manual_host": None, "last_host": "192.0.2.10", "port": 8081,
         "registered_lfdi": None}))
    (net,) = meters_file.load_targets(lambda _slot: None, settings=settings, settings_path=settings_path)
    assert (net.host, net.automatic, net.meter_lfdi, net.meter_sfdi) == ("192.0.2.10", True, OTHER, 167261211391)


def test_an_earlier_bad_value_is_left_behind_not_the_meter(tmp_path: Path) -> None:
    settings_path = tmp_path / "settings.json"
    settings = earlier_settings(settings_path, meter_host="192.168.1.50", meter_port=99999, meter_lfdi="zz")
    (net,) = meters_file.load_targets(lambda _slot: None, settings=settings, settings_path=settings_path)
    assert (net.host, net.port, net.meter_lfdi) == ("192.168.1.50", 8081, None)


def test_no_meter_known_means_no_record(tmp_path: Path) -> None:
    settings_path = tmp_path / "settings.json"
    settings = earlier_settings(settings_path)
    assert meters_file.load_targets(lambda _slot: None, settings=settings, settings_path=settings_path) == []
    assert not meters_file.default_path().exists()


def test_a_command_that_only_reads_changes_nothing(tmp_path: Path) -> None:
    settings_path = paths.config_dir() / "settings.json"
    earlier_settings(settings_path, meter_host="192.168.1.50")
    before = settings_path.read_bytes()
    (record,) = meters_file.peek_records(settings_path=settings_path)
    assert record["host"] == "192.168.1.50"
    assert settings_path.read_bytes() == before and not meters_file.default_path().exists()
