"""Tray labels and full values read the way people expect."""

import math

import pytest

from xcelsior_desktop.common import format as fmt


@pytest.mark.parametrize(
    ("watts", "label"),
    [
        (0, "0"),
        (0.4, "0"),
        (-0.4, "0"),
        (7, "7"),
        (850, "850"),
        (999.4, "999"),
        (999.6, "1.0k"),
        (1234, "1.2k"),
        (9949, "9.9k"),
        (9960, "10k"),
        (12_345, "12k"),
        (999_400, "999k"),
        (999_600, "1.0M"),
        (-3400, "-3.4k"),
        (-850, "-850"),
        (-12_000, "-12k"),
        (None, "--"),
        (math.nan, "--"),
    ],
)
def test_short_watts(watts, label):
    assert fmt.short_watts(watts) == label


def test_short_labels_stay_short():
    for w in range(-20_000, 20_000, 37):
        label = fmt.short_watts(w)
        assert len(label.lstrip("-")) <= 4, (w, label)


def test_full_power_units_and_sign():
    assert fmt.full_power(1234.4) == "1,234 W"
    assert fmt.full_power(-3400, "kW") == "\u22123.400 kW"
    assert fmt.full_power(None) == "no reading"


def test_energy_and_durations():
    assert fmt.energy(12_345_678) == "12,345.7 kWh"
    assert fmt.energy(None) == "not available"
    assert fmt.ago(12) == "12 s"
    assert fmt.ago(600) == "10 min"
    assert fmt.ago(3 * 3600 + 600) == "3 h 10 min"
    assert fmt.ago(3 * 86400) == "3 days"
    assert fmt.direction(-5) == "exporting to the grid"
    assert fmt.direction(5) == "importing from the grid"
