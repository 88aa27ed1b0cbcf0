""""What is this?": a small "?" button that explains a figure, as a tooltip on hover and as a popover on click
(keyboard reachable, Esc closes it), so explanations stay off the screen until asked for."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFrame, QLabel, QToolButton, QVBoxLayout, QWidget

POPOVER_WIDTH = 340


class Popover(QFrame):
    """A small window with an explanation, under the button that opened it; Esc or a click elsewhere closes it."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("popover")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setFixedWidth(POPOVER_WIDTH)
        self.label.setAccessibleName(text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.label)


class HelpButton(QToolButton):
    """"?": what a figure means, as a tooltip on hover and a popover on click (keyboard reachable)."""

    def __init__(self, topic: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText("?")
        self.setObjectName(f"help-{topic.lower().replace(' ', '-')}")
        self.setAccessibleName(f"What is this: {topic}")
        self.setAutoRaise(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.popover: Popover | None = None
        self.set_help(text)
        self.clicked.connect(self.open_popover)

    def set_help(self, text: str) -> None:
        self.help = text
        self.setToolTip(text)
        self.setAccessibleDescription(text)

    def open_popover(self) -> None:
        self.popover = Popover(self.help, self)
        self.popover.move(self.mapToGlobal(QPoint(0, self.height())))
        self.popover.show()


