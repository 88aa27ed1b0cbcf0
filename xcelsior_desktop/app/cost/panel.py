"""The Cost tab: today, the billing cycle so far and its projection by period (kWh and money), and under it the
meter's own TOU tier registers and other readings. One column, so every table has the window's width; what a figure
means (the tariff's source, what a tier or power factor is, what the figures are based on) is behind a "?" button
(a tooltip and a popover), so no paragraph pushes the figures down. A view: the plug-in pushes values in."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xcelsior_desktop.app.help_button import HelpButton
from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.extras import EXTRA_CHANNELS, ExtraReadings, describe
from xcelsior_desktop.money.meter_tiers import TierComparison
from xcelsior_desktop.money.model import Tariff, format_money
from xcelsior_desktop.money.overview import CostOverview
from xcelsior_desktop.money.pricing import CostSummary, PeriodNow

COST_COLUMNS = ("Period", "Today\nkWh", "Today", "Cycle\nkWh", "Cycle\nso far", "Projected\nkWh", "Projected")
TIER_HELP = ("Import and Export are the meter's cumulative tier registers. The meter adds each kWh to one tier by its "
             "own schedule; Xcel does not publish which tier is which period, so \u201cMeans\u201d is this app's "
             "assumption (change it in Settings, Cost). \u201cGrowth\u201d is the import tier's growth since the app "
             "first read it; \u201cApp\u201d is the chosen tariff's period over the same history. Empty unnamed tiers "
             "are not shown. Tier 0 (the total) is the import/export register of the Live tab.")
VERDICT_HEAD = {"agree": "The meter's tiers and this tariff's periods agree.",
                "disagree": "The meter's tiers and this tariff's periods disagree: check your bill.",
                "too-early": "Too little yet to compare the meter's tiers with the tariff's periods."}
WARN_STYLE = "background:#FEF3C7;color:#713F12;padding:6px;border-radius:6px;"


def _label(name: str, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _table(name: str, headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _cell(text: str, right: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _fit(table: QTableWidget) -> None:
    """As tall as its rows: the tab scrolls, not the table."""
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.resizeRowsToContents()
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 2
    for row in range(table.rowCount()):
        height += table.rowHeight(row)
    table.setFixedHeight(height)


def cost_rows(overview: CostOverview) -> list[tuple[str, ...]]:
    """The table: one row per period, then the fixed charges and the total (kWh: the one energy figure)."""
    money = overview.currency
    today, cycle = overview.today.summary, overview.cycle.projection
    projected = cycle.projected
    names = list(dict.fromkeys([*today.periods, *cycle.so_far.periods, *(projected.periods if projected else {})]))

    def kwh(summary: CostSummary | None, name: str) -> str:
        total = summary.periods.get(name) if summary else None
        return f"{total.imported_kwh:.2f}" if total else ("\u2014" if summary is None else "0.00")

    def cost(summary: CostSummary | None, name: str) -> str:
        total = summary.periods.get(name) if summary else None
        return format_money(total.cost, money) if total else ("\u2014" if summary is None else format_money(0, money))

    def energy_kwh(wh: float | None) -> str:
        return "\u2014" if wh is None else f"{wh / 1000:.2f}"

    rows: list[tuple[str, ...]] = [(name, kwh(today, name), cost(today, name), kwh(cycle.so_far, name),
                                    cost(cycle.so_far, name), kwh(projected, name), cost(projected, name))
                                   for name in names]
    rows.append(("fixed charges", "", format_money(today.fixed_charge, money), "",
                 format_money(cycle.so_far.fixed_charge, money), "",
                 format_money(projected.fixed_charge, money) if projected else "\u2014"))
    rows.append(("total", energy_kwh(overview.today.energy.imported_wh), format_money(today.total, money),
                 energy_kwh(overview.cycle.cost.energy.imported_wh), format_money(cycle.so_far.total, money),
                 f"{projected.imported_kwh:.2f}" if projected else "\u2014",
                 format_money(projected.total, money) if projected else "\u2014"))
    return rows


def notes_head(overview: CostOverview) -> str:
    """The one line shown under the table: the cycle's days (the rest is in :func:`notes_text`'s popover)."""
    cycle = overview.cycle.projection
    last = cycle.next_first_day.toordinal() - 1
    return f"Billing cycle {cycle.first_day:%d %b} \u2013 {type(cycle.first_day).fromordinal(last):%d %b}."


def notes_text(overview: CostOverview) -> str:
    """What the figures are based on, and what they leave out (never silently)."""
    zone = overview.zone
    today = overview.today.energy
    cycle = overview.cycle.projection
    last = cycle.next_first_day.toordinal() - 1
    parts = [f"Billing cycle {cycle.first_day:%d %b} \u2013 {type(cycle.first_day).fromordinal(last):%d %b}; "
             f"projection: {cycle.basis}."]
    if cycle.so_far.priced_hours < cycle.elapsed_hours - 1:
        parts.append(f"History covers {cycle.so_far.priced_hours:.0f} h of the cycle's {cycle.elapsed_hours:.0f} h "
                     "so far: the cost so far counts only those hours; the projection scales them to the cycle.")
    if today.tail is not None and today.tail.duration_s >= 60:
        parts.append(f"Today counts the 15-minute history until {today.tail.start.astimezone(zone):%H:%M} and the "
                     f"meter's registers since.")
    if today.missing:
        parts.append(f"Today's history lacks {today.missing_s / 3600:.2f} h of slots: those are not counted.")
    for summary, what in ((overview.today.summary, "today"), (cycle.so_far, "this cycle")):
        if summary.unpriced.intervals:
            reasons = "; ".join(f"{n} \u00d7 {why}" for why, n in summary.unpriced.reasons.items())
            parts.append(f"Not priced {what}: {summary.unpriced.hours:.2f} h ({reasons}).")
    if overview.today.summary.exported_kwh > 0 or cycle.so_far.exported_kwh > 0:
        version = overview.tariff.version_on(cycle.first_day)
        if version is not None:
            parts.append(f"Export: {version.export_credit.describe(overview.currency)}.")
    return " ".join(parts)


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget, 1 if isinstance(widget, QLabel) else 0)
    return row


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


class CostPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tariff_title = _label("cost-tariff")
        bold = QFont(self.font())
        bold.setBold(True)
        self.tariff_title.setFont(bold)
        self.check_bill = _label("cost-check-bill")
        self.tariff_help = HelpButton("The tariff", "")
        self.period_now = _label("cost-period-now")
        self.problem = _label("cost-problem")
        self.problem.setStyleSheet(WARN_STYLE)
        self.problem.hide()
        self.costs = _table("cost-table", COST_COLUMNS)
        self.costs.setAccessibleName("Cost by price period: today, the billing cycle so far, projected")
        self.notes = _label("cost-notes")
        self.notes_help = HelpButton("These figures", "")
        self.compare_bill = QPushButton("Compare with my bill\u2026")
        self.compare_bill.setObjectName("cost-compare-bill")
        self.compare_bill.setToolTip("Set your bill's kWh and charges beside the app's own figures for the same days")

        self.tiers = _table("meter-tiers", ("Tier", "Means", "Import\nkWh", "Export\nkWh", "Growth\nkWh", "App\nkWh"))
        self.tiers.setAccessibleName("The meter's TOU tier registers")
        self.tiers_note = _label("meter-tiers-note")
        self.tiers_help = HelpButton("Tiers", TIER_HELP)
        self.tiers_verdict = _label("meter-tiers-verdict")
        self.verdict_help = HelpButton("The comparison", "")
        self.extras = _label("meter-extras")
        self.extras_help = HelpButton("Maximum demand and power factor", "")
        self.extras_note = _label("meter-extras-note")

        body = QWidget()
        column = QVBoxLayout(body)
        column.addLayout(_row(_heading("What it costs"), self.tariff_help))
        column.addWidget(self.tariff_title)
        column.addWidget(self.check_bill)
        column.addWidget(self.period_now)
        column.addWidget(self.problem)
        column.addWidget(self.costs)
        column.addLayout(_row(self.notes, self.notes_help))
        column.addWidget(self.compare_bill, 0, Qt.AlignmentFlag.AlignLeft)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        column.addSpacing(6)
        column.addWidget(line)
        column.addLayout(_row(_heading("The meter's own registers"), self.tiers_help))
        column.addWidget(self.tiers_note)
        column.addWidget(self.tiers)
        column.addLayout(_row(self.tiers_verdict, self.verdict_help))
        column.addLayout(_row(self.extras, self.extras_help))
        column.addWidget(self.extras_note)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("cost-scroll")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.set_tiers(None, None, {})
        self.set_extras(None)

    # -- values in ---------------------------------------------------------------------------------

    def set_tariff(self, tariff: Tariff | None, problem: str | None = None) -> None:
        self.compare_bill.setEnabled(tariff is not None)
        if tariff is None:
            self.tariff_title.setText("No tariff in use")
            self.check_bill.setText("")
            self.tariff_help.set_help("Choose a tariff in Settings, Cost: the prices of your bill's rate.")
        else:
            self.tariff_title.setText(f"{tariff.title or tariff.name} ({tariff.name})")
            checked = f", figures checked {tariff.checked:%d %B %Y}" if tariff.checked else ""
            source = (f"Source: {tariff.source.rstrip('.')}{checked}." if tariff.source
                      else f"Your own tariff file{checked}.")
            self.check_bill.setText("<b>Check your bill:</b> these are the tariff's prices, not Xcel's bill.")
            self.tariff_help.set_help(f"These are the tariff's prices, not Xcel's bill (riders and taxes are not "
                                      f"included). {source}")
        self.show_problem(problem)

    def show_problem(self, problem: str | None) -> None:
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))

    def set_period(self, now: PeriodNow | None) -> None:
        self.period_now.setText(f"Now: {now.summary()}" if now is not None else "")

    def set_overview(self, overview: CostOverview | None, message: str = "") -> None:
        """The cost table (None: nothing to show; ``message`` says why)."""
        rows = cost_rows(overview) if overview is not None else []
        self.costs.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, text in enumerate(values):
                item = _cell(text, right=c > 0)
                if r == len(rows) - 1:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.costs.setItem(r, c, item)
        self.costs.setVisible(bool(rows))
        _fit(self.costs)
        self.notes.setText(notes_head(overview) if overview is not None else message)
        self.notes_help.set_help(notes_text(overview) if overview is not None else message)
        self.notes_help.setVisible(overview is not None)

    def set_tiers(self, tiers: tuple[dict[int, float], dict[int, float]] | None, comparison: TierComparison | None,
                  names: dict[int, str]) -> None:
        """The meter's TOU tier registers (delivered, received; Wh) and how they compare with the app's periods."""
        if not tiers or not tiers[0]:
            self.tiers.setRowCount(0)
            self.tiers.hide()
            self.tiers_note.setText("Read every 15 minutes; none read yet.")
            self.tiers_note.show()
            self.tiers_verdict.setText("")
            self.tiers_verdict.setStyleSheet("")
            self.verdict_help.hide()
            return
        delivered, received = tiers
        growth = {row.tier: row for row in comparison.rows} if comparison is not None else {}
        shown = [t for t in sorted(delivered) if t in names or delivered[t] or received.get(t)]  # not empty tiers
        self.tiers.setRowCount(len(shown))
        for r, tier in enumerate(shown):
            row = growth.get(tier)
            values = (str(tier), names.get(tier, "(not named)"), f"{delivered[tier] / 1000:,.1f}",
                      f"{received[tier] / 1000:,.1f}" if tier in received else "\u2014",
                      f"{row.meter_kwh:.2f}" if row is not None else "\u2014",
                      f"{row.app_kwh:.2f}" if row is not None and row.app_kwh is not None else "\u2014")
            for c, text in enumerate(values):
                self.tiers.setItem(r, c, _cell(text, right=c >= 2))
        self.tiers.show()
        _fit(self.tiers)
        self.tiers_note.setText("")
        self.tiers_note.hide()
        if comparison is None:
            self.tiers_verdict.setText("")
            self.tiers_verdict.setStyleSheet("")
            self.verdict_help.hide()
        else:
            self.tiers_verdict.setText(VERDICT_HEAD.get(comparison.verdict, comparison.message))
            self.verdict_help.set_help(comparison.message)
            self.verdict_help.show()
            self.tiers_verdict.setStyleSheet(WARN_STYLE if comparison.verdict == "disagree" else "")

    def set_extras(self, extras: ExtraReadings | None) -> None:
        """Maximum demand and power factor as the meter reports them, each with its meaning."""
        if extras is None:
            self.extras.setText("Maximum demand and power factor: not read yet.")
            self.extras_help.set_help("They are read once the meter answers, then every 15 minutes.")
            self.extras_note.setText("")
            self.extras_note.hide()
            return
        shown = [c for c in EXTRA_CHANNELS if c in extras.listed or c in (Channel.MAX_DEMAND_DELIVERED,
                                                                          Channel.POWER_FACTOR)]
        lines = []
        meanings = []
        for channel in shown:
            label, value, meaning = describe(channel, extras)
            lines.append(f"<b>{escape(label)}:</b> {escape(value)}")
            meanings.append(f"{label}: {meaning}.")
        self.extras.setText("<br>".join(lines))
        self.extras_help.set_help(" ".join(meanings) + " Read from the meter as it reports them; a reading the meter "
                                  "lists without a value is shown as such, not as zero.")
