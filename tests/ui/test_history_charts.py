"""The History tab's charts drawn offscreen from a real store and checked pixel by pixel: bars where data is, none
in gaps, import above the axis and export below, the open slot hatched; totals; navigation; hover; the hook other
plug-ins shade and annotate with; light and dark palettes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette

from xcelsior_desktop.app.energy_chart import EnergyChart
from xcelsior_desktop.app.history.view import HistoryView
from xcelsior_desktop.app.tray_icon import EXPORT_FILL, IMPORT_FILL
from xcelsior_desktop.energy.chart_data import Bar
from xcelsior_desktop.energy.periods import Span, View
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore, RegisterReading

DENVER = zoneinfo.ZoneInfo("America/Denver")
DAY = dt.date(2026, 11, 20)
MIDNIGHT = dt.datetime(2026, 11, 20, tzinfo=DENVER).astimezone(dt.UTC)
SLOT = dt.timedelta(minutes=15)
GAP = range(40, 48)  # 10:00 - 12:00 local: no data
NOW = MIDNIGHT + dt.timedelta(days=2, hours=9, minutes=6)  # Sunday 22 Nov, 09:06 local


def filled(store: HistoryStore) -> None:
    """20 Nov: every slot but 10:00-12:00, export in the afternoon; 21 Nov: nothing; 22 Nov: until 09:00 and the
    open slot's register readings."""
    day = [EnergyInterval(MIDNIGHT + i * SLOT, 900, 100.0 + i, 40.0 if 52 <= i < 64 else 0.0)
           for i in range(96) if i not in GAP]
    sunday = MIDNIGHT + dt.timedelta(days=2)
    store.add_intervals(day + [EnergyInterval(sunday + i * SLOT, 900, 80.0, 0.0) for i in range(36)])
    store.add_register_readings([RegisterReading(sunday + 36 * SLOT + dt.timedelta(seconds=1), 5000.0, 100.0),
                                 RegisterReading(NOW, 5060.0, 100.0)])


