"""The solar meter on the Live tab: what the panels make now, what the house uses now, and today's home use, solar
and self-sufficiency, with the solar meter's own connection state (one meter down never hides the other)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from xcelsior_desktop.app.status_text import STATE_TEXT
from xcelsior_desktop.common import format as fmt
from xcelsior_desktop.energy.home import HomeEnergy, home_watts
from xcelsior_desktop.meter.values import Measurement
from xcelsior_desktop.session.poller import ERROR_STATES, State, Status

SOLAR_COLOUR = "#B45309"  # amber: the sun, and readable on light and dark backgrounds


class SolarPanel(QFrame):
    def __init__(self, label: str = "Solar meter", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("solar-panel")
        self.meter_label = label
        self.units = "W"
        self._net: float | None = None
        self._production: float | None = None
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 6, 0, 0)
        self.now = QLabel("\u2014")
        self.now.setObjectName("solar-now")
        self.home_now = QLabel("\u2014")
        self.home_now.setObjectName("home-use-now")
        self.today = QLabel("")
        self.today.setObjectName("solar-today")
        self.today.setWordWrap(True)
        self.state = QLabel("")
        self.state.setObjectName("solar-state")
        self.state.setWordWrap(True)
        self.state.setStyleSheet(f"color:{SOLAR_COLOUR};")
        self.state.hide()
        grid.addWidget(QLabel(f"<span style='color:{SOLAR_COLOUR}'>\u2600</span> <b>Solar now</b>"), 0, 0)
        grid.addWidget(self.now, 0, 1)
        grid.addWidget(QLabel("<b>Home use now</b>"), 1, 0)
        grid.addWidget(self.home_now, 1, 1)
        grid.addWidget(self.today, 2, 0, 1, 2)
        grid.addWidget(self.state, 3, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.setAccessibleName("Solar and home use")

    def set_units(self, units: str) -> None:
        self.units = units
        self._show_now()

    def set_production(self, measurement: Measurement) -> None:
        self._production = float(measurement.value)
        self._show_now()

    def set_net(self, measurement: Measurement) -> None:
        self._net = float(measurement.value)
        self._show_now()

    @property
    def production_watts(self) -> float | None:
        """What the panels make now (None: no fresh reading from the solar meter)."""
        return self._production

    @property
    def home_watts(self) -> float | None:
        return home_watts(self._net, self._production)

    def _show_now(self) -> None:
        self.now.setText(fmt.full_power(self._production, self.units) if self._production is not None else "\u2014")
        home = self.home_watts
        self.home_now.setText(fmt.full_power(home, self.units) if home is not None else "\u2014")

    def set_home(self, home: HomeEnergy) -> None:
        """Today's figures from both meters (a part unknown on either meter stays unknown)."""
        parts = [f"Today: solar {fmt.energy(home.produced_wh)}", f"home used {fmt.energy(home.home_use_wh)}"]
        share = home.self_sufficiency
        if share is not None:
            parts.append(f"{share * 100:.0f} % of it from the sun")
        used = home.self_consumed_wh
        if used is not None:
            parts.append(f"{fmt.energy(used)} of the solar used at home")
        self.today.setText(", ".join(parts) + ".")

    def set_status(self, status: Status) -> None:
        """The solar meter's own state: shown when it is not delivering readings."""
        if status.state in (State.CONNECTED, State.CONNECTING):
            self.state.hide()
            return
        title, detail = STATE_TEXT[status.state]
        self.state.setText(f"{self.meter_label}: {title.lower()}." + (f" {detail}" if status.state in ERROR_STATES
                                                                      else ""))
        self.state.show()
        if status.state not in (State.STALE, State.PAUSED):
            self._production = None
            self._show_now()
