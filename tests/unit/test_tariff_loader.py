"""Tariff files: the presets load; a bad file gets errors that name the field and the line, all of them at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xcelsior_desktop.money import TariffError, load_tariff, parse_tariff, preset_names, resolve
from xcelsior_desktop.money.loader import key_lines

GOOD = """\
name = "test"
timezone = "America/Denver"

[[versions]]
from = 2024-01-01
export_credit = 0.05

  [[versions.periods]]
  name = "peak"
  start = "16:00"
  end = "20:00"

  [versions.prices]
  peak = 0.30
  off-peak = 0.10
"""


def problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(TariffError) as caught:
        parse_tariff(text, "my.toml")
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def test_presets_load_with_source_checked_date_and_check_your_bill() -> None:
    assert set(preset_names()) == {"xcel-co-tou", "xcel-co-flat", "xcel-co-residential", "xcel-mn-tou"}
    for name in preset_names():
        tariff = resolve(name)
        assert tariff.name == name and tariff.origin == "preset"
        assert tariff.source and tariff.checked == dt.date(2026, 12, 6)
        assert "Check your bill" in tariff.notes or "from your bill" in tariff.notes
    for name in ("xcel-co-tou", "xcel-co-flat", "xcel-co-residential"):
        assert "Electric Rates Summary, effective April 1, 2025" in resolve(name).source


def test_a_small_file_loads() -> None:
    tariff = parse_tariff(GOOD)
    (version,) = tariff.versions
    assert version.default_period == "off-peak" and version.export_credit.kind == "fixed"
    assert version.export_credit.price == 0.05 and version.price("peak", "all-year") == 0.30
    assert version.periods[0].days == frozenset({"mon", "tue", "wed", "thu", "fri"})


def test_a_wrong_value_names_the_field_and_its_line() -> None:
    bad = GOOD.replace('end = "20:00"', 'end = "25:00"')
    assert problems(bad) == [(11, "versions[0].periods[0].end",
                              'expected a time of day "HH:MM" (00:00 to 24:00), found \'25:00\'')]


def test_every_problem_is_reported_with_its_line() -> None:
    bad = (GOOD.replace('timezone = "America/Denver"', 'timezone = "Mars/Olympus"')
           .replace("export_credit = 0.05", 'export_credit = "sometimes"')
           .replace("peak = 0.30", "peek = 0.30"))
    found = problems(bad)
    assert found[0][:2] == (2, "timezone") and "unknown time zone 'Mars/Olympus'" in found[0][2]
    assert found[1][:2] == (6, "versions[0].export_credit") and '"net", "none" or a price' in found[1][2]
    assert found[2][:2] == (14, "versions[0].prices.peek") and "no period named 'peek'" in found[2][2]
    assert found[3][:2] == (13, "versions[0].prices") and "no price for period 'peak'" in found[3][2]
    assert len(found) == 4


def test_the_user_message_says_where_and_what_next() -> None:
    with pytest.raises(TariffError) as caught:
        parse_tariff(GOOD.replace("from = 2024-01-01", 'from = "last year"'), "/home/me/rate.toml")
    message = caught.value.user_message
    assert message.startswith("/home/me/rate.toml, line 5, versions[0].from: expected the first day")
    assert "docs/tariffs.md" in message


def test_not_toml_at_all_gives_the_line() -> None:
    found = problems(GOOD.replace('start = "16:00"', "start = 16:00:00:00"))
    assert found[0][0] == 10 and "not valid TOML" in found[0][2]


def test_overlapping_periods_are_refused() -> None:
    text = GOOD.replace("  [versions.prices]", '  [[versions.periods]]\n  name = "shoulder"\n  start = "19:00"\n'
                                               '  end = "22:00"\n\n  [versions.prices]') + "shoulder = 0.2\n"
    assert problems(text) == [(13, "versions[0].periods[1]",
                               "'shoulder' overlaps 'peak' (periods[0]) at 19:00; periods must not overlap")]


def test_seasons_must_cover_the_year_once_and_prices_every_season() -> None:
    text = GOOD.replace("  [versions.prices]", '  [[versions.seasons]]\n  name = "summer"\n  start = "06-01"\n'
                                               '  end = "09-30"\n\n  [versions.prices]')
    assert problems(text)[0] == (13, "versions[0].seasons",
                                 "01-01 is in no season: seasons must cover the year exactly once")
    text = text.replace("  [versions.prices]", '  [[versions.seasons]]\n  name = "winter"\n  start = "10-01"\n'
                                               '  end = "05-31"\n\n  [versions.prices]')
    text = text.replace("peak = 0.30", "peak = { summer = 0.30 }")
    assert problems(text) == [(24, "versions[0].prices.peak", "no price for season winter")]


def test_unknown_keys_and_wrong_types_are_named() -> None:
    text = GOOD.replace("[[versions]]", "colour = \"blue\"\n\n[[versions]]").replace(
        'name = "peak"', 'name = "peak"\n  days = ["weekdays", "someday"]')
    found = problems(text)
    assert found[0][:2] == (4, "colour") and "unknown field 'colour'" in found[0][2]
    assert found[1][:2] == (12, "versions[0].periods[0].days") and "unknown day 'someday'" in found[1][2]


def test_a_second_version_is_located_by_its_own_line() -> None:
    second = GOOD[GOOD.index("[[versions]]"):].replace("2024-01-01", "2025-01-01").replace('"16:00"', '"4 pm"')
    found = problems(GOOD + "\n" + second)
    assert found == [(23, "versions[1].periods[0].start",
                      'expected a time of day "HH:MM" (00:00 to 24:00), found \'4 pm\'')]


def test_tiers_must_rise_and_end_open() -> None:
    text = """\
