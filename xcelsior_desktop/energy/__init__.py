"""The local energy history: the store (SQLite), the meter backfill and the chart periods. Qt-free."""
