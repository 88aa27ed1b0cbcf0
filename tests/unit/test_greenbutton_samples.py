"""The Green Button reader against real files from several utilities (tests/fixtures/greenbutton/samples) and
their README's totals, plus the shapes no sample has: no links at all, several usage points, net and received."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from lxml import etree

from tests.greenbutton_support import SAMPLES, Block, Meter, Point, feed, sample, write
from xcelsior_desktop.exchange.greenbutton import NothingToImport, read_green_button, read_readings

T0 = 1_767_225_600  # 2026-01-01 00:00 UTC


def _readme_totals() -> dict[str, tuple[int, int]]:
    """file name -> (readings, Wh delivered) from the samples' README table."""
    totals = {}
    for line in (SAMPLES / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].endswith(".xml"):
            continue
        match = re.match(r"(\d+)[^,]*(?:,\s*([\d,]+))?", cells[3])
        assert match, line
        wh = int(match.group(2).replace(",", "")) if match.group(2) else 0
        totals[cells[0].split("/")[-1]] = (int(match.group(1)), wh)
    return totals


README_TOTALS = _readme_totals()


def test_the_readme_table_was_read() -> None:
    assert len(README_TOTALS) == 9
    assert README_TOTALS["sdge-hourly-2019-10.xml"] == (552, 351_425)


@pytest.mark.parametrize("name", sorted(README_TOTALS))
def test_each_sample_gives_the_readme_totals(name: str) -> None:
    count, wh = README_TOTALS[name]
    readings = read_readings(sample(name))
    assert len(readings.delivered) == count
    assert readings.total_wh("delivered") == pytest.approx(wh)
    assert readings.received == [] and readings.net == []


@pytest.mark.parametrize(
    ("name", "lengths"),
    [
        ("sdge-hourly-2019-10.xml", {3600}),
        ("utilityapi-hourly-2023.xml", {3600}),
        ("gba-hourly-nine-days-with-cost.xml", {3600}),
        ("gba-daily-one-year-with-cost.xml", {82_800, 86_400, 90_000}),  # DST days are 23 and 25 hours
        ("sce-bulk-15min-intervals-only.xml", {900}),
        ("sce-bulk-15min-with-summaries.xml", {900}),
        ("opower-15min-no-flow-direction.xml", {900}),
    ],
)
def test_intervals_keep_their_own_length(name: str, lengths: set[int]) -> None:
    result = read_green_button(sample(name))
    count, wh = README_TOTALS[name]
    assert len(result.intervals) == count
    assert {iv.duration_s for iv in result.intervals} == lengths
    assert sum(iv.imported_wh or 0 for iv in result.intervals) == pytest.approx(wh)
    assert all(iv.exported_wh is None and iv.source == "greenbutton" for iv in result.intervals)
    starts = [iv.start for iv in result.intervals]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(result.intervals, result.intervals[1:], strict=False))
    assert result.skipped == {}


def test_times_are_the_files_utc_instants() -> None:
    result = read_green_button(sample("gba-hourly-nine-days-with-cost.xml"))
    assert result.first == dt.datetime(2014, 1, 1, 5, tzinfo=dt.UTC)  # midnight at tzOffset -18000
    assert result.last == dt.datetime(2014, 1, 10, 5, tzinfo=dt.UTC)


def test_readings_listed_twice_count_once() -> None:
    """The with-summaries file lists its MeterReading (and ReadingType) twice; the readings count once."""
    result = read_green_button(sample("sce-bulk-15min-with-summaries.xml"))
    assert [iv.imported_wh for iv in result.intervals] == [210, 200, 210]


def test_a_reading_repeated_in_another_block_counts_once(tmp_path: Path) -> None:
    block = Block([(T0, 900, 100), (T0 + 900, 900, 200)])
    path = write(tmp_path / "f.xml", feed([Point(meters=[Meter(blocks=[block, Block([(T0 + 900, 900, 200)])])])]))
    result = read_green_button(path)
    assert [iv.imported_wh for iv in result.intervals] == [100, 200]
    assert result.skipped == {"listed twice (counted once)": 1}


