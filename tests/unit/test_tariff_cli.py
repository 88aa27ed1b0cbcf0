"""The command line: ``tariff list`` and ``tariff show NAME``."""

from __future__ import annotations

from pathlib import Path

import pytest

from xcelsior_desktop.cli import main
from xcelsior_desktop.services.tariff import parse_tariff, preset_text, user_dir


def test_list_shows_presets_and_own_files(capsys: pytest.CaptureFixture[str]) -> None:
    (user_dir() / "mine.toml").write_text(preset_text("xcel-co-flat").replace('"xcel-co-flat"', '"mine"'),
                                          encoding="utf-8")
    (user_dir() / "broken.toml").write_text('name = "broken"\ntimezone = "America/Denver"\n', encoding="utf-8")
    assert main(["tariff", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("xcel-co-flat  preset  Xcel Energy Colorado residential opt-out")
    assert out[1].startswith("xcel-co-tou   preset  Xcel Energy Colorado residential time-of-use (checked 2026-11-29)")
    assert out[2].startswith("broken") and "cannot be used: broken.toml: 'versions' is missing" in out[2]
    assert out[3].startswith("mine ") and " file " in out[3] and "mine.toml" in out[3]
    assert "Check your bill" in out[-1]


def test_show_a_preset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tariff", "show", "xcel-co-tou", "--year", "2027"]) == 0
    out = capsys.readouterr().out
    assert "on-peak: 17:00-21:00 Mon-Fri, not holidays: winter 17.3 ¢/kWh, summer 27.9 ¢/kWh" in out
    assert "mid-peak: 13:00-15:00 Mon-Fri, not holidays: winter 13.6 ¢/kWh, summer 18.9 ¢/kWh" in out
    assert "  2027-12-24 Fri  Christmas Day" in out and "  2027-12-31 Fri  New Year's Day" in out
    assert "Checked: 2026-11-29. Check your bill" in out and "\nNow: " in out


def test_show_toml_is_a_loadable_starting_point(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tariff", "show", "xcel-co-tou", "--toml"]) == 0
    assert parse_tariff(capsys.readouterr().out).name == "xcel-co-tou"


def test_show_a_bad_file_says_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(preset_text("xcel-co-flat").replace("flat = { winter", "flat = { wintr"), encoding="utf-8")
    assert main(["tariff", "show", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}, line 31, versions[0].prices.flat.wintr: no season named 'wintr'" in err
    assert main(["tariff", "show", "no-such"]) == 1
    assert "Use one of: xcel-co-flat, xcel-co-tou" in capsys.readouterr().err
