"""The meter's resource profile saved between runs, so a restart skips the ~25-GET walk from /dcap.

The profile (where each channel lives on the meter) only changes when the meter is replaced or its firmware is
updated, so the file is keyed by both: it is used only for the pinned meter LFDI it was learned from, and dropped
when the meter reports another firmware version. The file is read against :data:`SCHEMA` by
:mod:`.state_files`: a damaged one is set aside and the profile rebuilt by the next walk. Qt-free.
"""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path
from typing import Any

from xcelsior_desktop.common.atomic_file import write_json_atomic
from xcelsior_desktop.meter.identity import normalize_lfdi
from xcelsior_desktop.meter.profile import MeterProfile
from xcelsior_desktop.platform.state_files import (
    integer,
    lfdi,
    list_of,
    load_json_file,
    number,
    one_of,
    optional,
    record,
    string,
)

log = logging.getLogger(__name__)

FILE_NAME = "meter-profile.json"
FORMAT = 1


def _check_href(text: str) -> None:
    if not text.startswith("/") or not text.isprintable():
        raise ValueError("a path on the meter starts with /")


_LFDI = lfdi("an LFDI")


_HREF = optional(string(max_len=2048, check=_check_href, what="a path on the meter"))
_SMALL_INT = optional(integer(-(2**63), 2**63))
_READING_TYPE = record({name: _SMALL_INT for name in (
    "accumulation_behaviour", "commodity", "data_qualifier", "flow_direction", "interval_length", "kind",
    "max_number_of_intervals", "number_of_tou_tiers", "phase", "power_of_ten_multiplier", "uom")} | {"href": _HREF},
    what="a reading type")
_CHANNEL = record(
    {"channel": optional(string(max_len=100)), "description": optional(string(max_len=1000)),
     "meter_reading_href": _HREF, "reading_href": _HREF, "reading_set_list_href": _HREF,
     "tou_reading_list_href": _HREF, "reading_type": _READING_TYPE},
    what="a channel",
)
_PROFILE = record(
    {"version": integer(0, 1000), "dcap_path": _HREF, "meter_lfdi": optional(_LFDI), "time_href": _HREF,
     "self_device_href": _HREF, "device_information_href": _HREF, "usage_point_href": _HREF,
     "poll_rate": optional(number(0, 1e9)), "channels": list_of(_CHANNEL, max_items=1000),
     "built_at": optional(number(0, 1e11))},
    required=("version",),
    what="a meter profile",
)
#: meter-profile.json: ``{"format", "meter_lfdi", "firmware", "profile"}``; a cache, so any fault resets it.
SCHEMA = record(
    {"format": one_of(FORMAT), "meter_lfdi": _LFDI, "firmware": optional(string(max_len=200)), "profile": _PROFILE},
    required=("format", "meter_lfdi", "profile"),
    what="a saved meter profile",
)


def _same_lfdi(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    try:
        return normalize_lfdi(a) == normalize_lfdi(b)
    except ValueError:
        return False


class ProfileCache:
    """``state_dir()/meter-profile.json`` (the solar meter's: ``meter-profile-production.json``):
    ``{"format", "meter_lfdi", "firmware", "profile"}``. ``read_only``: a command that only reads uses a saved
    profile but never saves, clears or repairs the file."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self._path = path
        self.read_only = read_only

    @classmethod
    def for_role(cls, role: str, *, read_only: bool = False) -> ProfileCache:
        from xcelsior_desktop.platform import paths

        name = FILE_NAME if role == "net" else FILE_NAME.replace(".json", f"-{role}.json")
        return cls(paths.state_dir() / name, read_only=read_only)

    @property
    def path(self) -> Path:
        if self._path is None:
            from xcelsior_desktop.platform import paths

            return paths.state_dir() / FILE_NAME
        return self._path

    def _read(self) -> dict[str, Any] | None:
        loaded = load_json_file(self.path, SCHEMA, title="The saved map of the meter's readings",
                                on_reset="It is learned again from the meter on the next connection.",
                                repair=not self.read_only)
        data: dict[str, Any] | None = loaded.data  # checked against SCHEMA: a dict, or None when reset
        return data

    def load(self, meter_lfdi: str | None) -> MeterProfile | None:
        """The saved profile of this meter, or None (another meter, no file, a damaged file)."""
        data = self._read()
        if data is None or not _same_lfdi(data.get("meter_lfdi"), meter_lfdi):
            return None
        try:
            profile = MeterProfile.from_json(json.dumps(data.get("profile")))
        except ValueError as exc:
            log.info("saved meter profile ignored: %s", exc)
            return None
        if not profile.channels or not _same_lfdi(profile.meter_lfdi, meter_lfdi):
            return None
        return profile

    def firmware(self, meter_lfdi: str | None) -> str | None:
        """The firmware version the saved profile was learned under (None: unknown or another meter)."""
        data = self._read()
        if data is None or not _same_lfdi(data.get("meter_lfdi"), meter_lfdi):
            return None
        value = data.get("firmware")
        return str(value) if value else None

    def save(self, profile: MeterProfile, firmware: str | None) -> None:
        """Keep a profile (only one learned from a pinned meter: it must know whose it is)."""
        if not profile.meter_lfdi or not profile.channels or self.read_only:
            return
        data = {"format": FORMAT, "meter_lfdi": profile.meter_lfdi, "firmware": firmware,
                "profile": json.loads(profile.to_json())}
        try:
            write_json_atomic(self.path, data, sort_keys=True)
        except OSError as exc:  # a cache: failing to write it costs a walk next time, nothing more
            log.warning("could not save the meter profile: %s", exc)

    def clear(self) -> None:
        if self.read_only:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
