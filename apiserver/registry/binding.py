"""Validation of ResourceBindings and ClusterResourceBindings (work.karmada.io/v1alpha2).

Bindings are written by controllers, not people: the detector creates them,
the scheduler fills in clusters, the eviction controllers add tasks and the
status controller aggregates health. Each of them trusts what the others
wrote, so the apiserver checks the invariants they share: the bound resource
is fully identified, replica counts are not negative, every target cluster is
a valid cluster name listed once, eviction tasks follow Karmada's CRD schema,
and reported health is one of Karmada's three values. The placement copied
from the policy was validated on the policy and is not re-checked here.
"""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf.message import Message

from apiserver.registry.failover import APPLICATION_PURGE_MODES
from apiserver.registry.fields import duplicate, minimum
from apiserver.registry.propagation_policy import CONFLICT_RESOLUTIONS
from apiserver.registry.selectors import required_cluster_name
from apiserver.registry.strategy import Strategy
from karmada.machinery import validation as v
from karmada.machinery.scheme import CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING
from karmada.machinery.validation import FieldViolation, join_path
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb
from karmada.work.v1alpha2 import resource_binding_pb2 as pb

HEALTH_VALUES = ("Healthy", "Unhealthy", "Unknown")
EVICTION_REASON_MAX_LENGTH = 32
EVICTION_MESSAGE_MAX_LENGTH = 1024

_Binding = pb.ResourceBinding | crb_pb.ClusterResourceBinding


def target_clusters(clusters: Iterable[pb.TargetCluster], path: str) -> list[FieldViolation]:
    """A scheduling result: valid, unique cluster names with non-negative replicas."""
    out: list[FieldViolation] = []
    seen: set[str] = set()
    for i, cluster in enumerate(clusters):
        at = join_path(path, i)
        name_path = join_path(at, "name")
        out += required_cluster_name(cluster.name, name_path)
        if cluster.name and cluster.name in seen:
            out.append(duplicate(name_path, cluster.name))
        seen.add(cluster.name)
        out += minimum(cluster.replicas, 0, join_path(at, "replicas"))
    return out


def validate_spec(spec: pb.ResourceBindingSpec) -> list[FieldViolation]:
    """Validate a ResourceBindingSpec (shared by both binding kinds)."""
    out: list[FieldViolation] = []
    for attr, field in (("api_version", "apiVersion"), ("kind", "kind"), ("name", "name")):
        if not getattr(spec.resource, attr):
            out.append(v.required_value(f"spec.resource.{field}"))
    if spec.resource.namespace:
        out += v.dns1123_label(spec.resource.namespace, "spec.resource.namespace")
    out += minimum(spec.replicas, 0, "spec.replicas")
    out += target_clusters(spec.clusters, "spec.clusters")
    for i, snapshot in enumerate(spec.required_by):
        at = f"spec.requiredBy[{i}]"
        out += v.required(snapshot.name, join_path(at, "name"))
        out += target_clusters(snapshot.clusters, join_path(at, "clusters"))
    for i, task in enumerate(spec.graceful_eviction_tasks):
        out += _eviction_task(task, f"spec.gracefulEvictionTasks[{i}]")
    out += v.one_of(
        spec.conflict_resolution, CONFLICT_RESOLUTIONS, "spec.conflictResolution", required=False
    )
    return out


def _eviction_task(task: pb.GracefulEvictionTask, path: str) -> list[FieldViolation]:
    out = required_cluster_name(task.from_cluster, join_path(path, "fromCluster"))
    out += v.one_of(
        task.purge_mode, APPLICATION_PURGE_MODES, join_path(path, "purgeMode"), required=False
    )
    reason_path = join_path(path, "reason")
    out += v.required(task.reason, reason_path)
    if len(task.reason) > EVICTION_REASON_MAX_LENGTH:
        out.append(v.too_long(reason_path, EVICTION_REASON_MAX_LENGTH))
    if len(task.message) > EVICTION_MESSAGE_MAX_LENGTH:
        out.append(v.too_long(join_path(path, "message"), EVICTION_MESSAGE_MAX_LENGTH))
    out += v.required(task.producer, join_path(path, "producer"))
    if task.HasField("replicas"):
        out += minimum(task.replicas, 0, join_path(path, "replicas"))
    if task.HasField("grace_period_seconds") and task.HasField("suppress_deletion"):
        out.append(
            v.forbidden(
                join_path(path, "suppressDeletion"),
                "may not be set together with gracePeriodSeconds",
            )
        )
    return out


def validate_status(status: pb.ResourceBindingStatus) -> list[FieldViolation]:
    """Validate a ResourceBindingStatus: per-cluster items name a cluster and a known health."""
    out: list[FieldViolation] = []
    for i, item in enumerate(status.aggregated_status):
        at = f"status.aggregatedStatus[{i}]"
        out += required_cluster_name(item.cluster_name, join_path(at, "clusterName"))
        out += v.one_of(item.health, HEALTH_VALUES, join_path(at, "health"), required=False)
    return out


def _binding(obj: Message) -> _Binding:
    assert isinstance(obj, pb.ResourceBinding | crb_pb.ClusterResourceBinding)
    return obj


def _validate(obj: Message) -> list[FieldViolation]:
    return validate_spec(_binding(obj).spec)


def _validate_status(obj: Message) -> list[FieldViolation]:
    return validate_status(_binding(obj).status)


STRATEGY = Strategy(
    kind=RESOURCE_BINDING,  # type: ignore[arg-type]
    validate_spec=_validate,
    validate_status_fields=_validate_status,
)
CLUSTER_STRATEGY = Strategy(
    kind=CLUSTER_RESOURCE_BINDING,  # type: ignore[arg-type]
    validate_spec=_validate,
    validate_status_fields=_validate_status,
)
STRATEGIES = (STRATEGY, CLUSTER_STRATEGY)
