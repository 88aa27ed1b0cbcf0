"""One Overview card: a title, the figure large, one line under it, a "What is this?" button; the whole card is a
button that opens the tab explaining it (click, Enter, Return or Space).

A button, so keyboards and screen readers treat it as one: its accessible name is the title and its accessible
description the figure and line in words (money/glance.py's ``spoken``).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractButton, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from xcelsior_desktop.app.help_button import HelpButton
from xcelsior_desktop.money.glance import CardText


class Card(QAbstractButton):
    """See the module docstring. ``view``: the window's tab the card opens."""

    def __init__(self, key: str, title: str, view: str, help_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.view = view
        self.setObjectName(f"card-{key}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setAccessibleName(title)
        self.title = QLabel(title)
        self.title.setObjectName(f"card-{key}-title")
        bold = QFont(self.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.help_button = HelpButton(title, help_text)
        self.figure = QLabel("\u2014")
        self.figure.setObjectName(f"card-{key}-figure")
        big = QFont(self.font())
        big.setPointSizeF(self.font().pointSizeF() * 1.8)
        big.setBold(True)
        self.figure.setFont(big)
        self.figure.setWordWrap(True)
        self.line = QLabel()
        self.line.setObjectName(f"card-{key}-line")
        self.line.setWordWrap(True)
        for label in (self.title, self.figure, self.line):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title, 1)
        head.addWidget(self.help_button)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(12, 8, 8, 10)
        self.body.setSpacing(2)
        self.body.addLayout(head)
        self.body.addWidget(self.figure)
        self.body.addWidget(self.line)
        self.setToolTip(f"Open the tab about {title.lower()}")

    def add_widget(self, widget: QWidget) -> None:
        """Something drawn under the line (the always-on trend)."""
        widget.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.body.addWidget(widget)

    def set_text(self, text: CardText) -> None:
        self.figure.setText(text.figure)
        self.line.setText(text.line)
        self.setToolTip(text.detail or f"Open the tab about {self.accessibleName().lower()}")
        self.setAccessibleDescription(text.spoken)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return self.body.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return self.body.minimumSize()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt name)
        return self.body.totalHeightForWidth(width)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
            return
        super().keyPressEvent(event)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        edge = pal.color(QPalette.ColorRole.Highlight if self.hasFocus() else QPalette.ColorRole.Mid)
        p.setBrush(base.darker(104) if self.underMouse() else base)
        pen = p.pen()
        pen.setColor(edge)
        pen.setWidthF(2.0 if self.hasFocus() else 1.0)
        p.setPen(pen)
        p.drawRoundedRect(self.rect().adjusted(1, 1, -1, -1), 8, 8)
        p.end()
