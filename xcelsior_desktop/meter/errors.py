"""Errors named after what the caller must do, each with a sentence a user can act on.

Every error raised by the meter package is a :class:`MeterError`, an :class:`~xcelsior_desktop.common.errors.XcelsiorError`
like the key storage's errors. ``str(err)`` is the technical detail (for logs); ``err.user_message`` is what to
show a person, including the next step.
"""

from __future__ import annotations

from xcelsior_desktop.common.errors import XcelsiorError


class MeterError(XcelsiorError):
    """Base class of the meter package. ``user_message`` says what happened and what to do next."""

    default_message = "Something went wrong talking to the meter."


class IdentityError(MeterError):
    """A certificate or key is unusable (wrong curve, mismatched pair, expired, not PEM, ...)."""

    default_message = "This certificate or key cannot be used with the meter."


class CertificateRefused(MeterError):
    """The meter rejected our certificate in the handshake: the user must register (or re-register) its LFDI."""

    default_message = (
        "The meter refused this computer's certificate. Register its LFDI in Xcel Energy's Launchpad "
        "(Meters and Devices, Add a Device); activation can take from minutes to several days."
    )


class Unreachable(MeterError):
    """Nothing answered in time (refused, timed out, no route). Back off and retry."""

    default_message = (
        "The meter did not answer. Check that it is on your Wi-Fi and that the address is right, "
        "then try again in a minute."
    )


class MeterBusy(MeterError):
    """Another client holds the meter's only TLS connection. Back off and tell the user."""

    default_message = (
        "The meter is busy serving another program (it allows one connection at a time). Close other "
        "meter apps such as Home Assistant integrations or scripts, then try again."
    )


class IdentityMismatch(MeterError):
    """The device at the address is not the meter we pinned: locate the meter again."""

    default_message = (
        "Another device now answers at the meter's address (its identity does not match). "
        "Find the meter again (automatic discovery, or its new address from your router)."
    )

    def __init__(self, detail: str = "", *, expected: str = "", found: str = "", user_message: str | None = None):
        super().__init__(detail, user_message=user_message)
        self.expected = expected
        self.found = found


class ProtocolError(MeterError):
    """The meter answered something that is not what IEEE 2030.5 says (garbage, truncated, oversized)."""

    default_message = (
        "The meter sent an answer that could not be understood. This is usually temporary: try again in a "
        "minute. If it persists, restart the meter's Wi-Fi connection from Xcel's Launchpad."
    )


class ResourceMissing(ProtocolError):
    """The meter answered 404 for a resource it linked to (its layout changed): rebuild the profile."""

    default_message = (
        "The meter no longer offers a reading it listed before; its layout is read again on the next try. "
        "If this persists, the meter's firmware may have changed: try again later."
    )


class ReadTimeout(Unreachable):
    """Connected (TCP and TLS worked) but the meter did not answer a request in time: its agent stalled.
    Retry soon on a new connection; this is not the meter being away."""

    default_message = (
        "The meter accepted the connection but did not answer a request in time; it is probably overloaded "
        "for a moment; a new try a few seconds later usually works."
    )


class HandshakeTimeout(Unreachable):
    """The meter's port accepted TCP but the secure handshake never completed (its agent hangs, or it is
    overloaded). A plain TCP probe says nothing here: only another handshake tells when it is back."""


class ConnectionDropped(Unreachable):
    """The meter closed a connection it had just accepted before answering: its agent is struggling. Pause,
    then retry; a new connection at once would most likely meet the same."""

    default_message = (
        "The meter accepted the connection but closed it without answering; it is probably overloaded for a "
        "moment; a new try a few seconds later usually works."
    )


class AnswerCutOff(ProtocolError):
    """The meter broke off an answer in the middle (a reset mid-body) on a connection it had just accepted."""

    default_message = (
        "The meter broke off its answer in the middle; it is probably overloaded for a moment; a new try a few "
        "seconds later usually works."
    )
