"""Meter records for tests that start the app on a simulator (the app keeps them in meters.json)."""

from __future__ import annotations

from typing import Any

from xcelsior_desktop.session.target import MeterTarget


def meter_at(host: str, port: int, **record: Any) -> list[MeterTarget]:
    """The household's one (net) meter at host:port, typed in Settings (not found by discovery)."""
    return [MeterTarget(host=host, port=port, automatic=False, **record)]
