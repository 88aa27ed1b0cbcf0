"""Small widgets the setup pages share: the big LFDI with a Copy button, a file drop area, message labels."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from xcelsior_desktop.meter.identity import portal_form

ACCENT = "#1f6feb"
ERROR = "#b42318"
OK = "#067647"


def open_link(url: str) -> None:
    """Open a link in the user's browser."""
    QDesktopServices.openUrl(QUrl(url))


def rich_label(html: str, *, links: bool = True) -> QLabel:
    """A wrapping rich-text label whose links open in the browser."""
    label = QLabel(html)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    if links:
        label.setOpenExternalLinks(False)
        label.linkActivated.connect(open_link)
    return label


class MessageLabel(QLabel):
    """A line that shows an error, a warning or a success, or nothing."""

    _COLORS = {"error": (ERROR, "#fef3f2"), "ok": (OK, "#ecfdf3"), "info": ("#344054", "#f2f4f7"),
               "warning": ("#93370d", "#fffaeb")}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setVisible(False)

    def show_message(self, text: str, kind: str = "error") -> None:
        fg, bg = self._COLORS.get(kind, self._COLORS["info"])
        self.setStyleSheet(f"QLabel {{ color: {fg}; background: {bg}; border: 1px solid {fg}33;"
                           " border-radius: 6px; padding: 8px; }")
        self.setText(text)
        self.setProperty("kind", kind)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.setText("")
        self.setProperty("kind", None)
        self.setVisible(False)

    @property
    def kind(self) -> str | None:
        value = self.property("kind")
        return str(value) if value else None


class LfdiDisplay(QFrame):
    """The LFDI in the portal's 8 groups of 5, large and monospaced, with a Copy button."""

    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lfdiBox")
        self.setStyleSheet(f"#lfdiBox {{ border: 2px solid {ACCENT}; border-radius: 10px; background: #f5f9ff; }}")
        self._lfdi = ""
        self.text = QLabel()
        self.text.setObjectName("lfdiText")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(max(18, font.pointSize() + 9))
        font.setWeight(QFont.Weight.DemiBold)
        self.text.setFont(font)
        self.text.setStyleSheet("color: #0b1f44; background: transparent; border: none;")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setWordWrap(True)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the LFDI to paste it into Launchpad")
        self.copy_button.setMinimumWidth(96)
        self.copy_button.clicked.connect(self.copy)
        self._reset_timer = QTimer(self)
        self._reset_timer.setSingleShot(True)
        self._reset_timer.timeout.connect(lambda: self.copy_button.setText("Copy"))
        row = QHBoxLayout()
        row.addWidget(self.text, 1)
        row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        caption = QLabel("LFDI of this computer's certificate")
        caption.setStyleSheet("color: #475467; background: transparent; border: none;")
        layout.addWidget(caption)
        layout.addLayout(row)

    def set_lfdi(self, lfdi: str) -> None:
        self._lfdi = portal_form(lfdi)
        groups = self._lfdi.split("-")  # two lines of four groups, always broken at the same place
        self.text.setText("-".join(groups[:4]) + "-<br>" + "-".join(groups[4:]))

    @property
    def portal_text(self) -> str:
        return self._lfdi

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self._lfdi)
        self.copy_button.setText("Copied ✓")
        self._reset_timer.start(2000)
        self.copied.emit(self._lfdi)


class DropArea(QFrame):
    """A dashed box that takes dropped files (and a Browse… button beside it in the page)."""

    files_dropped = Signal(list)  # list[Path]

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropArea")
        self.setAcceptDrops(True)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #475467; border: none; background: transparent;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.addWidget(self.label)
        self._set_hover(False)

    def _set_hover(self, hover: bool) -> None:
        color, bg = (ACCENT, "#eef4ff") if hover else ("#98a2b3", "#fcfcfd")
        self.setStyleSheet(f"#dropArea {{ border: 2px dashed {color}; border-radius: 10px; background: {bg}; }}")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt name)
        if event.mimeData().hasUrls():
            self._set_hover(True)
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: object) -> None:  # noqa: N802
        self._set_hover(False)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._set_hover(False)
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
