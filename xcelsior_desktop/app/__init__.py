"""The Qt tray app. Qt is imported only inside this package."""
