"""Compare with my bill: the bill's days and figures beside the app's own for the same days; one click takes the
bill's per-kWh prices as the tariff's from the bill's first day. A view: the figures come from
money/bill_check.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xcelsior_desktop.money.bill_check import Bill, BillLine, Comparison, bill_prices
from xcelsior_desktop.money.cost_settings import BillPrices
from xcelsior_desktop.money.model import Tariff, format_money
from xcelsior_desktop.money.pricing import billing_cycle

COLUMNS = ("Period", "Bill kWh", "Bill energy charge", "App kWh", "App energy charge", "Difference")
EDITABLE = (1, 2)

Compare = Callable[[Bill], Comparison]


def last_cycle(today: dt.date, cycle_start_day: int) -> tuple[dt.date, dt.date]:
    """The last billing cycle that has ended: (its first day, its last day)."""
    first, _ = billing_cycle(today, cycle_start_day)
    previous, _ = billing_cycle(first - dt.timedelta(days=1), cycle_start_day)
    return previous, first - dt.timedelta(days=1)


def _number(text: str) -> float | None:
    """A figure as typed ("27.9", "1,234.5", "$12.34"); None when empty. Raises ValueError."""
    cleaned = text.strip().replace("$", "").replace(",", "").replace("kWh", "").strip()
    return float(cleaned) if cleaned else None


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class BillDialog(QDialog):
    prices_taken = Signal(BillPrices)  # the bill's prices, from its first day

    def __init__(self, tariff: Tariff, compare: Compare, *, today: dt.date, cycle_start_day: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bill-dialog")
        self.setWindowTitle("Compare with my bill")
        self.tariff = tariff
        self._compare = compare
        self.comparison: Comparison | None = None
        self.taken: BillPrices | None = None
        first, last = last_cycle(today, cycle_start_day)
        self.first = QDateEdit(_qdate(first))
        self.last = QDateEdit(_qdate(last))
        for edit, name in ((self.first, "bill-first"), (self.last, "bill-last")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self._fill_periods)
        dates = QHBoxLayout()
        dates.addWidget(self.first)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.last)
        dates.addStretch(1)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("bill-table")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.total = QLineEdit()
        self.total.setObjectName("bill-total")
        self.total.setPlaceholderText("only when the bill gives no periods")

        form = QFormLayout()
        form.addRow("The bill's days", dates)
        form.addRow("Total energy charge", self.total)
        self.outcome = QLabel()
        self.outcome.setObjectName("bill-result")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = QLabel()
        self.problem.setObjectName("bill-problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color:#B91C1C;")
        self.problem.hide()

        self.compare_button = QPushButton("Compare")
        self.compare_button.setObjectName("bill-compare")
        self.compare_button.setDefault(True)
        self.compare_button.clicked.connect(self.run_compare)
        self.take_button = QPushButton("Use the bill's prices")
        self.take_button.setObjectName("bill-take")
        self.take_button.setEnabled(False)
        self.take_button.clicked.connect(self.take_prices)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.compare_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.take_button, QDialogButtonBox.ButtonRole.ActionRole)

        intro = QLabel("Type the figures from your bill: for each period its kWh and energy charge (or only the "
                       "total energy charge). The app sets its own figures for the same days beside them.")
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.table)
        layout.addWidget(self.problem)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.resize(720, 460)
        self._fill_periods()

    # -- the bill ----------------------------------------------------------------------------------------

    def _fill_periods(self) -> None:
        """One row per period of the tariff's version on the bill's first day (figures typed so far are kept)."""
        typed = {self._text(r, 0): (self._text(r, 1), self._text(r, 2))
                 for r in range(self.table.rowCount())}
        version = self.tariff.version_on(_date(self.first.date())) or self.tariff.versions[-1]
        names = list(version.period_names)
        self.table.setRowCount(len(names))
        for row, name in enumerate(names):
            label = QTableWidgetItem(name)
            label.setFlags(label.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, label)
            kwh, charge = typed.get(name, ("", ""))
            for column, text in ((1, kwh), (2, charge)):
                self.table.setItem(row, column, QTableWidgetItem(text))
            for column in (3, 4, 5):
                cell = QTableWidgetItem("")
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, cell)
        self.take_button.setEnabled(False)

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def _set_text(self, row: int, column: int, text: str) -> None:
        item = self.table.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            self.table.setItem(row, column, item)
        item.setText(text)

    def set_line(self, period: str, kwh: str, charge: str) -> None:
        """Type one period's figures (tests, and a bill pasted in)."""
        for row in range(self.table.rowCount()):
            if self._text(row, 0) == period:
                self._set_text(row, 1, kwh)
                self._set_text(row, 2, charge)
                return
        raise KeyError(period)

    def set_days(self, first: dt.date, last: dt.date) -> None:
        self.first.setDate(_qdate(first))
        self.last.setDate(_qdate(last))

    def bill(self) -> Bill:
        """The bill as typed. Raises ValueError with a sentence for the user."""
        lines = []
        for row in range(self.table.rowCount()):
            period = self._text(row, 0)
            try:
                kwh, charge = _number(self._text(row, 1)), _number(self._text(row, 2))
            except ValueError:
                raise ValueError(f"{period}: type the kWh and the charge as numbers (e.g. 312.4 and 71.84)") from None
            if kwh is not None or charge is not None:
                lines.append(BillLine(period, kwh, charge))
        try:
            total = _number(self.total.text())
        except ValueError:
            raise ValueError("The total energy charge is not a number.") from None
        bill = Bill(_date(self.first.date()), _date(self.last.date()), tuple(lines), total)
        problems = bill.check()
        if problems:
            raise ValueError(" ".join(problems))
        return bill

    # -- actions -------------------------------------------------------------------------------------------

    def _show_problem(self, text: str | None) -> None:
        self.problem.setText(text or "")
        self.problem.setVisible(bool(text))

    def run_compare(self) -> None:
        try:
            bill = self.bill()
        except ValueError as exc:
            self._show_problem(str(exc))
            return
        self._show_problem(None)
        comparison = self.comparison = self._compare(bill)
        money = self.tariff.currency
        for row in range(self.table.rowCount()):
            line = next((c for c in comparison.lines if c.period == self._text(row, 0)), None)
            if line is None:
                continue
            diff = line.kwh_difference
            self._set_text(row, 3, f"{line.app_kwh:.2f}")
            self._set_text(row, 4, format_money(line.app_charge, money))
            self._set_text(row, 5, "" if diff is None else f"{diff:+.2f} kWh")
        self.outcome.setText("\n".join(comparison.words()))
        prices, why = bill_prices(bill, self.tariff)
        self.take_button.setEnabled(prices is not None)
        self.take_button.setText(f"Use the bill's prices from {bill.first_day:%d %b %Y}" if prices else
                                 "Use the bill's prices")
        self.take_button.setToolTip(why or "Older history keeps the prices of its time.")

    def take_prices(self) -> None:
        if self.comparison is None:
            return
        prices, why = bill_prices(self.comparison.bill, self.tariff)
        if prices is None:
            self._show_problem(why)
            return
        self.taken = prices
        self.prices_taken.emit(prices)
        self.outcome.setText(f"From {prices.valid_from:%d %b %Y} the tariff uses your bill's prices; older history "
                            "keeps the prices of its time.")
        self.take_button.setEnabled(False)