@pytest.fixture
def view(qtbot, tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        filled(store)
        shown = HistoryView(store, tz=DENVER, now=lambda: NOW)
        shown.resize(900, 560)
        qtbot.addWidget(shown)
        shown.show()
        qtbot.waitExposed(shown)
        yield shown


def image(chart: EnergyChart) -> QImage:
    return chart.grab().toImage()


def colours_in_column(img: QImage, x: float) -> set[int]:
    column = int(x)
    return {img.pixelColor(column, y).rgb() & 0xFFFFFF for y in range(img.height())}


def has_hue(img: QImage, x: float, colour: QColor) -> bool:
    """Whether the column at ``x`` has a pixel of ``colour``'s hue (full, or lighter for a partial bar)."""
    column = int(x)
    for y in range(img.height()):
        pixel = img.pixelColor(column, y)
        if pixel.hsvSaturation() > 60 and abs(pixel.hsvHue() - colour.hsvHue()) < 12:
            return True
    return False


def rows_with(img: QImage, x: float, colour: QColor) -> list[int]:
    want = colour.rgb() & 0xFFFFFF
    return [y for y in range(img.height()) if img.pixelColor(int(x), y).rgb() & 0xFFFFFF == want]


def x_middle(chart: EnergyChart, start: dt.datetime, end: dt.datetime) -> float:
    plot = chart._plot()
    return (chart._x(start, plot) + chart._x(end, plot)) / 2


def test_the_day_has_a_bar_per_slot_with_data_none_in_the_gap_and_export_below(view):
    view.set_view(View.DAY)
    view.anchor = DAY
    view.refresh()
    chart = view.chart
    assert view.title.text() == "Friday 20 November 2026"
    assert len(chart.bars) == 88 and not any(MIDNIGHT + i * SLOT == b.start for b in chart.bars for i in GAP)
    img = image(chart)
    imp = IMPORT_FILL.rgb() & 0xFFFFFF
    for i in (0, 39, 48, 95):  # slots with data: an import bar
        assert imp in colours_in_column(img, x_middle(chart, MIDNIGHT + i * SLOT, MIDNIGHT + (i + 1) * SLOT)), i
    for i in GAP:  # the gap: nothing drawn, not even a zero
        x = x_middle(chart, MIDNIGHT + i * SLOT, MIDNIGHT + (i + 1) * SLOT)
        assert not has_hue(img, x, IMPORT_FILL) and not has_hue(img, x, EXPORT_FILL), i
    x = x_middle(chart, MIDNIGHT + 55 * SLOT, MIDNIGHT + 56 * SLOT)  # 13:45: import and export
    up, down = rows_with(img, x, IMPORT_FILL), rows_with(img, x, EXPORT_FILL)
    assert up and down and max(up) < min(down)  # import above the axis, export below
    assert "From the grid 13.01 kWh" in view.totals_label.text()  # 88 slots of 100 + i Wh: 13 012 Wh
    assert "To the grid 480 Wh" in view.totals_label.text()
    assert "Incomplete: 2.0 h without data" in view.note_label.text()


def test_today_draws_the_open_slot_as_an_estimate_and_stops_at_now(view):
    view.set_view(View.DAY)
    view.go_today()
    chart = view.chart
    assert view.title.text() == "Sunday 22 November 2026"
    estimate = chart.bars[-1]
    assert estimate.estimate and estimate.start == MIDNIGHT + dt.timedelta(days=2, hours=9)
    # the registers since 09:00, with the second before the first reading (09:00:01) at the last slot's rate
    assert estimate.imported_wh == pytest.approx(60.0 + 80.0 / 900, abs=1e-6)
    assert "estimate, in progress" in chart.hover_text(estimate)
    img = image(chart)
    x = x_middle(chart, estimate.start, estimate.end)
    assert IMPORT_FILL.rgb() & 0xFFFFFF in colours_in_column(img, x)  # outline and hatching
    assert view.note_label.text() == ""  # every closed slot of today is there: complete
    assert not view.next_button.isEnabled()  # no future


def test_week_month_and_year_bars_and_navigation(qtbot, view):
    view.set_view(View.WEEK)
    view.anchor = DAY
    view.refresh()
    assert view.title.text() == "Week of 16 Nov 2026"
    by_label = {b.label: b for b in view.chart.bars}
    assert by_label["Sat 21"].empty and by_label["Thu 19"].empty and not by_label["Fri 20"].empty
    img = image(view.chart)
    imp = IMPORT_FILL.rgb() & 0xFFFFFF
    for label, drawn in (("Fri 20", True), ("Sat 21", False), ("Sun 22", True), ("Mon 16", False)):
        bar = by_label[label]
        assert has_hue(img, x_middle(view.chart, bar.start, bar.end), IMPORT_FILL) is drawn, label
    friday = x_middle(view.chart, by_label["Fri 20"].start, by_label["Fri 20"].end)
    assert imp not in colours_in_column(img, friday)  # a day with a gap is drawn lighter than a complete one
    view.activateWindow()
    view.chart.setFocus()
    qtbot.keyClick(view.chart, Qt.Key.Key_Left)  # the keyboard steps too
    assert view.title.text() == "Week of 9 Nov 2026" and all(b.empty for b in view.chart.bars)
    assert "No data for this period" in view.note_label.text()
    view.set_view(View.MONTH)
    assert view.title.text() == "November 2026" and len(view.chart.bars) == 30
    view.go_today()
    view.set_view(View.YEAR)
    assert view.title.text() == "2026" and [b.label for b in view.chart.bars if not b.empty] == ["Nov"]
    assert not view.next_button.isEnabled()
    view.step(1)  # the Right arrow key into the future: nothing to show, so it stays
    assert view.title.text() == "2026"
    view.anchor = dt.date(2027, 1, 1)
    view.refresh()
    assert view.title.text() == "2027" and view.chart.empty_text == "This period has not begun yet."
    view.step(-1)
    assert view.title.text() == "2026"


class PeakShading:
    """What the cost plug-in will do: shade 15:00-19:00 and add a price line."""

    def __init__(self) -> None:
        self.spans: list[Span] = []

    def bands(self, span: Span) -> list[tuple[dt.datetime, dt.datetime]]:
        self.spans.append(span)
        if span.view is not View.DAY:
            return []
        start = dt.datetime.combine(span.anchor, dt.time(15), DENVER).astimezone(dt.UTC)
        return [(start, start + dt.timedelta(hours=4))]

    def hover_extra(self, span: Span, bar: Bar) -> str:
        return f"Cost: ${(bar.imported_wh or 0) * 0.0002:.2f}"


def test_other_plugins_shade_periods_and_add_to_the_hover(view):
    decorator = PeakShading()
    seen: list[object] = []
    view.span_changed.connect(seen.append)
    view.set_view(View.DAY)
    view.anchor = DAY
    view.add_decorator(decorator)
    assert view.chart.bands and view.chart.bands[0][1] - view.chart.bands[0][0] == dt.timedelta(hours=4)
    assert isinstance(seen[-1], Span) and seen[-1].anchor == DAY and decorator.spans[-1].anchor == DAY
    bar = view.chart.bars[0]
    text = view.chart.hover_text(bar)
    assert text.splitlines()[0] == "Fri 20 Nov, 00:00\u201300:15"
    assert "From the grid: 100 Wh" in text and text.splitlines()[-1] == "Cost: $0.02"
    # the band is drawn behind the bars: the empty top of the chart is darker in 15:00-19:00 than at 06:00
    img = image(view.chart)
    plot = view.chart._plot()
    top = int(plot.top()) + 3
    shaded = img.pixelColor(int(x_middle(view.chart, MIDNIGHT + 68 * SLOT, MIDNIGHT + 69 * SLOT)), top)
    plain = img.pixelColor(int(x_middle(view.chart, MIDNIGHT + 24 * SLOT, MIDNIGHT + 25 * SLOT)), top)
    assert shaded.lightness() < plain.lightness()
    view.remove_decorator(decorator)
    assert view.chart.bands == []


@pytest.mark.parametrize("dark", [False, True])
def test_light_and_dark_palettes_give_readable_axes(view, qapp, dark):
    palette = QPalette(view.palette())
    if dark:
        palette.setColor(QPalette.ColorRole.Window, QColor("#1E1E1E"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#EEEEEE"))
    else:
        palette.setColor(QPalette.ColorRole.Window, QColor("#FAFAFA"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#111111"))
    view.setPalette(palette)
    view.setAutoFillBackground(True)
    view.set_view(View.MONTH)
    view.anchor = DAY
    view.refresh()
    img = view.grab().toImage()
    chart_at = view.chart.mapTo(view, view.chart.rect().topLeft())
    plot = view.chart._plot()
    background = palette.color(QPalette.ColorRole.Window)
    text_pixels = [img.pixelColor(chart_at.x() + x, chart_at.y() + y)
                   for x in range(int(plot.left()) - 4) for y in range(view.chart.height())]
    contrast = max(abs(c.lightness() - background.lightness()) for c in text_pixels)
    assert contrast > 150  # the value labels stand out from the background in both themes
    if dark:
        assert any(c.lightness() > 200 for c in text_pixels)  # light text on dark
    else:
        assert any(c.lightness() < 60 for c in text_pixels)  # dark text on light


def test_the_live_view_is_the_stores_last_hour_with_hover(qtbot, tmp_path):
    from xcelsior_desktop.energy.store import DemandSample

    with HistoryStore(tmp_path / "live.sqlite3") as store:
        store.add_demand([DemandSample(NOW - dt.timedelta(seconds=5 * i), 1000.0 + i) for i in range(120)])
        store.add_demand([DemandSample(NOW - dt.timedelta(hours=2), 99_999.0)])  # older than the hour
        view = HistoryView(store, tz=DENVER, now=lambda: NOW)
        view.resize(800, 480)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitExposed(view)
        view.set_view(View.LIVE)
        assert view.title.text() == "The last hour" and len(view.live_history.points) == 120
        assert "Average 1,060 W" in view.totals_label.text() and "highest 1,119 W" in view.totals_label.text()
        assert not view.previous_button.isEnabled()
        chart = view.live_chart
        chart.grab()  # paint: the hover maps pixels to readings
        reading = chart.reading_near(chart.width() - 9)
        assert reading is not None and reading[1] == 1000.0  # the newest, at "now"
        assert chart.hover_text(reading).endswith("1,000 W from the grid")


# -- the Live chart: a line only where readings were taken ---------------------------------------------------------


def test_the_live_chart_breaks_its_line_where_no_readings_were_taken(qtbot, tmp_path):
    """The app was stopped for 17 minutes: nothing is drawn over those minutes (a gap stays a gap)."""
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        now = NOW
        before = [now - dt.timedelta(minutes=40) + dt.timedelta(seconds=5 * i) for i in range(12 * 20)]  # 20 min
        after = [now - dt.timedelta(minutes=3) + dt.timedelta(seconds=5 * i) for i in range(12 * 3)]  # 3 min
        from xcelsior_desktop.energy.store import DemandSample

        store.add_demand(DemandSample(at, 1500.0) for at in before + after)
        shown = HistoryView(store, tz=DENVER, now=lambda: now)
        shown.set_poll_interval(5.0)
        shown.resize(900, 560)
        qtbot.addWidget(shown)
        shown.show()
        qtbot.waitExposed(shown)
        shown.set_view(View.LIVE)
        chart = shown.live_chart
        img = chart.grab().toImage()
        left, per_second, first = chart._shown

        def x_at(minutes_ago: float) -> float:
            return left + ((now - dt.timedelta(minutes=minutes_ago)).timestamp() - first) * per_second

        assert has_hue(img, x_at(30), IMPORT_FILL)  # readings: a line and its fill
        assert has_hue(img, x_at(1.5), IMPORT_FILL)
        for minutes in (18, 12, 6):  # the 17 minutes nobody measured
            assert not has_hue(img, x_at(minutes), IMPORT_FILL), f"drawn {minutes} min ago"
        shown.set_poll_interval(600.0)  # ten-minute polling: 17 minutes is less than three intervals
        img = chart.grab().toImage()
        assert has_hue(img, x_at(12), IMPORT_FILL)


def test_line_runs_cut_at_gaps_longer_than_the_limit():
    from xcelsior_desktop.energy.chart_data import line_runs

    points = [(0.0, 1.0), (5.0, 1.0), (10.0, 1.0), (100.0, 2.0), (105.0, 2.0), (300.0, 3.0)]
    assert line_runs(points, 15.0) == [points[:3], points[3:5], points[5:]]
    assert line_runs(points, 1000.0) == [points]
    assert line_runs([], 15.0) == []
