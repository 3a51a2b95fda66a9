"""The scheduling algorithm for one binding: filter -> score -> select -> assign replicas.

As Karmada's core/generic_scheduler.go, plus ordered `clusterAffinities`: each
term is tried in turn, starting from the one the binding is observed on (a
fresh reschedule starts over from the first), and the first term that yields a
placement wins. Each step's duration goes to
`karmada_scheduler_scheduling_algorithm_duration_seconds{schedule_step}`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2
from scheduler.core.division.assign import assign_replicas
from scheduler.core.estimator import available_for, parse_requests
from scheduler.core.spread import select_clusters
from scheduler.framework.affinity import compile_affinity
from scheduler.framework.diagnosis import unschedulable_message
from scheduler.framework.runtime import Framework
from scheduler.framework.types import BindingInfo, ClusterInfo, ScheduleError, ScoredCluster
from scheduler.metrics import ALGORITHM_DURATION
from scheduler.triggers import is_duplicated

__all__ = ["Decision", "could_select", "schedule"]

_STEPS = {
    step: ALGORITHM_DURATION.labels(step)
    for step in ("Filter", "Score", "Select", "AssignReplicas")
}


@dataclass(frozen=True, slots=True)
class Decision:
    clusters: list[rb_pb2.TargetCluster]
    affinity_name: str = ""


def _term_affinity(term: policy_pb2.ClusterAffinityTerm) -> policy_pb2.ClusterAffinity:
    return policy_pb2.ClusterAffinity(
        label_selector=term.label_selector if term.HasField("label_selector") else None,
        field_selector=term.field_selector if term.HasField("field_selector") else None,
        cluster_names=term.cluster_names,
        exclude=term.exclude,
    )


def _attempts(
    binding: BindingInfo, *, fresh: bool
) -> list[tuple[str, policy_pb2.ClusterAffinity | None]]:
    placement = binding.spec.placement
    if not placement.cluster_affinities:
        affinity = placement.cluster_affinity if placement.HasField("cluster_affinity") else None
        return [("", affinity)]
    terms: list[tuple[str, policy_pb2.ClusterAffinity | None]] = [
        (term.affinity_name, _term_affinity(term)) for term in placement.cluster_affinities
    ]
    if not fresh:
        names = [name for name, _ in terms]
        observed = binding.status.scheduler_observing_affinity_name
        if observed in names:
            terms = terms[names.index(observed) :]
    return terms


def could_select(spec: rb_pb2.ResourceBindingSpec, cluster: ClusterInfo) -> bool:
    """Whether any cluster affinity of the placement admits `cluster` (no affinity admits all)."""
    placement = spec.placement
    if placement.cluster_affinities:
        return any(compile_affinity(term).matches(cluster) for term in placement.cluster_affinities)
    if placement.HasField("cluster_affinity"):
        return compile_affinity(placement.cluster_affinity).matches(cluster)
    return True


def _divided_by_capacity(spec: rb_pb2.ResourceBindingSpec) -> bool:
    """Whether capacity decides the split (static weights and Duplicated ignore it, as Karmada)."""
    if spec.replicas <= 0 or is_duplicated(spec):
        return False
    strategy = spec.placement.replica_scheduling
    return (
        strategy.replica_division_preference == "Aggregated"
        or strategy.weight_preference.dynamic_weight == "AvailableReplicas"
    )


def schedule(
    binding: BindingInfo, clusters: Sequence[ClusterInfo], framework: Framework, *, fresh: bool
) -> Decision:
    """Places `binding` on `clusters`; raises ScheduleError when nothing fits."""
    candidates = [c for c in clusters if not c.deleting]
    failure: ScheduleError | None = None
    for name, affinity in _attempts(binding, fresh=fresh):
        binding.affinity = affinity
        binding.affinity_name = name
        try:
            targets = _schedule_once(binding, candidates, framework, fresh=fresh)
        except ScheduleError as error:
            failure = error if failure is None else failure
            continue
        return Decision(targets, name)
    assert failure is not None
    raise failure


def _schedule_once(
    binding: BindingInfo, clusters: Sequence[ClusterInfo], framework: Framework, *, fresh: bool
) -> list[rb_pb2.TargetCluster]:
    spec = binding.spec
    start = time.perf_counter()
    feasible, diagnosis = framework.run_filters(binding, clusters)
    step = time.perf_counter()
    _STEPS["Filter"].observe(step - start)
    if not feasible:
        raise ScheduleError(unschedulable_message(diagnosis), reason="NoClusterFit")
    requests = parse_requests(
        spec.replica_requirements if spec.HasField("replica_requirements") else None
    )
    scored = [ScoredCluster(info, available=available_for(info, requests)) for info in feasible]
    framework.run_scores(binding, scored)
    start, step = step, time.perf_counter()
    _STEPS["Score"].observe(step - start)
    selected = select_clusters(
        scored,
        spec.placement,
        spec.replicas,
        divided_by_capacity=_divided_by_capacity(spec),
        previous=None if fresh else binding.previous,
    )
    start, step = step, time.perf_counter()
    _STEPS["Select"].observe(step - start)
    targets = assign_replicas(binding, selected, fresh=fresh)
    _STEPS["AssignReplicas"].observe(time.perf_counter() - step)
    return targets
