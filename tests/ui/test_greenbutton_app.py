"""Import... / Export... in the real window: a sample Green Button file through the action and through a drop,
re-import and refused files changing nothing, and exports the CLI reads back (pytest-qt, offscreen, a real store)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from lxml import etree
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QToolButton

from tests.greenbutton_support import sample, schema, write
from xcelsior_desktop.app.greenbutton import GreenButtonIO, install
from xcelsior_desktop.app.session_events import SessionEvents
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.app.window import MainWindow
from xcelsior_desktop.cli import main
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.exchange.greenbutton import GreenButtonError, read_green_button
from xcelsior_desktop.exchange.transfer import Outcome

SDGE = "sdge-hourly-2019-10.xml"
SDGE_LINE = "imported 552 intervals (2019-10-01T00:00:00Z .. 2019-10-24T00:00:00Z), 0 skipped"
WAIT_MS = 30_000


class Setup:
    def __init__(self, qtbot, store: HistoryStore | None) -> None:  # type: ignore[no-untyped-def]
        self.window = MainWindow()
        qtbot.addWidget(self.window)
        self.shell = AppShell(window=self.window, events=SessionEvents(), owner=self.window)
        self.shell.provide_history(store)
        self.announced: list[tuple[str, str, str, str]] = []
        self.shell.add_announcer(lambda *args: self.announced.append(args))
        self.chosen: Path | None = None
        self.save_to: Path | None = None
        self.io = GreenButtonIO(self.shell, choose_open=lambda _parent: self.chosen,
                                choose_save=lambda _parent, _name, _filter: self.save_to)
        self.changed: list[tuple[dt.datetime, dt.datetime]] = []  # what each import that changed the store added
        self.shell.on_history_changed(self._history_changed)
        self.window.show()

    def _history_changed(self) -> None:
        outcome = self.io.last_outcome
        assert outcome is not None and outcome.first is not None and outcome.last is not None
        self.changed.append((outcome.first, outcome.last))

    def button(self, name: str) -> QToolButton:
        found = self.window.findChild(QToolButton, f"window-action-{name}")
        assert found is not None
        return found

    def wait(self, qtbot, start) -> Outcome:  # type: ignore[no-untyped-def]
        """Start a job, see that the GUI is not blocked by it (the result comes later, the actions wait), and return
        the result once it is shown."""
        with qtbot.waitSignal(self.io.finished, timeout=WAIT_MS) as blocker:
            start()
            assert self.io.busy and not self.io.import_action.isEnabled() and not self.io.export_action.isEnabled()
        assert not self.io.busy and self.io.import_action.isEnabled()
        outcome = blocker.args[0]
        assert isinstance(outcome, Outcome)
        assert self.io.message_box is not None and self.io.message_box.text() == outcome.text
        return outcome


@pytest.fixture
def store(tmp_path: Path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def _rows(store: HistoryStore) -> list[EnergyInterval]:
    return store.intervals_of("greenbutton") + store.intervals_of("meter")


def test_import_through_the_action_runs_off_the_gui_thread_and_says_what_it_did(qtbot, store) -> None:
    app = Setup(qtbot, store)
    workers: list[str] = []
    original = store.add_intervals

    def add_intervals(intervals, **kwargs):  # type: ignore[no-untyped-def]
        workers.append(threading.current_thread().name)
        return original(intervals, **kwargs)

    store.add_intervals = add_intervals  # type: ignore[method-assign]  # records the thread; the real store writes
    app.chosen = sample(SDGE)

    def click() -> None:
        app.button("history-import").click()
        assert app.button("history-import").text() == "Importing\u2026"

    outcome = app.wait(qtbot, click)
    assert outcome.ok and outcome.lines == (SDGE_LINE,)
    assert app.button("history-import").text() == "Import\u2026"
    assert workers and all(name != threading.main_thread().name for name in workers)
    rows = _rows(store)
    assert len(rows) == 552 and sum(iv.imported_wh or 0 for iv in rows) == 351_425
    assert app.changed == [(dt.datetime(2019, 10, 1, tzinfo=dt.UTC), dt.datetime(2019, 10, 24, tzinfo=dt.UTC))]
    assert app.announced == [("history-transfer", "Green Button file imported", SDGE_LINE, "history")]


def test_importing_the_same_file_again_changes_nothing_and_says_so(qtbot, store) -> None:
    app = Setup(qtbot, store)
    app.chosen = sample(SDGE)
    app.wait(qtbot, app.io.import_action.trigger)
    before = _rows(store)
    outcome = app.wait(qtbot, app.io.import_action.trigger)
    assert outcome.ok
    assert outcome.lines == (SDGE_LINE, "The history already held all of these intervals: nothing changed.")
    assert _rows(store) == before
    assert len(app.changed) == 1  # only the first import asked the charts to redraw


def _drag(path: Path, *more: Path) -> tuple[QDragEnterEvent, QDropEvent, QMimeData]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in (path, *more)])
    enter = QDragEnterEvent(QPointF(20, 20).toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    return enter, drop, mime


def test_a_file_dropped_on_the_window_is_imported(qtbot, store) -> None:
    app = Setup(qtbot, store)
    assert app.window.acceptDrops()
    enter, drop, _mime = _drag(sample(SDGE))
    QApplication.sendEvent(app.window, enter)
    assert enter.isAccepted()
    outcome = app.wait(qtbot, lambda: QApplication.sendEvent(app.window, drop))
    assert drop.isAccepted()
    assert outcome.ok and outcome.lines == (SDGE_LINE,)
    assert len(_rows(store)) == 552


def test_several_files_or_a_folder_are_not_taken(qtbot, store, tmp_path: Path) -> None:
    app = Setup(qtbot, store)
    for enter, _drop, _mime in (_drag(sample(SDGE), sample("gas-direct.xml")), _drag(tmp_path)):
        enter.ignore()
        QApplication.sendEvent(app.window, enter)
        assert not enter.isAccepted()
    assert not app.io.busy and _rows(store) == []


def _hostile(tmp_path: Path) -> Path:
    text = sample(SDGE).read_text()
    return write(tmp_path / "laughs.xml", text.replace("<feed ", '<!DOCTYPE feed [<!ENTITY a "b">]><feed ', 1))


@pytest.mark.parametrize("kind", ["hostile", "not-green-button"])
def test_a_refused_file_gets_its_one_line_and_changes_nothing(qtbot, store, tmp_path: Path, kind: str) -> None:
    app = Setup(qtbot, store)
    app.chosen = sample("utilityapi-hourly-2023.xml")
    app.wait(qtbot, app.io.import_action.trigger)
    before, changes = _rows(store), list(app.changed)
    bad = _hostile(tmp_path) if kind == "hostile" else write(tmp_path / "usage.csv", "start,kWh\n")
    with pytest.raises(GreenButtonError) as refused:
        read_green_button(bad)
    expected = refused.value.user_message
    assert "\n" not in expected and bad.name in expected

    app.chosen = bad
    outcome = app.wait(qtbot, app.io.import_action.trigger)
    assert not outcome.ok and outcome.lines == (expected,)
    assert app.announced[-1] == ("history-transfer", "Green Button file not imported", expected, "history")
    assert _rows(store) == before and app.changed == changes


def test_without_a_history_store_import_and_export_say_why(qtbot) -> None:
    app = Setup(qtbot, None)
    app.chosen = sample(SDGE)
    app.io.import_action.trigger()
    assert app.io.message_box is not None and "history is not open yet" in app.io.message_box.text()
    app.io.export_action.trigger()
    assert app.io.export_dialog is None
    assert app.io.message_box is not None and "nothing to export" in app.io.message_box.text()


def test_an_empty_history_has_nothing_to_export(qtbot, store) -> None:
    app = Setup(qtbot, store)
    app.io.export_action.trigger()
    assert app.io.export_dialog is None
    assert app.io.message_box is not None and "holds no energy yet" in app.io.message_box.text()


def _fill(qtbot, app: Setup, store: HistoryStore) -> None:  # type: ignore[no-untyped-def]
    """Hourly imports from a file, and a day of the meter's 15-minute slots with export."""
    app.chosen = sample("utilityapi-hourly-2023.xml")
    app.wait(qtbot, app.io.import_action.trigger)
    meter_day = dt.datetime(2023, 3, 10, 6, tzinfo=dt.UTC)
    store.add_intervals([EnergyInterval(meter_day + dt.timedelta(minutes=15 * i), 900, 12.0 + i, 0.5 * i)
                         for i in range(96)])


