"""Start Xvfb on a free display (it picks the number and reports it through -displayfd).

Used by the e2e tests, the D-Bus notification test and ``bench/app.py``.
"""

from __future__ import annotations

import os
import subprocess


def start_xvfb(screen: str = "1024x768x24") -> tuple[subprocess.Popen[bytes], str]:
    """Return the Xvfb process and its ``DISPLAY`` value (``":N"``); the caller terminates the process."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    number = b""
    with os.fdopen(read_fd, "rb") as pipe:
        while not number.endswith(b"\n"):
            chunk = pipe.read(1)
            if not chunk:
                break
            number += chunk
    if not number.strip().isdigit():
        xvfb.kill()
        raise RuntimeError("Xvfb did not report its display number")
    return xvfb, f":{number.decode().strip()}"
