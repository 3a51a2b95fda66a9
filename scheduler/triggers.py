"""Whether a binding needs scheduling, and which kind: the rescheduling triggers.

The scheduler's own writes come back as binding events, and clusters report
status every few seconds, so "something changed" is not reason enough to
schedule. A binding is scheduled when its placement differs from the one it was
last scheduled with (recorded in the `policy.karmada.io/applied-placement`
annotation, as Karmada does), when its replica count no longer matches its
result, when `rescheduleTriggeredAt` is newer than its last schedule, when the
last attempt failed, or when a cluster event says its clusters changed.
"""

from __future__ import annotations

import enum
import functools
import json

from google.protobuf import json_format

from karmada.meta.v1 import meta_pb2
from karmada.names import APPLIED_PLACEMENT_ANNOTATION
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2

__all__ = [
    "DEFAULT_SCHEDULER_NAME",
    "ScheduleType",
    "decide",
    "is_duplicated",
    "placement_json",
]

DEFAULT_SCHEDULER_NAME = "default-scheduler"
SCHEDULED_CONDITION = "Scheduled"


class ScheduleType(enum.StrEnum):
    """The `schedule_type` label of the scheduling metrics."""

    RECONCILE = "ReconcileSchedule"
    """First schedule, placement changed, last attempt failed, or a cluster changed."""
    SCALE = "ScaleSchedule"
    """The replica count changed."""
    FRESH = "FreshSchedule"
    """rescheduleTriggeredAt asked for a recompute that ignores the current result."""


@functools.lru_cache(maxsize=1024)
def _placement_json(serialized: bytes) -> str:
    placement = policy_pb2.Placement.FromString(serialized)
    return json.dumps(json_format.MessageToDict(placement), separators=(",", ":"), sort_keys=True)


def placement_json(placement: policy_pb2.Placement) -> str:
    """The placement as the compact JSON the applied-placement annotation holds."""
    return _placement_json(placement.SerializeToString(deterministic=True))


def is_duplicated(spec: rb_pb2.ResourceBindingSpec) -> bool:
    """Whether every cluster gets all replicas (unset replicaScheduling means Duplicated)."""
    strategy = spec.placement.replica_scheduling
    return (
        not spec.placement.HasField("replica_scheduling")
        or strategy.replica_scheduling_type != "Divided"
    )


def _replicas_changed(spec: rb_pb2.ResourceBindingSpec) -> bool:
    if not spec.clusters:
        return False
    if is_duplicated(spec):
        return any(target.replicas != spec.replicas for target in spec.clusters)
    return sum(target.replicas for target in spec.clusters) != spec.replicas


def _scheduled(conditions: list[meta_pb2.Condition]) -> bool:
    return any(c.type == SCHEDULED_CONDITION and c.status == "True" for c in conditions)


def decide(
    metadata: meta_pb2.ObjectMeta,
    spec: rb_pb2.ResourceBindingSpec,
    status: rb_pb2.ResourceBindingStatus,
    *,
    cluster_changed: bool = False,
) -> ScheduleType | None:
    """The kind of schedule the binding needs now, or None if it needs none."""
    if metadata.HasField("deletion_timestamp") or not spec.HasField("placement"):
        # Bindings without a placement are attached to others (propagateDeps): they
        # follow their requiredBy clusters and are never scheduled on their own.
        return None
    if spec.scheduler_name not in ("", DEFAULT_SCHEDULER_NAME):
        return None
    if spec.HasField("suspension") and spec.suspension.scheduling:
        return None
    if metadata.annotations.get(APPLIED_PLACEMENT_ANNOTATION) != placement_json(spec.placement):
        return ScheduleType.RECONCILE
    if spec.HasField("reschedule_triggered_at") and (
        not status.HasField("last_scheduled_time")
        or spec.reschedule_triggered_at.ToNanoseconds() > status.last_scheduled_time.ToNanoseconds()
    ):
        return ScheduleType.FRESH
    if _replicas_changed(spec):
        return ScheduleType.SCALE
    if (
        cluster_changed
        or status.scheduler_observed_generation != metadata.generation
        or not _scheduled(list(status.conditions))
    ):
        # A spec change the scheduler has not seen yet (e.g. a cluster evicted from a
        # Duplicated binding) is looked at again; a result that stays the same costs one
        # status write recording the generation, as Karmada patches it.
        return ScheduleType.RECONCILE
    return None
