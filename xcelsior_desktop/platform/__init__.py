"""This computer: per-OS folders, the settings and state files, the OS keyring, start at login. Qt-free."""
