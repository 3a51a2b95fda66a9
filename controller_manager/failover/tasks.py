"""Graceful eviction tasks: how a cluster is evicted from a binding, and when the task ends.

Evicting (Karmada's ResourceBindingSpec.GracefulEvictCluster) removes the
cluster from ``spec.clusters`` — so the scheduler moves its replicas, keeping
it out while the task exists (its ClusterEviction filter) — and records a
task; the binding controller keeps the resource on the evicted cluster until
the task is gone.

A task ends (pkg/controllers/gracefuleviction/evictiontask.go):

* ``suppressDeletion`` true: never (a person ends it); false: at once;
* purgeMode ``Directly`` (deprecated ``Immediately``): at once;
* purgeMode ``Never``: never;
* ``Gracefully`` (the default; deprecated ``Graciously``): after
  ``gracePeriodSeconds`` if set, else the controller's
  ``--graceful-eviction-timeout``, counted from the task's creation; or
  sooner, once the binding has been rescheduled since the eviction
  (``schedulerObservedGeneration == generation``) and the resource is
  Healthy in ``status.aggregatedStatus`` on every cluster of the new result.

Two safeguards Karmada lacks: a result with no cluster left is not "healthy
everywhere" (removing the task would drop the last copy before the grace
period), and a cluster whose reported status still shows fewer
``availableReplicas`` than it was assigned is not yet healthy (its status
predates the replicas the eviction moved to it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from google.protobuf import timestamp_pb2

from karmada.machinery.structs import to_dict
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2

__all__ = [
    "DIRECTLY",
    "GRACEFULLY",
    "HEALTHY",
    "NEVER",
    "PRODUCER_TAINT_MANAGER",
    "REASON_TAINT_UNTOLERATED",
    "Assessment",
    "assess_tasks",
    "cluster_failover_enabled",
    "cluster_purge_mode",
    "graceful_evict_cluster",
    "healthy_elsewhere",
    "purge_mode",
]

DIRECTLY = "Directly"
GRACEFULLY = "Gracefully"
NEVER = "Never"
_LEGACY = {"Immediately": DIRECTLY, "Graciously": GRACEFULLY, "": GRACEFULLY}

HEALTHY = "Healthy"

# pkg/apis/work/v1alpha2/well_known_constants.go
PRODUCER_TAINT_MANAGER = "TaintManager"
REASON_TAINT_UNTOLERATED = "TaintUntolerated"

_MESSAGE_LIMIT = 1024


def purge_mode(mode: str) -> str:
    """The purge mode with deprecated names (and the empty default) resolved."""
    return _LEGACY.get(mode, mode)


def cluster_failover_enabled(spec: rb_pb2.ResourceBindingSpec) -> bool:
    """Whether the policy asked for failover on cluster failure (spec.failover.cluster)."""
    return spec.HasField("failover") and spec.failover.HasField("cluster")


def cluster_purge_mode(failover: policy_pb2.FailoverBehavior) -> str:
    """How a cluster failure removes the old copy: failover.cluster.purgeMode, or Gracefully."""
    return purge_mode(failover.cluster.purge_mode)


def graceful_evict_cluster(
    spec: rb_pb2.ResourceBindingSpec,
    cluster: str,
    *,
    purge_mode: str,
    reason: str,
    producer: str,
    message: str = "",
    now: timestamp_pb2.Timestamp,
) -> bool:
    """Moves `cluster` from the result into an eviction task; False if it is not in the result.

    No second task is added for a cluster that already has one.
    """
    index = next((i for i, target in enumerate(spec.clusters) if target.name == cluster), None)
    if index is None:
        return False
    evicted = spec.clusters[index]
    replicas = evicted.replicas
    del spec.clusters[index]
    if any(task.from_cluster == cluster for task in spec.graceful_eviction_tasks):
        return True
    task = spec.graceful_eviction_tasks.add(
        from_cluster=cluster,
        purge_mode=purge_mode,
        reason=reason,
        producer=producer,
        message=message[:_MESSAGE_LIMIT],
    )
    if replicas > 0:
        task.replicas = replicas
    task.creation_timestamp.CopyFrom(now)
    return True


def healthy_elsewhere(
    evicting: str,
    clusters: Sequence[rb_pb2.TargetCluster],
    items: Sequence[rb_pb2.AggregatedStatusItem],
) -> bool:
    """Whether the resource is Healthy on every cluster of the result but `evicting`."""
    by_cluster = {item.cluster_name: item for item in items}
    targets = [target for target in clusters if target.name != evicting]
    if not targets:
        return False
    for target in targets:
        item = by_cluster.get(target.name)
        if item is None or item.health != HEALTHY:
            return False
        available = to_dict(item.status).get("availableReplicas")
        if isinstance(available, int) and target.replicas > 0 and available < target.replicas:
            return False
    return True


@dataclass(slots=True)
class Assessment:
    """The outcome for a binding's tasks.

    Attributes:
        tasks: The tasks to keep (new copies, creation timestamps filled in).
        ended: Clusters whose tasks end now.
        changed: Whether `tasks` differs from the binding's tasks.
        recheck_after: Seconds until the first kept task's deadline; None if
            no kept task has one.
    """

    tasks: list[rb_pb2.GracefulEvictionTask] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    changed: bool = False
    recheck_after: float | None = None


def _seconds(stamp: timestamp_pb2.Timestamp) -> float:
    return stamp.seconds + stamp.nanos / 1e9


def _ends(
    task: rb_pb2.GracefulEvictionTask,
    spec: rb_pb2.ResourceBindingSpec,
    status: rb_pb2.ResourceBindingStatus,
    *,
    scheduled: bool,
    deadline: float | None,
    now: float,
) -> bool:
    if task.HasField("suppress_deletion"):
        return not task.suppress_deletion
    mode = purge_mode(task.purge_mode)
    if mode == DIRECTLY:
        return True
    if mode != GRACEFULLY:
        return False
    if deadline is not None and now >= deadline:
        return True
    return scheduled and healthy_elsewhere(
        task.from_cluster, spec.clusters, status.aggregated_status
    )


def _deadline(task: rb_pb2.GracefulEvictionTask, timeout: float) -> float | None:
    """When a Gracefully task times out; None for tasks that never do."""
    if task.HasField("suppress_deletion") or purge_mode(task.purge_mode) != GRACEFULLY:
        return None
    limit = float(task.grace_period_seconds) if task.HasField("grace_period_seconds") else timeout
    return _seconds(task.creation_timestamp) + limit


def assess_tasks(
    spec: rb_pb2.ResourceBindingSpec,
    status: rb_pb2.ResourceBindingStatus,
    *,
    scheduled: bool,
    timeout: float,
    now: timestamp_pb2.Timestamp,
) -> Assessment:
    """Which of the binding's eviction tasks end now, and when to look again.

    Args:
        spec: The binding's spec (its tasks and current result).
        status: The binding's status (aggregatedStatus).
        scheduled: Whether the scheduler has seen the binding's current generation.
        timeout: The graceful eviction timeout, in seconds.
        now: The current time; new tasks without a creation timestamp get it.
    """
    at = _seconds(now)
    result = Assessment()
    earliest = math.inf
    for original in spec.graceful_eviction_tasks:
        task = rb_pb2.GracefulEvictionTask()
        task.CopyFrom(original)
        if not task.HasField("creation_timestamp"):
            task.creation_timestamp.CopyFrom(now)
            result.changed = True
        deadline = _deadline(task, timeout)
        if _ends(task, spec, status, scheduled=scheduled, deadline=deadline, now=at):
            result.ended.append(task.from_cluster)
            result.changed = True
            continue
        result.tasks.append(task)
        if deadline is not None:
            earliest = min(earliest, deadline)
    if earliest != math.inf:
        result.recheck_after = max(earliest - at, 0.0)
    return result
