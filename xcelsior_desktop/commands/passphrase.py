"""Passphrases at the terminal for the command line: typed (hidden) or from ``$XCELSIOR_KEY_PASSPHRASE``.

The services never prompt; the CLI asks here and the GUI asks in its own dialogs. Without a terminal no prompt can
appear, so the error says to set the variable instead.
"""

from __future__ import annotations

import os
import sys

from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.platform.secrets import (
    MIN_PASSPHRASE_LEN,
    IdentityStore,
    PassphraseRequired,
    SecretsError,
    Slot,
    WeakPassphrase,
)

PASSPHRASE_ENV = "XCELSIOR_KEY_PASSPHRASE"


def can_prompt() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def ask_passphrase(prompt: str) -> str | None:
    """A passphrase from ``$XCELSIOR_KEY_PASSPHRASE`` (scripts) or typed at the terminal; None when neither."""
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if not can_prompt():
        return None
    import getpass

    return getpass.getpass(prompt)


def no_prompt_message(what: str) -> str:
    return (f"{what} No prompt can appear here (no terminal): set {PASSPHRASE_ENV} to the passphrase and run the "
            "command again.")


def ask_new_passphrase() -> str:
    """Ask twice for a new file passphrase (command line); raise WeakPassphrase/SecretsError on a bad answer."""
    first = ask_passphrase("New passphrase for the key file: ")
    if first is None:
        raise SecretsError("no passphrase", user_message=(
            f"Type a passphrase at the terminal, or set {PASSPHRASE_ENV}, to keep the key in an encrypted file."))
    if not os.environ.get(PASSPHRASE_ENV) and ask_passphrase("The same passphrase again: ") != first:
        raise SecretsError("passphrases differ", user_message="The two passphrases differ. Try again.")
    if len(first) < MIN_PASSPHRASE_LEN:
        raise WeakPassphrase(f"passphrase shorter than {MIN_PASSPHRASE_LEN}")
    return first


class CliIdentityStore(IdentityStore):
    """The store for the command line: asks for the file passphrase when the key is in an encrypted file.

    Set ``file_passphrase`` to save into an encrypted file instead of the keyring (``--encrypted-file``).
    """

    file_passphrase: str | None = None

    def load(self, slot: Slot = "current", *, passphrase: str | None = None) -> Identity | None:
        try:
            return super().load(slot, passphrase=passphrase)
        except PassphraseRequired as exc:
            typed = ask_passphrase(f"Passphrase for {self.file_path(slot)}: ")
            if typed is None:
                raise PassphraseRequired(str(exc), user_message=no_prompt_message(
                    "The private key is kept in an encrypted file and needs its passphrase.")) from exc
            return super().load(slot, passphrase=typed)

    def save(self, identity: Identity, slot: Slot = "current", *, file_passphrase: str | None = None) -> None:
        super().save(identity, slot, file_passphrase=file_passphrase or self.file_passphrase)
