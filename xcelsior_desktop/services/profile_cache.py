"""The meter's resource profile saved between runs, so a restart skips the ~25-GET walk from /dcap.

The profile (where each channel lives on the meter) only changes when the meter is replaced or its firmware is
updated, so the file is keyed by both: it is used only for the pinned meter LFDI it was learned from, and dropped
when the meter reports another firmware version. A damaged file is ignored (and rebuilt by the next walk). Qt-free.
"""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path
from typing import Any

from xcelsior_desktop.meter.identity import normalize_lfdi
from xcelsior_desktop.meter.profile import MeterProfile
from xcelsior_desktop.services.atomic_file import write_json_atomic

log = logging.getLogger(__name__)

FILE_NAME = "meter-profile.json"
FORMAT = 1


def _same_lfdi(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    try:
        return normalize_lfdi(a) == normalize_lfdi(b)
    except ValueError:
        return False


class ProfileCache:
    """``state_dir()/meter-profile.json``: ``{"format", "meter_lfdi", "firmware", "profile"}``."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        if self._path is None:
            from xcelsior_desktop.services import paths

            return paths.state_dir() / FILE_NAME
        return self._path

    def _read(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.info("saved meter profile ignored (%s)", exc)
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
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
        if not profile.meter_lfdi or not profile.channels:
            return
        data = {"format": FORMAT, "meter_lfdi": profile.meter_lfdi, "firmware": firmware,
                "profile": json.loads(profile.to_json())}
        try:
            write_json_atomic(self.path, data, sort_keys=True)
        except OSError as exc:  # a cache: failing to write it costs a walk next time, nothing more
            log.warning("could not save the meter profile: %s", exc)

    def clear(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()