@pytest.mark.parametrize("flow", [1, 19])  # delivered (from the grid), received (to the grid)
def test_a_negative_reading_is_skipped_and_named_never_negative_energy(tmp_path: Path, capsys, flow: int) -> None:
    from xcelsior_desktop.cli import main

    block = Block([(T0, 900, 100), (T0 + 900, 900, -270), (T0 + 1800, 900, 50)])
    path = write(tmp_path / "f.xml", feed([Point(meters=[Meter(flow=flow, blocks=[block])])]))
    direction = "delivered" if flow == 1 else "received"
    result = read_green_button(path)
    values = [iv.imported_wh if flow == 1 else iv.exported_wh for iv in result.intervals]
    assert values == [100, 50] and result.skipped == {f"of {direction} energy with a negative value": 1}
    assert main(["history", "import", str(path), "--db", str(tmp_path / "h.sqlite3")]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.endswith(f"1 skipped: 1 reading of {direction} energy with a negative value")


def test_monthly_bills_are_not_usage_intervals() -> None:
    with pytest.raises(NothingToImport) as caught:
        read_green_button(sample("utilityapi-monthly-bills.xml"))
    assert "22 readings of billing periods longer than a day" in caught.value.user_message


def test_a_gas_only_file_says_so() -> None:
    with pytest.raises(NothingToImport) as caught:
        read_green_button(sample("gas-direct.xml"))
    assert "5 readings of a gas usage point" in caught.value.user_message


def _strip_links(source: Path, target: Path) -> Path:
    tree = etree.parse(str(source))
    for link in tree.getroot().iter("{http://www.w3.org/2005/Atom}link"):
        link.getparent().remove(link)
    tree.write(str(target))
    return target


@pytest.mark.parametrize("name", ["sdge-hourly-2019-10.xml", "gba-daily-one-year-with-cost.xml"])
def test_without_any_links_document_order_ties_the_entries(name: str, tmp_path: Path) -> None:
    linked = read_green_button(sample(name))
    unlinked = read_green_button(_strip_links(sample(name), tmp_path / name))
    assert unlinked.intervals == linked.intervals


def test_gas_and_other_electricity_usage_points_are_skipped_and_said(tmp_path: Path) -> None:
    gas = Point(kind=1, meters=[Meter(uom=169, blocks=[Block([(T0, 86_400, 3)])])])
    home = Point(meters=[Meter(blocks=[Block([(T0, 3600, 500), (T0 + 3600, 3600, 700)])])])
    garage = Point(meters=[Meter(blocks=[Block([(T0, 3600, 50)])])])
    for links in (True, False):
        result = read_green_button(write(tmp_path / "f.xml", feed([gas, home, garage], links=links)))
        assert [(iv.start.timestamp(), iv.imported_wh) for iv in result.intervals] == [(T0, 500), (T0 + 3600, 700)]
        assert result.skipped == {
            "of a gas usage point (only electricity is imported)": 1,
            "of another electricity usage point (the history keeps one meter's)": 1,
        }


def test_delivered_and_received_make_one_interval_each_and_net_fills_only_where_neither_is(tmp_path: Path) -> None:
    hours = [T0 + 3600 * i for i in range(4)]
    delivered = Meter(flow=1, blocks=[Block([(hours[0], 3600, 900), (hours[1], 3600, 100)])])
    received = Meter(flow=19, power=-3, blocks=[Block([(hours[1], 3600, 2500), (hours[2], 3600, 1500)])])
    net = Meter(flow=4, blocks=[Block([(h, 3600, v) for h, v in zip(hours, (1, 2, 3, -400), strict=True)])])
    result = read_green_button(write(tmp_path / "f.xml", feed([Point(meters=[delivered, received, net])])))
    assert [(iv.imported_wh, iv.exported_wh) for iv in result.intervals] == [
        (900, None),
        (100, 2.5),  # powerOfTenMultiplier -3 applied
        (None, 1.5),
        (0, 400),  # only net given: a negative net is exported energy
    ]
    assert result.skipped == {"of net energy where delivered or received is given": 3}


def test_finer_readings_win_where_lengths_overlap_and_lengths_come_from_the_reading_type(tmp_path: Path) -> None:
    hourly = Meter(interval_length=3600, blocks=[Block([(T0 + 3600 * i, None, 400) for i in range(3)])])
    daily = Meter(blocks=[Block([(T0, 86_400, 9000), (T0 + 86_400, 86_400, 8000)])])
    result = read_green_button(write(tmp_path / "f.xml", feed([Point(meters=[daily, hourly])])))
    assert [(iv.start.timestamp() - T0, iv.duration_s, iv.imported_wh) for iv in result.intervals] == [
        (0, 3600, 400), (3600, 3600, 400), (7200, 3600, 400), (86_400, 86_400, 8000)]
    assert result.skipped == {"overlapping finer readings of the same direction": 1}


def test_received_in_other_lengths_is_summed_when_it_tiles_the_delivered_interval(tmp_path: Path) -> None:
    delivered = Meter(flow=1, blocks=[Block([(T0, 3600, 800)])])
    received = Meter(flow=19, blocks=[Block([(T0 + 900 * i, 900, 10 * (i + 1)) for i in range(4)])])
    result = read_green_button(write(tmp_path / "f.xml", feed([Point(meters=[delivered, received])])))
    assert [(iv.duration_s, iv.imported_wh, iv.exported_wh) for iv in result.intervals] == [(3600, 800, 100)]


@pytest.mark.parametrize(
    ("meter", "reason"),
    [
        (Meter(uom=169), "in therms (uom 169), not Wh"),
        (Meter(uom=None), "without a unit of measure (uom)"),
        (Meter(commodity=7), "of natural gas (commodity 7), not electricity"),
        (Meter(accumulation=3), "of cumulative values, not interval energy (accumulationBehaviour 3)"),
        (Meter(flow=20), "of flowDirection 20 (total), neither delivered nor received"),
    ],
)
def test_what_is_not_interval_energy_in_wh_is_skipped_with_its_reason(meter: Meter, reason: str, tmp_path: Path) -> None:
    meter.blocks = [Block([(T0, 3600, 5), (T0 + 3600, 3600, 6)])]
    good = Meter(blocks=[Block([(T0 + 7200, 3600, 7)])])
    result = read_green_button(write(tmp_path / "f.xml", feed([Point(meters=[meter, good])])))
    assert [iv.imported_wh for iv in result.intervals] == [7]
    assert result.skipped == {reason: 2}
    assert result.skipped_text == f"2 readings {reason}"


def test_a_reading_without_any_length_is_skipped(tmp_path: Path) -> None:
    meter = Meter(blocks=[Block([(T0, None, 5), (T0 + 3600, None, 6)]), Block([(T0 + 7200, 3600, 7)])])
    result = read_green_button(write(tmp_path / "f.xml", feed([Point(meters=[meter])])))
    assert [iv.imported_wh for iv in result.intervals] == [7]
    assert result.skipped == {"without a duration": 2}


@pytest.mark.parametrize("length", [900, 1800, 3600, 86_400])
def test_each_usual_length_is_kept_not_spread_over_quarter_hours(length: int, tmp_path: Path) -> None:
    meter = Meter(flow=1, blocks=[Block([(T0 + length * i, length, 100 + i) for i in range(3)])])
    result = read_green_button(write(tmp_path / "f.xml", feed([Point(meters=[meter])])))
    assert [(iv.start.timestamp() - T0, iv.duration_s, iv.imported_wh) for iv in result.intervals] == [
        (length * i, length, 100 + i) for i in range(3)]
