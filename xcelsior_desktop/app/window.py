"""The popup window: live value, last hour chart, import/export, registers, and the Device tab.

A view only: the application pushes values in (``set_*``) and listens to ``action_requested``. Closing hides
it (the tray keeps running). ``show_view("live" | "device" | <extra tab name>)`` brings it up on a tab.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from xcelsior_desktop.app.charts import PowerChart, PowerHistory
from xcelsior_desktop.app.status_text import STATE_TEXT
from xcelsior_desktop.app.tray_icon import EXPORT_FILL, IMPORT_FILL
from xcelsior_desktop.common import format as fmt
from xcelsior_desktop.energy.totals import Energy
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.poller import ERROR_STATES, State, Status

# state -> (button text, action name) offered in the status banner
ACTIONS: dict[State, tuple[str, str]] = {
    State.NO_IDENTITY: ("Set up\u2026", "setup"),
    State.WAITING_REGISTRATION: ("Set up\u2026", "setup"),
    State.CERT_REFUSED: ("Set up\u2026", "setup"),
    State.LOCATING: ("Enter address\u2026", "settings"),
    State.MISMATCH: ("Settings\u2026", "settings"),
    State.UNREACHABLE: ("Settings\u2026", "settings"),
    State.BUSY: ("Retry now", "retry"),
    State.STALE: ("Retry now", "retry"),
    State.PAUSED: ("Resume", "resume"),
}
BANNER_COLOURS = {
    "ok": ("#E7F5EC", "#14532D"),
    "warn": ("#FEF3C7", "#713F12"),
    "error": ("#FDE2E1", "#7F1D1D"),
    "idle": ("#E5E7EB", "#1F2937"),
}


def _value_label(text: str = "\u2014") -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class MainWindow(QWidget):
    action_requested = Signal(str)  # "setup", "settings", "retry", "resume"
    geometry_changed = Signal(str)  # base64 geometry to save
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quitting = False  # set by allow_close() when the app quits
        self.setObjectName("main-window")
        self.setWindowTitle("Xcelsior Desktop")
        self.units = "W"
        self.history = PowerHistory()
        self.today: Energy | None = None  # pushed in by the app (set_today)
        self._registers_note = ""
        self.status: Status | None = None
        self.last_measurement: Measurement | None = None
        self.notice: str | None = None  # e.g. "no system tray": shown above everything

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self._views: dict[str, QWidget] = {}
        self.add_view("live", "Live", self._build_live())
        self.add_view("device", "Device", self._build_device())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 10, 10, 10)
        self.notice_label = QLabel()
        self.notice_label.setObjectName("notice")
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet("background:#FEF3C7;color:#713F12;padding:8px;border-radius:6px;")
        self.notice_label.hide()
        outer.addWidget(self.notice_label)
        self.banner_slot = QVBoxLayout()  # e.g. the certificate expiry banner (onboarding)
        self.banner_slot.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self.banner_slot)
        self.actions_row = QHBoxLayout()  # window-wide actions plug-ins add (e.g. Import..., Export...)
        self.actions_row.setContentsMargins(0, 0, 0, 0)
        self.actions_row.addStretch(1)
        outer.addLayout(self.actions_row)
        outer.addWidget(self.tabs)
        self.resize(600, 800)  # room for the notice, the actions row and the status banner without squeezing
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._refresh_times)

    # -- views -------------------------------------------------------------------------------------

    def add_view(self, name: str, title: str, widget: QWidget) -> None:
        """Extension point: other parts (alerts, history) add tabs here."""
        widget.setObjectName(f"view-{name}")
        self._views[name] = widget
        self.tabs.addTab(widget, title)

    def show_view(self, name: str = "live") -> None:
        widget = self._views.get(name)
        if widget is not None:
            self.tabs.setCurrentWidget(widget)
        self.show()
        self.setWindowState((self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive)
        self.raise_()
        self.activateWindow()

    def add_live_widget(self, widget: QWidget) -> None:
        """A part of the Live tab below the registers (the solar meter's panel)."""
        self.live_layout.addWidget(widget)

    def add_banner(self, widget: QWidget) -> None:
        """Extension point: a strip above the tabs (it shows and hides itself)."""
        self.banner_slot.addWidget(widget)

    def add_window_action(self, action: QAction) -> None:
        """A button for ``action`` in the row above the tabs (right-aligned, in the order added)."""
        button = QToolButton()
        button.setDefaultAction(action)
        button.setObjectName(f"window-action-{action.objectName() or action.text()}")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.actions_row.addWidget(button)

    def add_device_actions(self, actions: list[QAction]) -> None:
        """Extension point: buttons under the Device tab's fields (they follow the actions' enabled state)."""
        row = QHBoxLayout()
        for action in actions:
            button = QPushButton(action.text())
            button.setObjectName(f"device-action-{action.objectName() or action.text()}")
            button.clicked.connect(action.trigger)
            button.setEnabled(action.isEnabled())
            action.changed.connect(lambda b=button, a=action: b.setEnabled(a.isEnabled()))
            row.addWidget(button)
        row.addStretch(1)
        self.device_form.addRow(row)

    def current_view(self) -> str:
        current = self.tabs.currentWidget()
        return next((n for n, w in self._views.items() if w is current), "live")

    def _build_live(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(10)
        self.live_layout = layout

        self.banner = QFrame()
        self.banner.setObjectName("status-banner")
        b = QGridLayout(self.banner)
        self.state_title = QLabel()
        self.state_title.setObjectName("state-title")
        bold = QFont(self.font())
        bold.setBold(True)
        self.state_title.setFont(bold)
        self.state_detail = QLabel()
        self.state_detail.setObjectName("state-detail")
        self.state_detail.setWordWrap(True)
        self.state_times = QLabel()
        self.state_times.setObjectName("state-times")
        self.action_button = QPushButton()
        self.action_button.setObjectName("state-action")
        self.action_button.clicked.connect(self._on_action)
        self.retry_button = QPushButton("Retry now")
        self.retry_button.setObjectName("state-retry")
        self.retry_button.setToolTip("Try the meter again now instead of waiting for the next try")
        self.retry_button.clicked.connect(lambda: self.action_requested.emit("retry"))
        self.retry_button.hide()
        b.addWidget(self.state_title, 0, 0)
        b.addWidget(self.action_button, 0, 1, Qt.AlignmentFlag.AlignTop)
        b.addWidget(self.retry_button, 1, 1, Qt.AlignmentFlag.AlignTop)
        b.addWidget(self.state_detail, 1, 0)
        b.addWidget(self.state_times, 2, 0)
        b.setColumnStretch(0, 1)
        layout.addWidget(self.banner)

        self.big_value = QLabel("\u2014")
        self.big_value.setObjectName("big-value")
        big = QFont(self.font())
        big.setPointSizeF(max(30.0, self.font().pointSizeF() * 3.6))
        big.setBold(True)
        self.big_value.setFont(big)
        self.big_value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.value_caption = QLabel("Waiting for the first reading")
        self.value_caption.setObjectName("value-caption")
        self.value_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.big_value)
        layout.addWidget(self.value_caption)
        self.flag_label = QLabel()  # a reading the app does not trust (suspect, not updating, register frozen)
        self.flag_label.setObjectName("reading-flag")
        self.flag_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.flag_label.setStyleSheet("color:#B45309;font-weight:600;")
        self.flag_label.hide()
        layout.addWidget(self.flag_label)

        self.chart = PowerChart(self.history)
        layout.addWidget(self.chart, 1)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        head = ("", "Meter register", "Today so far")
        for col, text in enumerate(head):
            label = QLabel(f"<b>{text}</b>")
            grid.addWidget(label, 0, col)
        self.import_register = _value_label()
        self.export_register = _value_label()
        self.import_today = _value_label()
        self.export_today = _value_label()
        self.net_today = _value_label()
        for name, obj in (("import-register", self.import_register), ("export-register", self.export_register),
                          ("import-today", self.import_today), ("export-today", self.export_today),
                          ("net-today", self.net_today)):
            obj.setObjectName(name)
        imp = QLabel(f"<span style='color:{IMPORT_FILL.name()}'>\u25A0</span> Imported from the grid")
        exp = QLabel(f"<span style='color:{EXPORT_FILL.name()}'>\u25A0</span> Exported to the grid")
        grid.addWidget(imp, 1, 0)
        grid.addWidget(self.import_register, 1, 1)
        grid.addWidget(self.import_today, 1, 2)
        grid.addWidget(exp, 2, 0)
        grid.addWidget(self.export_register, 2, 1)
        grid.addWidget(self.export_today, 2, 2)
        grid.addWidget(QLabel("Net"), 3, 0)
        grid.addWidget(self.net_today, 3, 2)
        self.registers_caption = QLabel("")
        self.registers_caption.setObjectName("registers-caption")
        caption_font = self.registers_caption.font()  # smaller, not paler: palette(mid) was too faint to read
        caption_font.setPointSizeF(max(7.0, caption_font.pointSizeF() - 1))
        self.registers_caption.setFont(caption_font)
        self.registers_caption.setWordWrap(True)
        grid.addWidget(self.registers_caption, 4, 0, 1, 3)
        layout.addLayout(grid)
        return page

    def _build_device(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.device_form = form
        self.device_fields: dict[str, QLabel] = {}
        for key, label in (
            ("meter_lfdi", "Meter LFDI"),
            ("meter_sfdi", "Meter SFDI"),
            ("firmware", "Firmware"),
            ("manufacturer", "Manufacturer"),
            ("address", "Address"),
            ("connection", "Connection"),
            ("last_reading", "Last reading"),
            ("our_lfdi", "This computer's LFDI"),
            ("cert_expiry", "Certificate expires"),
        ):
            value = _value_label()
            value.setObjectName(f"device-{key}")
            value.setWordWrap(True)
            self.device_fields[key] = value
            form.addRow(label + ":", value)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        for key in ("meter_lfdi", "our_lfdi"):
            self.device_fields[key].setFont(mono)
        return page

    # -- values in ---------------------------------------------------------------------------------

    def set_flagged(self, what: str, label: str, reason: str) -> None:
        """A reading that was not used: say so under the value (the reason in the tooltip) until a good one."""
        if what == "demand" and self.last_measurement is not None:
            self.big_value.setStyleSheet("color: palette(mid);")  # the number shown is the last trusted one
        self.flag_label.setText(f"{label}: {reason}" if len(reason) < 90 else label)
        self.flag_label.setToolTip(reason)
        self.flag_label.show()

    def set_demand(self, measurement: Measurement) -> None:
        self.flag_label.hide()
        self.last_measurement = measurement
        watts = float(measurement.value)
        self.history.add(time.time(), watts)
        colour = EXPORT_FILL if watts < 0 and fmt.short_watts(watts).startswith("-") else IMPORT_FILL
        self.big_value.setText(fmt.full_power(watts, self.units))
        self.big_value.setStyleSheet(f"color: {colour.name()};")
        self.value_caption.setText(f"{fmt.direction(watts).capitalize()} \u00b7 read at {fmt.clock_time(measurement.timestamp)}")
        self.device_fields["last_reading"].setText(measurement.timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
        self.chart.update()

    def set_registers(self, registers: Registers) -> None:
        self.import_register.setText(fmt.energy(registers.delivered_wh))
        self.export_register.setText(fmt.energy(registers.received_wh))
        self._registers_note = f"Registers read at {fmt.clock_time(registers.read_at)}."
        self._update_caption()

    def set_today(self, today: Energy) -> None:
        """Today so far (the one energy function's figure): the column and the footnote saying what it is based on."""
        self.today = today
        self.import_today.setText(fmt.energy(today.imported_wh))
        self.export_today.setText(fmt.energy(today.exported_wh))
        self.net_today.setText(fmt.energy(today.net_wh))
        self._update_caption()

    def _update_caption(self) -> None:
        parts = [self._registers_note, self.today.footnote() if self.today is not None else ""]
        self.registers_caption.setText(" ".join(p for p in parts if p))

    def set_device_info(self, info: DeviceInfo) -> None:
        f = self.device_fields
        f["meter_lfdi"].setText(info.lfdi or "unknown")
        f["meter_sfdi"].setText(str(info.sfdi) if info.sfdi is not None else "unknown")
        f["firmware"].setText(info.sw_version or "unknown")
        f["manufacturer"].setText(info.manufacturer or "unknown")

    def set_address(self, host: str | None, port: int, automatic: bool) -> None:
        how = "found automatically" if automatic else "entered by hand"
        self.device_fields["address"].setText(f"{host}:{port} ({how})" if host else "searching the network\u2026")

    def set_identity(self, identity: Identity | None) -> None:
        f = self.device_fields
        if identity is None:
            f["our_lfdi"].setText("no certificate yet (choose Set up)")
            f["cert_expiry"].setText("\u2014")
            return
        f["our_lfdi"].setText(identity.portal_lfdi)
        days = identity.days_left()
        expiry = identity.not_after.astimezone().strftime("%Y-%m-%d")
        f["cert_expiry"].setText(f"{expiry} (expired)" if days <= 0 else f"{expiry} (in {int(days)} days)")

    def set_poll_interval(self, seconds: float) -> None:
        """The Live chart breaks its line where readings are further apart than three of these."""
        self.history.set_poll_interval(seconds)
        self.chart.update()

    def set_units(self, units: str) -> None:
        self.units = units
        if self.last_measurement is not None:
            self.set_demand(self.last_measurement)

    def set_notice(self, text: str | None) -> None:
        self.notice = text
        self.notice_label.setText(text or "")
        self.notice_label.setVisible(bool(text))

    def set_status(self, status: Status) -> None:
        self.status = status
        title, detail = STATE_TEXT[status.state]
        self.state_title.setText(title)
        # the meter's own words only where they add to the state's text (a busy meter's says the same again)
        extra = status.detail if status.detail and status.detail not in detail and status.state is not State.BUSY else ""
        self.state_detail.setText(detail + (f"\n{extra}" if extra and status.state in ERROR_STATES else ""))
        action = ACTIONS.get(status.state)
        self.action_button.setVisible(action is not None)
        if action:
            self.action_button.setText(action[0])
            self.action_button.setProperty("action", action[1])
        # "Retry now" beside the main action (the user fixed something and does not want to wait), unless the main
        # action is already a retry
        self.retry_button.setVisible(status.offers_retry_now and (action is None or action[1] != "retry"))
        kind = (
            "ok" if status.state is State.CONNECTED
            else "error" if status.state in (State.CERT_REFUSED, State.UNREACHABLE, State.MISMATCH)
            else "warn" if status.state in (State.STALE, State.BUSY, State.WAITING_REGISTRATION, State.NO_IDENTITY)
            else "idle"
        )
        bg, fg = BANNER_COLOURS[kind]
        self.banner.setStyleSheet(f"#status-banner {{ background:{bg}; border-radius:8px; }} "
                                  f"#status-banner QLabel {{ color:{fg}; }}")
        self.device_fields["connection"].setText(title)
        if status.state is not State.CONNECTED and self.last_measurement is not None:
            self.big_value.setStyleSheet("color: palette(mid);")  # an old value looks old
        self._refresh_times()

    def _refresh_times(self) -> None:
        status = self.status
        if status is None:
            return
        now = time.time()
        parts = []
        if status.state in ERROR_STATES or status.state in (State.STALE, State.LOCATING):
            parts.append(f"since {time.strftime('%H:%M', time.localtime(status.since))} "
                         f"({fmt.ago(now - status.since)})")
        if status.next_retry is not None:
            parts.append(fmt.next_try(status.next_retry, now))
        if status.last_reading is not None:
            parts.append(f"last reading {fmt.ago(now - status.last_reading)} ago")
        self.state_times.setText(" \u00b7 ".join(parts))

    def _on_action(self) -> None:
        action = self.action_button.property("action")
        if action:
            self.action_requested.emit(str(action))

    # -- geometry and closing ----------------------------------------------------------------------

    def restore_geometry(self, encoded: object) -> None:
        """Put the window back where it was; a saved value that is not ASCII base64 is ignored (default place)."""
        if isinstance(encoded, str) and encoded and encoded.isascii():
            self.restoreGeometry(QByteArray.fromBase64(encoded.encode("ascii")))  # False: left where it is
        screen = QGuiApplication.screenAt(self.geometry().center())
        if screen is None:  # saved on a monitor that is gone
            primary = QGuiApplication.primaryScreen()
            if primary is not None:
                self.move(primary.availableGeometry().center() - self.rect().center())

    def encoded_geometry(self) -> str:
        return bytes(self.saveGeometry().toBase64().data()).decode("ascii")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        self._clock.start()
        super().showEvent(event)

    def allow_close(self) -> None:
        """The app is quitting: let Qt close the window instead of hiding it (see closeEvent)."""
        self._quitting = True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        """Closing hides the window; the tray keeps running. Refusing the close also vetoes Qt's quit()."""
        self._clock.stop()
        if self._quitting:
            event.accept()
            return
        self.geometry_changed.emit(self.encoded_geometry())
        self.closed.emit()
        event.ignore()
        self.hide()
