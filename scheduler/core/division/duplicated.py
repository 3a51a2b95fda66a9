"""Duplicated placement: every selected cluster runs the full replica count.

Kept as its own strategy module so `assign` dispatches over strategies uniformly.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.framework.types import ScoredCluster

__all__ = ["divide_duplicated"]


def divide_duplicated(replicas: int, clusters: Iterable[ScoredCluster]) -> dict[str, int]:
    """Every cluster gets all `replicas`."""
    return {cluster.name: replicas for cluster in clusters}