name = "tiers"
timezone = "America/Denver"

[[versions]]
from = 2024-01-01

  [[versions.tiers]]
  up_to_kwh = 500
  price = 0.08

  [[versions.tiers]]
  up_to_kwh = 400
  price = 0.12
"""
    found = problems(text)
    assert found[0][:2] == (12, "versions[0].tiers[1].up_to_kwh") and "last tier has no upper limit" in found[0][2]
    assert found[1][:2] == (12, "versions[0].tiers[1].up_to_kwh") and "tiers must rise" in found[1][2]


def test_key_lines_follow_arrays_of_tables_and_skip_multiline_strings() -> None:
    lines = key_lines('notes = """\nname = "not a key"\n"""\n[[a]]\nx = 1\n[[a]]\nx = 2\n[[a.b]]\ny = 3\n')
    assert lines[("notes",)] == 1 and ("name",) not in lines
    assert lines[("a", 0, "x")] == 5 and lines[("a", 1, "x")] == 7 and lines[("a", 1, "b", 0, "y")] == 9


def test_files_and_names(tmp_path: Path) -> None:
    own = tmp_path / "mine.toml"
    own.write_text(GOOD, encoding="utf-8")
    assert resolve(str(own)).name == "test" and resolve(str(own)).origin == str(own)
    with pytest.raises(TariffError) as caught:
        resolve("no-such-tariff")
    assert "xcel-co-tou" in caught.value.user_message
    with pytest.raises(TariffError) as caught:
        load_tariff(tmp_path / "missing.toml")
    assert "cannot read the file" in caught.value.user_message
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(TariffError):
        load_tariff(tmp_path / "binary.toml")


def _docs_blocks() -> list[str]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "tariffs.md").read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```toml\n")[1:]]


def test_the_documented_example_loads_as_described() -> None:
    from xcelsior_desktop.money import period_at

    tariff = parse_tariff(_docs_blocks()[0], "docs example")
    (version,) = tariff.versions
    assert (version.monthly_charge, version.daily_charge) == (8.17, 0.0) and version.export_credit.kind == "net"
    assert tariff.holidays.is_holiday(dt.date(2026, 12, 24))
    monday_6pm = dt.datetime(2026, 7, 6, 18, tzinfo=tariff.zone)
    found = period_at(tariff, monday_6pm)
    assert found is not None and (found.period, found.price) == ("on-peak", 0.279)


def test_the_documented_summer_window_edit() -> None:
    from xcelsior_desktop.money import period_at, preset_text

    snippet = _docs_blocks()[1]
    text = preset_text("xcel-co-tou")
    last_periods = text.rindex("  [[versions.periods]]")
    end = text.index("  [versions.prices]", last_periods)
    tariff = parse_tariff(text[:last_periods] + snippet + "\n" + text[end:], "edited")
    summer_4pm = period_at(tariff, dt.datetime(2026, 7, 6, 16, tzinfo=tariff.zone))
    winter_4pm = period_at(tariff, dt.datetime(2026, 12, 7, 16, tzinfo=tariff.zone))
    assert summer_4pm is not None and summer_4pm.period == "on-peak" and summer_4pm.price == 0.35424
    assert winter_4pm is not None and winter_4pm.period == "off-peak"


def test_own_holiday_rules() -> None:
    text = GOOD.replace("[[versions]]", """[holidays]
