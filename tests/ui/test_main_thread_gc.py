"""The app's cycle collector: automatic collection off, cycles freed by the GUI thread's timer."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from xcelsior_desktop.app.main_thread_gc import MainThreadCollector


class Node(QObject):
    pass


def test_cycles_holding_qt_objects_are_freed_on_the_gui_thread(qtbot):
    was = gc.isenabled()
    collector = MainThreadCollector(interval_ms=20)
    try:
        assert not gc.isenabled()
        destroyed_on: list[str] = []
        node = Node()
        node.me = node  # a cycle through the Python wrapper
        node.destroyed.connect(lambda *_: destroyed_on.append(threading.current_thread().name))
        gone = weakref.ref(node)
        del node
        for _ in range(max(gc.get_threshold()[0] * 2, 1500)):  # enough allocations to pass generation 0's threshold
            _ = [[]]
        worker = threading.Thread(target=lambda: [[[]] for _ in range(5000)], name="not-gui")
        worker.start()
        worker.join()  # a thread that allocates a lot never runs the collector now
        qtbot.waitUntil(lambda: gone() is None, timeout=5000)  # the GUI thread's timer collected it
        assert destroyed_on in ([], [threading.main_thread().name])
    finally:
        collector.stop()
    assert gc.isenabled() is was
