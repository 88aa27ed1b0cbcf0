"""The History tab: Live (the last hour), Day (96 quarter hours), Week and Month (days), Year (months), all read
from the history store; previous / today / next; the totals of the shown period; hover for time and value.

A view only: it reads the store when told to (:meth:`HistoryView.refresh`) and on navigation. Other plug-ins may
shade stretches and add to the hover text through a :class:`~xcelsior_desktop.energy.chart_data.ChartDecorator`
(:meth:`HistoryView.add_decorator`); :attr:`HistoryView.span_changed` says which span is shown.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from xcelsior_desktop.app.charts import PowerChart, PowerHistory
from xcelsior_desktop.app.energy_chart import EnergyChart, energy_text
from xcelsior_desktop.app.tray_icon import EXPORT_FILL, IMPORT_FILL
from xcelsior_desktop.common import format as fmt
from xcelsior_desktop.energy.chart_data import Bar, ChartDecorator, ChartMarker, Mark, Totals
from xcelsior_desktop.energy.charts import ChartData
from xcelsior_desktop.energy.compare import BEFORE, compare_previous, outline
from xcelsior_desktop.energy.errors import HistoryError
from xcelsior_desktop.energy.home import PRODUCTION_METER
from xcelsior_desktop.energy.periods import Span, View, shift
from xcelsior_desktop.energy.series import SERIES_WORDS, Series, series_chart, series_demand
from xcelsior_desktop.energy.store import HistoryStore

log = logging.getLogger(__name__)

VIEWS: tuple[tuple[View, str], ...] = (
    (View.LIVE, "Live"), (View.DAY, "Day"), (View.WEEK, "Week"), (View.MONTH, "Month"), (View.YEAR, "Year"),
)


def _axis_labels(shown: Span, tz: dt.tzinfo) -> list[tuple[dt.datetime, str]]:
    """Where the axis says what: every 3 hours on a day, each bucket's middle otherwise (thinned by the chart)."""
    if shown.view is View.DAY:
        out = []
        for bucket in shown.buckets:
            local = bucket.start.astimezone(tz)
            if local.minute == 0 and local.hour % 3 == 0:
                out.append((bucket.start, f"{local:%H:%M}"))
        return out
    if shown.view is View.MONTH:
        return [(b.start + (b.end - b.start) / 2, b.label.split()[-1]) for b in shown.buckets]
    return [(b.start + (b.end - b.start) / 2, b.label) for b in shown.buckets]


def _legend(view: View, comparing: bool = False, series: Series = Series.GRID) -> str:
    _name, above, below = SERIES_WORDS[series]
    swatches = f"<span style='color:{IMPORT_FILL.name()}'>\u25A0</span> {above} (above the line)"
    if below:
        swatches += f" &nbsp; <span style='color:{EXPORT_FILL.name()}'>\u25A4</span> {below} (striped, below)"
    if comparing:
        swatches += f" &nbsp; dashed: {BEFORE.get(view, '')}"
    if view is View.DAY and series is not Series.HOME:  # the home's use has no register tail to estimate from
        return f"{swatches} &nbsp; hatched: the quarter hour in progress (an estimate)"
    if view is View.DAY:
        return swatches
    return f"{swatches} &nbsp; paler: a {'month' if view is View.YEAR else 'day'} with gaps or not over yet"


def totals_text(totals: Totals, series: Series = Series.GRID) -> str:
    if series is Series.HOME:
        return f"Used at home {energy_text(totals.imported_wh)} (slots both meters measured)"
    if series is Series.SOLAR:
        return f"Made by the panels {energy_text(totals.imported_wh)}"
    return (f"From the grid {energy_text(totals.imported_wh)} \u00b7 To the grid {energy_text(totals.exported_wh)}"
            f" \u00b7 Net {'-' if totals.net_wh < 0 else ''}{energy_text(abs(totals.net_wh))}")


