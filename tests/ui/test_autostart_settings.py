"""The Settings dialog's "Start at login" box drives the real XDG autostart entry (in the test's own config home)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from xcelsior_desktop.app.settings_dialog import SettingsDialog
from xcelsior_desktop.platform.autostart import APP_ID, XdgAutostart
from xcelsior_desktop.platform.settings import Settings

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG variant runs on Linux")


def _entry() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / f"{APP_ID}.desktop"


def test_ticking_the_box_and_ok_enables_start_at_login(qtbot, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    box = dialog.findChild(type(dialog.general.start_at_login), "start-at-login")
    assert box is not None and not box.isChecked()
    box.setChecked(True)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert _entry().exists() and XdgAutostart().is_enabled()

    again = SettingsDialog(Settings())  # a new dialog shows what the OS has
    qtbot.addWidget(again)
    assert again.general.start_at_login.isChecked()
    again.general.start_at_login.setChecked(False)
    again.accept()
    assert not _entry().exists()


def test_cancel_changes_nothing(qtbot, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.general.start_at_login.setChecked(True)
    dialog.reject()
    assert not _entry().exists()


def test_an_unwritable_autostart_folder_keeps_the_dialog_open_with_the_reason(qtbot, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    (Path(os.environ["XDG_CONFIG_HOME"]) / "autostart").write_text("a file where the folder should be")
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.general.start_at_login.setChecked(True)
    dialog.accept()
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    error = dialog.findChild(type(dialog.error), "settings-error")
    assert error is not None and "start at login" in error.text()
