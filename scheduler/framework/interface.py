"""The two plugin extension points, as Karmada's framework.FilterPlugin and ScorePlugin.

A filter decides whether one cluster can take the binding at all; a score plugin
rates each feasible cluster 0-100 (after `normalize`), and the framework sums
the scores of every score plugin.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from scheduler.framework.types import BindingInfo, ClusterInfo, Result, ScoredCluster

__all__ = ["MAX_SCORE", "FilterPlugin", "ScorePlugin"]

MAX_SCORE = 100


class FilterPlugin(Protocol):
    name: ClassVar[str]

    def filter(self, binding: BindingInfo, cluster: ClusterInfo) -> Result:
        """SUCCESS if `cluster` may take `binding`, else UNSCHEDULABLE with a reason phrase."""
        ...


class ScorePlugin(Protocol):
    name: ClassVar[str]

    def score(self, binding: BindingInfo, cluster: ScoredCluster) -> int:
        """The raw score of one feasible cluster (its `available` is already estimated)."""
        ...

    def normalize(self, binding: BindingInfo, scores: list[int]) -> list[int]:
        """Maps the raw scores of every feasible cluster onto 0..MAX_SCORE, in order."""
        ...
