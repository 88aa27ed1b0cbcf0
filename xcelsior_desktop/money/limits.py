"""The one check every number entering a tariff passes, from a TOML file or from the Settings page.

A number is usable when it is a real, finite number (never NaN or infinite, never a bool) inside the range its
field can sensibly hold. The ranges are typo guards, not market limits: ten dollars per kWh is thirty times any
residential price, and a negative price (some utilities pay for use at times of surplus) is allowed down to the
same size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limit:
    low: float
    high: float
    what: str  # e.g. "a price per kWh"

    def problem(self, value: Any) -> str | None:
        """Why ``value`` cannot be used here, in words; None when it can."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected {self.what} (a number), found {show(value)}"
        if not math.isfinite(value):
            return f"expected {self.what}, found {show(value)}: it must be a finite number"
        if not self.low <= value <= self.high:
            return f"{self.what} must be between {self.low:g} and {self.high:g}, found {show(value)}"
        return None

    def accepts(self, value: Any) -> bool:
        return self.problem(value) is None


PRICE = Limit(-10.0, 10.0, "a price per kWh")
DAILY_CHARGE = Limit(0.0, 330.0, "a charge per day")
MONTHLY_CHARGE = Limit(0.0, 10_000.0, "a charge per month")
TIER_KWH = Limit(0.001, 1_000_000.0, "the kWh a tier ends at")


def show(value: Any) -> str:
    """A value as a message shows it: short, whatever it is."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 15:
        digits = "thousands of" if value.bit_length() > 10_000 else str(len(str(abs(value))))  # str() has a cap
        return f"a number of {digits} digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
