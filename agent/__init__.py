"""The karmada-agent component (filled in by a later issue)."""
