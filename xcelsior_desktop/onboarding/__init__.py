"""The certificate's life, Qt-free: waiting for the meter to accept it (activation), renewing, exporting,
forgetting it. The Qt side is app/onboarding."""
