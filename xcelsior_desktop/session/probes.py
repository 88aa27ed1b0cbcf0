"""A probe: one handshake with another identity (a new certificate waiting for activation, a renewal) through the
session's connection, because the meter serves one connection at a time.

Qt-free. The session closes its own client first, connects with the probe's identity, asks the meter who it is,
and closes again before polling goes on; the caller waits on ``probe.result`` (a Future) on its own thread.
"""

from __future__ import annotations

import logging

from xcelsior_desktop.session.commands import Probe
from xcelsior_desktop.session.connection import MeterClientLike, MeterConnection, SessionOptions

log = logging.getLogger(__name__)


def run_probe(probe: Probe, connection: MeterConnection, options: SessionOptions) -> None:
    """Run ``probe`` on the stepping thread, its outcome in ``probe.result``; nothing is sent when its caller had
    already given up."""
    if not probe.result.set_running_or_notify_cancel():
        return
    connection.drop()  # the meter serves one connection: ours must be closed before the probe's
    from xcelsior_desktop.meter.client import MeterClient

    client: MeterClientLike | None = None
    try:
        client = MeterClient(probe.host, probe.port, identity=probe.identity, meter_lfdi=probe.meter_lfdi,
                             connect_timeout=options.connect_timeout, handshake_timeout=options.handshake_timeout,
                             read_timeout=options.read_timeout)
        connection.set_in_flight(client)
        result = client.probe()
    except Exception as exc:  # noqa: BLE001 - handed to the waiting caller, who classifies it
        probe.result.set_exception(exc)
    else:
        probe.result.set_result(result)
    finally:
        connection.set_in_flight(None)
        connection.close(client)  # as for our own: the meter closes its side before we poll again
    accepted = not probe.result.exception() and probe.result.result().accepted
    log.info("probe for LFDI %s: %s", probe.identity.lfdi[:10],
             "accepted" if accepted else probe.result.exception() or "refused")
