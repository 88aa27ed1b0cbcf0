"""Find text a user cannot read in full: a label, button or tab narrower than its text, a wrapped label shorter than
its lines, a table column narrower than its cells, a list item cut, a horizontal scroll bar, a paragraph of more
than two lines. Each problem is one sentence naming the widget (its object name, its class and its text)."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QListWidget,
    QPushButton,
    QTabBar,
    QTableWidget,
    QWidget,
)

SLACK = 1  # pixels of rounding


def _name(widget: QWidget, text: str = "") -> str:
    shown = text.replace("\n", " ")[:60]
    return f"{type(widget).__name__} {widget.objectName() or '(unnamed)'} \u201c{shown}\u201d"


def _shown(widget: QWidget, top: QWidget) -> bool:
    return widget.isVisibleTo(top) and widget.width() > 0


def problems_in(top: QWidget, *, max_lines: int | None = None) -> list[str]:
    """Every cut text under ``top`` (itself included). ``max_lines``: a wrapped label of plain sentences may have at
    most this many lines (None: any)."""
    found: list[str] = []
    widgets = [top, *top.findChildren(QWidget)]
    for widget in widgets:
        if not _shown(widget, top):
            continue
        if isinstance(widget, QLabel):
            found.extend(_label(widget, max_lines))
        elif isinstance(widget, QPushButton) and widget.text():
            # a push button's size hint has the style's minimum width (about 80 px) in it: the text is what counts
            text = widget.text().replace("&", "")
            need = widget.fontMetrics().horizontalAdvance(text) + 8
            if widget.width() + SLACK < need or widget.height() + SLACK < widget.sizeHint().height():
                found.append(f"{_name(widget, text)}: {widget.width()} px for {need}")
        elif isinstance(widget, QAbstractButton) and widget.text():
            hint = widget.sizeHint()
            if widget.width() + SLACK < hint.width() or widget.height() + SLACK < hint.height():
                found.append(f"{_name(widget, widget.text())}: {widget.width()}x{widget.height()} px for "
                             f"{hint.width()}x{hint.height()}")
        elif isinstance(widget, QAbstractButton) and widget.hasHeightForWidth():
            need = widget.heightForWidth(widget.width())
            if widget.height() + SLACK < need:
                found.append(f"{_name(widget)}: {widget.height()} px high for {need}")
        if isinstance(widget, QTabBar):
            found.extend(_tabs(widget))
        if isinstance(widget, QAbstractScrollArea) and widget.horizontalScrollBar().isVisible():
            found.append(f"{_name(widget)}: a horizontal scroll bar")
        if isinstance(widget, QTableWidget):
            found.extend(_table(widget))
        if isinstance(widget, QListWidget):
            found.extend(_list(widget))
    return found


def _label(label: QLabel, max_lines: int | None) -> list[str]:
    text = label.text()
    if not text.strip() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return []
    margins = label.contentsMargins()
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        out = []
        if need > label.height() + SLACK:
            out.append(f"{_name(label, text)}: {label.height()} px high for {need} px of wrapped text")
        if max_lines is not None and label.textFormat() != Qt.TextFormat.RichText and "<" not in text:
            lines = (need - margins.top() - margins.bottom()) / max(1, label.fontMetrics().lineSpacing())
            if lines > max_lines + 0.5:
                out.append(f"{_name(label, text)}: a paragraph of {lines:.0f} lines")
        return out
    hint = label.minimumSizeHint()
    if label.width() + SLACK < hint.width() or label.height() + SLACK < hint.height():
        return [f"{_name(label, text)}: {label.width()}x{label.height()} px for {hint.width()}x{hint.height()}"]
    return []


def _tabs(bar: QTabBar) -> list[str]:
    out = []
    needed = sum(bar.tabSizeHint(i).width() for i in range(bar.count()))
    if needed > bar.width() + SLACK:
        out.append(f"{_name(bar)}: its tabs need {needed} px of {bar.width()} (scroll buttons or elided tabs)")
    for i in range(bar.count()):
        if bar.tabRect(i).width() + SLACK < bar.tabSizeHint(i).width():
            out.append(f"{_name(bar, bar.tabText(i))}: tab {i} is {bar.tabRect(i).width()} px for "
                       f"{bar.tabSizeHint(i).width()}")
    return out


def _table(table: QTableWidget) -> list[str]:
    out = []
    header = table.horizontalHeader()
    used = 0
    for column in range(table.columnCount()):
        if table.isColumnHidden(column):
            continue
        need = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
        size = header.sectionSize(column)
        used += size
        if size + SLACK < need:
            title = table.horizontalHeaderItem(column)
            out.append(f"{_name(table, title.text() if title else str(column))}: column {column} is {size} px for "
                       f"{need}")
    if used > table.viewport().width() + SLACK:
        out.append(f"{_name(table)}: its columns need {used} px of {table.viewport().width()}")
    return out


def _list(view: QListWidget) -> list[str]:
    out = []
    metrics = view.fontMetrics()
    width = view.viewport().width()
    for row in range(view.count()):
        item = view.item(row)
        rect = view.visualItemRect(item)
        if rect.isNull() or not view.viewport().rect().intersects(rect):
            continue
        flags = int(Qt.TextFlag.TextWordWrap) if view.wordWrap() else 0
        room = min(rect.width(), width)  # what the viewport shows of the item
        need = metrics.boundingRect(QRect(0, 0, max(1, room - 6), 100_000), flags, item.text())
        if need.width() > room + SLACK or need.height() > rect.height() + SLACK:
            out.append(f"{_name(view, item.text())}: item {row} is {room}x{rect.height()} px for "
                       f"{need.width()}x{need.height()}")
    return out
