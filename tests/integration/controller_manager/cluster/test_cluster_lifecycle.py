"""The cluster and cluster status controllers end to end: join, health, taints, leave.

Members are simulated clusters reached over HTTPS with the credentials that
joining stored in the control plane; faults are injected through the
simulator's admin endpoint, and everything is observed through the API (and
the manager's /metrics), as a user would.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.conditions import find_condition, is_true, set_condition
from karmada.machinery.scheme import CLUSTER, NAMESPACE, WORK, Kind
from karmada.member import NotFound as MemberNotFound
from karmada.meta.v1 import meta_pb2
from karmada.names import CLUSTER_FINALIZER, NOT_READY_TAINT, UNREACHABLE_TAINT, execution_space
from karmada.registration import join_push
from karmada.work.v1alpha1 import work_pb2
from tests.integration.controller_manager.cluster.conftest import (
    FAILURE_THRESHOLD,
    SUCCESS_THRESHOLD,
)
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

TIMEOUT = 30.0
CONTROLLED = {NOT_READY_TAINT, UNREACHABLE_TAINT}


async def cluster_until(
    client: Client, name: str, check: Callable[[cluster_pb2.Cluster], bool], what: str
) -> cluster_pb2.Cluster:
    async def probe() -> cluster_pb2.Cluster | None:
        cluster = await client.get(CLUSTER, name)
        return cluster if check(cluster) else None

    return await eventually(probe, timeout=TIMEOUT, what=f"cluster {name}: {what}")


async def gone(client: Client, kind: Kind[Any], name: str, namespace: str = "") -> bool:
    try:
        await client.get(kind, name, namespace)
    except errors.NotFound:
        return True
    return False


def ready(cluster: cluster_pb2.Cluster) -> meta_pb2.Condition | None:
    return find_condition(cluster.status.conditions, "Ready")


def ready_is(status: str) -> Callable[[cluster_pb2.Cluster], bool]:
    def check(cluster: cluster_pb2.Cluster) -> bool:
        condition = ready(cluster)
        return condition is not None and condition.status == status

    return check


def controlled_taints(cluster: cluster_pb2.Cluster) -> set[tuple[str, str]]:
    return {(t.key, t.effect) for t in cluster.spec.taints if t.key in CONTROLLED}


def seconds(condition: meta_pb2.Condition) -> float:
    return condition.last_transition_time.ToNanoseconds() / 1e9


async def test_joined_clusters_get_execution_spaces_and_full_status(plane: ControlPlane) -> None:
    client = plane.client
    for name in ("member1", "member2"):
        await plane.join(name)

    for name in ("member1", "member2"):
        cluster = await cluster_until(
            client,
            name,
            lambda c: (
                is_true(c.status.conditions, "Ready") and bool(c.status.node_summary.total_num)
            ),
            "Ready with a node summary",
        )
        assert CLUSTER_FINALIZER in cluster.metadata.finalizers
        await client.get(NAMESPACE, execution_space(name))
        condition = ready(cluster)
        assert condition is not None
        assert condition.reason == "ClusterReady"
        assert condition.message == "cluster is healthy and ready to accept workloads"
        assert cluster.status.kubernetes_version.startswith("v")
        complete = find_condition(cluster.status.conditions, "CompleteAPIEnablements")
        assert complete is not None and (complete.status, complete.reason) == ("True", "Complete")
        apps = {e.group_version: e for e in cluster.status.api_enablements}["apps/v1"]
        assert ("deployments", "Deployment") in {(r.name, r.kind) for r in apps.resources}
        assert cluster.status.node_summary.ready_num <= cluster.status.node_summary.total_num
        allocatable = cluster.status.resource_summary.allocatable
        assert {"cpu", "memory", "pods"} <= set(allocatable)
        assert "pods" in cluster.status.resource_summary.allocated
        # Ready clears the not-ready taint a fresh cluster starts with.
        cluster = await cluster_until(
            client, name, lambda c: not controlled_taints(c), "no health taints"
        )

    async def exported() -> bool:
        text = await plane.manager.metrics() if plane.manager else ""
        return all(
            f'cluster_ready_state{{member_cluster="{name}"}} 1.0' in text
            and f'cluster_node_number{{member_cluster="{name}"}}' in text
            and f'cluster_sync_status_duration_seconds_count{{member_cluster="{name}"}}' in text
            for name in ("member1", "member2")
        )

    await eventually(exported, timeout=TIMEOUT, what="cluster metrics for both members")


async def test_unreachable_cluster_turns_not_ready_after_threshold_and_recovers(
    plane: ControlPlane,
) -> None:
    client = plane.client
    await plane.join("member3")
    await cluster_until(
        client,
        "member3",
        lambda c: ready_is("True")(c) and not controlled_taints(c),
        "Ready and untainted",
    )

    cut = time.time()
    plane.simulator.faults("member3", "POST", {"unreachable": True})
    try:
        cluster = await cluster_until(client, "member3", ready_is("False"), "Ready False")
        condition = ready(cluster)
        assert condition is not None
        assert condition.reason == "ClusterNotReachable"
        assert condition.message.startswith("cluster is not reachable")
        assert seconds(condition) >= cut + FAILURE_THRESHOLD
        # What was collected while healthy stays.
        assert cluster.status.kubernetes_version
        cluster = await cluster_until(
            client,
            "member3",
            lambda c: (
                controlled_taints(c)
                == {(NOT_READY_TAINT, "NoSchedule"), (NOT_READY_TAINT, "NoExecute")}
            ),
            "not-ready taints",
        )
        no_execute = next(t for t in cluster.spec.taints if t.effect == "NoExecute")
        assert no_execute.time_added.seconds >= int(cut)
    finally:
        restored = time.time()
        plane.simulator.faults("member3", "POST", {"unreachable": False})

    cluster = await cluster_until(client, "member3", ready_is("True"), "Ready True again")
    condition = ready(cluster)
    assert condition is not None and condition.reason == "ClusterReady"
    assert seconds(condition) >= restored + SUCCESS_THRESHOLD
    await cluster_until(client, "member3", lambda c: not controlled_taints(c), "taints removed")


async def test_taints_follow_ready_reported_by_a_pull_cluster(plane: ControlPlane) -> None:
    client = plane.client
    name = f"pull-{uuid.uuid4().hex[:6]}"
    created = CLUSTER.new(name=name)
    created.spec.sync_mode = "Pull"
    await client.create(created)

    # Just joined, never reported: kept off the scheduler, nothing to evict.
    await cluster_until(
        client,
        name,
        lambda c: (
            CLUSTER_FINALIZER in c.metadata.finalizers
            and controlled_taints(c) == {(NOT_READY_TAINT, "NoSchedule")}
        ),
        "finalizer and not-ready NoSchedule",
    )
    await client.get(NAMESPACE, execution_space(name))

    async def report(status: str, reason: str) -> None:
        def mutate(cluster: cluster_pb2.Cluster) -> cluster_pb2.Cluster:
            set_condition(cluster.status.conditions, "Ready", status, reason, "agent report")
            return cluster

        await client.guaranteed_update(CLUSTER, name, mutate=mutate, status=True)

    await report("Unknown", "Lost")
    await cluster_until(
        client,
        name,
        lambda c: (
            controlled_taints(c)
            == {(UNREACHABLE_TAINT, "NoSchedule"), (UNREACHABLE_TAINT, "NoExecute")}
        ),
        "unreachable taints",
    )
    await report("True", "ClusterReady")
    cluster = await cluster_until(client, name, lambda c: not controlled_taints(c), "no taints")
    # The status controller leaves Pull clusters to their agent.
    condition = ready(cluster)
    assert condition is not None and condition.message == "agent report"

    await client.delete(CLUSTER, name)
    await eventually(lambda: gone(client, CLUSTER, name), timeout=TIMEOUT, what="cluster gone")


async def test_cluster_without_credentials_reports_why(plane: ControlPlane) -> None:
    client = plane.client
    name = f"nocreds-{uuid.uuid4().hex[:6]}"
    created = CLUSTER.new(name=name)
    created.spec.sync_mode = "Push"
    created.spec.api_endpoint = "https://127.0.0.1:9"
    created.spec.secret_ref.namespace = "karmada-cluster"
    created.spec.secret_ref.name = name
    await client.create(created)

    cluster = await cluster_until(client, name, ready_is("False"), "Ready False")
    condition = ready(cluster)
    assert condition is not None
    assert condition.reason == "StatusCollectionFailed"
    assert f"karmada-cluster/{name}" in condition.message and "not found" in condition.message
    await cluster_until(
        client,
        name,
        lambda c: (NOT_READY_TAINT, "NoSchedule") in controlled_taints(c),
        "not-ready taint",
    )

    await client.delete(CLUSTER, name)
    await eventually(lambda: gone(client, CLUSTER, name), timeout=TIMEOUT, what="cluster gone")


async def test_leaving_cluster_removes_its_works_and_their_objects_then_goes(
    plane: ControlPlane,
) -> None:
    client = plane.client
    name = f"leaver-{uuid.uuid4().hex[:6]}"
    space = execution_space(name)
    # The same simulated member, registered a second time under another name.
    await join_push(client, name, plane.kubeconfig("member1"))
    await cluster_until(client, name, ready_is("True"), "Ready")
    await eventually(lambda: _exists(client, space), timeout=TIMEOUT, what="execution space")

    config_map = f"cm-{uuid.uuid4().hex[:6]}"
    held = WORK.new(name="held", namespace=space)
    held.metadata.finalizers.append("e2e.karmada.io/hold")
    applied = WORK.new(name="applied", namespace=space)
    for work, object_name in ((held, f"{config_map}-held"), (applied, config_map)):
        work.spec.workload.manifests.add().update(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": object_name, "namespace": "default"},
                "data": {"from": name},
            }
        )
        await client.create(work)
    member = await plane.member("member1")

    async def in_member() -> bool:
        for object_name in (config_map, f"{config_map}-held"):
            try:
                await member.get("v1", "ConfigMap", object_name, namespace="default")
            except MemberNotFound:
                return False
        return True

    await eventually(in_member, timeout=TIMEOUT, what="the Works applied in the member")

    await client.delete(CLUSTER, name)

    async def held_back() -> bool:
        work = await client.get(WORK, "held", space)
        return work.metadata.HasField("deletion_timestamp") and await gone(
            client, WORK, "applied", space
        )

    await eventually(held_back, timeout=TIMEOUT, what="Works deleted but one held")
    # The execution controller's finalizer took the object out of the member first.
    with pytest.raises(MemberNotFound):
        await member.get("v1", "ConfigMap", config_map, namespace="default")
    # A Work still there holds the namespace and the Cluster.
    leaving = await client.get(CLUSTER, name)
    assert leaving.metadata.HasField("deletion_timestamp")
    assert CLUSTER_FINALIZER in leaving.metadata.finalizers
    await client.get(NAMESPACE, space)

    def release(work: work_pb2.Work) -> work_pb2.Work:
        work.metadata.finalizers.remove("e2e.karmada.io/hold")
        return work

    await client.guaranteed_update(WORK, "held", space, mutate=release)

    async def all_gone() -> bool:
        return (
            await gone(client, WORK, "held", space)
            and await gone(client, NAMESPACE, space)
            and await gone(client, CLUSTER, name)
        )

    await eventually(all_gone, timeout=TIMEOUT, what="Works, execution space and Cluster gone")
    with pytest.raises(MemberNotFound):
        await member.get("v1", "ConfigMap", f"{config_map}-held", namespace="default")

    async def metrics_dropped() -> bool:
        text = await plane.manager.metrics() if plane.manager else "x"
        return f'member_cluster="{name}"' not in text

    await eventually(metrics_dropped, timeout=TIMEOUT, what="metrics of the leaver removed")


async def _exists(client: Client, namespace: str) -> bool:
    return not await gone(client, NAMESPACE, namespace)
