"""Each installation's own broker client id: made once, kept, apart for the demo, mended when damaged."""

from __future__ import annotations

import os
from pathlib import Path

from xcelsior_desktop.home_assistant import BrokerTarget, MqttPublisher
from xcelsior_desktop.home_assistant.installation import FILE_NAME, installation_id


def state_file() -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "xcelsior-desktop" / FILE_NAME


def test_one_id_per_installation_and_another_for_the_demo() -> None:
    first = installation_id()
    assert len(first) == 16 and int(first, 16) >= 0
    assert installation_id() == first
    assert installation_id(demo=True) not in (first, "")
    assert installation_id(demo=True) == installation_id(demo=True)
    publisher = MqttPublisher(BrokerTarget("127.0.0.1", 1883, tls=False))
    assert publisher.client_id == f"xcelsior-desktop-{first}"  # not the meter's SFDI: two computers differ
    publisher.stop()


def test_a_damaged_id_file_is_set_aside_and_a_new_id_made() -> None:
    installation_id()
    state_file().write_text('{"id": "not hex at all!"}', encoding="utf-8")
    fresh = installation_id()
    assert len(fresh) == 16
    assert state_file().with_name(FILE_NAME + ".bad").exists()
    assert installation_id() == fresh
