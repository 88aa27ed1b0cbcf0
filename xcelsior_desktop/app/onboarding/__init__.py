"""First-run setup (certificate, Launchpad, meter, activation) and the certificate's lifecycle in the app."""

from __future__ import annotations

__all__ = ["SetupWizard"]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name == "SetupWizard":
        from xcelsior_desktop.app.onboarding.wizard import SetupWizard

        return SetupWizard
    raise AttributeError(name)
