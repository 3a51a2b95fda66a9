"""Validation of ResourceBindings and ClusterResourceBindings (work.karmada.io/v1alpha2).

Bindings are written by controllers, not people: the detector creates them,
the scheduler fills in clusters, the eviction controllers add tasks and the
status controller aggregates health. Each of them trusts what the others
wrote, so the apiserver checks the invariants they share: the bound resource
is fully identified, replica counts are not negative, every target cluster is
a valid cluster name listed once, eviction tasks follow Karmada's CRD schema,
and reported health is one of Karmada's three values. The placement copied
from the policy was validated on the policy and is not re-checked here.

Both kinds also have Bind, the scheduler's one write per result (as kube's
pods/binding sets spec.nodeName and PodScheduled together): a successful
schedule replaces spec.clusters and the applied-placement annotation and
stamps the scheduling time, a failed one touches status only, and both record
the resulting generation in scheduler_observed_generation and the Scheduled
condition.
"""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf import timestamp_pb2
from google.protobuf.message import Message

from apiserver.registry.failover import APPLICATION_PURGE_MODES
from apiserver.registry.fields import duplicate, minimum
from apiserver.registry.propagation_policy import CONFLICT_RESOLUTIONS
from apiserver.registry.selectors import required_cluster_name
from apiserver.registry.strategy import Binder, Strategy
from karmada.machinery import validation as v
from karmada.machinery.conditions import set_condition
from karmada.machinery.scheme import CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING
from karmada.machinery.validation import FieldViolation, join_path
from karmada.names import APPLIED_PLACEMENT_ANNOTATION
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb
from karmada.work.v1alpha2 import cluster_resource_binding_service_pb2 as crb_service_pb
from karmada.work.v1alpha2 import resource_binding_pb2 as pb
from karmada.work.v1alpha2 import resource_binding_service_pb2 as service_pb

HEALTH_VALUES = ("Healthy", "Unhealthy", "Unknown")
EVICTION_REASON_MAX_LENGTH = 32
EVICTION_MESSAGE_MAX_LENGTH = 1024

SCHEDULED_CONDITION = "Scheduled"
SCHEDULED_STATUSES = ("True", "False")

_Binding = pb.ResourceBinding | crb_pb.ClusterResourceBinding
_BindRequest = (
    service_pb.BindResourceBindingRequest | crb_service_pb.BindClusterResourceBindingRequest
)


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


def _bind_request(request: Message) -> _BindRequest:
    assert isinstance(
        request,
        service_pb.BindResourceBindingRequest | crb_service_pb.BindClusterResourceBindingRequest,
    )
    return request


def validate_bind_request(request: Message) -> list[FieldViolation]:
    """A bind reports the Scheduled condition as "True" or "False"."""
    condition = _bind_request(request).condition
    out = v.one_of(condition.type, (SCHEDULED_CONDITION,), "condition.type", required=True)
    out += v.one_of(condition.status, SCHEDULED_STATUSES, "condition.status", required=True)
    return out


def bind_spec(obj: Message, request: Message) -> None:
    """A successful schedule replaces the clusters and the applied placement."""
    binding, bind = _binding(obj), _bind_request(request)
    if bind.condition.status != "True":
        return
    del binding.spec.clusters[:]
    binding.spec.clusters.extend(bind.clusters)
    annotations = binding.metadata.annotations
    if bind.applied_placement:
        annotations[APPLIED_PLACEMENT_ANNOTATION] = bind.applied_placement
    else:
        annotations.pop(APPLIED_PLACEMENT_ANNOTATION, None)


def bind_status(obj: Message, request: Message, now: timestamp_pb2.Timestamp) -> None:
    """Records the outcome against the resulting generation (Scheduled condition included)."""
    binding, bind = _binding(obj), _bind_request(request)
    status, generation = binding.status, binding.metadata.generation
    if bind.condition.status == "True":
        status.last_scheduled_time.CopyFrom(now)
        status.scheduler_observing_affinity_name = bind.affinity_name
    status.scheduler_observed_generation = generation
    set_condition(
        status.conditions,
        SCHEDULED_CONDITION,
        bind.condition.status,
        bind.condition.reason,
        bind.condition.message,
        observed_generation=generation,
        now=float(now.seconds),
    )


BINDER = Binder(
    validate_request=validate_bind_request, bind_spec=bind_spec, bind_status=bind_status
)
STRATEGY = Strategy(
    kind=RESOURCE_BINDING,  # type: ignore[arg-type]
    validate_spec=_validate,
    validate_status_fields=_validate_status,
    binder=BINDER,
)
CLUSTER_STRATEGY = Strategy(
    kind=CLUSTER_RESOURCE_BINDING,  # type: ignore[arg-type]
    validate_spec=_validate,
    validate_status_fields=_validate_status,
    binder=BINDER,
)
STRATEGIES = (STRATEGY, CLUSTER_STRATEGY)
