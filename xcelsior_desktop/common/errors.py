"""The one base of every error a person may read: ``str(err)`` is the technical detail (for logs),
``err.user_message`` says what happened and what to do next.

The meter client (``meter.errors.MeterError``) and the key storage (``platform.secrets.SecretsError``) derive
from it, so a command or a dialog can report either the same way.
"""

from __future__ import annotations


class XcelsiorError(Exception):
    """Base class. Subclasses set ``default_message``; a raise site may give a more precise ``user_message``."""

    default_message = "Something went wrong."

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        super().__init__(detail or self.default_message)
        self.detail = detail
        self.user_message = user_message or self.default_message
