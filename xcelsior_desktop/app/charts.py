"""The last hour of demand, drawn with QPainter (light: no QtCharts scene graph for a few hundred points).

Import (above zero) is filled orange, export (below zero) green, the same colours as the tray icon.
"""

from __future__ import annotations

import math
import time
from collections import deque

from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from xcelsior_desktop.app.tray_icon import EXPORT_FILL, IMPORT_FILL
from xcelsior_desktop.common.format import full_power, short_watts
from xcelsior_desktop.energy.chart_data import GAP_POLLS, line_runs

WINDOW_S = 3600.0


class PowerHistory:
    """(wall time, watts) for the last hour, in memory; the line breaks where readings are further apart than
    ``max_gap_s`` (three poll intervals: set from the settings)."""

    def __init__(self, window_s: float = WINDOW_S, maxlen: int = 4000, max_gap_s: float = GAP_POLLS * 5.0) -> None:
        self.window_s = window_s
        self.max_gap_s = max_gap_s
        self.points: deque[tuple[float, float]] = deque(maxlen=maxlen)

    def set_poll_interval(self, seconds: float) -> None:
        self.max_gap_s = GAP_POLLS * float(seconds)

    def add(self, when: float, watts: float) -> None:
        if self.points and when <= self.points[-1][0]:
            return  # the same reading twice, or the clock went back
        self.points.append((when, watts))
        self.trim(when)

    def trim(self, now: float) -> None:
        while self.points and self.points[0][0] < now - self.window_s:
            self.points.popleft()


class PowerChart(QWidget):
    def __init__(self, history: PowerHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.setObjectName("power-chart")
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.now: float | None = None  # tests pin the clock
        self.setMouseTracking(True)
        self._shown: tuple[float, float, float] | None = None  # (plot left, plot width, span start) last painted

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(480, 200)

    def paintEvent(self, event: object) -> None:  # noqa: N802 (Qt name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        grid = QColor(text)
        grid.setAlpha(40)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        p.setFont(font)
        fm = p.fontMetrics()
        left = fm.horizontalAdvance("-10.0k") + 8
        plot = QRectF(left, 8, self.width() - left - 8, self.height() - fm.height() - 16)
        now = self.now if self.now is not None else time.time()
        points = [(t, w) for t, w in self.history.points if t >= now - self.history.window_s]
        # the last hour, zoomed in while the first hour fills up (never less than 4 minutes)
        span = self.history.window_s
        if points:
            span = min(span, max(240.0, math.ceil((now - points[0][0]) / 240.0) * 240.0))  # whole-minute ticks
        lo = min([0.0, *[w for _, w in points]])
        hi = max([100.0, *[w for _, w in points]])
        y_span = hi - lo
        lo, hi = lo - y_span * 0.05 if lo < 0 else lo, hi + y_span * 0.08

        def x_of(t: float) -> float:
            return plot.left() + (t - (now - span)) / span * plot.width()

        self._shown = (plot.left(), plot.width() / span, now - span)

        def y_of(w: float) -> float:
            return plot.bottom() - (w - lo) / (hi - lo) * plot.height()

        # grid and labels: zero line, top, bottom; time ticks every 15 minutes
        p.setPen(QPen(grid, 1))
        for value in sorted({lo, 0.0, hi}):
            y = y_of(value)
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(text)
            p.drawText(QRectF(0, y - fm.height() / 2, left - 6, fm.height()),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), short_watts(value))
            p.setPen(QPen(grid, 1))
        for quarter in (4, 3, 2, 1, 0):
            minutes_ago = round(span / 240 * quarter)
            x = x_of(now - minutes_ago * 60)
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            label = "now" if minutes_ago == 0 else f"-{minutes_ago} min"
            p.setPen(text)
            w = fm.horizontalAdvance(label)
            p.drawText(QPointF(min(max(x - w / 2, plot.left()), plot.right() - w), self.height() - 6), label)
            p.setPen(QPen(grid, 1))

        if len(points) >= 1:
            zero = y_of(0.0)
            # Separate segments and one vertical fill line per pixel column: a path with hundreds of sharp turns
            # (a noisy hour) costs QPainter's stroker and filler close to a second; these cost a few ms. Each run
            # of readings is drawn on its own: where none were taken the chart stays empty.
            segments: list[QLineF] = []
            columns: list[QLineF] = []
            lone: list[QPointF] = []
            for run in line_runs(points, self.history.max_gap_s):
                xy = [(x_of(t), y_of(watts)) for t, watts in run]
                if len(xy) == 1:
                    lone.append(QPointF(*xy[0]))
                for (x0, y0), (x1, y1) in zip(xy, xy[1:], strict=False):
                    segments.append(QLineF(x0, y0, x1, y1))
                    for column in range(math.ceil(x0), math.ceil(x1)):
                        f = (column - x0) / (x1 - x0) if x1 > x0 else 0.0
                        columns.append(QLineF(column + 0.5, zero, column + 0.5, y0 + f * (y1 - y0)))
            for colour, clip in ((IMPORT_FILL, QRectF(plot.left(), plot.top(), plot.width(), zero - plot.top())),
                                 (EXPORT_FILL, QRectF(plot.left(), zero, plot.width(), plot.bottom() - zero))):
                p.save()
                p.setClipRect(clip)
                fill = QColor(colour)
                fill.setAlpha(70)
                p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                p.setPen(QPen(fill, 1))
                p.drawLines(columns)
                p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                p.setPen(QPen(colour, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.SquareCap))
                if segments:
                    p.drawLines(segments)
                if lone:  # readings with no neighbour near enough to join: a dot each
                    p.setPen(QPen(colour, 3.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                    p.drawPoints(lone)
                p.restore()
        else:
            p.setPen(text)
            p.drawText(plot, int(Qt.AlignmentFlag.AlignCenter), "Waiting for the first reading")
        p.end()

    # -- hover -----------------------------------------------------------------------------------------

    def reading_near(self, x: float) -> tuple[float, float] | None:
        """The reading (time, watts) drawn nearest to ``x`` (within 12 pixels)."""
        if self._shown is None or not self.history.points:
            return None
        left, per_second, first = self._shown
        when = first + (x - left) / per_second
        t, watts = min(self.history.points, key=lambda point: abs(point[0] - when))
        return (t, watts) if abs(t - when) * per_second <= 12 else None

    def hover_text(self, reading: tuple[float, float]) -> str:
        t, watts = reading
        direction = "from the grid" if watts >= 0 else "to the grid"
        return f"{time.strftime('%H:%M:%S', time.localtime(t))}\n{full_power(abs(watts))} {direction}"

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt name)
        reading = self.reading_near(event.position().x())
        if reading is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.globalPosition().toPoint(), self.hover_text(reading), self)
