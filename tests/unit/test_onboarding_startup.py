"""Unlocking the identity at launch: a passphrase file, an unusable keyring (never a silent plaintext fallback)."""

from __future__ import annotations

import keyring.backends.fail

from xcelsior_desktop.app.onboarding.startup import LOCKED_LATER, load_at_launch
from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.platform.secrets import IdentityStore


class Scripted:
    """Answers the launch questions from lists, and records what was asked."""

    def __init__(self, passphrases: list[str | None] = (), choices: list[str] = ()) -> None:
        self.passphrases, self.choices = list(passphrases), list(choices)
        self.asked: list[str] = []

    def passphrase(self, message: str) -> str | None:
        self.asked.append(message)
        return self.passphrases.pop(0)

    def keyring_problem(self, message: str) -> str:
        self.asked.append(message)
        return self.choices.pop(0)


def test_no_identity_means_setup():
    launch = load_at_launch(IdentityStore(), Scripted())
    assert launch.identity is None and launch.setup and launch.message is None


def test_keyring_identity_loads_without_questions():
    identity = generate_identity()
    IdentityStore().save(identity)
    asker = Scripted()
    launch = load_at_launch(IdentityStore(), asker)
    assert launch.identity is not None and launch.identity.lfdi == identity.lfdi and not launch.setup
    assert asker.asked == []


def test_encrypted_file_asks_until_the_passphrase_is_right_or_cancelled():
    identity = generate_identity()
    IdentityStore().save(identity, file_passphrase="correct horse")
    asker = Scripted(passphrases=["wrong one", "correct horse"])
    launch = load_at_launch(IdentityStore(), asker)
    assert launch.identity is not None and launch.identity.lfdi == identity.lfdi
    assert len(asker.asked) == 2 and "passphrase" in asker.asked[1].lower()
    cancelled = load_at_launch(IdentityStore(), Scripted(passphrases=[None]))
    assert cancelled.identity is None and cancelled.message == LOCKED_LATER and not cancelled.setup


def test_unusable_keyring_explains_and_offers_retry_or_an_encrypted_file(tmp_path):
    record = tmp_path / "record"
    IdentityStore(record_dir=record).save(generate_identity())  # saved while the keyring worked
    broken = IdentityStore(record_dir=record, backend=keyring.backends.fail.Keyring())
    asker = Scripted(choices=["retry", "file"])
    launch = load_at_launch(broken, asker)
    assert len(asker.asked) == 2 and "keyring" in asker.asked[0].lower()  # asked again after "retry"
    assert launch.identity is None and launch.setup  # the wizard opens; it offers the encrypted file
    assert "encrypted" in (launch.message or "")
    later = load_at_launch(broken, Scripted(choices=["later"]))
    assert later.identity is None and not later.setup and "keyring" in (later.message or "").lower()
    assert not any(p.suffix == ".pem" for p in tmp_path.rglob("*"))  # nothing written in the clear
