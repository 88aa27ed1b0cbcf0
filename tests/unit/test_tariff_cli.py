"""The command line: ``tariff list`` and ``tariff show NAME``."""

from __future__ import annotations

from pathlib import Path

import pytest

from xcelsior_desktop.cli import main
from xcelsior_desktop.money import parse_tariff, preset_text, user_dir


def test_list_shows_presets_and_own_files(capsys: pytest.CaptureFixture[str]) -> None:
    (user_dir() / "mine.toml").write_text(preset_text("xcel-co-flat").replace('"xcel-co-flat"', '"mine"'),
                                          encoding="utf-8")
    (user_dir() / "broken.toml").write_text('name = "broken"\ntimezone = "America/Denver"\n', encoding="utf-8")
    assert main(["tariff", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("xcel-co-flat         preset  Xcel Energy Colorado residential opt-out (schedule R-OO")
    assert out[1].startswith("xcel-co-residential  preset  Xcel Energy Colorado standard residential (schedule R")
    assert out[2].startswith("xcel-co-tou          preset  Xcel Energy Colorado residential time-of-use (RE-TOU) "
                             "(checked 2026-12-06)")
    assert out[3].startswith("xcel-mn-tou          preset  Xcel Energy Minnesota residential time-of-use (prices "
                             "from your bill)")
    assert out[4].startswith("broken") and "cannot be used: broken.toml: 'versions' is missing" in out[4]
    assert out[5].startswith("mine ") and " file " in out[5] and "mine.toml" in out[5]
    assert "Check your bill" in out[-1]


def test_show_a_preset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tariff", "show", "xcel-co-tou", "--year", "2027"]) == 0
    out = capsys.readouterr().out
    # the Electric Rates Summary of April 1, 2025: totals per kWh with riders
    assert "on-peak: 17:00-21:00 Mon-Fri, not holidays: winter 22.996 ¢/kWh, summer 35.424 ¢/kWh" in out
    assert "mid-peak: 13:00-15:00 Mon-Fri, not holidays: winter 18.646 ¢/kWh, summer 24.86 ¢/kWh" in out
    assert "off-peak: all other hours: winter 14.296 ¢/kWh, summer 14.022 ¢/kWh" in out
    assert "Monthly charge: $8.17 per billing cycle" in out
    assert "  2027-12-24 Fri  Christmas Day" in out and "  2027-12-31 Fri  New Year's Day" in out
    assert "Checked: 2026-12-06. Check your bill" in out and "\nNow: " in out


def test_show_toml_is_a_loadable_starting_point(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tariff", "show", "xcel-co-tou", "--toml"]) == 0
    assert parse_tariff(capsys.readouterr().out).name == "xcel-co-tou"


def test_show_a_bad_file_says_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(preset_text("xcel-co-flat").replace("flat = { winter", "flat = { wintr"), encoding="utf-8")
    assert main(["tariff", "show", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}, line 38, versions[0].prices.flat.wintr: no season named 'wintr'" in err
    assert main(["tariff", "show", "no-such"]) == 1
    assert "Use one of: xcel-co-flat, xcel-co-residential, xcel-co-tou, xcel-mn-tou" in capsys.readouterr().err
