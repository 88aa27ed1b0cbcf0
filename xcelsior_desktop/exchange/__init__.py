"""Energy in and out of the app: Green Button files (import and export) and CSV. Qt-free."""
