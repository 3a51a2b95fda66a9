"""Small fixtures for scheduler unit tests: clusters, bindings and placements.

Clusters are built as Cluster protos and parsed with `ClusterInfo.from_proto`,
so tests exercise the same parsing the scheduler uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import types_pb2
from karmada.meta.v1 import meta_pb2
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2
from scheduler.framework.types import MAX_REPLICAS, BindingInfo, ClusterInfo, ScoredCluster

__all__ = [
    "DEFAULT_KINDS",
    "binding",
    "cluster",
    "placement",
    "pool",
    "scored",
    "spread",
    "static_weight",
    "taint",
]

DEFAULT_KINDS: tuple[tuple[str, str], ...] = (
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("batch/v1", "Job"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Service"),
)
"""What a cluster built with `api_enablements=None` serves."""


def taint(key: str, effect: str = "NoSchedule", value: str = "") -> types_pb2.Taint:
    return types_pb2.Taint(key=key, value=value, effect=effect)


def cluster(
    name: str,
    *,
    labels: Mapping[str, str] | None = None,
    provider: str = "",
    region: str = "",
    zones: Sequence[str] = (),
    taints: Iterable[types_pb2.Taint] = (),
    allocatable: Mapping[str, str] | None = None,
    allocated: Mapping[str, str] | None = None,
    allocating: Mapping[str, str] | None = None,
    api_enablements: Sequence[tuple[str, str]] | None = None,
    ready: bool = True,
) -> ClusterInfo:
    """A parsed cluster.

    The cluster has a resource summary only when one of `allocatable`,
    `allocated` or `allocating` is given. `api_enablements=None` means
    `DEFAULT_KINDS`; pass a list of (groupVersion, kind) to serve exactly those.
    """
    proto = cluster_pb2.Cluster(
        api_version="cluster.karmada.io/v1alpha1",
        kind="Cluster",
        metadata=meta_pb2.ObjectMeta(name=name, labels=dict(labels or {})),
        spec=cluster_pb2.ClusterSpec(
            sync_mode="Push",
            provider=provider,
            region=region,
            zones=list(zones),
            taints=list(taints),
        ),
    )
    status = proto.status
    status.conditions.append(meta_pb2.Condition(type="Ready", status="True" if ready else "False"))
    by_group: dict[str, list[str]] = {}
    for group_version, kind in DEFAULT_KINDS if api_enablements is None else api_enablements:
        by_group.setdefault(group_version, []).append(kind)
    for group_version, kinds in by_group.items():
        status.api_enablements.append(
            cluster_pb2.ApiEnablement(
                group_version=group_version,
                resources=[cluster_pb2.ApiResource(name=k.lower() + "s", kind=k) for k in kinds],
            )
        )
    if allocatable is not None or allocated is not None or allocating is not None:
        summary = status.resource_summary
        summary.SetInParent()
        summary.allocatable.update(allocatable or {})
        summary.allocated.update(allocated or {})
        summary.allocating.update(allocating or {})
    return ClusterInfo.from_proto(proto)


def static_weight(weight: int, *names: str, **fields: str) -> policy_pb2.StaticClusterWeight:
    """A static weight rule for clusters by name, or by field (`region="eu"`) if no names."""
    affinity = policy_pb2.ClusterAffinity(cluster_names=list(names))
    for key, value in fields.items():
        affinity.field_selector.match_expressions.append(
            types_pb2.NodeSelectorRequirement(key=key, operator="In", values=[value])
        )
    return policy_pb2.StaticClusterWeight(target_cluster=affinity, weight=weight)


def spread(
    field: str = "cluster", *, max_groups: int = 0, min_groups: int = 1, label: str = ""
) -> policy_pb2.SpreadConstraint:
    """A defaulted spread constraint; `label` spreads by that label key instead of a field."""
    return policy_pb2.SpreadConstraint(
        spread_by_field="" if label else field,
        spread_by_label=label,
        max_groups=max_groups,
        min_groups=min_groups,
    )


def placement(
    *,
    scheduling_type: str = "Divided",
    division: str = "Weighted",
    static_weights: Sequence[policy_pb2.StaticClusterWeight] = (),
    dynamic_weight: str = "",
    spread_constraints: Sequence[policy_pb2.SpreadConstraint] = (),
    affinity: policy_pb2.ClusterAffinity | None = None,
    tolerations: Sequence[types_pb2.Toleration] = (),
) -> policy_pb2.Placement:
    """A placement; weight_preference is set only when weights or a dynamic weight are given."""
    result = policy_pb2.Placement(
        spread_constraints=list(spread_constraints),
        cluster_tolerations=list(tolerations),
        replica_scheduling=policy_pb2.ReplicaSchedulingStrategy(
            replica_scheduling_type=scheduling_type,
            replica_division_preference=division if scheduling_type == "Divided" else "",
        ),
    )
    if affinity is not None:
        result.cluster_affinity.CopyFrom(affinity)
    if static_weights or dynamic_weight:
        preference = result.replica_scheduling.weight_preference
        preference.static_weight_list.extend(static_weights)
        preference.dynamic_weight = dynamic_weight
    return result


def binding(
    *,
    replicas: int = 0,
    placement: policy_pb2.Placement | None = None,
    previous: Mapping[str, int] | None = None,
    uid: str = "",
    requests: Mapping[str, str] | None = None,
    api_version: str = "apps/v1",
    kind: str = "Deployment",
    eviction_from: Iterable[str] = (),
) -> BindingInfo:
    """A binding of default/demo; `previous` becomes both spec.clusters and `previous`."""
    spec = rb_pb2.ResourceBindingSpec(
        resource=rb_pb2.ObjectReference(
            api_version=api_version, kind=kind, namespace="default", name="demo"
        ),
        replicas=replicas,
        clusters=[rb_pb2.TargetCluster(name=n, replicas=r) for n, r in (previous or {}).items()],
        graceful_eviction_tasks=[
            rb_pb2.GracefulEvictionTask(from_cluster=c, reason="TaintUntolerated", producer="test")
            for c in eviction_from
        ],
    )
    if placement is not None:
        spec.placement.CopyFrom(placement)
    if requests:
        spec.replica_requirements.resource_request.update(requests)
    affinity = (
        spec.placement.cluster_affinity if spec.placement.HasField("cluster_affinity") else None
    )
    return BindingInfo(
        namespace="default",
        name="demo",
        uid=uid,
        spec=spec,
        status=rb_pb2.ResourceBindingStatus(),
        previous=dict(previous or {}),
        affinity=affinity,
    )


def scored(info: ClusterInfo, score: int = 0, available: int = MAX_REPLICAS) -> ScoredCluster:
    return ScoredCluster(info=info, score=score, available=available)


def pool(
    available: Mapping[str, int], scores: Mapping[str, int] | None = None
) -> list[ScoredCluster]:
    """Scored bare clusters with these available replicas (and scores, default 0)."""
    return [scored(cluster(name), (scores or {}).get(name, 0), n) for name, n in available.items()]
