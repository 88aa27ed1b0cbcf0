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
    """The store cannot be written (full disk, read-only folder, no permission): the app goes on in memory."""

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
