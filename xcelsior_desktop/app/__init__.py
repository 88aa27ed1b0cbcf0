"""The Qt tray app. Qt is imported only inside this package."""

from xcelsior_desktop.app import pyside_guard as _pyside_guard

_pyside_guard.install()  # before any Qt-heavy work: see the module for the PySide6 bug it works around
