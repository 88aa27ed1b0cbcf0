"""Import... and Export... above the window's tabs, and a Green Button file dropped on the window.

The work runs on one worker thread (reading a year of 15-minute data takes a while); its :class:`Outcome` comes
back to the GUI thread through a queued signal, is shown in a message box and announced (notification + the Alerts
list). An import that changed the history tells the shell (``shell.history_changed``), so every figure drawn
from the store is drawn again.
One job at a time: the actions are disabled while one runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QDir, QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from xcelsior_desktop.app.greenbutton.export_dialog import ExportDialog, format_info
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.energy.errors import HistoryError
from xcelsior_desktop.exchange.transfer import (
    ExportRequest,
    Outcome,
    export_formats,
    export_history,
    import_green_button,
    local_days,
    no_history,
)
from xcelsior_desktop.session.target import PRODUCTION, Role

log = logging.getLogger(__name__)

HISTORY_VIEW = "history"  # the view a notification opens (the history plug-in's tab)
BUSY = "An import or export is already running. Wait for its result, then try again."
NO_DATA = "The history holds no energy yet, so there is nothing to export. Wait for the meter's readings or import " \
          "a Green Button file first."

# parent -> the chosen file, or None when the user cancelled
OpenChooser = Callable[[QWidget | None], Path | None]
# parent, suggested name, file filter -> the chosen file, or None
SaveChooser = Callable[[QWidget | None, str, str], Path | None]


MeterChooser = Callable[[QWidget | None, Path, list[tuple[Role, str]]], "Role | None"]


def choose_import_meter(parent: QWidget | None, path: Path, meters: list[tuple[Role, str]]) -> Role | None:
    """Whose history a file is, asked when the household has two meters (None: the user closed the question)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Whose energy is this file?",
                      f"{path.name}: which meter's history does it hold? Your utility's download is the net "
                      "meter's (from and to the grid); a solar installer's report may be the solar meter's.", parent=parent)
    buttons = [(box.addButton(label, QMessageBox.ButtonRole.AcceptRole), role) for role, label in meters]
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return next((role for button, role in buttons if button is clicked), None)


def choose_import_file(parent: QWidget | None) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Import a Green Button file", QDir.homePath(),
                                          "Green Button (*.xml *.zip);;All files (*)")
    return Path(name) if name else None


def choose_export_file(parent: QWidget | None, suggested: str, file_filter: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, "Export history", str(Path(QDir.homePath()) / suggested),
                                          f"{file_filter};;All files (*)")
    return Path(name) if name else None


