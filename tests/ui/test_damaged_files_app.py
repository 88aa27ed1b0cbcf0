"""The app starts over damaged files and says once, in its window, what was reset."""

from __future__ import annotations

import pytest

from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.app.window import MainWindow
from xcelsior_desktop.platform import paths
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.platform.state_files import take_reset_notices


@pytest.mark.parametrize("saved", [5, "g\u00e9om\u00e9trie", "%%% not base64 %%%", "", None, ["AdnQyw=="]])
def test_restore_geometry_survives_any_saved_value(qtbot, saved: object) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    size = window.size()
    window.restore_geometry(saved)
    assert window.size() == size  # the default place and size, no exception


def test_the_app_starts_over_damaged_files_and_says_what_was_reset(qtbot, qapp, tmp_path) -> None:
    settings_path = tmp_path / "settings.json"
    settings_path.write_text('{"window_geometry": 5, "meter_host": "127.0.0.1", "meter_port": 9}')
    (paths.config_dir() / "alerts.json").write_bytes(b'{"rules": "\xff"}')
    settings = Settings.load(settings_path)
    assert settings.window_geometry is None and settings.extra["meter_host"] == "127.0.0.1"  # an earlier release's
    app = XcelsiorApp(qapp, identity=None, settings=settings, settings_path=settings_path)
    app.start()
    try:
        assert app.session.target.address == ("127.0.0.1", 9)  # moved into meters.json, dropped from settings
        assert "meter_host" not in settings_path.read_text()
        notice = app.window.notice or ""
        assert "window_geometry" in notice and "alerts.json.bad" in notice
        assert app.window.notice_label.isVisible()
        assert take_reset_notices() == []  # told once: taken by the window
    finally:
        app.shutdown()
    assert (tmp_path / "settings.json.bad").exists() and (paths.config_dir() / "alerts.json.bad").exists()
