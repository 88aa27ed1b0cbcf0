"""Options several sub-commands share, written once so their help and parsing never drift apart."""

from __future__ import annotations

import argparse


def add_window_options(parser: argparse.ArgumentParser) -> None:
    """``--show`` and ``--debug``: the tray app's and the demo's."""
    parser.add_argument("--show", action="store_true", help="open the window at start")
    parser.add_argument("--debug", action="store_true", help="log debug details (never keys) to the log file")


def add_mqtt_option(parser: argparse.ArgumentParser) -> None:
    """``--mqtt URL``: publish to a broker for this run only. Parsed here, so a bad URL is a usage error; the value
    is a :class:`~xcelsior_desktop.home_assistant.broker_url.BrokerUrl` or None."""
    from xcelsior_desktop.home_assistant.broker_url import broker_url_argument

    parser.add_argument("--mqtt", metavar="URL", type=broker_url_argument,
                        help="publish readings to this MQTT broker for this run, with Home Assistant discovery: "
                             "mqtt://[user[:password]@]host[:port] or mqtts://... (a password here is visible to "
                             "other users of this computer; prefer Settings, which keeps it in the keyring)")
