"""The Cost page of the Settings dialog: the tariff (a preset or a file), its prices as on your bill, the billing
cycle's start day and the names of the meter's TOU tiers. ``validate`` checks everything and raises ValueError with
a sentence the user can act on (the dialog then stays open, nothing is lost); the cost plug-in switches tariffs
only once the settings are saved (``shell.on_settings_changed``)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from xcelsior_desktop.app.settings_pages import SettingsPage
from xcelsior_desktop.money import TariffError, preset_names, resolve
from xcelsior_desktop.money.cost_settings import (
    CHARGES,
    DAILY_CHARGE,
    MONTHLY_CHARGE,
    CostSettings,
    current_version,
    editable_prices,
    limit_of,
    price_key,
    with_bill_prices,
)
from xcelsior_desktop.money.model import Tariff
from xcelsior_desktop.money.presets import user_files
from xcelsior_desktop.platform.settings import Settings

FILE_CHOICE = "__file__"
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
BASE_ROLE = Qt.ItemDataRole.UserRole + 2


def parse_tier_names(text: str) -> dict[int, str]:
    """"1=on-peak, 2=mid-peak, 3=off-peak" -> {1: ..., ...}. Raises ValueError with what is wrong."""
    names: dict[int, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = re.fullmatch(r"(\d+)\s*=\s*([A-Za-z0-9 ._-]{1,40})", part)
        if match is None or not 1 <= int(match.group(1)) <= 8:
            raise ValueError(f"The tier names are not readable at {part!r}: write them like "
                             "\u201c1=on-peak, 2=mid-peak, 3=off-peak\u201d (tiers 1 to 8).")
        names[int(match.group(1))] = match.group(2).strip()
    return names


def tier_names_text(names: dict[int, str]) -> str:
    return ", ".join(f"{tier}={name}" for tier, name in sorted(names.items()))


class CostSettingsPage(SettingsPage):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("cost-settings-page")
        self.saved = CostSettings.from_app_settings(settings)
        self.tariff: Tariff | None = None
        self._loaded = ""  # the name or path self.tariff was loaded from

        self.choice = QComboBox()
        self.choice.setObjectName("cost-tariff-choice")
        for name in preset_names():
            self.choice.addItem(f"{name} (preset)", name)
        for path in user_files():
            self.choice.addItem(f"{path.stem} (your file)", path.stem)
        self.choice.addItem("A tariff file\u2026", FILE_CHOICE)
        self.file = QLineEdit()
        self.file.setObjectName("cost-tariff-file")
        self.file.setPlaceholderText("path of a .toml tariff file (see docs/tariffs.md)")
        self.browse = QPushButton("Browse\u2026")
        self.browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.browse)
        self.source = QLabel()
        self.source.setObjectName("cost-tariff-source")
        self.source.setWordWrap(True)

        self.prices = QTableWidget(0, 3)
        self.prices.setObjectName("cost-prices")
        self.prices.setHorizontalHeaderLabels(["Period", "Season", "Price"])
        self.prices.verticalHeader().setVisible(False)
        self.prices.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.prices.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.prices_hint = QLabel()
        self.prices_hint.setWordWrap(True)

        self.cycle_day = QSpinBox()
        self.cycle_day.setObjectName("cost-cycle-day")
        self.cycle_day.setRange(1, 31)
        self.cycle_day.setValue(self.saved.cycle_start_day)
        self.cycle_day.setToolTip("The first day of your billing cycle, as on your bill (in a shorter month, its "
                                  "last day).")
        self.tier_names = QLineEdit(tier_names_text(self.saved.tier_names))
        self.tier_names.setObjectName("cost-tier-names")
        self.tier_names.setToolTip("Which period each of the meter's TOU tier registers counts. Xcel does not "
                                   "publish it; 1=on-peak, 2=mid-peak, 3=off-peak fits what real meters show.")
        self.error = QLabel()
        self.error.setObjectName("cost-settings-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #B91C1C;")
        self.error.hide()

        form = QFormLayout()
        form.addRow("Tariff:", self.choice)
        form.addRow("", file_row)
        form.addRow("", self.source)
        form.addRow("Billing cycle starts on day:", self.cycle_day)
        form.addRow("Meter tiers:", self.tier_names)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Prices</b> \u2014 enter the figures on your bill:"))
        layout.addWidget(self.prices, 1)
        layout.addWidget(self.prices_hint)
        layout.addWidget(self.error)

        self._select_saved()
        self.choice.currentIndexChanged.connect(lambda _i: self._load_choice())
        self.file.editingFinished.connect(self._load_choice)

    # -- choosing the tariff ---------------------------------------------------------------------------

    def _select_saved(self) -> None:
        index = self.choice.findData(self.saved.tariff)
        if index < 0:
            index = self.choice.findData(FILE_CHOICE)
            self.file.setText(self.saved.tariff)
        self.choice.setCurrentIndex(index)
        self._load_choice(keep_prices=True)

    def chosen(self) -> str:
        data = self.choice.currentData()
        return self.file.text().strip() if data == FILE_CHOICE else str(data)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a tariff file", str(Path.home()),
                                              "Tariff files (*.toml);;All files (*)")
        if path:
            self.choice.setCurrentIndex(self.choice.findData(FILE_CHOICE))
            self.file.setText(path)
            self._load_choice()

    def _load_choice(self, keep_prices: bool = False) -> None:
        is_file = self.choice.currentData() == FILE_CHOICE
        self.file.setEnabled(is_file)
        self.browse.setEnabled(is_file)
        name = self.chosen()
        self.tariff = None
        self._loaded = name
        if not name:
            self._fill_prices(None, {})
            self.show_error("Choose a tariff file (.toml), or a preset.")
            return
        try:
            self.tariff = resolve(name)
        except TariffError as exc:
            self._fill_prices(None, {})
            self.show_error(exc.user_message)
            return
        self.show_error(None)
        same = keep_prices or name == self.saved.tariff
        self._fill_prices(self.tariff, self.saved.prices if same else {})

    def _fill_prices(self, tariff: Tariff | None, overrides: dict[str, float]) -> None:
        self.prices.setRowCount(0)
        if tariff is None:
            self.source.setText("")
            self.prices_hint.setText("")
            return
        checked = f" Figures checked {tariff.checked:%d %B %Y}." if tariff.checked else ""
        self.source.setText(f"{tariff.title}. <b>Check your bill.</b> Source: {(tariff.source or 'your file').rstrip('.')}."
                            f"{checked}")
        version = current_version(tariff)
        cents = tariff.currency.upper() == "USD"
        unit = "\u00a2/kWh" if cents else f"{tariff.currency}/kWh"
        rows: list[tuple[str, str, float | None, str]] = [(p, s, v, price_key(p, s))
                                                           for p, s, v in editable_prices(tariff)]
        rows.append(("monthly charge", "per billing cycle", version.monthly_charge, MONTHLY_CHARGE))
        rows.append(("daily charge", "every day", version.daily_charge, DAILY_CHARGE))
        self.prices.setRowCount(len(rows))
        for r, (period, season, base, key) in enumerate(rows):
            value = overrides.get(key, base)
            shown = "" if value is None else _fmt(value * 100 if cents and key not in CHARGES else value)
            for c, text in enumerate((period, season)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.prices.setItem(r, c, item)
            cell = QTableWidgetItem(shown)
            cell.setData(KEY_ROLE, key)
            cell.setData(BASE_ROLE, base)
            cell.setToolTip({DAILY_CHARGE: f"in {tariff.currency} per day",
                             MONTHLY_CHARGE: f"in {tariff.currency} per billing cycle"}.get(key, f"in {unit}")
                            + (": enter it from your bill" if value is None else ""))
            self.prices.setItem(r, 2, cell)
        self.prices.setHorizontalHeaderLabels(["Period", "Season", f"Price ({unit}; charges in "
                                               f"{'$' if cents else tariff.currency})"])
        tiers = " This tariff prices by consumption tiers: edit its tiers in the file." if version.tiered else ""
        blank = " Enter the empty ones from your bill: nothing is priced without them." if any(
            r[2] is None for r in rows) else ""
        self.prices_hint.setText(f"Prices of the version in force since {version.valid_from:%d %b %Y}; older "
                                 f"history keeps the prices of its time.{tiers}{blank}")

    # -- the result ------------------------------------------------------------------------------------

    def price_overrides(self) -> dict[str, float]:
        """The prices that differ from the tariff's own. Raises ValueError naming the cell."""
        assert self.tariff is not None
        cents = self.tariff.currency.upper() == "USD"
        out: dict[str, float] = {}
        for r in range(self.prices.rowCount()):
            cell, period, season = (self.prices.item(r, c) for c in (2, 0, 1))
            assert cell is not None and period is not None and season is not None
            key, stored = str(cell.data(KEY_ROLE)), cell.data(BASE_ROLE)
            base = None if stored is None else float(stored)
            what = f"{period.text()} ({season.text()})"
            text = cell.text().strip().replace(",", ".").removesuffix("\u00a2").strip()
            if not text and base is None:
                continue  # not on the bill yet: that period and season stay unpriced
            try:
                shown = float(text)
            except ValueError:
                raise ValueError(f"The price for {what} is not a number: {cell.text()!r}. Enter it as on your bill, "
                                 "e.g. 27.9") from None
            value = shown / 100 if cents and key not in CHARGES else shown
            limit = limit_of(key)
            if not limit.accepts(value):
                scale = 100 if cents and key not in CHARGES else 1
                raise ValueError(f"The price for {what} must be between {_fmt(limit.low * scale)} and "
                                 f"{_fmt(limit.high * scale)}: {cell.text()!r} cannot be right.")
            if base is None or abs(value - base) > 1e-12:
                out[key] = value
        return out

    def build(self) -> CostSettings:
        """The edited settings. Raises ValueError with a sentence for the user."""
        name = self.chosen()
        if self.tariff is None or name != self._loaded:
            self._load_choice()
        if self.tariff is None:
            raise ValueError("Cost: " + (self.error.text() or "choose a tariff."))
        prices = self.price_overrides()
        try:
            with_bill_prices(self.tariff, prices)
        except TariffError as exc:
            raise ValueError(exc.user_message) from None
        bills = self.saved.bills if name == self.saved.tariff else []  # a bill's prices belong to its tariff
        cost = CostSettings(tariff=name, prices=prices, cycle_start_day=self.cycle_day.value(), bills=list(bills),
                            tier_names=parse_tier_names(self.tier_names.text()))
        problems = cost.check()
        if problems:
            raise ValueError(" ".join(problems))
        return cost

    def validate(self, edited: Settings) -> None:
        try:
            cost = self.build()
        except ValueError as exc:
            self.show_error(str(exc))
            raise
        self.show_error(None)
        cost.store_in(edited)

    def show_problem(self, text: str | None) -> None:
        self.show_error(text)

    def show_error(self, text: str | None) -> None:
        self.error.setText(text or "")
        self.error.setVisible(bool(text))


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") if value else "0"
