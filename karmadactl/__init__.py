"""The karmadactl component (filled in by a later issue)."""
