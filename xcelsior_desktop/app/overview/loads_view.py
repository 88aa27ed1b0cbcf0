"""The Big loads tab: the last seven days' big loads, newest first, each in words ("+2.4 kW at 18:02 for 41 min
(1.6 kWh, 37 ¢, on-peak)"); a filter for on-peak only; Label… names the selected one, offering the label of an
earlier load of about the same size. A view: the plug-in gives it the loads and saves the labels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xcelsior_desktop.app.help_button import HelpButton
from xcelsior_desktop.energy.steps import BigLoad
from xcelsior_desktop.money.big_loads import LoadCost

LOAD_ROLE = Qt.ItemDataRole.UserRole + 1
HELP = ("A big load is a step of at least the size set in Settings, Overview (1 kW unless changed) in your home's "
        "5-second demand that holds for 30 s or more, up or down. Its energy is its size for as long as it stayed on, "
        "priced at the tariff's prices of those minutes. The data cannot say which appliance it was; a label is "
        "yours. While solar panels produce, a passing cloud makes steps too. Only the last 7 days are kept at 5 "
        "seconds, so older days have no steps.")


@dataclass(frozen=True)
class ShownLoad:
    load: BigLoad
    priced: LoadCost | None
    words: str  # load_words, with the user's label when there is one
    label: str | None  # the user's own label of this load
    offered: str | None  # a label offered from an earlier load of about the same size (when it has none)


class LoadsView(QWidget):
    label_requested = Signal(object, str)  # (BigLoad, label): the plug-in saves it
    shown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loads: list[tuple[dt.date, list[ShownLoad]]] = []
        self.on_peak_only = QCheckBox("On-peak only")
        self.on_peak_only.setObjectName("loads-on-peak-only")
        self.on_peak_only.toggled.connect(lambda _on: self._fill())
        self.help_button = HelpButton("Big loads", HELP)
        self.label_button = QPushButton("Label\u2026")
        self.label_button.setObjectName("loads-label")
        self.label_button.setToolTip("Name the selected load (\u201cdryer\u201d); later loads of about its size are "
                                     "offered the same name")
        self.label_button.setEnabled(False)
        self.label_button.clicked.connect(self.ask_label)
        top = QHBoxLayout()
        top.addWidget(self.on_peak_only)
        top.addWidget(self.help_button)
        top.addStretch(1)
        top.addWidget(self.label_button)
        self.list = QListWidget()
        self.list.setObjectName("loads-list")
        self.list.setAccessibleName("Big loads of the last seven days")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentItemChanged.connect(lambda item, _old: self.label_button.setEnabled(
            item is not None and item.data(LOAD_ROLE) is not None and item.data(LOAD_ROLE).load.on))
        self.list.itemActivated.connect(lambda _item: self.ask_label())
        self.note = QLabel()
        self.note.setObjectName("loads-note")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        self.set_loads([], "")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.shown.emit()

    def set_loads(self, days: list[tuple[dt.date, list[ShownLoad]]], note: str) -> None:
        """The loads by local day (newest day first), and one line on what they are based on."""
        self.loads = days
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self._fill()

    def _fill(self) -> None:
        current = self.list.currentItem()
        keep = current.data(LOAD_ROLE).load.at if current is not None and current.data(LOAD_ROLE) else None
        self.list.clear()
        only_peak = self.on_peak_only.isChecked()
        for day, loads in self.loads:
            shown = [s for s in loads if not only_peak or (s.priced is not None and s.priced.on_peak)]
            if not shown:
                continue
            head = QListWidgetItem(f"{day:%A %d %B}")
            font = head.font()
            font.setBold(True)
            head.setFont(font)
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(head)
            for entry in reversed(shown):
                text = entry.words + (f" \u2014 like \u201c{entry.offered}\u201d?" if entry.offered else "")
                item = QListWidgetItem(text)
                item.setData(LOAD_ROLE, entry)
                self.list.addItem(item)
                if keep is not None and entry.load.at == keep:
                    self.list.setCurrentItem(item)
        if self.list.count() == 0:
            empty = QListWidgetItem("No on-peak big loads in the last 7 days." if only_peak
                                    else "No big loads in the last 7 days yet.")
            empty.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(empty)

    def selected(self) -> ShownLoad | None:
        item = self.list.currentItem()
        entry = item.data(LOAD_ROLE) if item is not None else None
        return entry if isinstance(entry, ShownLoad) else None

    def ask_label(self) -> None:
        entry = self.selected()
        if entry is None or not entry.load.on:
            return
        text, ok = QInputDialog.getText(self, "Label this load", f"{entry.words}\n\nName it (empty: no name):",
                                        text=entry.label or entry.offered or "")
        if ok:
            self.label_requested.emit(entry.load, text)
