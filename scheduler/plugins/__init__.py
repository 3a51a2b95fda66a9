"""The in-tree scheduler plugins, one module per plugin, as Karmada's framework/plugins.

Each module defines ``NAME`` (the name users enable and disable in the
scheduler's plugin list, spelled as Karmada's), the plugin class and
``new()``; `scheduler.framework.registry` maps names to ``new``. Plugins
derive per-binding state in ``prepare`` (see `scheduler.framework.runtime`)
so that the per-cluster ``filter`` / ``score`` calls only compare.

`scale_to_max` lives here because two score plugins normalize the same way,
as kube-scheduler's plugins/helper package does for its plugins.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.framework.interface import MAX_SCORE

__all__ = ["scale_to_max"]


def scale_to_max(values: Sequence[int]) -> list[int]:
    """Maps non-negative `values` onto 0..MAX_SCORE in proportion to the largest (which
    gets MAX_SCORE), rounding down; all zeros when no value is positive."""
    best = max(values, default=0)
    if best <= 0:
        return [0] * len(values)
    return [max(value, 0) * MAX_SCORE // best for value in values]
