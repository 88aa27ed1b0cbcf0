"""What can go wrong keeping the private key, each with a sentence for the user (an XcelsiorError)."""

from __future__ import annotations

from xcelsior_desktop.common.errors import XcelsiorError

MIN_PASSPHRASE_LEN = 8


class SecretsError(XcelsiorError):
    """Base class; ``str(err)`` is the technical detail, ``user_message`` what to tell a person."""

    default_message = "The certificate's private key could not be stored or read."


class SecretsUnavailable(SecretsError):
    """No usable keyring. Offer to retry, or to keep the key in a passphrase-encrypted file."""

    default_message = (
        "No keyring is available to keep the certificate's private key safe. Start your desktop's keyring "
        "(GNOME Keyring or KWallet on Linux) and try again, or keep the key in a file encrypted with a "
        "passphrase you choose."
    )


class KeyringLocked(SecretsUnavailable):
    """The keyring is locked and was not unlocked (prompt dismissed or impossible)."""

    default_message = (
        "Your keyring is locked. Unlock it (your desktop asks for your login password) and try again."
    )


class PassphraseRequired(SecretsError):
    default_message = "The private key is kept in an encrypted file. Enter its passphrase to unlock it."


class WrongPassphrase(SecretsError):
    default_message = "That passphrase does not unlock the private key. Try again."


class WeakPassphrase(SecretsError):
    default_message = f"Choose a passphrase of at least {MIN_PASSPHRASE_LEN} characters."


class StoredIdentityDamaged(SecretsError):
    default_message = (
        "The stored certificate and key are damaged or incomplete. Forget this identity and set it up again "
        "(import a backup, or create a new one and register its LFDI)."
    )
