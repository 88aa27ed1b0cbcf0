"""The history plug-in (:func:`install`): opens the store (``shell.history``), hands the meter session a
:class:`HistoryRecorder` (it stores every reading and reads the meter's 15-minute history through the session's one
connection), and adds the History tab. Stopped in the app's shutdown, after the meter thread.
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QLabel

from xcelsior_desktop.app.history.view import HistoryView
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.energy.chart_data import ChartDecorator
from xcelsior_desktop.energy.errors import HistoryError
from xcelsior_desktop.energy.opening import OpenedStore, demo_path, open_history
from xcelsior_desktop.energy.periods import View
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.commands import UseHistory
from xcelsior_desktop.session.events import DemandRead, RegistersRead
from xcelsior_desktop.session.history_recorder import HistoryRecorder
from xcelsior_desktop.session.target import NET, Role

log = logging.getLogger(__name__)

BACKFILL_NOTE = "Reading the meter's history (it keeps about 30 days); the charts fill in as it arrives."


class HistoryPlugin(QObject):
    changed = Signal()  # new slots stored (emitted on the meter thread, queued to the GUI)
    problem = Signal(str)  # the store refused a write (e.g. the disk filled up)

    def __init__(self, shell: AppShell, opened: OpenedStore) -> None:
        super().__init__(shell.owner)
        self.shell = shell
        self.store: HistoryStore = opened.store
        self.in_memory_notice = opened.in_memory_notice
        shell.provide_history(self.store)
        self.tz: dt.tzinfo = shell.home_zone.zone
        self.recorder = HistoryRecorder(self.store, shell.send, tz=self.tz, wall=shell.clock,
                                        on_change=self.changed.emit, on_problem=self.problem.emit)
        self.recorders: dict[Role, HistoryRecorder] = {NET: self.recorder}  # one per meter, each its own rows
        self.store.on_memory(self.problem.emit)  # the file stopped taking writes: this run goes on in memory
        self.view = HistoryView(self.store, tz=self.tz, now=self.recorder.meter_now)
        self.view.set_poll_interval(shell.settings.poll_interval_s)
        shell.on_settings_changed(self._on_settings)
        shell.add_window_tab("history", "History", self.view)
        tabs = shell.window.tabs
        tabs.tabBar().moveTab(tabs.indexOf(self.view), min(1, tabs.count() - 1))  # beside Live: the charts
        self.banner = QLabel()
        self.banner.setObjectName("history-banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#FEF3C7;color:#713F12;padding:8px;border-radius:6px;")
        self.banner.hide()
        shell.add_banner(self.banner)
        if opened.in_memory_notice:
            self._show_banner(opened.in_memory_notice)
        self._seed_live_chart()

        self.changed.connect(shell.history_changed)  # new slots: every figure drawn from the store, this tab's too
        shell.on_history_changed(self._refresh_if_shown)
        self.problem.connect(self._on_problem)
        shell.events.on(DemandRead, self._on_demand)
        shell.events.on(RegistersRead, self._on_registers)
        shell.window.tabs.currentChanged.connect(lambda _index: self._refresh_if_shown())
        shell.set_chart_sink(self.view.add_decorator)  # shell.add_chart_decorator: other plug-ins' shading
        shell.send(UseHistory(self.recorder))
        if shell.meters is not None:  # a solar meter's history too, on its own session and rows
            for role in shell.meters.roles():
                self._record(role)
            shell.meters.on_added(self._record)
        if opened.damaged_message:
            shell.announce("history", "Energy history set aside", opened.damaged_message, "history")
        self._stopped = False

    def _record(self, role: Role) -> None:
        """The recorder of another meter than the net one: its readings and 15-minute history, in its rows."""
        meters = self.shell.meters
        if role in self.recorders or meters is None:
            return
        recorder = HistoryRecorder(self.store.for_meter(role), lambda job: meters.send(role, job), tz=self.tz,
                                   wall=self.shell.clock, on_change=self.changed.emit, on_problem=self.problem.emit)
        self.recorders[role] = recorder
        meters.send(role, UseHistory(recorder))

    # -- hooks for other plug-ins ------------------------------------------------------------------

    def add_chart_decorator(self, decorator: ChartDecorator) -> None:
        """Shade stretches of the Day/Week/Month/Year charts and add hover lines (the cost plug-in's hook)."""
        self.view.add_decorator(decorator)

    # -- events (GUI thread) -----------------------------------------------------------------------

    def _on_settings(self, new: Settings) -> None:
        self.view.set_poll_interval(new.poll_interval_s)
        zone = self.shell.home_zone.zone
        if zone is not self.tz:  # days are counted in another zone from now on
            self.tz = self.view.tz = zone
            for recorder in self.recorders.values():
                recorder.tz = zone
            self._refresh_if_shown()

    def _seed_live_chart(self) -> None:
        """The Live tab's last hour comes from the store, so it survives a restart."""
        try:
            samples = self.store.live_demand(self.recorder.meter_now())
        except HistoryError as exc:
            log.warning("could not read the last hour of demand: %s", exc)
            return
        for sample in samples:
            self.shell.window.history.add(sample.at.timestamp(), sample.watts)

    def _shown(self) -> bool:
        return self.view.isVisible()

    def _refresh_if_shown(self) -> None:
        if self._shown():
            self.view.set_status_note(BACKFILL_NOTE if self.recorder.backfilling else "")
            self.view.refresh()

    def _on_demand(self, _event: DemandRead) -> None:
        if self.view.view is View.LIVE or self.recorder.backfilling:
            self._refresh_if_shown()

    def _on_registers(self, _event: RegistersRead) -> None:
        if self.view.view is not View.LIVE:
            self._refresh_if_shown()  # the open slot's estimate moved

    @Slot(str)
    def _on_problem(self, message: str) -> None:
        self._show_banner(message)

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    # -- stop --------------------------------------------------------------------------------------

    def stop(self) -> None:
        """After the meter thread has stopped: close the store (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self.shell.send(UseHistory(None))
        meters = self.shell.meters
        for role in self.recorders:
            if role != NET and meters is not None:
                meters.send(role, UseHistory(None))
        self.shell.provide_history(None)
        try:
            self.store.close()
        except HistoryError as exc:
            log.warning("closing the history store: %s", exc)


def install(shell: AppShell) -> HistoryPlugin:
    """Open the store (``shell.launch.history_path``, else the app's own or the demo's) and install the plug-in."""
    path = shell.launch.history_path or (demo_path() if shell.launch.demo else None)
    return HistoryPlugin(shell, open_history(path))
