"""The Settings dialog: the General page (meter, units, the home's time zone, start at login) and the pages plug-ins
added through the shell, applied in two phases (app/settings_pages.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

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
from xcelsior_desktop.meter.address import DEFAULT_PORT, format_address, parse_address
from xcelsior_desktop.platform import autostart
from xcelsior_desktop.platform.settings import MAX_POLL_INTERVAL_S, MIN_POLL_INTERVAL_S, Settings, check_zone_name
from xcelsior_desktop.session.target import NET, MeterTarget, Role

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
                 pages: SettingsPages | None = None, save: Callable[[Settings], None] = lambda _settings: None,
                 meters: Sequence[MeterTarget] = ()) -> None:
        super().__init__(parent)
        self.setObjectName("settings-dialog")
        self.setWindowTitle("Xcelsior Desktop settings")
        self.original = settings
        self.result_settings: Settings | None = None
        self.result_addresses: dict[Role, tuple[str | None, int, bool]] = {}
        self._save = save
        self.tabs = QTabWidget()
        self.general = GeneralPage(settings, meters)
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
        self.result_addresses = dict(self.general.addresses)
        super().accept()


class GeneralPage(SettingsPage):
    """Read demand every, the meter's address, units, the home's time zone, start at login."""

    def __init__(self, settings: Settings, meters: Sequence[MeterTarget] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meters = list(meters) or [MeterTarget()]
        self.addresses: dict[Role, tuple[str | None, int, bool]] = {}  # after validate: (host, port, automatic)
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

        self.rows: dict[Role, AddressRow] = {}
        for target in self.meters:
            row = self.rows[target.role] = AddressRow(target, self)
            label = "Meter address:" if len(self.meters) == 1 else f"{target.label}:"
            form.addRow(label, row.automatic)
            form.addRow("", row.manual)
            form.addRow("", row.address)
        net = self.rows[NET]
        self.automatic, self.manual, self.address = net.automatic, net.manual, net.address  # the one meter's
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
        """The settings' fields into ``edited``; each meter's address into :attr:`addresses` (its record is its
        session's: the app sends it the change once the settings are saved)."""
        addresses = {role: row.chosen() for role, row in self.rows.items()}
        edited.home_timezone = self._home_zone_choice()
        edited.poll_interval_s = self.interval.value()
        edited.units = str(self.units.currentData())
        self.addresses = addresses

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


class AddressRow:
    """One meter's address: found automatically (mDNS), or typed."""

    def __init__(self, target: MeterTarget, parent: QWidget) -> None:
        self.target = target
        self.automatic = QRadioButton("Find the meter automatically (mDNS)")
        self.manual = QRadioButton("Use this address:")
        self.address = QLineEdit()
        suffix = "" if target.role == NET else f"-{target.role}"
        self.automatic.setObjectName(f"address-automatic{suffix}")
        self.manual.setObjectName(f"address-manual{suffix}")
        self.address.setObjectName(f"address{suffix}")
        group = QButtonGroup(parent)
        group.addButton(self.automatic)
        group.addButton(self.manual)
        self.address.setPlaceholderText(f"192.168.1.40 or 192.168.1.40:{DEFAULT_PORT}")
        if target.host and not target.automatic:
            self.manual.setChecked(True)
            self.address.setText(format_address(target.host, target.port))
        else:
            self.automatic.setChecked(True)
            if target.host:
                self.address.setPlaceholderText(f"last found at {target.host}:{target.port}")
        self.address.setEnabled(self.manual.isChecked())
        self.manual.toggled.connect(self.address.setEnabled)

    def chosen(self) -> tuple[str | None, int, bool]:
        """(host, port, automatic); ValueError with a sentence for a typed address that is not one."""
        if not self.manual.isChecked():
            return self.target.host, self.target.port, True
        try:
            host, port = parse_address(self.address.text(), self.target.port)
        except ValueError as exc:
            raise ValueError(f"The {self.target.label.lower()}'s address is not valid: {exc}. "
                             f"Example: 192.168.1.40:{DEFAULT_PORT}") from None
        return host, port, False
