""""Send history to Home Assistant" in the app: the Qt-free sender (home_assistant/history_sender.py) on its worker
thread, its outcome brought to the GUI thread, and the history's changes handed to it so later backfills follow."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from xcelsior_desktop.home_assistant.ha_settings import HomeAssistantSettings
from xcelsior_desktop.home_assistant.history_sender import HistorySender, SendOutcome
from xcelsior_desktop.home_assistant.history_upload import UploadReport, upload_with

if TYPE_CHECKING:
    from xcelsior_desktop.energy.store import HistoryStore
    from xcelsior_desktop.platform.settings import Settings


class HistoryToHomeAssistant(QObject):
    outcome = Signal(object)  # SendOutcome, on the GUI thread
    _from_worker = Signal(object)

    def __init__(self, settings: HomeAssistantSettings, *, store: Callable[[], HistoryStore | None],
                 meter_sfdi: Callable[[], int | None],
                 remember: Callable[[Callable[[Settings], None]], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._store = store
        self._meter_sfdi = meter_sfdi
        self._remember = remember  # the app's settings update, to keep "keep sending" across restarts
        self._asked: tuple[str, str | None] | None = None  # the page's address and typed token for the next send
        self.last: SendOutcome | None = None
        self._from_worker.connect(self._done)
        self._sender = HistorySender(self._send, self._emit, keep_sending=settings.keep_sending)

    def send_now(self, url: str | None = None, token: str | None = None) -> None:
        """Send now, to ``url`` with ``token`` (the page's fields; None: the saved ones)."""
        self._asked = (url if url is not None else self.settings.url, token)
        self._sender.send_now()

    def apply(self, settings: HomeAssistantSettings) -> None:
        self.settings = settings
        if not settings.url.strip():  # Home Assistant taken out of Settings: nothing to keep in step
            self._sender.keep_sending = False
        elif settings.keep_sending:
            self._sender.keep_sending = True

    @Slot()
    def history_changed(self) -> None:
        self._sender.history_changed()

    @property
    def busy(self) -> bool:
        return self._sender.busy

    def _send(self, since: dt.datetime | None) -> UploadReport:  # the worker thread
        asked, self._asked = self._asked, None
        url, token = asked if asked is not None and since is None else (self.settings.url, None)
        return upload_with(self._store(), url, token, sfdi=self._meter_sfdi(), since=since)

    def _emit(self, outcome: SendOutcome) -> None:
        with contextlib.suppress(RuntimeError):  # the app quit meanwhile
            self._from_worker.emit(outcome)

    @Slot(object)
    def _done(self, outcome: SendOutcome) -> None:
        self.last = outcome
        if outcome.ok and not self.settings.keep_sending and self._remember is not None:
            def keep(app_settings: Settings) -> None:
                current = HomeAssistantSettings.from_app_settings(app_settings)
                current.keep_sending = True
                current.store_in(app_settings)

            self.settings.keep_sending = True
            self._remember(keep)
        self.outcome.emit(outcome)

    def shutdown(self) -> None:
        self._sender.stop()
