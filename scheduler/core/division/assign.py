"""Replica assignment: pick the division strategy a placement asks for and run it.

Karmada's assignReplicas (core/assignment.go). Bindings without replicas
(ConfigMaps, Services, ...) go to every selected cluster as-is; otherwise the
placement's replicaScheduling chooses Duplicated, static-weight, dynamic-weight
or aggregated division, and clusters left with no replicas are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from karmada.work.v1alpha2.resource_binding_pb2 import TargetCluster
from scheduler.core.division.aggregated import divide_aggregated
from scheduler.core.division.duplicated import divide_duplicated
from scheduler.core.division.dynamic import divide_dynamic
from scheduler.core.division.static_weight import divide_by_static_weight
from scheduler.framework.types import BindingInfo, ScheduleError, ScoredCluster

__all__ = ["assign_replicas"]

SCHEDULER_ERROR = "SchedulerError"


def _is_duplicated(binding: BindingInfo) -> bool:
    """Whether every cluster gets all replicas (an unset replicaScheduling means Duplicated)."""
    placement = binding.spec.placement
    return (
        not placement.HasField("replica_scheduling")
        or placement.replica_scheduling.replica_scheduling_type != "Divided"
    )


def _divide(
    binding: BindingInfo, selected: Sequence[ScoredCluster], *, fresh: bool
) -> dict[str, int]:
    replicas = binding.spec.replicas
    if _is_duplicated(binding):
        return divide_duplicated(replicas, selected)
    strategy = binding.spec.placement.replica_scheduling
    preference = strategy.replica_division_preference or "Weighted"
    if preference == "Aggregated":
        return divide_aggregated(binding, selected, fresh=fresh)
    if preference != "Weighted":
        raise ScheduleError(
            f"unsupported replicaDivisionPreference {preference!r}: "
            'expected "Aggregated" or "Weighted"',
            reason=SCHEDULER_ERROR,
        )
    weights = strategy.weight_preference if strategy.HasField("weight_preference") else None
    dynamic = weights.dynamic_weight if weights is not None else ""
    if not dynamic:
        return divide_by_static_weight(
            replicas, weights, (c.info for c in selected), uid=binding.uid
        )
    if dynamic != "AvailableReplicas":
        raise ScheduleError(
            f'unsupported dynamicWeight {dynamic!r}: expected "AvailableReplicas"',
            reason=SCHEDULER_ERROR,
        )
    return divide_dynamic(binding, selected, fresh=fresh)


def assign_replicas(
    binding: BindingInfo, selected: Sequence[ScoredCluster], *, fresh: bool
) -> list[TargetCluster]:
    """The scheduling result for `binding` over the `selected` clusters.

    With spec.replicas == 0 every selected cluster is a target with 0
    replicas, in the given order. Otherwise the result holds only clusters
    with replicas, sorted by name. `fresh` (a user-triggered reschedule)
    makes dynamic and aggregated division ignore the previous result.

    Raises:
        ScheduleError: no cluster is selected, the clusters lack capacity,
            or the placement names an unknown strategy.
    """
    replicas = binding.spec.replicas
    if replicas <= 0:
        return [TargetCluster(name=c.name, replicas=0) for c in selected]
    if not selected:
        raise ScheduleError(
            f"no cluster is selected to place {replicas} replicas", reason="NoClusterFit"
        )
    division = _divide(binding, selected, fresh=fresh)
    return [TargetCluster(name=name, replicas=n) for name, n in sorted(division.items()) if n > 0]
