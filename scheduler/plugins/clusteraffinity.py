"""ClusterAffinity: filters by the cluster affinity in force and scores by static weights.

The filter keeps the clusters that `BindingInfo.affinity` selects (all of them
when it is None); `scheduler.framework.affinity` holds the matching rules.

Karmada's ClusterAffinity scores every cluster 0. Here the score expresses the
placement's static weight preference instead, so that when spread constraints
cap the number of clusters the heavier-weighted ones are kept: a cluster's raw
score is its static weight (the largest weight among the
``replica_scheduling.weight_preference.static_weight_list`` rules whose
target matches it, 0 if none does), normalized to 0..100 in proportion to the
heaviest feasible cluster. Every cluster scores 0 when there is no static
weight list, or when ``dynamic_weight`` is set (which overrides the list).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from scheduler.framework.affinity import (
    CompiledAffinity,
    StaticWeights,
    compile_affinity,
    static_weights,
)
from scheduler.framework.types import SUCCESS, BindingInfo, ClusterInfo, Code, Result, ScoredCluster
from scheduler.plugins import scale_to_max

if TYPE_CHECKING:
    from scheduler.framework.interface import FilterPlugin, ScorePlugin

__all__ = ["NAME", "ClusterAffinity", "new"]

NAME: Final = "ClusterAffinity"
_UNMATCHED: Final = Result(Code.UNSCHEDULABLE, "did not match the placement cluster affinity")
_NO_WEIGHTS: Final = StaticWeights()


class ClusterAffinity:
    name: ClassVar[str] = NAME
    __slots__ = ("_affinity", "_binding", "_source", "_weights")

    def __init__(self) -> None:
        self._binding: BindingInfo | None = None
        self._source: policy_pb2.ClusterAffinity | None = None
        self._affinity: CompiledAffinity | None = None
        self._weights = _NO_WEIGHTS

    def prepare(self, binding: BindingInfo) -> None:
        self._binding = binding
        self._source = binding.affinity
        self._affinity = None if binding.affinity is None else compile_affinity(binding.affinity)
        preference = binding.spec.placement.replica_scheduling.weight_preference
        if preference.static_weight_list and not preference.dynamic_weight:
            self._weights = static_weights(preference.static_weight_list)
        else:
            self._weights = _NO_WEIGHTS

    def filter(self, binding: BindingInfo, cluster: ClusterInfo) -> Result:
        if binding is not self._binding or binding.affinity is not self._source:
            self.prepare(binding)
        if self._affinity is None or self._affinity.matches(cluster):
            return SUCCESS
        return _UNMATCHED

    def score(self, binding: BindingInfo, cluster: ScoredCluster) -> int:
        if binding is not self._binding:
            self.prepare(binding)
        return self._weights.weight(cluster.info) if self._weights.rules else 0

    def normalize(self, binding: BindingInfo, scores: list[int]) -> list[int]:
        return scale_to_max(scores)


def new() -> ClusterAffinity:
    return ClusterAffinity()


if TYPE_CHECKING:
    _filter: FilterPlugin = ClusterAffinity()
    _score: ScorePlugin = ClusterAffinity()
