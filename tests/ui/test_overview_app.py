"""The Overview in the whole app, offscreen, on a month of the simulated household: the first tab, every card's
figure from the functions it names, each card opening its tab, the keyboard's order, what a screen reader is told,
big loads listed, labelled and marked on the Day chart, the History's comparison, and import and export still told
apart under a colour-blindness simulation of a screenshot."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QColor, QImage
from PySide6.QtWidgets import QApplication

from tests.overview_support import DENVER, NOW, make_history_file
from tests.ui.layout_walk import build
from xcelsior_desktop.app.energy_chart import EnergyChart
from xcelsior_desktop.app.overview.page import CARDS
from xcelsior_desktop.app.tray_icon import EXPORT_FILL, IMPORT_FILL
from xcelsior_desktop.energy.baseline import always_on, solar_hours_of
from xcelsior_desktop.energy.chart_data import Bar
from xcelsior_desktop.energy.load_labels import LoadLabels, default_path
from xcelsior_desktop.energy.peaks import month_peak
from xcelsior_desktop.energy.periods import View


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    return make_history_file(tmp_path_factory.mktemp("overview") / "history.sqlite3")


@pytest.fixture
def app(qtbot, history, tmp_path):
    copy = tmp_path / "history.sqlite3"
    copy.write_bytes(history.read_bytes())
    _qapp, app = build(copy)
    app.window.resize(600, 800)
    app.window.show()
    qtbot.waitExposed(app.window)
    yield app
    app.shutdown()
    app.window.allow_close()
    app.window.close()


def test_the_overview_is_the_first_tab_and_its_figures_are_the_stores(app, qtbot):
    window = app.window
    assert window.tabs.tabText(0) == "Overview" and window.current_view() == "overview"
    page = app.overview.page
    store = app.shell.history
    solar = solar_hours_of(store, NOW, DENVER)
    watts = always_on(store, NOW, zone=DENVER, solar=solar).watts
    assert page.cards["always_on"].figure.text() == f"{watts:.0f} W"
    peak = month_peak(store, NOW, DENVER)
    assert page.cards["peak"].figure.text() == f"{peak.watts / 1000:.1f} kW"
    assert page.cards["today"].line.text().endswith("(4 Mondays)")
    assert page.cards["now"].figure.text().endswith("W") and "On-peak until 9 pm" in page.cards["now"].line.text()
    qtbot.waitUntil(lambda: "last cycle by now" in page.cards["cycle"].line.text())  # after the first paint
    assert not page.cards["solar"].isHidden()  # the household exports


def test_the_trend_and_the_last_cycle_are_worked_out_off_the_gui_thread(app, qtbot, monkeypatch):
    """They read up to a year of history (about half a second): the window must not freeze for them."""
    from xcelsior_desktop.app.overview import plugin

    threads: list[str] = []
    real = plugin.always_on_trend

    def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(plugin, "always_on_trend", recorded)
    overview = app.overview
    qtbot.waitUntil(lambda: not overview.following)
    overview.on_settings(app.shell.settings)  # the home zone may have changed: the trend is due again
    qtbot.waitUntil(lambda: bool(threads) and not overview.following)
    assert threads and all(name.startswith("overview") for name in threads)
    assert overview.page.trend.accessibleDescription().startswith("Always-on over")


def test_slow_figures_asked_for_before_a_settings_change_are_dropped_and_asked_again(app, qtbot, monkeypatch):
    from xcelsior_desktop.app.overview import plugin

    overview = app.overview
    qtbot.waitUntil(lambda: not overview.following)
    release, started = threading.Event(), threading.Event()
    calls: list[str] = []
    real = plugin.always_on_trend

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("trend")
        if len(calls) == 1:
            started.set()
            release.wait(10)  # the first one is still running when the settings change
        return real(*args, **kwargs)

    monkeypatch.setattr(plugin, "always_on_trend", held)
    overview.on_settings(app.shell.settings)
    qtbot.waitUntil(started.is_set)
    overview.on_settings(app.shell.settings)  # a second change while the first result is on its way
    release.set()
    qtbot.waitUntil(lambda: len(calls) == 2 and not overview.following)
    assert overview.page.trend.accessibleDescription().startswith("Always-on over")


@pytest.mark.parametrize("spec", CARDS, ids=[c.key for c in CARDS])
def test_each_card_opens_the_tab_that_explains_it(app, spec):
    card = app.overview.page.cards[spec.key]
    card.click()
    assert app.window.current_view() == spec.view


def test_the_keyboard_reaches_every_card_and_its_help_in_reading_order(app, qtbot):
    page = app.overview.page
    first = page.cards["now"]
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    shown = [c for c in CARDS if not page.cards[c.key].isHidden()]
    assert page.cards["home"].isHidden()  # one meter: no Home use card
    seen = [QApplication.focusWidget()]
    for _ in range(2 * len(shown)):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    names = [w.objectName() for w in seen]
    expected = [n for c in shown for n in (f"card-{c.key}", f"help-{c.title.lower().replace(' ', '-')}")]
    assert names[:len(expected)] == expected
    qtbot.keyClick(page.cards["cycle"], Qt.Key.Key_Return)
    assert app.window.current_view() == "cost"


def test_a_screen_reader_is_told_each_figure(app):
    for spec in CARDS:
        card = app.overview.page.cards[spec.key]
        if card.isHidden():  # the Home use card, with a solar meter only
            continue
        face = QAccessible.queryAccessibleInterface(card)
        assert face is not None and face.text(QAccessible.Text.Name) == spec.title
        description = face.text(QAccessible.Text.Description)
        assert card.figure.text().lstrip("\u2212") in description
        if spec.key == "now":  # in words: the direction is said, not shown by a sign or a colour
            assert description.startswith(("Importing", "Exporting")) and "On-peak until 9 pm" in description
        else:
            assert card.line.text() in description
        assert face.role() == QAccessible.Role.Button
    view = app.history.view
    app.window.show_view("history")
    view.set_view(View.DAY)
    face = QAccessible.queryAccessibleInterface(view.chart)
    assert face.text(QAccessible.Text.Name) == "Energy chart"
    assert "From the grid" in face.text(QAccessible.Text.Description)


def test_big_loads_are_listed_labelled_offered_and_marked(app, qtbot):
    plugin = app.overview
    app.window.show_view("loads")
    items = [plugin.loads_view.list.item(i).text() for i in range(plugin.loads_view.list.count())]
    assert items[0] == "Monday 30 November" and any(" kW at " in t and "min" in t for t in items)
    first = next(load for load in plugin.loads_of(NOW.astimezone(DENVER).date()) if load.on)
    plugin.set_label(first, "dryer")
    assert LoadLabels(default_path(demo=True)).label_of(first.at, first.watts) == "dryer"
    items = [plugin.loads_view.list.item(i).text() for i in range(plugin.loads_view.list.count())]
    assert any(t.startswith("dryer: +") for t in items)
    assert plugin.labels.offered(first.watts * 1.05) == "dryer"
    plugin.loads_view.on_peak_only.setChecked(True)
    shown = [plugin.loads_view.list.item(i).text() for i in range(plugin.loads_view.list.count())]
    assert all("on-peak" in t for t in shown if " kW at " in t)
    view = app.history.view
    app.window.show_view("history")
    view.set_view(View.DAY)
    view.go_today()
    assert any(m.at == first.at and m.up for m in view.chart.marks)


def test_the_history_compares_with_the_period_before(app):
    view = app.history.view
    app.window.show_view("history")
    view.set_view(View.WEEK)
    view.go_today()
    view.compare_button.setChecked(True)
    assert view.compare_label.isVisible()
    assert view.compare_label.text().startswith("This week so far") and "last week" in view.compare_label.text()
    assert view.chart.outline and all(b.start >= view.data.span.start for b in view.chart.outline)
    assert "dashed" in view.legend.text()
    view.compare_button.setChecked(False)
    assert not view.chart.outline and view.compare_label.isHidden()


# -- colour blindness ----------------------------------------------------------------------------------------------

# Machado, Oliveira and Fernandes (2009), severity 1.0, applied to linear RGB
MACHADO = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
}


def _linear(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _srgb(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 255 * (c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(colour: QColor, kind: str) -> tuple[float, float, float]:
    rgb = [_linear(colour.red()), _linear(colour.green()), _linear(colour.blue())]
    return tuple(_srgb(sum(m * v for m, v in zip(row, rgb, strict=True))) for row in MACHADO[kind])  # type: ignore[return-value]


def _luma(rgb: tuple[float, float, float]) -> float:
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def _run(image: QImage, x: int, kind: str, inside) -> list[tuple[float, float, float]]:  # type: ignore[no-untyped-def]
    """The simulated colours down column ``x`` where the original pixel is inside a bar."""
    return [simulate(image.pixelColor(x, y), kind) for y in range(image.height()) if inside(image.pixelColor(x, y))]


@pytest.mark.parametrize("kind", sorted(MACHADO))
def test_import_and_export_differ_by_more_than_hue(qtbot, kind):
    """A screenshot of two bars, import and export, seen as a person with protanopia or deuteranopia sees it: the
    fills' hues come close, the export bar's stripes stay."""
    chart = EnergyChart()
    qtbot.addWidget(chart)
    start = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
    mid, end = start + dt.timedelta(hours=1), start + dt.timedelta(hours=2)
    chart.set_data([Bar(start, mid, "12", 800.0, 0.0, 3600), Bar(mid, end, "13", 0.0, 800.0, 3600)], start, end)
    chart.resize(400, 300)
    chart.show()
    qtbot.waitExposed(chart)
    image = chart.grab().toImage()
    x_import = int(chart._rects[0][0].center().x())
    x_export = int(chart._rects[1][0].center().x())
    imported = _run(image, x_import, kind, lambda c: c == IMPORT_FILL)
    background = image.pixelColor(x_export, image.height() - 3 * chart.fontMetrics().height())
    exported = _run(image, x_export, kind, lambda c: c.red() + c.green() < 2 * 230 and
                    abs(c.green() - EXPORT_FILL.green()) < 120 and c != background and c.green() > c.blue())
    assert len(imported) > 20 and len(exported) > 20
    import_levels = {round(_luma(c)) for c in imported}
    export_levels = sorted({round(_luma(c)) for c in exported})
    assert len(import_levels) == 1  # a plain fill
    assert export_levels[-1] - export_levels[0] >= 40  # stripes: light and dark rows, whatever the hue
