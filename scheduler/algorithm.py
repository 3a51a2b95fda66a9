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
from scheduler.core.spread import rank, select_clusters
from scheduler.framework.affinity import compile_affinity
from scheduler.framework.diagnosis import unschedulable_message
from scheduler.framework.runtime import Framework
from scheduler.framework.types import BindingInfo, ClusterInfo, ScheduleError, ScoredCluster
from scheduler.metrics import ALGORITHM_DURATION
from scheduler.triggers import is_duplicated

__all__ = ["Decision", "EquivalenceCache", "could_select", "schedule"]

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
    binding: BindingInfo,
    clusters: Sequence[ClusterInfo],
    framework: Framework,
    *,
    fresh: bool,
    cache: EquivalenceCache | None = None,
    version: int = 0,
) -> Decision:
    """Places `binding` on `clusters`; raises ScheduleError when nothing fits.

    With a `cache`, `version` must change whenever `clusters` (or anything in
    them) changes.
    """
    candidates = [c for c in clusters if not c.deleting]
    failure: ScheduleError | None = None
    for name, affinity in _attempts(binding, fresh=fresh):
        binding.affinity = affinity
        binding.affinity_name = name
        try:
            targets = _schedule_once(
                binding, candidates, framework, fresh=fresh, cache=cache, version=version
            )
        except ScheduleError as error:
            failure = error if failure is None else failure
            continue
        return Decision(targets, name)
    assert failure is not None
    raise failure


class EquivalenceCache:
    """Filter and score results shared by bindings the clusters cannot tell apart.

    Filters and scores read a binding's resource kind, placement, the affinity
    term being tried, its replica requirements, and — only for bindings already
    placed or being evicted — its current result. Bindings with no result and no
    eviction (every binding scheduled for the first time, e.g. all Deployments of
    one policy) therefore get the same feasible, scored clusters from the same
    cluster snapshot; they are computed once per snapshot version, as
    kube-scheduler's equivalence cache did. Selection and replica division still
    run per binding.
    """

    def __init__(self, *, size: int = 512) -> None:
        self.size = size
        self.version = -1
        self._entries: dict[bytes, list[ScoredCluster] | ScheduleError] = {}
        self.hits = 0
        self.misses = 0

    def key(self, binding: BindingInfo, version: int) -> bytes | None:
        spec = binding.spec
        if binding.previous or spec.graceful_eviction_tasks:
            return None
        if version != self.version:
            self._entries.clear()
            self.version = version
        affinity = (
            binding.affinity.SerializeToString(deterministic=True) if binding.affinity else b""
        )
        return b"\0".join(
            (
                spec.resource.api_version.encode(),
                spec.resource.kind.encode(),
                binding.affinity_name.encode(),
                affinity,
                spec.placement.SerializeToString(deterministic=True),
                spec.replica_requirements.SerializeToString(deterministic=True),
            )
        )

    def get(self, key: bytes) -> list[ScoredCluster] | ScheduleError | None:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: bytes, value: list[ScoredCluster] | ScheduleError) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[key] = value


def _filter_and_score(
    binding: BindingInfo, clusters: Sequence[ClusterInfo], framework: Framework
) -> list[ScoredCluster]:
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
    _STEPS["Score"].observe(time.perf_counter() - step)
    return scored


def _schedule_once(
    binding: BindingInfo,
    clusters: Sequence[ClusterInfo],
    framework: Framework,
    *,
    fresh: bool,
    cache: EquivalenceCache | None,
    version: int,
) -> list[rb_pb2.TargetCluster]:
    spec = binding.spec
    key = cache.key(binding, version) if cache is not None else None
    found = cache.get(key) if cache is not None and key is not None else None
    if isinstance(found, ScheduleError):
        raise ScheduleError(found.message, reason=found.reason)
    if found is not None:
        scored = found
    else:
        try:
            scored = _filter_and_score(binding, clusters, framework)
        except ScheduleError as error:
            if cache is not None and key is not None:
                cache.put(key, error)
            raise
        if cache is not None and key is not None:
            # Stored in selection order, so each binding's sort is a linear pass.
            scored = sorted(scored, key=rank)
            cache.put(key, scored)
    step = time.perf_counter()
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
