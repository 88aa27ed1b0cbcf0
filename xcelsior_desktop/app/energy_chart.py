"""Energy bars over a span (a day of 15-minute slots, a week or month of days, a year of months), QPainter.

Import above the axis (orange), export below (green and striped, so it reads without telling colours apart), the
colours of the tray icon. A gap has no bar; a bar whose bucket is only partly covered is drawn lighter; the slot
still in progress is hatched (an estimate). The period before may be drawn as a dashed outline behind the bars
(the History tab's Compare), and moments marked with small triangles (big loads).
Shaded bands (e.g. on-peak hours) sit behind the bars. Hovering a bar shows its time and values (and what
``hover_extra`` adds, e.g. its cost). Colours come from the palette, so light and dark themes both work.

QPainter rather than QtCharts: a year is 12 bars and a day at most 100, which QPainter draws in well under a
millisecond with no scene graph, and the bundle carries no QtCharts/QtOpenGL libraries (about 4 MB).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from xcelsior_desktop.app.tray_icon import EXPORT_FILL, IMPORT_FILL
from xcelsior_desktop.energy.chart_data import Bar, Mark

HoverExtra = Callable[[Bar], str]


def energy_text(wh: float) -> str:
    """1 234 Wh -> '1.23 kWh'; small values in Wh."""
    if abs(wh) >= 1000:
        return f"{wh / 1000:.2f} kWh"
    return f"{wh:.0f} Wh"


def axis_text(wh: float, step: float) -> str:
    """A grid line's label with as many decimals as the step needs: '10 kWh', '2.5 kWh', '200 Wh'."""
    if step >= 1000 or abs(wh) >= 1000:
        kwh = wh / 1000
        decimals = 0 if step >= 1000 and float(step / 1000).is_integer() else (1 if step >= 100 else 2)
        return f"{kwh:.{decimals}f} kWh"
    return f"{wh:.0f} Wh"