def dropped_file(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> Path | None:
    """The one local file being dragged, or None (several files, a folder, a web address, text)."""
    mime = event.mimeData()
    urls = mime.urls() if mime is not None and mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return None if path.is_dir() else path


def _label(action: QAction, text: str) -> QAction:
    """Set the text, and the same as the button's text (Qt would drop the ellipsis that says a dialog follows)."""
    action.setText(text)
    action.setIconText(text)
    return action


class GreenButtonIO(QObject):
    """The plug-in: actions, the drop target, the worker thread and the result in words."""

    finished = Signal(Outcome)  # every Outcome, once shown (tests)
    _done = Signal(Outcome)  # from the worker thread (queued to the GUI thread)

    def __init__(self, shell: AppShell, *, choose_open: OpenChooser = choose_import_file,
                 choose_save: SaveChooser = choose_export_file, choose_meter: MeterChooser | None = None) -> None:
        super().__init__(shell.owner)
        self.choose_meter = choose_meter or choose_import_meter
        self.shell = shell
        self.choose_open = choose_open
        self.choose_save = choose_save
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="greenbutton")
        self._running: Future[Outcome] | None = None
        self.message_box: QMessageBox | None = None  # the last result shown
        self.last_outcome: Outcome | None = None
        self.export_dialog: ExportDialog | None = None
        self._done.connect(self._show, Qt.ConnectionType.QueuedConnection)

        self.import_action = _label(QAction(self), "Import\u2026")
        self.import_action.setObjectName("history-import")
        self.import_action.setToolTip("Bring in a Green Button file (your utility's 'Download My Data'), XML or ZIP; "
                                      "or drop the file on this window")
        self.import_action.triggered.connect(self.ask_import)
        self.export_action = _label(QAction(self), "Export\u2026")
        self.export_action.setObjectName("history-export")
        self.export_action.setToolTip("Write the history as CSV or Green Button")
        self.export_action.triggered.connect(self.ask_export)
        shell.add_window_action(self.import_action)
        shell.add_window_action(self.export_action)
        shell.window.setAcceptDrops(True)
        shell.window.installEventFilter(self)

    # -- import ------------------------------------------------------------------------------------

    @Slot()
    def ask_import(self) -> None:
        path = self.choose_open(self.shell.dialog_parent())
        if path is not None:
            self.import_file(path)

    def import_file(self, path: Path) -> None:
        """Import ``path`` on the worker thread; the result is shown when it is done. With a solar meter too, the
        user says whose the file is (a utility's download is the net meter's; an installer's may be the solar's)."""
        store = self.shell.history
        if store is None:
            self._show(no_history("import"))
            return
        meters = self.shell.meters
        if meters is not None and meters.has(PRODUCTION):
            role = self.choose_meter(self.shell.dialog_parent(), path,
                                     [(role, meters.target(role).label) for role in meters.roles()])
            if role is None:
                return  # the user closed the question: nothing imported
            store = store.for_meter(role)
        chosen = store
        self._start(lambda: import_green_button(path, chosen), "import")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if watched is self.shell.window and event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDragMoveEvent)
            if dropped_file(event) is not None:
                event.acceptProposedAction()
                return True
        elif watched is self.shell.window and event.type() == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            path = dropped_file(event)
            if path is not None:
                event.acceptProposedAction()
                self.import_file(path)
                return True
        return super().eventFilter(watched, event)

    # -- export ------------------------------------------------------------------------------------

    @Slot()
    def ask_export(self) -> None:
        """The Export dialog (days and format), then the save dialog, then the export on the worker thread."""
        store = self.shell.history
        if store is None:
            self._show(no_history("export"))
            return
        try:
            span = store.first_last()
        except HistoryError as exc:  # busy in another program, or unreadable: say so, the user can try again
            self._show(Outcome(False, "History not exported", (exc.user_message,)))
            return
        if span is None:
            self._show(Outcome(False, "Nothing exported", (NO_DATA,)))
            return
        first, last = local_days(span, self.shell.home_zone.zone)  # days in the home zone, as every figure
        dialog = ExportDialog(export_formats(), first, last, self.shell.dialog_parent())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._export_chosen(dialog))
        dialog.destroyed.connect(lambda *_: self._forget_dialog(dialog))
        self.export_dialog = dialog
        dialog.open()

    def _forget_dialog(self, dialog: ExportDialog) -> None:
        if self.export_dialog is dialog:
            self.export_dialog = None

    def _export_chosen(self, dialog: ExportDialog) -> None:
        fmt, first, last = dialog.choice()
        info = format_info(fmt)
        suggested = f"xcelsior-history-{first.isoformat()}-to-{last.isoformat()}{info.suffix}"
        path = self.choose_save(self.shell.dialog_parent(), suggested, info.file_filter)
        if path is None:
            return
        store = self.shell.history
        request = ExportRequest(fmt, first, last, path, tz=self.shell.home_zone.zone)
        self._start(lambda: export_history(request, store), "export")

    # -- the worker and the result -----------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._running is not None

    def _start(self, job: Callable[[], Outcome], what: str) -> None:
        if self._running is not None:
            self._show(Outcome(False, f"Not started: {what}", (BUSY,)), announce=False)
            return
        self._set_running(what)

        def run() -> Outcome:
            try:
                return job()
            except Exception as exc:  # a bug, not bad input: say so rather than lose the result silently
                log.exception("%s failed", what)
                return Outcome(False, f"The {what} failed", (
                    f"An unexpected error stopped the {what} ({type(exc).__name__}: {exc}); nothing was changed. "
                    "Try again; if it happens again, report it with the log file (About shows where it is).",))

        future = self._pool.submit(run)
        self._running = future
        future.add_done_callback(lambda done: self._done.emit(done.result()))

    def _set_running(self, what: str | None) -> None:
        """While a job runs both actions wait, and the running one says so on its button."""
        self.import_action.setEnabled(what is None)
        self.export_action.setEnabled(what is None)
        _label(self.import_action, "Importing\u2026" if what == "import" else "Import\u2026")
        _label(self.export_action, "Exporting\u2026" if what == "export" else "Export\u2026")

    @Slot(Outcome)
    def _show(self, outcome: Outcome, *, announce: bool = True) -> None:
        self.last_outcome = outcome
        if self._running is not None and self._running.done():
            self._running = None
            self._set_running(None)
        icon = QMessageBox.Icon.Information if outcome.ok else QMessageBox.Icon.Warning
        box = QMessageBox(icon, outcome.title, outcome.text, QMessageBox.StandardButton.Ok,
                          self.shell.dialog_parent())
        box.setObjectName("history-io-result")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(False)
        if self.message_box is not None:
            self.message_box.close()
        self.message_box = box
        box.destroyed.connect(lambda *_: self._forget_box(box))
        box.show()
        if announce:
            self.shell.announce("history-transfer", outcome.title, outcome.text, HISTORY_VIEW)
        if outcome.changed:
            self.shell.history_changed()  # the charts, cost and totals are drawn again from the store
        self.finished.emit(outcome)

    def _forget_box(self, box: QMessageBox) -> None:
        if self.message_box is box:
            self.message_box = None

    def stop(self) -> None:
        """Wait for a running import or export (it holds the history store), then stop the worker thread."""
        self._pool.shutdown(wait=True)


def install(shell: AppShell) -> GreenButtonIO:
    """Import... and Export... of the history. The store is read from ``shell.history`` when a job starts, so it
    may be opened (or replaced) after this call."""
    return GreenButtonIO(shell)
