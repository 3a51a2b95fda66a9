"""AvailableReplicas score: prefer the clusters with room for more replicas of the binding.

Karmada had this plugin in-tree under the same name (later removed) and today
scores clusters by locality only, using capacity just to break ties. Users
asked for real scoring (reference section 8), so here it is enabled by default:
when spread constraints must pick some clusters out of many, the ones with
room for the workload win. Disable it with `--plugins=*,-AvailableReplicas`.

A cluster's raw score is its estimated available replicas
(`ScoredCluster.available`). Normalization is proportional to the largest
finite estimate, which scores 100: 40 and 80 available score 50 and 100, and
equal estimates all score 100 (Karmada's old plugin spread min..max over
0..100, which makes 99 and 100 available score 0 and 100). MAX_REPLICAS means
no estimate limited the cluster; such a cluster scores 100 and is left out of
the scaling, so a single unlimited cluster does not push every estimated
cluster to 0. Negative estimates count as 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from scheduler.framework.interface import MAX_SCORE
from scheduler.framework.types import MAX_REPLICAS, BindingInfo, ScoredCluster
from scheduler.plugins import scale_to_max

if TYPE_CHECKING:
    from scheduler.framework.interface import ScorePlugin

__all__ = ["NAME", "AvailableReplicas", "new"]

NAME: Final = "AvailableReplicas"


class AvailableReplicas:
    name: ClassVar[str] = NAME
    __slots__ = ()

    def score(self, binding: BindingInfo, cluster: ScoredCluster) -> int:
        return cluster.available

    def normalize(self, binding: BindingInfo, scores: list[int]) -> list[int]:
        finite = [s if s < MAX_REPLICAS else 0 for s in scores]
        scaled = scale_to_max(finite)
        return [MAX_SCORE if s >= MAX_REPLICAS else n for s, n in zip(scores, scaled, strict=True)]


def new() -> AvailableReplicas:
    return AvailableReplicas()


if TYPE_CHECKING:
    _: ScorePlugin = AvailableReplicas()
