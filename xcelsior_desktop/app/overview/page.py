"""The Overview tab: its cards in a grid that reflows with the window's width (two columns at 600 px, three from
about 900), scrolling down, never sideways. A view: the plug-in sets each card's text.

The cards are described in :data:`CARDS` (key, title, the tab each opens, what it means); a card for another
meter's figures (solar production, home use) is one more entry fed by the same money/glance.py functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from xcelsior_desktop.app.overview.card import Card
from xcelsior_desktop.app.overview.sparkline import Sparkline
from xcelsior_desktop.money.glance import CardText

COLUMN_MIN_WIDTH = 280


@dataclass(frozen=True)
class CardSpec:
    key: str
    title: str
    view: str  # the window's tab it opens
    help: str  # "What is this?"


CARDS: tuple[CardSpec, ...] = (
    CardSpec("now", "Now", "live", "The power your home draws from the grid this moment (a minus sign: sends to it), "
             "and the price period you are in, with when it changes."),
    CardSpec("today", "Today", "history", "The energy taken from the grid since midnight and what it cost, beside "
             "the average of the same weekday over the last four weeks, up to the same time."),
    CardSpec("cycle", "This bill cycle", "cost", "What the billing cycle has cost so far, what it will cost at this "
             "rate (a range while the cycle is young), and what the last cycle had cost by the same point."),
    CardSpec("always_on", "Always on", "history", "Your home's baseline: the level its demand stays above nearly "
             "all of the time (the lowest 1 % of two days). Fridges, routers, standby: what runs day and night."),
    CardSpec("peak", "Peak", "cost", "The highest 15 minutes of import this month, from the meter's slots, beside "
             "the meter's own maximum-demand register. Residential Xcel bills do not charge for it."),
    CardSpec("solar", "Solar", "history", "What your panels sent to the grid today and this billing cycle, and the "
             "credit your tariff gives for it."),
    CardSpec("home", "Home use", "live", "What your home used today from the grid and from your panels together "
             "(the net meter's import, plus what the solar meter made, less what went back to the grid), and the "
             "share the sun covered. Shown with a solar meter."),
    CardSpec("loads", "Big loads", "loads", "Steps of 1 kW or more in your demand that held for 30 s or more: "
             "something big switched on. The data cannot say what; you may label them."),
)


class OverviewPage(QWidget):
    open_view = Signal(str)
    shown = Signal()  # the tab came into view: its figures are worked out again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards: dict[str, Card] = {}
        self.note = QLabel()
        self.note.setObjectName("overview-note")
        self.note.setWordWrap(True)
        self.note.hide()
        body = QWidget()
        self.grid = QGridLayout(body)
        self.grid.setSpacing(10)
        self.grid.setContentsMargins(0, 0, 0, 0)
        for spec in CARDS:
            card = Card(spec.key, spec.title, spec.view, spec.help)
            card.clicked.connect(lambda _checked=False, v=spec.view: self.open_view.emit(v))
            self.cards[spec.key] = card
        self.trend = Sparkline()
        self.cards["always_on"].add_widget(self.trend)
        self.cards["solar"].hide()  # shown once the meter has exported, or with a solar meter
        self.cards["home"].hide()  # shown with a solar meter
        self.scroller = QScrollArea()
        self.scroller.setObjectName("overview-scroll")
        self.scroller.setWidgetResizable(True)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.scroller)
        self._columns = 0
        self._place(2)

    def _place(self, columns: int) -> None:
        """Cards in reading order, left to right then down; the keyboard follows the same order."""
        if columns == self._columns:
            return
        self._columns = columns
        for card in self.cards.values():
            self.grid.removeWidget(card)
        shown = [c for c in self.cards.values() if not c.isHidden()] + [c for c in self.cards.values() if c.isHidden()]
        for index, card in enumerate(shown):
            self.grid.addWidget(card, index // columns, index % columns)
        for column in range(3):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self.grid.setRowStretch(len(shown) // columns + 1, 1)
        order = [w for card in shown for w in (card, card.help_button)]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.shown.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt name)
        self._place(max(1, min(3, event.size().width() // COLUMN_MIN_WIDTH)))
        super().resizeEvent(event)

    def set_card(self, key: str, text: CardText | None) -> None:
        """A card's figure and line; None hides the card (the Solar card until the meter has exported)."""
        card = self.cards[key]
        if text is None:
            if not card.isHidden():
                card.hide()
                self._reflow()
            return
        card.set_text(text)
        if card.isHidden():
            card.show()
            self._reflow()

    def _reflow(self) -> None:
        columns, self._columns = self._columns, 0
        self._place(columns or 2)

    def set_note(self, text: str) -> None:
        """Why figures are missing (no history yet, no tariff), one short line."""
        self.note.setText(text)
        self.note.setVisible(bool(text))
