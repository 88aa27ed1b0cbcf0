"""Desktop notifications for alerts, the in-app list of past alerts and the rules editor.

The rules and their logic live in :mod:`xcelsior_desktop.alerts` (Qt-free); this package delivers.
"""

from xcelsior_desktop.app.alerts.base import Notifier, NullNotifier
from xcelsior_desktop.app.alerts.factory import ChainNotifier, create_notifier
from xcelsior_desktop.app.alerts.wiring import install

__all__ = ["ChainNotifier", "Notifier", "NullNotifier", "create_notifier", "install"]
