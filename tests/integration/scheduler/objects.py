"""Clusters and bindings written through the API, as the controllers would write them."""

from __future__ import annotations

from collections.abc import Sequence

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import types_pb2
from karmada.machinery.client import Client
from karmada.machinery.scheme import CLUSTER, CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING
from karmada.meta.v1 import meta_pb2
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2

WORKLOAD_KINDS = (
    ("apps/v1", "Deployment"),
    ("v1", "ConfigMap"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
)


def cluster_status(
    *,
    cpu: str = "100",
    memory: str = "1000Gi",
    pods: str = "1000",
    kinds: Sequence[tuple[str, str]] = WORKLOAD_KINDS,
) -> cluster_pb2.ClusterStatus:
    status = cluster_pb2.ClusterStatus(kubernetes_version="v1.30.0")
    for group_version in sorted({gv for gv, _ in kinds}):
        status.api_enablements.append(
            cluster_pb2.ApiEnablement(
                group_version=group_version,
                resources=[
                    cluster_pb2.ApiResource(name=kind.lower() + "s", kind=kind)
                    for gv, kind in kinds
                    if gv == group_version
                ],
            )
        )
    status.conditions.append(meta_pb2.Condition(type="Ready", status="True", reason="ClusterReady"))
    status.node_summary.CopyFrom(cluster_pb2.NodeSummary(total_num=3, ready_num=3))
    status.resource_summary.allocatable.update({"cpu": cpu, "memory": memory, "pods": pods})
    return status


async def join(
    client: Client,
    name: str,
    *,
    labels: dict[str, str] | None = None,
    provider: str = "",
    region: str = "",
    zones: Sequence[str] = (),
    taints: Sequence[types_pb2.Taint] = (),
    status: cluster_pb2.ClusterStatus | None = None,
) -> cluster_pb2.Cluster:
    """Registers a push cluster and reports its status, as the cluster-status controller would."""
    cluster = CLUSTER.new(name=name)
    cluster.metadata.labels.update(labels or {})
    cluster.spec.sync_mode = "Push"
    cluster.spec.api_endpoint = f"https://{name}.example:6443"
    cluster.spec.provider = provider
    cluster.spec.region = region
    cluster.spec.zones.extend(zones)
    cluster.spec.taints.extend(taints)
    created = await client.create(cluster)
    created.status.CopyFrom(status or cluster_status())
    return await client.update_status(created)


def placement(
    label: tuple[str, str],
    *,
    division: str = "Weighted",
    scheduling: str = "Divided",
    weights: Sequence[tuple[str, int]] = (),
    dynamic: bool = False,
    spread: Sequence[policy_pb2.SpreadConstraint] = (),
    tolerations: Sequence[types_pb2.Toleration] = (),
) -> policy_pb2.Placement:
    """A placement selecting the clusters labelled `label`, with the given strategy."""
    result = policy_pb2.Placement()
    result.cluster_affinity.label_selector.match_labels[label[0]] = label[1]
    strategy = result.replica_scheduling
    strategy.replica_scheduling_type = scheduling
    if scheduling == "Divided":
        strategy.replica_division_preference = division
        if dynamic:
            strategy.weight_preference.dynamic_weight = "AvailableReplicas"
        for cluster, weight in weights:
            rule = strategy.weight_preference.static_weight_list.add(weight=weight)
            rule.target_cluster.cluster_names.append(cluster)
    result.spread_constraints.extend(spread)
    result.cluster_tolerations.extend(tolerations)
    return result


def _spec(
    *,
    name: str,
    namespace: str,
    replicas: int,
    placement_: policy_pb2.Placement,
    cpu: str,
    kind: tuple[str, str],
) -> rb_pb2.ResourceBindingSpec:
    spec = rb_pb2.ResourceBindingSpec(replicas=replicas)
    spec.resource.api_version, spec.resource.kind = kind
    spec.resource.name = name
    spec.resource.namespace = namespace
    spec.placement.CopyFrom(placement_)
    if cpu:
        spec.replica_requirements.resource_request["cpu"] = cpu
    return spec


async def bind(
    client: Client,
    namespace: str,
    name: str,
    placement_: policy_pb2.Placement,
    *,
    replicas: int = 0,
    cpu: str = "",
    kind: tuple[str, str] = ("apps/v1", "Deployment"),
) -> rb_pb2.ResourceBinding:
    binding = RESOURCE_BINDING.new(name=name, namespace=namespace)
    binding.spec.CopyFrom(
        _spec(
            name=name,
            namespace=namespace,
            replicas=replicas,
            placement_=placement_,
            cpu=cpu,
            kind=kind,
        )
    )
    return await client.create(binding)


async def bind_cluster_scoped(
    client: Client, name: str, placement_: policy_pb2.Placement, *, kind: tuple[str, str]
) -> crb_pb2.ClusterResourceBinding:
    binding = CLUSTER_RESOURCE_BINDING.new(name=name)
    binding.spec.CopyFrom(
        _spec(name=name, namespace="", replicas=0, placement_=placement_, cpu="", kind=kind)
    )
    return await client.create(binding)


def result(binding: rb_pb2.ResourceBinding | crb_pb2.ClusterResourceBinding) -> dict[str, int]:
    return {target.name: target.replicas for target in binding.spec.clusters}


def scheduled_condition(
    binding: rb_pb2.ResourceBinding | crb_pb2.ClusterResourceBinding,
) -> meta_pb2.Condition | None:
    for condition in binding.status.conditions:
        if condition.type == "Scheduled":
            return condition
    return None
