"""Work around a PySide6 reference-count bug that crashes long-running apps on Python < 3.12.

Observed with PySide6 6.12.0 on CPython 3.11: every call of a Qt method that returns nothing (``setText``,
``drawRect``, ``setInterval``, ...) decrements the reference count of ``None`` without having incremented it
(a binding written for 3.12+, where ``None`` is immortal). After a few hundred thousand such calls ``None``'s
count reaches zero and the interpreter aborts with "none_dealloc: deallocating None". The tray app makes
thousands of such calls per icon redraw, so it died after about a minute of 2-second polling.

``None`` is a static singleton that is never freed, so giving its count a very large head start is harmless
and makes the bug unreachable for the life of any process. We only do it when the bug is measured.
"""

from __future__ import annotations

import ctypes
import sys

HEAD_START = 1 << 40  # a million million void calls


def leaks_none() -> bool:
    """True when a void PySide6 call decrements None's reference count (measured, not assumed)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setObjectName("probe")
    return sys.getrefcount(None) - before <= -32


def install() -> bool:
    """Give None's reference count a head start if (and only if) this PySide6 has the bug. True if applied."""
    if not leaks_none():
        return False
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is the first field of every object
    if refcount.value < HEAD_START:
        refcount.value += HEAD_START
    return True