def _nice_step(span: float) -> float:
    """A round grid step (1, 2 or 5 x 10^n) giving about four lines over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / 4
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


class EnergyChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("energy-chart")
        self.setMinimumSize(QSize(320, 200))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.bars: list[Bar] = []
        self.start: dt.datetime | None = None
        self.end: dt.datetime | None = None
        self.axis_labels: list[tuple[dt.datetime, str]] = []
        self.bands: list[tuple[dt.datetime, dt.datetime]] = []
        self.hover_extra: HoverExtra | None = None
        self.tz: dt.tzinfo | None = None
        self.empty_text = "No data for this period yet."
        self.outline: list[Bar] = []  # the period before, drawn behind (Compare)
        self.marks: list[Mark] = []
        self._rects: list[tuple[QRectF, Bar]] = []
        self._label_width = 0.0  # the widest value label of the last paint (the plot starts after it)

    def set_data(self, bars: Sequence[Bar], start: dt.datetime, end: dt.datetime,
                 axis_labels: Sequence[tuple[dt.datetime, str]] = (),
                 bands: Sequence[tuple[dt.datetime, dt.datetime]] = ()) -> None:
        self.bars = list(bars)
        self.start, self.end = start, end
        self.axis_labels = list(axis_labels)
        self.bands = list(bands)
        self.update()

    def set_outline(self, bars: Sequence[Bar]) -> None:
        self.outline = [b for b in bars if not b.empty]
        self.update()

    def set_marks(self, marks: Sequence[Mark]) -> None:
        self.marks = list(marks)
        self.update()

    # -- geometry ------------------------------------------------------------------------------------

    def _plot(self) -> QRectF:
        fm = self.fontMetrics()
        left = max(self._label_width, fm.horizontalAdvance("888 Wh")) + 10
        return QRectF(left, 8, max(10.0, self.width() - left - 8), max(10.0, self.height() - fm.height() - 18))

    def _x(self, when: dt.datetime, plot: QRectF) -> float:
        assert self.start is not None and self.end is not None
        total = (self.end - self.start).total_seconds() or 1.0
        return plot.left() + plot.width() * (when - self.start).total_seconds() / total

    # -- drawing -------------------------------------------------------------------------------------

    def paintEvent(self, _event: object) -> None:  # noqa: N802 (Qt name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        grid = QColor(text)
        grid.setAlpha(40)
        self._rects = []
        if self.start is None or self.end is None:
            return
        drawn = [b for b in self.bars if not b.empty]
        scaled = drawn + self.outline
        top = max([b.imported_wh or 0.0 for b in scaled] + [0.0])
        bottom = max([b.exported_wh or 0.0 for b in scaled] + [0.0])
        if top == 0 and bottom == 0:
            top = 1000.0
        step = _nice_step(top + bottom)
        top = math.ceil(top / step) * step
        bottom = math.ceil(bottom / step) * step
        fm = self.fontMetrics()
        self._label_width = max(fm.horizontalAdvance(axis_text(v, step)) for v in (top, bottom, step))
        plot = self._plot()
        scale = plot.height() / (top + bottom)
        zero_y = plot.top() + top * scale

        band = QColor(text)
        band.setAlpha(22)
        for band_start, band_end in self.bands:
            x0, x1 = self._x(max(band_start, self.start), plot), self._x(min(band_end, self.end), plot)
            if x1 > x0:
                p.fillRect(QRectF(x0, plot.top(), x1 - x0, plot.height()), band)

        p.setPen(QPen(grid, 1))
        value = -bottom
        while value <= top + 1e-9:
            y = zero_y - value * scale
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(text)
            p.drawText(QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), axis_text(abs(value), step))
            p.setPen(QPen(grid, 1))
            value += step

        outline_pen = QPen(text, 1, Qt.PenStyle.DashLine)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for bar in self.outline:  # the period before: behind, dashed, no fill
            x0, x1 = self._x(bar.start, plot), self._x(bar.end, plot)
            p.setPen(outline_pen)
            for amount, up in ((bar.imported_wh, True), (bar.exported_wh, False)):
                if amount:
                    height = amount * scale
                    p.drawRect(QRectF(x0, zero_y - height if up else zero_y, max(1.0, x1 - x0), height))

        stripes = QColor(pal.color(QPalette.ColorRole.Base))
        stripes.setAlpha(200)
        for bar in drawn:
            x0, x1 = self._x(bar.start, plot), self._x(bar.end, plot)
            width = max(1.0, (x1 - x0) * (0.8 if x1 - x0 > 4 else 1.0))
            x = x0 + ((x1 - x0) - width) / 2
            alpha = 255 if bar.complete else 150
            for amount, colour, up in ((bar.imported_wh, IMPORT_FILL, True), (bar.exported_wh, EXPORT_FILL, False)):
                if not amount:
                    continue
                height = amount * scale
                rect = QRectF(x, zero_y - height if up else zero_y, width, height)
                fill = QColor(colour)
                fill.setAlpha(alpha)
                if bar.estimate:  # lighter, hatched and outlined: visible even as a 4-pixel bar
                    light = QColor(colour)
                    light.setAlpha(80)
                    p.fillRect(rect, light)
                    p.setPen(QPen(colour, 1))
                    p.setBrush(QBrush(colour, Qt.BrushStyle.BDiagPattern))
                    p.drawRect(rect)
                    p.setBrush(Qt.BrushStyle.NoBrush)
                else:
                    p.fillRect(rect, fill)
                    if not up:  # export striped: import and export differ in more than hue
                        p.fillRect(rect, QBrush(stripes, Qt.BrushStyle.HorPattern))
            self._rects.append((QRectF(x0, plot.top(), max(1.0, x1 - x0), plot.height()), bar))

        p.setPen(QPen(text, 1))
        p.drawLine(QPointF(plot.left(), zero_y), QPointF(plot.right(), zero_y))
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        p.setFont(small)
        sfm = p.fontMetrics()
        last_right = -1e9
        for when, label in self.axis_labels:
            x = self._x(when, plot)
            w = sfm.horizontalAdvance(label)
            left = min(max(x - w / 2, plot.left()), plot.right() - w)
            if left < last_right + 6:
                continue  # no overlapping labels
            p.drawText(QPointF(left, self.height() - 4), label)
            last_right = left + w
        p.setPen(QPen(text, 1))
        p.setBrush(QBrush(text))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        size = 5.0
        for mark in self.marks:
            if not self.start <= mark.at < self.end:
                continue
            x = self._x(mark.at, plot)
            y = plot.top() + 1
            tip, base = (y, y + size * 1.6) if mark.up else (y + size * 1.6, y)
            p.drawPolygon([QPointF(x, tip), QPointF(x - size, base), QPointF(x + size, base)])
        p.setBrush(Qt.BrushStyle.NoBrush)
        if not drawn:
            p.setPen(text)
            p.drawText(plot, int(Qt.AlignmentFlag.AlignCenter), self.empty_text)
        p.end()

    # -- hover ---------------------------------------------------------------------------------------

    def bar_at(self, x: float) -> Bar | None:
        for rect, bar in self._rects:
            if rect.left() <= x < rect.right():
                return bar
        return None

    def hover_text(self, bar: Bar) -> str:
        when = bar.start.astimezone(self.tz) if self.tz is not None else bar.start.astimezone()
        until = bar.end.astimezone(self.tz) if self.tz is not None else bar.end.astimezone()
        duration = (bar.end - bar.start).total_seconds()
        if duration <= 3600 * 3:
            head = f"{when:%a %d %b}, {when:%H:%M}\u2013{until:%H:%M}"
        elif duration <= 86400 * 1.1:
            head = f"{when:%A %d %B %Y}"
        else:
            head = f"{when:%B %Y}"
        lines = [head + (" (estimate, in progress)" if bar.estimate else "")]
        if bar.imported_wh is not None:
            lines.append(f"From the grid: {energy_text(bar.imported_wh)}")
        if bar.exported_wh is not None:
            lines.append(f"To the grid: {energy_text(bar.exported_wh)}")
        if not bar.complete and not bar.estimate:
            hours = bar.covered_s / 3600
            lines.append(f"Incomplete: data for {hours:.1f} h of this period")
        lines.extend(m.text for m in self.marks if bar.start <= m.at < bar.end)
        before = [b for b in self.outline if b.start == bar.start]
        if before and before[0].imported_wh is not None:
            lines.append(f"The period before: {energy_text(before[0].imported_wh)} from the grid")
        hover_extra = self.hover_extra
        if hover_extra is not None:
            extra = hover_extra(bar)
            if extra:
                lines.append(extra)
        return "\n".join(lines)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt name)
        bar = self.bar_at(event.position().x())
        if bar is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.globalPosition().toPoint(), self.hover_text(bar), self)
