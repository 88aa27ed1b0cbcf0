"""Keeps the meter's learned profile (which resources it lists where) between runs, and forgets it when it stops
being true: after a firmware update, or when the saved one failed and the client walked the meter again.

Qt-free. Walking the meter costs it a dozen requests at every start; a saved profile makes the first watts come
after two. Stepping thread only.
"""

from __future__ import annotations

import logging

from xcelsior_desktop.meter.profile import MeterProfile
from xcelsior_desktop.session.connection import MeterClientLike, ProfileStore

log = logging.getLogger(__name__)


class ProfileKeeper:
    def __init__(self, profiles: ProfileStore | None) -> None:
        self._profiles = profiles
        self._saved: tuple[MeterProfile, str | None] | None = None
        self._firmware: str | None = None
        self._client: MeterClientLike | None = None
        self._relearned_seen = 0  # the client's count of failed saved profiles dropped and re-walked

    def firmware_read(self, firmware: str | None, meter_lfdi: str | None, client: MeterClientLike | None) -> None:
        """The meter's device information said ``firmware``: an update may move resources, so a saved profile of
        another firmware is forgotten and the meter walked again."""
        self._firmware = firmware
        cache = self._profiles
        if cache is None or not firmware:
            return
        known = cache.firmware(meter_lfdi)
        if known is not None and known != firmware and client is not None:
            log.info("meter firmware changed (%s -> %s): learning its resources again", known, firmware)
            cache.clear()
            try:
                client.ensure_profile(refresh=True)
            except Exception as exc:  # noqa: BLE001 - the next read walks again
                log.info("re-walking the meter after a firmware change failed: %s", exc)

    def keep(self, client: MeterClientLike | None) -> None:
        """Save the client's profile for the next start (once per profile object and firmware)."""
        cache = self._profiles
        profile = client.cached_profile if client is not None else None
        if cache is None or profile is None or client is None:
            return
        if client is not self._client:
            self._client, self._relearned_seen = client, 0
        if client.profile_relearned > self._relearned_seen:  # the saved profile failed: forget it, keep the new walk
            self._relearned_seen = client.profile_relearned
            log.info("the saved meter profile no longer worked: it was dropped and the meter walked again")
            cache.clear()
            self._saved = None
        saved, firmware = self._saved or (None, None)
        if profile is saved and firmware == self._firmware:
            return
        self._saved = (profile, self._firmware)
        cache.save(profile, self._firmware or cache.firmware(profile.meter_lfdi))
