"""First-run setup (certificate, Launchpad, meter, activation) and the certificate's lifecycle in the app."""

from __future__ import annotations

from typing import Any

from xcelsior_desktop.app.onboarding.in_app import OnboardingInApp, install

__all__ = ["OnboardingInApp", "SetupWizard", "install"]


def __getattr__(name: str) -> Any:
    if name == "SetupWizard":
        from xcelsior_desktop.app.onboarding.wizard import SetupWizard

        return SetupWizard
    raise AttributeError(name)
