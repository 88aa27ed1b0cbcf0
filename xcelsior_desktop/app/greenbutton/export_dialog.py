"""The Export dialog: which local days (defaulting to all the history holds) and which format.

The formats are the history's export registry, so a format registered later appears here by itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class FormatInfo:
    label: str  # what the dialog shows
    suffix: str  # the file name's ending
    file_filter: str  # for the save dialog


KNOWN_FORMATS = {
    "csv": FormatInfo("CSV: spreadsheets, Home Assistant statistics", ".csv", "CSV files (*.csv)"),
    "greenbutton": FormatInfo("Green Button (ESPI XML): energy analysis, solar quotes", ".xml",
                              "Green Button XML (*.xml)"),
}


def format_info(name: str) -> FormatInfo:
    return KNOWN_FORMATS.get(name) or FormatInfo(name, f".{name}", "All files (*)")


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class ExportDialog(QDialog):
    """Choose the days and the format; :meth:`choice` gives them once the dialog is accepted."""

    def __init__(self, formats: list[str], first: dt.date, last: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("history-export-dialog")
        self.setWindowTitle("Export history")
        self.held = (first, last)
        intro = QLabel(f"The history holds {first.isoformat()} to {last.isoformat()} (local days). "
                       "Both days you choose are included.")
        intro.setWordWrap(True)
        self.date_from = QDateEdit(_qdate(first))
        self.date_to = QDateEdit(_qdate(last))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDateRange(_qdate(first), _qdate(last))
        self.date_from.dateChanged.connect(self._check)
        self.date_to.dateChanged.connect(self._check)

        self.format_group = QButtonGroup(self)
        self.format_buttons: dict[str, QRadioButton] = {}
        choices = QVBoxLayout()
        for index, name in enumerate(formats):
            button = QRadioButton(format_info(name).label)
            button.setObjectName(f"format-{name}")
            button.setChecked(index == 0)
            self.format_group.addButton(button, index)
            self.format_buttons[name] = button
            choices.addWidget(button)

        form = QFormLayout()
        form.addRow("From:", self.date_from)
        form.addRow("To:", self.date_to)
        form.addRow("Format:", choices)
        self.problem = QLabel()
        self.problem.setObjectName("export-problem")
        self.problem.setStyleSheet("color:#B91C1C;")
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Export\u2026")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def set_format(self, name: str) -> None:
        self.format_buttons[name].setChecked(True)

    def set_days(self, first: dt.date, last: dt.date) -> None:
        self.date_from.setDate(_qdate(first))
        self.date_to.setDate(_qdate(last))

    def choice(self) -> tuple[str, dt.date, dt.date]:
        """(format, first day, last day) as chosen."""
        name = next((n for n, b in self.format_buttons.items() if b.isChecked()), next(iter(self.format_buttons)))
        return name, _date(self.date_from.date()), _date(self.date_to.date())

    def _check(self) -> bool:
        _name, first, last = self.choice()
        bad = first > last
        self.problem.setText(f"'From' ({first.isoformat()}) is after 'To' ({last.isoformat()}): choose a 'From' day "
                             "on or before the 'To' day." if bad else "")
        self.problem.setVisible(bad)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not bad)
        return not bad

    def accept(self) -> None:
        if self._check():
            super().accept()
