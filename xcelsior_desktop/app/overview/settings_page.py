"""Settings, Overview: how big a step in demand must be, and how long it must hold, to count as a big load.

Kept in the settings file under ``"overview"`` (validated with the other pages, saved with them: two phases).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QSpinBox, QWidget

from xcelsior_desktop.app.settings_pages import SettingsPage
from xcelsior_desktop.energy.steps import HOLD_S, MIN_STEP_W
from xcelsior_desktop.platform.settings import Settings

KEY = "overview"
STEP_RANGE = (300, 20_000)
HOLD_RANGE = (10, 600)


@dataclass(frozen=True)
class StepSettings:
    min_w: float = MIN_STEP_W
    hold_s: float = HOLD_S

    @classmethod
    def of(cls, settings: Settings) -> StepSettings:
        """From the settings file; a missing or out-of-range value is the default (the file loader already
        checked the types of what it kept)."""
        data: Any = settings.extra.get(KEY)
        if not isinstance(data, dict):
            return cls()
        step, hold = data.get("step_w"), data.get("hold_s")
        ok_step = isinstance(step, int | float) and not isinstance(step, bool) and \
            STEP_RANGE[0] <= step <= STEP_RANGE[1]
        ok_hold = isinstance(hold, int | float) and not isinstance(hold, bool) and \
            HOLD_RANGE[0] <= hold <= HOLD_RANGE[1]
        return cls(float(step) if ok_step and step is not None else MIN_STEP_W,
                   float(hold) if ok_hold and hold is not None else HOLD_S)


class OverviewSettingsPage(SettingsPage):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewSettingsPage")
        current = StepSettings.of(settings)
        self.step = QSpinBox()
        self.step.setObjectName("bigLoadStep")
        self.step.setRange(*STEP_RANGE)
        self.step.setSingleStep(100)
        self.step.setSuffix(" W")
        self.step.setValue(int(current.min_w))
        self.step.setAccessibleName("Smallest step that counts as a big load")
        self.hold = QSpinBox()
        self.hold.setObjectName("bigLoadHold")
        self.hold.setRange(*HOLD_RANGE)
        self.hold.setSuffix(" s")
        self.hold.setValue(int(current.hold_s))
        self.hold.setAccessibleName("How long a step must hold")
        about = QLabel("A step in your demand at least this big, held at least this long, is listed as a big load.")
        about.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(about)
        form.addRow("Big load: a step of at least", self.step)
        form.addRow("Held for at least", self.hold)

    def validate(self, edited: Settings) -> None:
        step, hold = self.step.value(), self.hold.value()
        if not (STEP_RANGE[0] <= step <= STEP_RANGE[1] and HOLD_RANGE[0] <= hold <= HOLD_RANGE[1]):
            raise ValueError(f"Overview: a big load is a step of {STEP_RANGE[0]} to {STEP_RANGE[1]} W held "
                             f"{HOLD_RANGE[0]} to {HOLD_RANGE[1]} s.")
        edited.extra[KEY] = {"step_w": step, "hold_s": hold}