observance = "none"
names = ["christmas"]
dates = [2026-12-24]
rules = [{ name = "Founders' Day", month = 7, weekday = "mon", nth = -1 },
         { name = "Fifth", month = 3, weekday = "tue", nth = 5 }]

[[versions]]""")
    assert problems(text) == [(8, "holidays.rules[1]", "weekday must be mon .. sun and nth 1-4 or -1 (the last): "
                                                       "not every month has a fifth one")]
    tariff = parse_tariff(text.replace(',\n         { name = "Fifth", month = 3, weekday = "tue", nth = 5 }', ""))
    assert [d for d, _ in tariff.holidays.between(dt.date(2027, 1, 1), dt.date(2027, 12, 31))] == [
        dt.date(2027, 7, 26), dt.date(2027, 12, 25)]  # no observance: Christmas stays on its Saturday
    assert tariff.holidays.is_holiday(dt.date(2026, 12, 24))


def test_a_name_in_the_users_folder_comes_before_a_preset() -> None:
    from xcelsior_desktop.money import user_dir

    (user_dir() / "xcel-co-tou.toml").write_text(GOOD.replace('name = "test"', 'name = "xcel-co-tou"'),
                                                 encoding="utf-8")
    mine = resolve("xcel-co-tou")
    assert mine.origin == str(user_dir() / "xcel-co-tou.toml") and mine.versions[0].price("peak", "all-year") == 0.3


# -- numbers: every one is finite and in its field's range, and no text reaches Python's own parser limits --------

PRICED = GOOD.replace("peak = 0.30", "peak = {value}")


@pytest.mark.parametrize(("value", "words"), [
    ("nan", "found nan: it must be a finite number"),
    ("inf", "found inf: it must be a finite number"),
    ("-inf", "found -inf: it must be a finite number"),
    ("1e999", "found inf: it must be a finite number"),
    ("10.5", "a price per kWh must be between -10 and 10"),
    ("-11", "a price per kWh must be between -10 and 10"),
    ("9" * 30, "a price per kWh must be between -10 and 10, found a number of 30 digits"),
    ("9" * 5000, "a number written with more than 40 digits"),
])
def test_a_price_must_be_finite_and_sane(value: str, words: str) -> None:
    found = problems(PRICED.format(value=value))
    assert len(found) == 1 and words in found[0][2], found


def test_a_negative_price_within_the_range_is_a_price() -> None:
    tariff = parse_tariff(PRICED.format(value="-0.02"), "my.toml")
    assert tariff.versions[0].price("peak", "all-year") == -0.02


@pytest.mark.parametrize(("line", "field"), [
    ("daily_charge = 1e999", "versions[0].daily_charge"),
    ("daily_charge = -1", "versions[0].daily_charge"),
    ("export_credit = nan", "versions[0].export_credit"),
])
def test_charges_and_credits_pass_the_same_check(line: str, field: str) -> None:
    text = GOOD.replace("export_credit = 0.05", line if "export_credit" in line else f"export_credit = 0.05\n{line}")
    assert [f for _, f, _ in problems(text)] == [field]


def test_nesting_deeper_than_a_tariff_needs_is_one_problem_not_a_recursion_error() -> None:
    text = GOOD + "notes = " + "[" * 20_000 + "]" * 20_000 + "\n"
    assert problems(text) == [(16, "", "values are nested more than 16 deep, which no tariff needs")]


def test_brackets_and_digits_in_strings_and_comments_are_text() -> None:
    text = GOOD.replace('name = "test"', 'name = "test"\n# [[[[[[[[[[[[[[[[[[[[ ' + "1" * 100 + '\nnotes = "' + "[" * 40
                        + "2" * 100 + '"')
    assert parse_tariff(text, "my.toml").notes == "[" * 40 + "2" * 100


def test_a_pipe_or_a_folder_is_refused_without_waiting(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path):
        with pytest.raises(TariffError, match="cannot read the file"):
            load_tariff(path)
