"""Start Xvfb on a free display (it picks the number and reports it through -displayfd).

Used by the e2e tests, the D-Bus notification test and ``bench/app.py``; with the X tools they share: trayer as the
tray, the window tree, the icons docked in trayer, and how far a capture is from blank.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path


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


def start_trayer(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """trayer (an XEMBED system tray, like a Linux panel) docked at the top right of ``env``'s display."""
    return subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32",
         "--tint", "0x202124", "--transparent", "true", "--alpha", "0", "--SetDockType", "true"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def window_tree(env: dict[str, str]) -> str:
    """``xwininfo -root -tree``: every window on the display, nested by indentation."""
    return subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True, check=False).stdout


_GEOMETRY = re.compile(r"(0x[0-9a-f]+) (.*?)(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)\s*$")


def docked_windows(env: dict[str, str]) -> list[tuple[str, str, int, int, int, int]]:
    """Windows embedded in trayer's panel (XEMBED tray icons): (id, the rest of xwininfo's line with the window's
    name, width, height, x, y), positions in root coordinates."""
    found = []
    indent = None
    for line in window_tree(env).splitlines():
        depth = len(line) - len(line.lstrip())
        if '"panel"' in line and "trayer" in line:
            indent = depth
            continue
        if indent is not None:
            if depth <= indent:
                indent = None
                continue
            m = _GEOMETRY.search(line)
            if m:
                found.append((m.group(1), m.group(2), *(int(m.group(i)) for i in range(3, 7))))
    return found


def gray_deviation(path: Path) -> float:
    """The standard deviation of a PNG's grey levels (0..1): near 0 for a blank or one-colour capture."""
    out = subprocess.run(["convert", str(path), "-colorspace", "Gray", "-format", "%[fx:standard_deviation]", "info:"],
                         capture_output=True, text=True, check=True).stdout
    return float(out)
