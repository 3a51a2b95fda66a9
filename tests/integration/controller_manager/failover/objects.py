"""Clusters, bindings and taints written through the API, as the other controllers would write them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from google.protobuf import timestamp_pb2
from google.protobuf.message import Message

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import types_pb2
from karmada.machinery.client import Client
from karmada.machinery.scheme import CLUSTER, Kind
from karmada.machinery.structs import from_dict
from karmada.meta.v1 import meta_pb2
from karmada.names import NOT_READY_TAINT
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2

B = TypeVar("B", bound=Message)

KINDS = (("apps/v1", "Deployment"), ("rbac.authorization.k8s.io/v1", "ClusterRole"))


def now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    return stamp


def seconds(stamp: timestamp_pb2.Timestamp) -> float:
    return stamp.ToNanoseconds() / 1e9


def _ready_status() -> cluster_pb2.ClusterStatus:
    status = cluster_pb2.ClusterStatus(kubernetes_version="v1.30.0")
    for group_version in sorted({gv for gv, _ in KINDS}):
        status.api_enablements.append(
            cluster_pb2.ApiEnablement(
                group_version=group_version,
                resources=[
                    cluster_pb2.ApiResource(name=kind.lower() + "s", kind=kind)
                    for gv, kind in KINDS
                    if gv == group_version
                ],
            )
        )
    status.conditions.append(meta_pb2.Condition(type="Ready", status="True", reason="ClusterReady"))
    status.node_summary.CopyFrom(cluster_pb2.NodeSummary(total_num=3, ready_num=3))
    status.resource_summary.allocatable.update({"cpu": "100", "memory": "1000Gi", "pods": "1000"})
    return status


async def create_clusters(client: Client, *names: str) -> None:
    """Registers push clusters that report Ready, as the cluster status controller would."""
    for name in names:
        cluster = CLUSTER.new(name=name)
        cluster.spec.sync_mode = "Push"
        cluster.spec.api_endpoint = f"https://{name}.example:6443"
        created = await client.create(cluster)
        created.status.CopyFrom(_ready_status())
        await client.update_status(created)


def not_ready_taints(at: timestamp_pb2.Timestamp) -> list[types_pb2.Taint]:
    """What the cluster controller puts on a cluster whose Ready turned False."""
    return [
        types_pb2.Taint(key=NOT_READY_TAINT, effect="NoSchedule"),
        types_pb2.Taint(key=NOT_READY_TAINT, effect="NoExecute", time_added=at),
    ]


async def set_taints(client: Client, name: str, taints: Sequence[types_pb2.Taint]) -> None:
    def mutate(cluster: cluster_pb2.Cluster) -> cluster_pb2.Cluster:
        del cluster.spec.taints[:]
        cluster.spec.taints.extend(taints)
        return cluster

    await client.guaranteed_update(CLUSTER, name, mutate=mutate)


def toleration(seconds: int | None) -> types_pb2.Toleration:
    """Tolerates the not-ready NoExecute taint for `seconds` (None: forever)."""
    result = types_pb2.Toleration(key=NOT_READY_TAINT, operator="Exists", effect="NoExecute")
    if seconds is not None:
        result.toleration_seconds = seconds
    return result


def placement(
    clusters: Sequence[str], *, tolerate: int | None, divided: bool = True
) -> policy_pb2.Placement:
    result = policy_pb2.Placement()
    result.cluster_affinity.cluster_names.extend(clusters)
    strategy = result.replica_scheduling
    strategy.replica_scheduling_type = "Divided" if divided else "Duplicated"
    if divided:
        strategy.replica_division_preference = "Weighted"
    result.cluster_tolerations.append(toleration(tolerate))
    return result


def binding_spec(
    name: str,
    namespace: str,
    placement_: policy_pb2.Placement,
    *,
    replicas: int,
    purge_mode: str | None,
    kind: tuple[str, str] = ("apps/v1", "Deployment"),
) -> rb_pb2.ResourceBindingSpec:
    """A binding spec as the detector writes it; `purge_mode` None leaves failover unset."""
    spec = rb_pb2.ResourceBindingSpec(replicas=replicas)
    spec.resource.api_version, spec.resource.kind = kind
    spec.resource.name = name
    spec.resource.namespace = namespace
    spec.placement.CopyFrom(placement_)
    if purge_mode is not None:
        spec.failover.cluster.purge_mode = purge_mode
    return spec


def health(cluster: str, state: str, *, available: int) -> rb_pb2.AggregatedStatusItem:
    """An aggregatedStatus item as the binding status controller writes it."""
    return rb_pb2.AggregatedStatusItem(
        cluster_name=cluster,
        applied=True,
        health=state,
        status=from_dict({"replicas": available, "availableReplicas": available}),
    )


async def report(
    client: Client, kind: Kind[Any], namespace: str, name: str, *items: rb_pb2.AggregatedStatusItem
) -> None:
    """Writes aggregatedStatus, as the binding status controller would."""

    def mutate(binding: Any) -> Any:
        del binding.status.aggregated_status[:]
        binding.status.aggregated_status.extend(items)
        return binding

    await client.guaranteed_update(kind, name, namespace, mutate=mutate, status=True)


def placed(binding: Any) -> dict[str, int]:
    return {target.name: target.replicas for target in binding.spec.clusters}


def rescheduled(binding: Any) -> bool:
    """Whether the scheduler has handled the binding's current spec."""
    return bool(binding.status.scheduler_observed_generation == binding.metadata.generation)


async def history(
    client: Client,
    kind: Kind[B],
    *,
    namespace: str,
    name: str,
    since: str,
    until: Callable[[B], bool],
    timeout: float = 30.0,
) -> list[B]:
    """Every state the object went through after revision `since`, up to one where `until` holds."""
    states: list[B] = []
    try:
        async with asyncio.timeout(timeout):
            async for event in client.watch(kind, namespace=namespace, resource_version=since):
                obj: Any = event.object
                if event.type not in ("ADDED", "MODIFIED") or obj.metadata.name != name:
                    continue
                states.append(event.object)
                if until(event.object):
                    return states
    except TimeoutError:
        pass
    raise AssertionError(
        f"timed out after {timeout}s waiting on {name}; last state: {states[-1] if states else None}"
    )
