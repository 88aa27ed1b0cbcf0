"""Settings in two phases: every page validates, then all commit together, or nothing changes.

A page (the General page, and one per plug-in) is a :class:`SettingsPage`:

1. :meth:`SettingsPage.validate` checks its fields and writes them into the edited copy of the settings. It has no
   other effect; a ValueError carries the sentence the dialog shows (and the dialog stays open, on that page).
2. When every page has validated, :meth:`SettingsPage.commit` stores what lives outside the settings file (a
   password in the keyring, the alert rules, the start-at-login entry) and returns how to undo it.
3. Then the settings file is saved. If a commit or the save fails, the commits made so far are undone and the
   dialog says why: the app, the keyring and the files are as they were.

Only after that do plug-ins learn of the change, all the same way: ``shell.on_settings_changed``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtWidgets import QWidget

from xcelsior_desktop.platform.settings import Settings

log = logging.getLogger(__name__)

Undo = Callable[[], None]


class SettingsPage(QWidget):
    """A page of the Settings dialog. Subclasses override :meth:`validate` and, if they keep anything outside
    the settings file, :meth:`commit`."""

    def validate(self, edited: Settings) -> None:
        """Check the fields and write them into ``edited`` (a copy); raise ValueError with a sentence for the
        user. No other effect: another page may still refuse."""

    def commit(self) -> Undo | None:
        """Every page validated: store what lives outside the settings file; return how to undo it (None:
        nothing to undo). Raise ValueError or OSError with a sentence for the user to stop the whole change."""
        return None

    def show_problem(self, text: str | None) -> None:
        """Where the page shows its own error, if it has a place for one (the dialog shows it too)."""


SettingsPageFactory = Callable[[Settings], SettingsPage]


@dataclass
class SettingsPages:
    """The settings pages plug-ins added, in order; the Settings dialog shows them after its own."""

    pages: list[tuple[str, SettingsPageFactory]] = field(default_factory=list)

    def add(self, title: str, factory: SettingsPageFactory) -> None:
        self.remove(title)
        self.pages.append((title, factory))

    def remove(self, title: str) -> None:
        self.pages[:] = [(t, f) for t, f in self.pages if t != title]

    def titles(self) -> list[str]:
        return [title for title, _ in self.pages]


class SettingsRefused(Exception):
    """A page refused its fields or a commit failed: ``page`` (None: saving the file) and the sentence."""

    def __init__(self, message: str, page: SettingsPage | None) -> None:
        super().__init__(message)
        self.page = page


def apply_pages(pages: Sequence[SettingsPage], edited: Settings, save: Callable[[Settings], None]) -> None:
    """Validate every page into ``edited``, commit them all, save; all or nothing. Raises SettingsRefused."""
    for page in pages:
        try:
            page.validate(edited)
        except ValueError as exc:
            page.show_problem(str(exc))
            raise SettingsRefused(str(exc), page) from None
        page.show_problem(None)
    undo: list[Undo] = []
    try:
        for page in pages:
            try:
                done = page.commit()
            except (ValueError, OSError) as exc:
                raise SettingsRefused(_sentence(exc), page) from None
            if done is not None:
                undo.append(done)
        try:
            save(edited)
        except OSError as exc:
            raise SettingsRefused(f"The settings could not be saved ({exc.strerror or exc}); nothing was changed. "
                                  "Check that the disk has space and the settings folder is writable.", None) from None
    except SettingsRefused:
        for step in reversed(undo):
            try:
                step()
            except Exception:  # noqa: BLE001 - undo as much as can be undone; the cause is what the user reads
                log.exception("undoing a settings page's change failed")
        raise


def _sentence(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}; nothing was changed."
    return str(exc)
