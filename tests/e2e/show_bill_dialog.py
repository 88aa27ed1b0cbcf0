"""Show "Compare with my bill" over the demo household's history, with a bill typed in and compared, print the
dialog's X window id, and wait to be terminated (``tests/e2e/test_bill_dialog_e2e.py`` takes its picture).
Usage: ``python -m tests.e2e.show_bill_dialog DB``."""

from __future__ import annotations

import datetime as dt
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from xcelsior_desktop.app.cost.bill_dialog import BillDialog
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.money import load_preset
from xcelsior_desktop.money.bill_check import compare

BILL = {"on-peak": ("91.2", "20.97"), "off-peak": ("243.4", "34.80")}  # the figures a user types from a bill


def main(db: str) -> int:
    qapp = QApplication([sys.argv[0]])
    tariff = load_preset("xcel-co-tou")
    store = HistoryStore(db)
    now = dt.datetime(2026, 11, 20, 12, tzinfo=tariff.zone)
    dialog = BillDialog(tariff, lambda bill: compare(bill, tariff, store, zone=tariff.zone, now=now,
                                                     cycle_start_day=15),
                        today=now.date(), cycle_start_day=15)
    for period, (kwh, charge) in BILL.items():
        dialog.set_line(period, kwh, charge)
    dialog.run_compare()
    dialog.show()
    QTimer.singleShot(300, lambda: print(f"dialog {int(dialog.winId()):#x}", flush=True))
    return qapp.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
