"""The Settings dialog: the General page (meter, units, the home's time zone, start at login) and the pages plug-ins
added through the shell, applied in two phases (app/settings_pages.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xcelsior_desktop.app.settings_pages import SettingsPage, SettingsPages, SettingsRefused, Undo, apply_pages
from xcelsior_desktop.platform import autostart
from xcelsior_desktop.platform.settings import (
    MAX_POLL_INTERVAL_S,
    MIN_POLL_INTERVAL_S,
    Settings,
    check_zone_name,
    parse_address,
)

# Xcel Energy's service areas first (Colorado, Minnesota and the Dakotas, Wisconsin and Michigan, New Mexico and
# Texas), then the other US zones; any IANA name may be typed.
HOME_ZONES = ("America/Denver", "America/Chicago", "America/New_York", "America/Los_Angeles", "America/Phoenix",
              "America/Anchorage", "Pacific/Honolulu", "UTC")


class SettingsDialog(QDialog):
    """The General page, then the pages plug-ins added to the shell (``pages``), each made for this dialog.

    OK validates every page, commits them all and saves with ``save`` (the app's: it raises OSError when the file
    cannot be written), or changes nothing and says why. ``result_settings`` is then what was saved.
    """

    def __init__(self, settings: Settings, parent: QWidget | None = None, *,
                 pages: SettingsPages | None = None, save: Callable[[Settings], None] = lambda _settings: None) -> None:
        super().__init__(parent)
        self.setObjectName("settings-dialog")
        self.setWindowTitle("Xcelsior Desktop settings")
        self.original = settings
        self.result_settings: Settings | None = None
        self._save = save
        self.tabs = QTabWidget()
        self.general = GeneralPage(settings)
        self.tabs.addTab(self.general, "General")
        self._pages: list[SettingsPage] = [self.general]
        for title, factory in (pages.pages if pages is not None else []):
            self.add_page(title, factory(settings))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.error = QLabel()
        self.error.setObjectName("settings-error")
        self.error.setStyleSheet("color: #B91C1C;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def add_page(self, title: str, page: SettingsPage) -> None:
        """Another part's settings page (validated and committed with the others on OK)."""
        self._pages.append(page)
        self.tabs.addTab(page, title)

    def build(self) -> Settings:
        """The edited settings as the General page has them; raises ValueError with a message for the user."""
        edited = copy.deepcopy(self.original)
        self.general.validate(edited)
        return edited

    def accept(self) -> None:
        edited = copy.deepcopy(self.original)
        try:
            apply_pages(self._pages, edited, self._save)
        except SettingsRefused as refused:
            self.error.setText(str(refused))
            self.error.show()
            if refused.page is not None:
                self.tabs.setCurrentWidget(refused.page)
            return
        self.result_settings = edited
        super().accept()


