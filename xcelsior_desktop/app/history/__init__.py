"""The history plug-in: the store in the app, the recorder on the meter session, the History tab."""

from xcelsior_desktop.app.history.plugin import HistoryPlugin, install

__all__ = ["HistoryPlugin", "install"]
