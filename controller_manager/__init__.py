"""The karmada-controller-manager component (filled in by a later issue)."""
