"""karmada-controller-manager: turns templates and policies into objects running in member clusters."""
