"""The clusters and bindings the scheduling benchmark writes, built as the controllers would.

Clusters are Push clusters whose status (Ready, served kinds, allocatable
resources) is written with UpdateClusterStatus, as the cluster-status
controller would; capacity varies from cluster to cluster and clusters are
spread over five regions of three zones each, so filters and the capacity
estimate see a realistic fleet rather than identical copies. Bindings are
Deployments of 10 replicas requesting 100m CPU each, placed Divided/Weighted
with equal weights on the clusters a label selector picks (all of them), the
shape of Karmada's published scheduler test. The benchmark must not import
from tests/, so these builders live here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery.client import Client
from karmada.machinery.scheme import CLUSTER, RESOURCE_BINDING
from karmada.meta.v1 import meta_pb2
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2

T = TypeVar("T")

FLEET_LABEL = ("bench.karmada.io/fleet", "scheduling")
REGIONS = ("us-east-1", "us-west-2", "eu-central-1", "ap-south-1", "ap-northeast-1")
ZONE_SUFFIXES = ("a", "b", "c")
SERVED_KINDS = (
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("v1", "ConfigMap"),
    ("v1", "Service"),
)
REPLICAS = 10
CPU_REQUEST = "100m"
OTHER_SCHEDULER = "bench-no-scheduler"
"""schedulerName of the ceiling's pool bindings, so the scheduler never picks them up."""


def cluster_name(index: int) -> str:
    return f"member-{index:04d}"


def cluster(index: int) -> cluster_pb2.Cluster:
    """A Push cluster in one of five regions, labelled into the benchmark fleet."""
    region = REGIONS[index % len(REGIONS)]
    obj = CLUSTER.new(name=cluster_name(index))
    obj.metadata.labels.update({FLEET_LABEL[0]: FLEET_LABEL[1], "topology.region": region})
    obj.spec.sync_mode = "Push"
    obj.spec.api_endpoint = f"https://{obj.metadata.name}.example:6443"
    obj.spec.provider = ("aws", "gcp", "azure")[index % 3]
    obj.spec.region = region
    obj.spec.zones.append(f"{region}{ZONE_SUFFIXES[(index // len(REGIONS)) % 3]}")
    return obj


def cluster_status(index: int) -> cluster_pb2.ClusterStatus:
    """Ready, serving Deployments, with capacity that differs from cluster to cluster."""
    status = cluster_pb2.ClusterStatus(kubernetes_version="v1.30.0")
    for group_version in sorted({gv for gv, _ in SERVED_KINDS}):
        status.api_enablements.append(
            cluster_pb2.ApiEnablement(
                group_version=group_version,
                resources=[
                    cluster_pb2.ApiResource(name=kind.lower() + "s", kind=kind)
                    for gv, kind in SERVED_KINDS
                    if gv == group_version
                ],
            )
        )
    status.conditions.append(meta_pb2.Condition(type="Ready", status="True", reason="ClusterReady"))
    nodes = 3 + index % 8
    status.node_summary.CopyFrom(cluster_pb2.NodeSummary(total_num=nodes, ready_num=nodes))
    cpu = 16 * nodes
    summary = status.resource_summary
    summary.allocatable.update(
        {"cpu": str(cpu), "memory": f"{64 * nodes}Gi", "pods": str(110 * nodes)}
    )
    summary.allocated.update(
        {"cpu": f"{(index * 37) % (cpu * 600)}m", "memory": f"{(index * 7) % 64}Gi", "pods": "20"}
    )
    return status


async def join(client: Client, index: int) -> cluster_pb2.Cluster:
    """Creates cluster `index` and reports its status; returns the stored cluster."""
    created = await client.create(cluster(index))
    created.status.CopyFrom(cluster_status(index))
    return await client.update_status(created)


def placement() -> policy_pb2.Placement:
    """Every fleet cluster by label selector; 10 replicas divided by equal weights."""
    result = policy_pb2.Placement()
    result.cluster_affinity.label_selector.match_labels[FLEET_LABEL[0]] = FLEET_LABEL[1]
    strategy = result.replica_scheduling
    strategy.replica_scheduling_type = "Divided"
    strategy.replica_division_preference = "Weighted"
    return result


def binding(namespace: str, name: str, *, scheduler_name: str = "") -> rb_pb2.ResourceBinding:
    """An unscheduled ResourceBinding of Deployment `name`."""
    obj = RESOURCE_BINDING.new(name=name, namespace=namespace)
    spec = obj.spec
    spec.resource.api_version = "apps/v1"
    spec.resource.kind = "Deployment"
    spec.resource.name = name
    spec.resource.namespace = namespace
    spec.replicas = REPLICAS
    spec.replica_requirements.resource_request["cpu"] = CPU_REQUEST
    spec.placement.CopyFrom(placement())
    spec.scheduler_name = scheduler_name
    return obj


async def each(
    call: Callable[[int], Awaitable[T]], count: int, *, concurrency: int = 16
) -> list[T]:
    """call(0..count-1) from `concurrency` tasks; the results in index order."""
    results: dict[int, T] = {}
    numbers = iter(range(count))

    async def worker() -> None:
        for number in numbers:
            results[number] = await call(number)

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return [results[i] for i in range(count)]
