"""What a user reads for each state of the meter connection: a title (tray tooltip, window) and the next step."""

from __future__ import annotations

from xcelsior_desktop.session.poller import State

# (title, next step) per state; the window adds times (since, next retry)
STATE_TEXT: dict[State, tuple[str, str]] = {
    State.NO_IDENTITY: (
        "Not set up",
        "This computer has no meter certificate yet. Choose Set up to create one and register it with Xcel Energy.",
    ),
    State.WAITING_REGISTRATION: (
        "Waiting for registration",
        "The meter does not accept this computer's certificate yet. Check that its LFDI is added in Xcel's "
        "Launchpad (Meters and Devices, Add a Device); activation takes minutes to several days. We keep trying.",
    ),
    State.LOCATING: (
        "Looking for the meter",
        "Searching the local network for the meter. If this takes more than a few minutes, enter its address "
        "in Settings (Launchpad or your router lists it).",
    ),
    State.CONNECTING: ("Connecting", "Contacting the meter."),
    State.CONNECTED: ("Connected", "Live readings are coming in."),
    State.BUSY: (
        "Meter busy",
        "Another program holds the meter's only connection. Close other meter apps (Home Assistant "
        "integrations, scripts); we try again every few seconds.",
    ),
    State.UNREACHABLE: (
        "Meter unreachable",
        "The meter does not answer. Check it is on your Wi-Fi and the address in Settings is right; "
        "reconnecting the meter's Wi-Fi from Launchpad often helps. We keep retrying.",
    ),
    State.CERT_REFUSED: (
        "Certificate refused",
        "The meter refused this computer's certificate, which it accepted before. It may have expired or been "
        "removed in Launchpad: check Meters and Devices, or run Set up to register again.",
    ),
    State.MISMATCH: (
        "Another device at the meter's address",
        "A different device now answers at the meter's address (its address probably changed). We are looking "
        "for the meter again; set its new address in Settings if you entered one by hand.",
    ),
    State.STALE: (
        "No fresh readings",
        "The meter is answering but no new value has arrived for a while. We keep trying; if it lasts, "
        "reconnect the meter's Wi-Fi from Launchpad.",
    ),
    State.PAUSED: ("Paused", "Polling is paused. Choose Resume to read the meter again."),
}