def _export(qtbot, app: Setup, fmt: str, target: Path, days: tuple[dt.date, dt.date] | None = None) -> Outcome:  # type: ignore[no-untyped-def]
    app.io.export_action.trigger()
    dialog = app.io.export_dialog
    assert dialog is not None and dialog.isVisible()
    assert set(dialog.format_buttons) >= {"csv", "greenbutton"}  # the registry's formats
    dialog.set_format(fmt)
    if days is not None:
        dialog.set_days(*days)
    app.save_to = target
    return app.wait(qtbot, dialog.accept)


def _cli(capsys, *argv: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_export_dialog_defaults_to_what_the_history_holds(qtbot, store) -> None:
    app = Setup(qtbot, store)
    _fill(qtbot, app, store)
    app.io.export_action.trigger()
    dialog = app.io.export_dialog
    assert dialog is not None
    first, last = store.first_last() or (None, None)
    assert first is not None and last is not None
    home = app.shell.home_zone.zone  # days in the home zone (the default tariff's: Denver)
    assert dialog.choice()[1:] == (first.astimezone(home).date(), (last - dt.timedelta(seconds=1)).astimezone(home).date())
    dialog.set_days(dialog.held[1], dialog.held[0])  # from after to: said, and OK waits
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert "is after" in dialog.problem.text() and not dialog.problem.isHidden() and not ok.isEnabled()
    dialog.accept()
    assert dialog.isVisible()  # kept open until the days make sense
    dialog.reject()


def test_export_csv_is_what_the_cli_writes(qtbot, store, tmp_path: Path, capsys) -> None:
    app = Setup(qtbot, store)
    _fill(qtbot, app, store)
    days = (dt.date(2023, 3, 1), dt.date(2023, 3, 10))
    target = tmp_path / "out" / "history.csv"
    outcome = _export(qtbot, app, "csv", target, days)
    assert outcome.ok and outcome.lines[0].startswith("exported ")
    assert outcome.lines[0].endswith(f"intervals (2023-03-01 .. 2023-03-10) to {target}")
    code, cli_text = _cli(capsys, "history", "export", "--format", "csv", "--from", "2023-03-01", "--to",
                          "2023-03-10", "--db", str(store.path))
    assert code == 0 and target.read_text() == cli_text
    rows = cli_text.splitlines()
    assert rows[0] == "start,end,imported_wh,exported_wh" and len(rows) > 96
    assert f"exported {len(rows) - 1} intervals" in outcome.lines[0]


def test_export_green_button_validates_and_the_cli_imports_it_back(qtbot, store, tmp_path: Path, capsys) -> None:
    app = Setup(qtbot, store)
    _fill(qtbot, app, store)
    target = tmp_path / "history.xml"
    outcome = _export(qtbot, app, "greenbutton", target)
    assert outcome.ok and outcome.lines[0].startswith("exported 396 intervals")
    validator = schema()
    assert validator.validate(etree.parse(str(target))), validator.error_log.last_error
    again = tmp_path / "again.sqlite3"
    code, out = _cli(capsys, "history", "import", str(target), "--db", str(again))
    assert code == 0 and out.startswith("imported 396 intervals (2023-02-22T18:00:00Z .. 2023-03-11T06:00:00Z)")
    with HistoryStore(again) as copy:
        assert [(iv.start, iv.duration_s, iv.imported_wh, iv.exported_wh) for iv in copy.intervals()] == [
            (iv.start, iv.duration_s, iv.imported_wh, iv.exported_wh) for iv in store.intervals()]


def test_an_unwritable_target_is_said_and_nothing_is_left_half_written(qtbot, store, tmp_path: Path) -> None:
    app = Setup(qtbot, store)
    _fill(qtbot, app, store)
    blocked = write(tmp_path / "a-file", "not a folder")
    outcome = _export(qtbot, app, "csv", blocked / "history.csv")
    assert not outcome.ok and outcome.lines[0].startswith(f"{blocked / 'history.csv'} could not be written")
    assert "Choose another folder" in outcome.lines[0] and blocked.read_text() == "not a folder"


def test_install_adds_both_buttons(qtbot, store) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    shell = AppShell(window=window, events=SessionEvents(), owner=window)
    shell.provide_history(store)
    io = install(shell)
    names = {b.objectName() for b in window.findChildren(QToolButton)}
    assert {"window-action-history-import", "window-action-history-export"} <= names
    io.stop()


def test_the_app_installs_the_plugin_and_says_when_it_has_no_history(qtbot, qapp, tmp_path: Path, store) -> None:
    from xcelsior_desktop.app.application import XcelsiorApp
    from xcelsior_desktop.platform.settings import Settings

    app = XcelsiorApp(qapp, identity=None, settings=Settings(), settings_path=tmp_path / "settings.json")
    try:
        io = app.greenbutton
        names = {b.objectName() for b in app.window.findChildren(QToolButton)}
        assert {"window-action-history-import", "window-action-history-export"} <= names
        app.window.show()
        io.choose_open = lambda _parent: sample(SDGE)
        opened = app.shell.history
        app.shell.provide_history(None)  # a history that could not be opened: the app says so
        assert opened is not None  # the app itself opens one
        io.import_action.trigger()
        assert io.message_box is not None and "history is not open yet" in io.message_box.text()
        app.shell.provide_history(store)
        with qtbot.waitSignal(io.finished, timeout=WAIT_MS) as blocker:
            io.import_action.trigger()
        assert blocker.args[0].lines == (SDGE_LINE,) and len(store.intervals()) == 552
    finally:
        app.shutdown()