class GeneralPage(SettingsPage):
    """Read demand every, the meter's address, units, the home's time zone, start at login."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = settings
        self._build(settings)

    def _build(self, s: Settings) -> None:
        form = QFormLayout(self)
        self.interval = QDoubleSpinBox()
        self.interval.setObjectName("poll-interval")
        self.interval.setRange(MIN_POLL_INTERVAL_S, MAX_POLL_INTERVAL_S)
        self.interval.setDecimals(0)
        self.interval.setSuffix(" s")
        self.interval.setValue(s.poll_interval_s)
        self.interval.setToolTip("How often to read the live demand. The meter is slow: 5 s or more is kind to it.")
        form.addRow("Read demand every:", self.interval)

        self.automatic = QRadioButton("Find the meter automatically (mDNS)")
        self.automatic.setObjectName("address-automatic")
        self.manual = QRadioButton("Use this address:")
        self.manual.setObjectName("address-manual")
        group = QButtonGroup(self)
        group.addButton(self.automatic)
        group.addButton(self.manual)
        self.address = QLineEdit()
        self.address.setObjectName("address")
        self.address.setPlaceholderText("192.168.1.40 or 192.168.1.40:8081")
        if s.meter_host:
            self.manual.setChecked(True)
            port = f":{s.meter_port}" if s.meter_port != 8081 else ""
            host = f"[{s.meter_host}]" if ":" in s.meter_host and port else s.meter_host
            self.address.setText(host + port)
        else:
            self.automatic.setChecked(True)
            if s.last_meter_host:
                self.address.setPlaceholderText(f"last found at {s.last_meter_host}:{s.meter_port}")
        self.address.setEnabled(self.manual.isChecked())
        self.manual.toggled.connect(self.address.setEnabled)
        form.addRow("Meter address:", self.automatic)
        form.addRow("", self.manual)
        form.addRow("", self.address)
        hint = QLabel("Automatic search does not work across VLANs, in WSL or in containers: enter the address "
                      "Launchpad or your router shows for the meter.")
        hint.setWordWrap(True)
        form.addRow("", hint)

        self.units = QComboBox()
        self.units.setObjectName("units")
        self.units.addItem("Watts (W)", "W")
        self.units.addItem("Kilowatts (kW)", "kW")
        self.units.setCurrentIndex(0 if s.units == "W" else 1)
        form.addRow("Show power in:", self.units)

        self.home_zone = QComboBox()
        self.home_zone.setObjectName("home-timezone")
        self.home_zone.setEditable(True)
        self.home_zone.addItem("Automatic (the tariff's time zone, else this computer's)", None)
        for name in HOME_ZONES:
            self.home_zone.addItem(name, name)
        if s.home_timezone:
            index = self.home_zone.findData(s.home_timezone)
            if index < 0:
                self.home_zone.addItem(s.home_timezone, s.home_timezone)
                index = self.home_zone.count() - 1
            self.home_zone.setCurrentIndex(index)
        self.home_zone.setToolTip("Days, billing cycles and \u201ctoday\u201d start at midnight in this time zone "
                                  "(an IANA name such as America/Denver)")
        form.addRow("Count days in:", self.home_zone)

        # Start at login lives in the OS (autostart entry, LaunchAgent, Run key), not in settings.json
        self.login_item = autostart.for_platform()
        self.start_at_login = QCheckBox("Start Xcelsior Desktop when I log in")
        self.start_at_login.setObjectName("start-at-login")
        self.start_at_login.setChecked(self.login_item.is_enabled())
        self.start_at_login.setToolTip(f"Kept in {self.login_item.location}")
        form.addRow("", self.start_at_login)

    def validate(self, edited: Settings) -> None:
        host: str | None = None
        port = self.original.meter_port
        if self.manual.isChecked():
            try:
                host, port = parse_address(self.address.text(), self.original.meter_port)
            except ValueError as exc:
                raise ValueError(f"The meter address is not valid: {exc}. Example: 192.168.1.40:8081") from None
        edited.home_timezone = self._home_zone_choice()
        edited.poll_interval_s = self.interval.value()
        edited.meter_host = host
        edited.meter_port = port
        edited.units = str(self.units.currentData())

    def commit(self) -> Undo | None:
        """Start at login lives in the OS (autostart entry, LaunchAgent, Run key), not in the settings file."""
        wanted = self.start_at_login.isChecked()
        if wanted == self.login_item.is_enabled():
            return None
        try:
            self.login_item.set_enabled(wanted)
        except autostart.AutostartError as exc:
            raise ValueError(exc.user_message) from None
        return lambda: self.login_item.set_enabled(not wanted)

    def _home_zone_choice(self) -> str | None:
        """The zone chosen or typed (None: automatic). Raises ValueError for a name this computer does not know."""
        index = self.home_zone.currentIndex()
        text = self.home_zone.currentText().strip()
        if index >= 0 and self.home_zone.itemText(index) == text:
            chosen = self.home_zone.itemData(index)
            return str(chosen) if chosen else None
        try:
            check_zone_name(text)
        except ValueError as exc:
            raise ValueError(f"The time zone {text!r} is not known here ({exc}): choose one from the list, such as "
                             "America/Denver.") from None
        return text
