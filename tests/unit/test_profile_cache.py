"""The saved meter profile: used only for its meter, dropped on damage, remembers the firmware."""

from __future__ import annotations

import json

from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.profile import ChannelInfo, MeterProfile
from xcelsior_desktop.session.profile_cache import ProfileCache

LFDI = "9C68A150BD81D49819655B0C440E183D3EEADEAE"
OTHER = "12D06A7C958D064745E8D0D1AC000A8F8438FC0A"


def profile() -> MeterProfile:
    demand = ChannelInfo.from_dict({"channel": Channel.DEMAND.value, "reading_href": "/upt/1/mr/1/r",
                                    "power_of_ten": 0, "uom": 38})
    return MeterProfile(meter_lfdi=LFDI, channels={Channel.DEMAND: demand}, built_at=1.0)


def test_round_trip_for_the_same_meter_only(tmp_path):
    cache = ProfileCache(tmp_path / "p.json")
    assert cache.load(LFDI) is None
    cache.save(profile(), "3.2.50")
    loaded = cache.load(LFDI.lower())
    assert loaded is not None and loaded.get(Channel.DEMAND).reading_href == "/upt/1/mr/1/r"
    assert cache.firmware(LFDI) == "3.2.50"
    assert cache.load(OTHER) is None and cache.firmware(OTHER) is None  # another meter: walk it
    assert cache.load(None) is None  # nothing pinned yet: nothing trusted


def test_damaged_or_foreign_files_are_ignored(tmp_path):
    cache = ProfileCache(tmp_path / "p.json")
    foreign = json.dumps({"format": 1, "meter_lfdi": LFDI, "profile": 5})
    for text in ("{ not json", "[]", '{"format": 99}', foreign):
        cache.path.write_text(text)
        assert cache.load(LFDI) is None
    cache.clear()
    assert not cache.path.exists()


def test_a_profile_without_a_pinned_meter_is_not_saved(tmp_path):
    cache = ProfileCache(tmp_path / "p.json")
    unpinned = profile()
    unpinned.meter_lfdi = None
    cache.save(unpinned, None)
    assert not cache.path.exists()
