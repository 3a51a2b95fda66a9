"""The scheduler's pure algorithm core: capacity estimation, spread selection, replica division."""
