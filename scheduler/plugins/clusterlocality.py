"""ClusterLocality score: prefer the clusters that already hold the resource.

A cluster in the current result scores 100, any other 0 (Karmada's
clusterlocality), so rescheduling keeps replicas where they run unless
something else outweighs moving them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from scheduler.framework.interface import MAX_SCORE
from scheduler.framework.types import BindingInfo, ScoredCluster

if TYPE_CHECKING:
    from scheduler.framework.interface import ScorePlugin

__all__ = ["NAME", "ClusterLocality", "new"]

NAME: Final = "ClusterLocality"


class ClusterLocality:
    name: ClassVar[str] = NAME
    __slots__ = ()

    def score(self, binding: BindingInfo, cluster: ScoredCluster) -> int:
        return MAX_SCORE if cluster.info.name in binding.previous else 0

    def normalize(self, binding: BindingInfo, scores: list[int]) -> list[int]:
        return scores


def new() -> ClusterLocality:
    return ClusterLocality()


if TYPE_CHECKING:
    _: ScorePlugin = ClusterLocality()
