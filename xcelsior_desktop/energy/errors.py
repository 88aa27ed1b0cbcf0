"""Errors of the history store, each with a sentence a user can act on (like ``meter/errors.py``)."""

from __future__ import annotations


class HistoryError(Exception):
    """Base class. ``str(err)`` is the technical detail; ``user_message`` says what happened and what to do next."""

    default_message = "The energy history could not be read or written."

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        super().__init__(detail or self.default_message)
        self.detail = detail
        self.user_message = user_message or self.default_message


class StoreUnavailable(HistoryError):
    """The store cannot be written (full disk, read-only file or folder, a folder in its place): the app goes on
    in memory. ``cause`` says which, and what to do (see file_check.unwritable_cause)."""

    def __init__(self, detail: str = "", *, user_message: str | None = None, cause: str | None = None) -> None:
        super().__init__(detail, user_message=user_message or (
            f"The energy history cannot be saved: {cause}" if cause else None))
        self.cause = cause

    default_message = (
        "The energy history cannot be saved (the disk is full or its folder is read-only). The app goes on "
        "showing live readings but keeps no history until there is room: free some disk space, then restart it."
    )


class StoreBusy(HistoryError):
    """Another program held the store's write lock for longer than the busy timeout."""

    default_message = (
        "The energy history is busy in another program (the app or 'history sync'). Try again in a minute."
    )


class StoreTooNew(HistoryError):
    """The file was written by a newer version of the app; this version must not touch it."""

    default_message = (
        "The energy history was saved by a newer version of Xcelsior Desktop. Update the app to read it; "
        "the file has been left as it is."
    )


class NotAHistoryStore(HistoryError):
    """The path holds something that is not an Xcelsior history file; it is left exactly as it is."""

    default_message = "That file is not an Xcelsior history file; it was left as it is."


class StoreDamaged(HistoryError):
    """A history file of ours that cannot be read (a read-only command never repairs it)."""

    default_message = (
        "The energy history file is damaged, so it cannot be read. It was left as it is: the app sets it aside "
        "and starts a new one when it next starts (or run 'xcelsior-desktop history sync')."
    )
