"""The in-app list of past alerts, newest first, so a missed notification is never lost."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xcelsior_desktop.alerts import Alert

ALERT_ROLE = Qt.ItemDataRole.UserRole + 1


def when_text(at: float, now: float | None = None) -> str:
    """Local time: "14:03" today, "Tue 14:03" within the week, "2026-03-01 14:03" before."""
    moment = dt.datetime.fromtimestamp(at)
    today = dt.datetime.fromtimestamp(time.time() if now is None else now).date()
    if moment.date() == today:
        return moment.strftime("%H:%M")
    if 0 < (today - moment.date()).days < 7:
        return moment.strftime("%a %H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


class AlertsListWidget(QWidget):
    """Past alerts; double-click (or Open) one to go to its view. ``clearRequested`` asks the owner to clear."""

    openView = Signal(str)
    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertsList")
        self._tree = QTreeWidget()
        self._tree.setObjectName("alertsTree")
        self._tree.setColumnCount(2)
        self._tree.setHeaderLabels(["When", "Alert"])
        self._tree.setRootIsDecorated(False)
        self._tree.setUniformRowHeights(True)
        self._tree.setAlternatingRowColors(True)
        self._tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self._tree.header().setStretchLastSection(True)
        self._tree.itemDoubleClicked.connect(self._open_item)
        self._tree.currentItemChanged.connect(self._show_details)

        self._empty = QLabel(
            "No alerts yet.\n\nWhen a rule you set in Settings \u2192 Alerts fires, it shows up here as well as in a "
            "desktop notification, so nothing is lost if you miss one."
        )
        self._empty.setObjectName("alertsEmpty")
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._tree)

        self._details = QLabel()
        self._details.setObjectName("alertDetails")
        self._details.setWordWrap(True)
        self._details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._open = QPushButton("Open")
        self._open.setEnabled(False)
        self._open.clicked.connect(lambda: self._open_item(self._tree.currentItem()))
        self._clear = QPushButton("Clear all")
        self._clear.setObjectName("clearAlerts")
        self._clear.clicked.connect(self.clearRequested)

        buttons = QHBoxLayout()
        buttons.addWidget(self._details, 1)
        buttons.addWidget(self._open)
        buttons.addWidget(self._clear)
        layout = QVBoxLayout(self)
        layout.addWidget(self._stack, 1)
        layout.addLayout(buttons)
        self.set_alerts([])

    # -- content ------------------------------------------------------------------------------------------

    def set_alerts(self, alerts: Iterable[Alert]) -> None:
        """Show exactly these alerts (oldest first in, newest shown first)."""
        self._tree.clear()
        self.add_alerts(sorted(alerts, key=lambda alert: alert.at))

    def add_alerts(self, alerts: Iterable[Alert]) -> None:
        for alert in alerts:
            self._tree.insertTopLevelItem(0, self._item(alert))
        has_any = self._tree.topLevelItemCount() > 0
        self._stack.setCurrentWidget(self._tree if has_any else self._empty)
        self._clear.setEnabled(has_any)
        newest = self._tree.topLevelItem(0)
        if newest is not None:
            self._tree.setCurrentItem(newest)
        else:
            self._details.clear()

    def count(self) -> int:
        return self._tree.topLevelItemCount()

    def alert_at(self, row: int) -> Alert:
        item = self._tree.topLevelItem(row)
        if item is None:
            raise IndexError(row)
        alert: Alert = item.data(0, ALERT_ROLE)
        return alert

    def row_texts(self, row: int) -> tuple[str, str]:
        item = self._tree.topLevelItem(row)
        if item is None:
            raise IndexError(row)
        return item.text(0), item.text(1)

    def details_text(self) -> str:
        return self._details.text()

    def _item(self, alert: Alert) -> QTreeWidgetItem:
        title = alert.title if alert.notify else f"{alert.title} (during quiet hours)"
        item = QTreeWidgetItem([when_text(alert.at), title])
        item.setData(0, ALERT_ROLE, alert)
        item.setToolTip(1, alert.body)
        if not alert.resolved:
            font = QFont(item.font(1))
            font.setBold(True)
            item.setFont(1, font)
        return item

    def _show_details(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None = None) -> None:
        self._open.setEnabled(current is not None)
        if current is None:
            self._details.clear()
            return
        alert: Alert = current.data(0, ALERT_ROLE)
        self._details.setText(alert.body)

    def _open_item(self, item: QTreeWidgetItem | None, _column: int = 0) -> None:
        if item is not None:
            alert: Alert = item.data(0, ALERT_ROLE)
            self.openView.emit(alert.view)
