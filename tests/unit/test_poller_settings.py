"""Settings survive a round trip, a corrupt file is set aside, addresses parse."""

import json

import pytest

from xcelsior_desktop.meter.address import parse_address
from xcelsior_desktop.platform import paths
from xcelsior_desktop.platform.settings import Settings, clamp_interval


def test_paths_follow_xdg(isolated_home):
    assert paths.config_dir() == isolated_home / ".config" / "xcelsior-desktop"
    assert paths.log_dir().is_dir()
    assert str(paths.state_dir()).startswith(str(isolated_home))


def test_round_trip_keeps_unknown_keys():
    s = Settings(poll_interval_s=7, units="kW", extra={"alerts_w": 3000})
    s.save()
    data = json.loads(Settings.path().read_text())
    assert data["alerts_w"] == 3000
    loaded = Settings.load()
    assert loaded.poll_interval_s == 7
    assert loaded.units == "kW"
    assert loaded.extra == {"alerts_w": 3000}
    assert Settings.load_message is None


def test_corrupt_file_is_kept_aside():
    Settings.path().write_text("{not json")
    loaded = Settings.load()
    assert loaded == Settings()
    assert (Settings.path().parent / "settings.json.bad").read_text() == "{not json"
    assert "damaged" in (Settings.load_message or "")


def test_interval_is_clamped():
    assert clamp_interval(0.5) == 2.0
    assert clamp_interval("junk") == 5.0
    assert Settings(poll_interval_s=1).poll_interval_s == 2.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.168.1.40", ("192.168.1.40", 8081)),
        ("meter.lan:9000", ("meter.lan", 9000)),
        ("[fe80::1]:8081", ("fe80::1", 8081)),
        ("fe80::1", ("fe80::1", 8081)),
    ],
)
def test_parse_address(text, expected):
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["", "host:0", "host:99999", "host:abc", "[::1"])
def test_parse_address_rejects(text):
    with pytest.raises(ValueError):
        parse_address(text)
