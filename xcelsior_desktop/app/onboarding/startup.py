"""Unlocking the stored identity when the app starts: passphrase files, a locked or missing keyring.

Never a silent fallback: when the keyring cannot be used the user is told why and chooses to try again, to set up
with the key in a passphrase-encrypted file (the wizard offers that when the keyring is unusable), or to go on
without an identity for now. The questions go through an :class:`Asker` so tests can answer them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Protocol

from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.platform.secrets import (
    IdentityStore,
    PassphraseRequired,
    SecretsError,
    SecretsUnavailable,
    WrongPassphrase,
)

log = logging.getLogger(__name__)

Choice = Literal["retry", "file", "later"]

LOCKED_LATER = ("The certificate's private key is still locked, so the meter cannot be read. Choose Set up… in the "
                "tray menu to unlock it, or restart Xcelsior Desktop.")
FILE_HINT = (" In the setup that opens, tick \u201cKeep the key in a file encrypted with a passphrase I choose\u201d: "
             "the key is then never stored unencrypted.")


@dataclass(frozen=True)
class LaunchIdentity:
    identity: Identity | None
    message: str | None  # for the window's notice (why there is no identity)
    setup: bool  # open the setup wizard now


class Asker(Protocol):
    def passphrase(self, message: str) -> str | None: ...

    def keyring_problem(self, message: str) -> Choice: ...


def load_at_launch(store: IdentityStore, asker: Asker, *, max_rounds: int = 20) -> LaunchIdentity:
    """The stored identity, asking for what is needed to unlock it."""
    passphrase: str | None = None
    for _ in range(max_rounds):
        try:
            identity = store.load(passphrase=passphrase)
        except (PassphraseRequired, WrongPassphrase) as exc:
            passphrase = asker.passphrase(exc.user_message)
            if passphrase is None:
                return LaunchIdentity(None, LOCKED_LATER, setup=False)
            continue
        except SecretsUnavailable as exc:  # also KeyringLocked
            log.warning("keyring unusable at start: %s", exc)
            choice = asker.keyring_problem(exc.user_message)
            if choice == "retry":
                continue
            if choice == "file":
                return LaunchIdentity(None, exc.user_message + FILE_HINT, setup=True)
            return LaunchIdentity(None, exc.user_message, setup=False)
        except SecretsError as exc:  # damaged or incomplete: set up again
            log.warning("stored identity unusable: %s", exc)
            return LaunchIdentity(None, exc.user_message, setup=True)
        return LaunchIdentity(identity, None, setup=identity is None)
    return LaunchIdentity(None, LOCKED_LATER, setup=False)


class DialogAsker:
    """The questions as dialogs (before the event loop runs: they are modal)."""

    def passphrase(self, message: str) -> str | None:
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        text, ok = QInputDialog.getText(None, "Unlock the private key", message, QLineEdit.EchoMode.Password)
        return text if ok else None

    def keyring_problem(self, message: str) -> Choice:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, "Xcelsior Desktop: the keyring cannot be used", message)
        retry = box.addButton("Try again", QMessageBox.ButtonRole.AcceptRole)
        use_file = box.addButton("Set up with an encrypted file\u2026", QMessageBox.ButtonRole.ActionRole)
        later = box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(retry)
        box.exec()
        clicked = box.clickedButton()
        if clicked is retry:
            return "retry"
        if clicked is use_file:
            return "file"
        assert clicked is later or clicked is None
        return "later"
