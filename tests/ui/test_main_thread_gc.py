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
        kept: list[list[object]] = []
        worker = threading.Thread(target=lambda: kept.extend([] for _ in range(gc.get_threshold()[0] * 3)),
                                  name="not-gui")
        worker.start()
        worker.join()  # a thread that allocates past the threshold does not collect any more...
        assert gone() is not None
        qtbot.waitUntil(lambda: gone() is None, timeout=5000)  # ...the GUI thread's timer does
        assert destroyed_on in ([], [threading.main_thread().name])
    finally:
        collector.stop()
    assert gc.isenabled() is was
