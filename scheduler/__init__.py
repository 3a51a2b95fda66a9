"""The karmada-scheduler component (filled in by a later issue)."""
