"""The certificate's life after setup: expiry warnings, renewal, forgetting and exporting. Qt-free.

An expired certificate stops working silently (docs/meter-protocol.md, section 1), so the app warns 30 and 7 days ahead: the
window's banner uses :func:`expiry_status` here; the desktop notification comes from the alerts engine's certificate
rule (``alerts``), the one place that notifies, so the user is never told twice.
Renewal never leaves the user without a working identity: the new one waits in the store's ``pending`` slot while
the old one keeps reading the meter; only when the meter accepts the new certificate do we switch and drop the old.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from xcelsior_desktop.common.atomic_file import write_bytes_atomic
from xcelsior_desktop.meter.identity import Identity, generate_identity
from xcelsior_desktop.platform.secrets import IdentityStore, days_left_from_record

WARN_DAYS = (30, 7)
Level = Literal["ok", "soon", "urgent", "expired"]

EXPORT_WARNING = (
    "The exported key file lets anyone who has it read your meter as this computer. Keep it somewhere private "
    "(an encrypted backup or a password manager), never email it or put it in a shared folder, and delete copies "
    "you no longer need. Protect it with a passphrase unless the other program cannot use one."
)
FORGET_WARNING = (
    "Forgetting removes the certificate and private key from this computer. The app can no longer read the meter "
    "until you import a backup or create a new identity and register its new LFDI in Xcel's Launchpad, which can "
    "take days. This cannot be undone."
)


@dataclass(frozen=True)
class ExpiryStatus:
    level: Level
    days_left: float
    not_after: dt.datetime | None
    threshold: int | None  # the warning threshold crossed (30 or 7), None when ok or expired

    @property
    def needs_attention(self) -> bool:
        return self.level != "ok"

    @property
    def message(self) -> str:
        na = self.not_after
        date = f" on {na:%B} {na.day}, {na.year}" if na else ""
        if self.level == "expired":
            return (f"This computer's certificate expired{date}; the meter now refuses it. Renew it: make a new "
                    "certificate and register its LFDI in Xcel's Launchpad.")
        days = max(1, math.ceil(self.days_left))  # as the alerts engine counts, so both say the same
        when = "tomorrow" if days == 1 else f"in {days} days"
        text = f"This computer's certificate expires {when}{date}. "
        if self.level == "urgent":
            return text + ("Renew it now: Xcel's activation of the new certificate can take days, and the meter "
                           "stops answering when the old one expires.")
        return text + "Renew it soon; the old one keeps working until the meter accepts the new one."


def expiry_status(not_after: dt.datetime | None, now: dt.datetime | None = None) -> ExpiryStatus:
    """How urgent renewal is: ok (> 30 days), soon (<= 30), urgent (<= 7), expired."""
    if not_after is None:
        return ExpiryStatus("ok", float("inf"), None, None)
    now = now or dt.datetime.now(dt.UTC)
    days = (not_after - now).total_seconds() / 86400.0
    if days <= 0:
        return ExpiryStatus("expired", days, not_after, None)
    if days <= WARN_DAYS[1]:
        return ExpiryStatus("urgent", days, not_after, WARN_DAYS[1])
    if days <= WARN_DAYS[0]:
        return ExpiryStatus("soon", days, not_after, WARN_DAYS[0])
    return ExpiryStatus("ok", days, not_after, None)


def stored_expiry(store: IdentityStore, now: dt.datetime | None = None) -> ExpiryStatus | None:
    """Expiry of the stored current certificate, read from the record (no keyring unlock needed)."""
    summary = store.summary("current")
    if summary is None:
        return None
    if days_left_from_record(summary, now) is None:
        return None
    return expiry_status(dt.datetime.fromisoformat(str(summary["not_after"])), now)


# -- renewal --------------------------------------------------------------------------------------


class ProbeLike(Protocol):
    accepted: bool
    error: BaseException | None


RenewalPhase = Literal["none", "waiting", "switched"]


def renewal_phase(store: IdentityStore) -> RenewalPhase:
    return "waiting" if store.has_identity("pending") else "none"


def start_renewal(store: IdentityStore, *, passphrase: str | None = None,
                  make: Callable[[], Identity] = generate_identity) -> Identity:
    """Make a new identity and keep it beside the current one (which stays in use) until the meter accepts it.

    Starting again while a renewal waits keeps the pending identity (its LFDI may already be registered).
    """
    existing = store.load("pending", passphrase=passphrase)
    if existing is not None:
        return existing
    new = make()
    store.save(new, "pending", file_passphrase=passphrase if store.storage == "encrypted-file" else None)
    return new


def check_renewal(store: IdentityStore, probe: Callable[[Identity], ProbeLike], *,
                  passphrase: str | None = None) -> tuple[RenewalPhase, Any]:
    """Probe the meter with the pending identity; when accepted, make it current and drop the old one.

    ``probe`` is e.g. ``lambda ident: MeterClient(host, port, identity=ident, meter_lfdi=pinned).probe()``.
    Returns the phase and the probe result.
    """
    pending = store.load("pending", passphrase=passphrase)
    if pending is None:
        return "none", None
    result = probe(pending)
    if result.accepted:
        store.promote_pending(passphrase=passphrase)
        return "switched", result
    return "waiting", result


def cancel_renewal(store: IdentityStore) -> None:
    store.delete("pending")


def forget(store: IdentityStore, *, extra_state: list[Path] | None = None) -> None:
    """Remove the current and pending identities (the caller has confirmed with :data:`FORGET_WARNING`)."""
    store.delete("pending")
    store.delete("current")
    for path in extra_state or []:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# -- export ---------------------------------------------------------------------------------------


def export_identity(identity: Identity, cert_path: Path, key_path: Path | None, *,
                    passphrase: str | None = None, overwrite: bool = False) -> list[Path]:
    """Write the certificate (and the key, encrypted when a passphrase is given) as PEM files.

    The key file has mode 0600 from its first byte. Existing files are kept unless ``overwrite``.
    """
    targets = [(cert_path, identity.cert_pem, 0o644)]
    if key_path is not None:
        key_pem = identity.encrypted_key_pem(passphrase.encode("utf-8")) if passphrase else identity.key_pem
        targets.append((key_path, key_pem, 0o600))
    for path, _, _ in targets:
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} already exists; choose another name or allow overwriting")
    written = []
    for path, data, mode in targets:
        # atomic and 0600 from the first byte: overwriting a 0644 file never exposes the key in it
        write_bytes_atomic(path, data, mode=mode)
        written.append(path)
    return written
