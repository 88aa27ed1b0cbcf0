"""Setup page 4: find the meter on the network (mDNS, with progress) or type its address."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from xcelsior_desktop.app.onboarding.background import BackgroundCall
from xcelsior_desktop.app.onboarding.widgets import MessageLabel
from xcelsior_desktop.meter.address import DEFAULT_PORT, parse_address
from xcelsior_desktop.meter.discovery import DiscoveredMeter
from xcelsior_desktop.session.target import MeterTarget

DiscoverFn = Callable[[float], list[DiscoveredMeter]]  # timeout -> meters found
DISCOVERY_TIMEOUT_S = 10.0


def discover_meters(timeout: float) -> list[DiscoveredMeter]:
    from xcelsior_desktop.meter.discovery import discover

    return list(discover(timeout=timeout))


class MeterPage(QWizardPage):
    def __init__(self, discover: DiscoverFn = discover_meters, *, timeout_s: float = DISCOVERY_TIMEOUT_S,
                 default_port: int = DEFAULT_PORT, other: MeterTarget | None = None,
                 parent: QWidget | None = None) -> None:
        """``other``: the household's meter already set up; it is not offered, and its address is refused."""
        super().__init__(parent)
        self._discover = discover
        self.other = other
        self.timeout_s = timeout_s
        self.default_port = default_port
        self._call: BackgroundCall | None = None
        self._started = 0.0
        self.setTitle("Find your meter")
        self.setSubTitle("We ask your home network for the meter; it can take up to a minute to answer. This "
                         "computer must be on the same network (discovery does not cross VLANs, WSL or containers: "
                         "enter the meter's address from your router instead).")

        self.auto_radio = QRadioButton("Search the network")
        self.manual_radio = QRadioButton("Enter the meter's address myself")
        self.auto_radio.setChecked(True)
        self.auto_radio.toggled.connect(lambda *_: self._update())
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.search_status = QLabel()
        self.search_button = QPushButton("Search again")
        self.search_button.clicked.connect(self.search)
        self.results = QListWidget()
        self.results.setMinimumHeight(90)
        self.results.currentItemChanged.connect(lambda *_: self.completeChanged.emit())
        self.address = QLineEdit()
        self.address.setPlaceholderText(f"192.168.1.50  or  192.168.1.50:{DEFAULT_PORT}")
        self.address.textChanged.connect(lambda *_: self.completeChanged.emit())
        hint = QLabel("Launchpad shows the meter's IP address under the meter's Wi-Fi details; your router's list "
                      f"of devices does too. The meter's port is {DEFAULT_PORT}.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #475467;")
        self.message = MessageLabel()
        self._ticker = QTimer(self)
        self._ticker.setInterval(100)
        self._ticker.timeout.connect(self._tick)

        search_row = QHBoxLayout()
        search_row.addWidget(self.search_status, 1)
        search_row.addWidget(self.search_button)
        self.auto_box = QWidget()
        auto = QVBoxLayout(self.auto_box)
        auto.setContentsMargins(24, 0, 0, 0)
        auto.addWidget(self.progress)
        auto.addLayout(search_row)
        auto.addWidget(self.results)
        self.manual_box = QWidget()
        manual = QVBoxLayout(self.manual_box)
        manual.setContentsMargins(24, 0, 0, 0)
        manual.addWidget(self.address)
        manual.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.addWidget(self.auto_radio)
        layout.addWidget(self.auto_box)
        layout.addWidget(self.manual_radio)
        layout.addWidget(self.manual_box)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._update()

    # -- searching --------------------------------------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802 (Qt name)
        if self.auto_radio.isChecked() and self.results.count() == 0 and not self.searching:
            self.search()

    @property
    def searching(self) -> bool:
        """From the search's start until its answer is shown: the search thread ends a moment before its queued
        answer reaches the page, and the page is not done searching until then."""
        return self._call is not None

    def search(self) -> None:
        if self.searching:
            return
        self.results.clear()
        self.message.clear_message()
        self._started = time.monotonic()
        timeout = self.timeout_s
        self._call = BackgroundCall(lambda: self._discover(timeout), self)
        self._call.done.connect(self._found)
        self._call.failed.connect(self._failed)
        self._call.start()
        self._ticker.start()
        self._update()

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._started
        self.progress.setValue(min(990, int(1000 * elapsed / max(0.1, self.timeout_s))))
        self.search_status.setText(f"Searching… {elapsed:.0f} s of up to {self.timeout_s:.0f} s")

    def _finish_search(self) -> None:
        self._ticker.stop()
        self._call = None
        self.progress.setValue(1000)
        self._update()

    def _is_other(self, host: str, port: int, sfdi: int | None) -> bool:
        other = self.other
        if other is None:
            return False
        return (sfdi is not None and sfdi == other.meter_sfdi) or (host, int(port)) == other.address

    def _found(self, meters: list[DiscoveredMeter]) -> None:
        self._finish_search()
        skipped = [m for m in meters if self._is_other(m.host, m.port, getattr(m, "sfdi", None))]
        meters = [m for m in meters if m not in skipped]
        for meter in meters:
            sfdi = getattr(meter, "sfdi", None)
            name = f"Meter {sfdi}" if sfdi else "Meter"
            item = QListWidgetItem(f"⚡ {name} at {meter.host}:{meter.port}")
            item.setData(256, (meter.host, int(meter.port), getattr(meter, "sfdi", None)))
            self.results.addItem(item)
        if meters:
            self.results.setCurrentRow(0)
            found = "1 meter" if len(meters) == 1 else f"{len(meters)} meters"
            self.search_status.setText(f"Found {found}.")
        elif skipped and self.other is not None:
            self.search_status.setText(f"Only your {self.other.label.lower()} answered.")
            self.message.show_message(
                f"Only your {self.other.label.lower()}, already set up, answered. The other meter may take up to a "
                "minute to answer and must be on your home Wi-Fi (Launchpad). Search again, or enter its address.",
                "warning")
        else:
            self.search_status.setText("No meter answered.")
            self.message.show_message(
                "No meter answered on this network. Meters often take up to a minute to answer, and searching "
                "does not work across separate networks, VLANs, WSL or containers. Search again, or enter the "
                "meter's address.", "warning")
        self.completeChanged.emit()

    def _failed(self, exc: BaseException) -> None:
        self._finish_search()
        self.search_status.setText("The search failed.")
        detail = getattr(exc, "user_message", None) or f"{exc}"
        self.message.show_message(f"Searching the network failed: {detail}. Enter the meter's address instead.",
                                  "warning")
        self.completeChanged.emit()

    def _update(self) -> None:
        auto = self.auto_radio.isChecked()
        self.auto_box.setEnabled(auto)
        self.manual_box.setEnabled(not auto)
        self.search_button.setEnabled(not self.searching)
        self.completeChanged.emit()

    # -- result -----------------------------------------------------------------------------------

    def chosen(self) -> tuple[str, int, bool] | None:
        """(host, port, manual) or None."""
        if self.auto_radio.isChecked():
            item = self.results.currentItem()
            if item is None:
                return None
            host, port, _ = item.data(256)
            return host, port, False
        try:
            host, port = parse_address(self.address.text(), self.default_port)
        except ValueError:
            return None
        return host, port, True

    def isComplete(self) -> bool:  # noqa: N802
        return self.chosen() is not None

    def validatePage(self) -> bool:  # noqa: N802
        chosen = self.chosen()
        if chosen is None:
            self.message.show_message("Enter the meter's address as host or host:port, e.g. "
                                      f"192.168.1.50:{DEFAULT_PORT}.")
            return False
        if self.other is not None and self._is_other(chosen[0], chosen[1], None):
            self.message.show_message(f"{chosen[0]}:{chosen[1]} is your {self.other.label.lower()}'s address. "
                                      "Enter the other meter's address (Launchpad shows each meter's).")
            return False
        return True
