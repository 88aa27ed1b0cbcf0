"""The PySide6 None-refcount workaround: with it, heavy void-call use cannot exhaust None's count."""

import sys

from PySide6.QtCore import QObject

from xcelsior_desktop.app import pyside_guard


def test_void_calls_cannot_exhaust_none(qapp):
    pyside_guard.install()  # idempotent; the app package already ran it on import
    obj = QObject()
    for _ in range(200_000):  # more than None's normal count on CPython 3.11: this aborted without the guard
        obj.setObjectName("x")
    if pyside_guard.leaks_none():
        assert sys.getrefcount(None) > pyside_guard.HEAD_START // 2