def coverage_text(totals: Totals, bars: list[Bar]) -> str:
    """'' when the totals cover everything that has passed; else what is missing."""
    if totals.span_s <= 0:
        return "This period has not begun yet."
    if not any(not b.empty for b in bars):
        return "No data for this period: the meter keeps about 30 days, and the app was not recording then."
    if totals.complete:
        return ""
    missing_h = max(0.0, totals.span_s - totals.covered_s) / 3600
    amount = f"{missing_h:.1f} h" if missing_h < 48 else f"{missing_h / 24:.0f} days"
    return f"Incomplete: {amount} without data (gaps are left empty, never counted as zero)."


class HistoryView(QWidget):
    span_changed = Signal(object)  # energy.periods.Span now shown (None on Live)

    def __init__(self, store: HistoryStore | None, *, tz: dt.tzinfo, now: Callable[[], dt.datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.tz = tz
        self.now = now
        self.view = View.DAY
        self.series = Series.GRID  # with a solar meter: the grid, the panels or the home's use
        self.anchor = now().astimezone(tz).date()
        self.data: ChartData | None = None
        self.decorators: list[ChartDecorator] = []
        self.live_history = PowerHistory()

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        top = QHBoxLayout()
        self.view_buttons = QButtonGroup(self)
        self.view_buttons.setExclusive(True)
        for view, title in VIEWS:
            button = QToolButton()
            button.setText(title)
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setObjectName(f"history-view-{view.value}")
            button.clicked.connect(lambda _checked=False, v=view: self.set_view(v))
            self.view_buttons.addButton(button)
            top.addWidget(button)
        self.compare_button = QToolButton()
        self.compare_button.setText("Compare")
        self.compare_button.setObjectName("history-compare")
        self.compare_button.setCheckable(True)
        self.compare_button.setToolTip("Draw the period before as a dashed outline behind the bars, with both totals")
        self.compare_button.setAccessibleDescription("Compare with the period before")
        self.compare_button.toggled.connect(lambda _on: self.refresh())
        top.addSpacing(8)
        top.addWidget(self.compare_button)
        top.addStretch(1)
        self.previous_button = QPushButton("\u25C0")
        self.previous_button.setObjectName("history-previous")
        self.previous_button.setToolTip("Previous period")
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.today_button = QPushButton("Today")
        self.today_button.setObjectName("history-today")
        self.today_button.setToolTip("Back to the period that contains today")
        self.today_button.clicked.connect(self.go_today)
        self.next_button = QPushButton("\u25B6")
        self.next_button.setObjectName("history-next")
        self.next_button.setToolTip("Next period")
        self.next_button.clicked.connect(lambda: self.step(1))
        for arrow in (self.previous_button, self.next_button):
            arrow.setFixedWidth(max(32, arrow.sizeHint().height()))
        top.addWidget(self.previous_button)
        top.addWidget(self.today_button)
        top.addWidget(self.next_button)
        layout.addLayout(top)

        self.title = QLabel()
        self.title.setObjectName("history-title")
        bold = QFont(self.font())
        bold.setBold(True)
        bold.setPointSizeF(self.font().pointSizeF() * 1.25)
        self.title.setFont(bold)
        self.series_box = QComboBox()
        self.series_box.setObjectName("history-series")
        self.series_box.setAccessibleName("Show")
        self.series_box.setToolTip("With a solar meter: the grid's energy, what the panels made, or what the home "
                                   "used from both")
        for series in Series:
            self.series_box.addItem(SERIES_WORDS[series][0], series.value)
        self.series_box.currentIndexChanged.connect(self._series_chosen)
        self.series_box.hide()  # shown once the household has a solar meter
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.series_box)
        layout.addLayout(title_row)

        self.stack = QStackedWidget()
        self.live_chart = PowerChart(self.live_history)
        self.live_chart.setObjectName("history-live-chart")
        self.chart = EnergyChart()
        self.chart.setObjectName("history-chart")
        self.chart.setAccessibleName("Energy chart")
        self.chart.tz = tz
        self.chart.hover_extra = self._hover_extra
        self.stack.addWidget(self.live_chart)
        self.stack.addWidget(self.chart)
        layout.addWidget(self.stack, 1)

        legend = QLabel()
        legend.setObjectName("history-legend")
        legend.setWordWrap(True)
        layout.addWidget(legend)
        self.legend = legend
        self.totals_label = QLabel()
        self.totals_label.setObjectName("history-totals")
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals_label.setWordWrap(True)
        layout.addWidget(self.totals_label)
        self.compare_label = QLabel()
        self.compare_label.setObjectName("history-comparison")
        self.compare_label.setWordWrap(True)
        self.compare_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.compare_label.hide()
        layout.addWidget(self.compare_label)
        self.note_label = QLabel()
        self.note_label.setObjectName("history-note")
        self.note_label.setWordWrap(True)
        layout.addWidget(self.note_label)
        self.status_note = ""  # e.g. "Reading the meter's last 30 days..." (set by the plug-in)
        for key, action in ((Qt.Key.Key_Left, lambda: self.step(-1)), (Qt.Key.Key_Right, lambda: self.step(1)),
                            (Qt.Key.Key_Home, self.go_today)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        self.previous_button.setAccessibleName("Previous period")
        self.next_button.setAccessibleName("Next period")
        self.previous_button.setToolTip("Previous period (Left arrow)")
        self.next_button.setToolTip("Next period (Right arrow)")
        self.today_button.setToolTip("Back to the period that contains today (Home)")
        self._select_button()

    # -- hooks for other plug-ins ------------------------------------------------------------------

    def add_decorator(self, decorator: ChartDecorator) -> None:
        """Shade stretches of the energy charts and add a line to their hover text (e.g. on-peak hours, cost)."""
        self.decorators.append(decorator)
        self.refresh()

    def remove_decorator(self, decorator: ChartDecorator) -> None:
        if decorator in self.decorators:
            self.decorators.remove(decorator)
            self.refresh()

    def _hover_extra(self, bar: Bar) -> str:
        if self.data is None:
            return ""
        lines = []
        for decorator in self.decorators:
            try:
                extra = decorator.hover_extra(self.data.span, bar)
            except Exception:  # noqa: BLE001 - another plug-in's bug must not break the chart
                log.exception("a chart decorator failed on hover")
                continue
            if extra:
                lines.append(extra)
        return "\n".join(lines)

    # -- navigation --------------------------------------------------------------------------------

    def set_poll_interval(self, seconds: float) -> None:
        """Its Live chart breaks the line where readings are further apart than three of these."""
        self.live_history.set_poll_interval(seconds)
        self.live_chart.update()

    def set_series_available(self, available: bool) -> None:
        """A solar meter is (or is no longer) part of the household: offer its series, else show the grid's."""
        self.series_box.setVisible(available)
        if not available and self.series is not Series.GRID:
            self.series_box.setCurrentIndex(0)

    def set_series(self, series: Series) -> None:
        self.series_box.setCurrentIndex(list(Series).index(series))

    def _series_chosen(self, index: int) -> None:
        self.series = list(Series)[max(0, index)]
        self._select_button()
        self.refresh()

    def set_view(self, view: View) -> None:
        self.view = view
        self._select_button()
        self.refresh()

    def step(self, steps: int) -> None:
        if self.view is View.LIVE or (steps > 0 and not self.next_button.isEnabled()):
            return  # the future has no data
        self.anchor = shift(self.view, self.anchor, steps)
        self.refresh()

    def go_today(self) -> None:
        self.anchor = self.now().astimezone(self.tz).date()
        self.refresh()

    def _select_button(self) -> None:
        for button in self.view_buttons.buttons():
            button.setChecked(button.objectName() == f"history-view-{self.view.value}")
        calendar = self.view is not View.LIVE
        for nav in (self.previous_button, self.today_button, self.next_button, self.compare_button):
            nav.setEnabled(calendar)
        if self.series is Series.HOME:  # the home's use is worked out per slot: no period-before figure of it
            self.compare_button.setEnabled(False)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        self.refresh()
        super().showEvent(event)

    # -- data --------------------------------------------------------------------------------------

    def set_status_note(self, text: str) -> None:
        self.status_note = text
        self._show_note(self._coverage)

    _coverage = ""

    def _show_note(self, coverage: str) -> None:
        self._coverage = coverage
        text = " ".join(t for t in (coverage, self.status_note) if t)
        self.note_label.setText(text)
        self.note_label.setVisible(bool(text))

    def refresh(self) -> None:
        """Read the shown span again from the store."""
        now = self.now()
        if self.store is None:
            self.title.setText("History is not available")
            self.totals_label.setText("")
            self._show_note("")
            return
        try:
            if self.view is View.LIVE:
                self._refresh_live(now)
            else:
                self._refresh_chart(now)
        except HistoryError as exc:
            log.warning("the history could not be read: %s", exc)
            self._show_note(exc.user_message)

    def _refresh_live(self, now: dt.datetime) -> None:
        assert self.store is not None
        samples = series_demand(self.store, self.series, now)
        self.live_history.points.clear()
        for sample in samples:
            self.live_history.add(sample.at.timestamp(), sample.watts)
        self.live_chart.now = now.timestamp()
        self.stack.setCurrentWidget(self.live_chart)
        self.legend.setVisible(False)
        self.title.setText("The last hour")
        if samples:
            watts = [s.watts for s in samples]
            mean = sum(watts) / len(watts)
            self.totals_label.setText(f"Average {fmt.full_power(mean)} \u00b7 highest {fmt.full_power(max(watts))}"
                                      f" \u00b7 lowest {fmt.full_power(min(watts))} \u00b7 {len(samples)} readings")
        else:
            self.totals_label.setText("")
        self._show_note("" if samples else "No readings in the last hour yet.")
        self.data = None
        self.compare_label.hide()
        self.live_chart.setAccessibleDescription(f"The last hour of demand. {self.totals_label.text()}")
        self.live_chart.update()
        self.span_changed.emit(None)

    def _refresh_chart(self, now: dt.datetime) -> None:
        assert self.store is not None
        data = series_chart(self.store, self.series, self.view, self.anchor, self.tz, now)
        self.data = data
        _name, above, below = SERIES_WORDS[self.series]
        self.chart.words = (above, below)
        bands: list[tuple[dt.datetime, dt.datetime]] = []
        for decorator in self.decorators:
            try:
                bands.extend(decorator.bands(data.span))
            except Exception:  # noqa: BLE001 - another plug-in's bug must not break the chart
                log.exception("a chart decorator failed")
        marks: list[Mark] = []
        for decorator in self.decorators if self.series is Series.GRID else ():  # big loads: the grid's steps
            if isinstance(decorator, ChartMarker):
                try:
                    marks.extend(decorator.marks(data.span))
                except Exception:  # noqa: BLE001 - another plug-in's bug must not break the chart
                    log.exception("a chart decorator's marks failed")
        self.chart.set_data(data.bars, data.span.start, data.span.end, _axis_labels(data.span, self.tz), bands)
        self.chart.set_marks(marks)
        self.chart.set_outline([])
        comparing = self.compare_button.isChecked() and self.series is not Series.HOME
        words = self._compare(data, now) if comparing else ""
        self.compare_label.setText(words)
        self.compare_label.setVisible(comparing)
        self.chart.empty_text = ("No data for this period." if data.totals.span_s > 0
                                 else "This period has not begun yet.")
        self.stack.setCurrentWidget(self.chart)
        self.legend.setText(_legend(self.view, comparing, self.series))
        self.legend.setVisible(True)
        self.title.setText(data.span.title)
        self.totals_label.setText(totals_text(data.totals, self.series) if any(not b.empty for b in data.bars)
                                  else "")
        self._show_note(coverage_text(data.totals, data.bars))
        self.next_button.setEnabled(data.span.end < now)  # the future has no data
        self.chart.setAccessibleDescription(" ".join(t for t in (
            data.span.title + ".", self.totals_label.text() or "No data.", words,
            f"{len(marks)} big loads marked." if marks else "") if t))
        self.span_changed.emit(data.span)

    def _compare(self, data: ChartData, now: dt.datetime) -> str:
        """The period before as the chart's outline; both totals and the difference in words."""
        assert self.store is not None
        store = self.store.for_meter(PRODUCTION_METER) if self.series is Series.SOLAR else self.store
        comparison = compare_previous(store, self.view, self.anchor, self.tz, now)
        before = series_chart(self.store, self.series, self.view, comparison.previous.anchor, self.tz, now)
        self.chart.set_outline(outline(data.span, comparison.previous, before.bars, self.tz))
        return comparison.words()
