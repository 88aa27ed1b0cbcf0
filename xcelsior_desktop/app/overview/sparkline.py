"""A small line of the always-on trend (one point a day), under its card's line. A day without a figure breaks
the line: a gap stays a gap."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class Sparkline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("always-on-trend")
        self.setAccessibleName("Always-on trend")
        self.values: list[float | None] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(120, max(18, self.fontMetrics().height()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(40, self.sizeHint().height())

    def set_values(self, values: Sequence[float | None], spoken: str) -> None:
        self.values = list(values)
        self.setAccessibleDescription(spoken)
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        known = [v for v in self.values if v is not None]
        if len(known) < 2:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(QPen(self.palette().color(QPalette.ColorRole.WindowText), 1.5, Qt.PenStyle.SolidLine))
        lo, hi = min(known), max(known)
        span = (hi - lo) or 1.0
        w, h = self.width() - 4, self.height() - 4
        step = w / max(1, len(self.values) - 1)
        run: list[QPointF] = []
        for i, value in enumerate([*self.values, None]):
            if value is None:
                if len(run) > 1:
                    p.drawPolyline(run)
                run = []
                continue
            run.append(QPointF(2 + i * step, 2 + h - (value - lo) / span * h))
        p.end()
