"""Cluster failover end to end: NoExecute taints evict bindings, the scheduler moves the replicas,
and graceful eviction tasks end by purge mode, health or grace period.

Each test uses its own clusters (cluster names are global) and namespace.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from karmada.machinery.client import Client
from karmada.machinery.scheme import CLUSTER_RESOURCE_BINDING, NAMESPACE, RESOURCE_BINDING
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2
from tests.integration.controller_manager.failover.objects import (
    binding_spec,
    create_clusters,
    health,
    history,
    not_ready_taints,
    now,
    placed,
    placement,
    report,
    rescheduled,
    seconds,
    set_taints,
)
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

WAIT = 30.0


async def _namespace(client: Client, name: str) -> str:
    await client.create(NAMESPACE.new(name=name))
    return name


async def _bind(client: Client, namespace: str, name: str, spec: rb_pb2.ResourceBindingSpec) -> Any:
    binding = RESOURCE_BINDING.new(name=name, namespace=namespace)
    binding.spec.CopyFrom(spec)
    return await client.create(binding)


async def _wait_placed(
    client: Client,
    namespace: str,
    name: str,
    expected: dict[str, int],
    *,
    kind: Any = None,
    current: bool = True,
) -> Any:
    """Waits for the placement; with `current`, for the scheduler to have seen the latest spec."""
    kind = kind or RESOURCE_BINDING

    async def probe() -> Any:
        binding = await client.get(kind, name, namespace)
        ok = placed(binding) == expected and (rescheduled(binding) or not current)
        return binding if ok else None

    return await eventually(probe, timeout=WAIT, what=f"{name} placed on {expected}")


async def test_untolerated_taint_evicts_and_old_copies_go_once_new_ones_are_healthy(
    plane: ControlPlane,
) -> None:
    client = plane.client
    ns = await _namespace(client, "graceful")
    await create_clusters(client, "g1", "g2")
    names = ("unhealthy", "stale", "healthy")
    for name in names:
        spec = binding_spec(
            name, ns, placement(["g1", "g2"], tolerate=1), replicas=4, purge_mode="Gracefully"
        )
        await _bind(client, ns, name, spec)
    for name in names:
        await _wait_placed(client, ns, name, {"g1": 2, "g2": 2})

    tainted_at = now()
    await set_taints(client, "g1", not_ready_taints(tainted_at))

    for name in names:
        binding = await _wait_placed(client, ns, name, {"g2": 4})
        [task] = binding.spec.graceful_eviction_tasks
        assert (task.from_cluster, task.replicas, task.purge_mode) == ("g1", 2, "Gracefully")
        assert (task.reason, task.producer) == ("TaintUntolerated", "TaintManager")
        assert "cluster.karmada.io/not-ready:NoExecute" in task.message
        assert seconds(task.creation_timestamp) >= seconds(tainted_at) + 1, "tolerated for 1 s"

    await report(client, RESOURCE_BINDING, ns, "unhealthy", health("g2", "Unhealthy", available=0))
    await report(client, RESOURCE_BINDING, ns, "stale", health("g2", "Healthy", available=2))
    await report(client, RESOURCE_BINDING, ns, "healthy", health("g2", "Healthy", available=4))

    async def task_ended(name: str) -> bool:
        binding = await client.get(RESOURCE_BINDING, name, ns)
        return not binding.spec.graceful_eviction_tasks

    await eventually(
        functools.partial(task_ended, "healthy"), timeout=WAIT, what="the healthy task to end"
    )
    for name in ("unhealthy", "stale"):
        binding = await client.get(RESOURCE_BINDING, name, ns)
        assert [t.from_cluster for t in binding.spec.graceful_eviction_tasks] == ["g1"], name

    for name in ("unhealthy", "stale"):
        await report(client, RESOURCE_BINDING, ns, name, health("g2", "Healthy", available=4))
        await eventually(
            functools.partial(task_ended, name), timeout=WAIT, what=f"{name}'s task to end"
        )
    for name in names:
        binding = await client.get(RESOURCE_BINDING, name, ns)
        assert placed(binding) == {"g2": 4}, "the NoSchedule taint keeps g1 out"


async def test_purge_mode_directly_ends_the_task_at_once(plane: ControlPlane) -> None:
    client = plane.client
    ns = await _namespace(client, "directly")
    await create_clusters(client, "d1", "d2")
    spec = binding_spec(
        "web", ns, placement(["d1", "d2"], tolerate=0), replicas=4, purge_mode="Directly"
    )
    await _bind(client, ns, "web", spec)
    crb = CLUSTER_RESOURCE_BINDING.new(name="failover-reader-clusterrole")
    crb.spec.CopyFrom(
        binding_spec(
            "failover-reader",
            "",
            placement(["d1", "d2"], tolerate=0, divided=False),
            replicas=0,
            purge_mode="Directly",
            kind=("rbac.authorization.k8s.io/v1", "ClusterRole"),
        )
    )
    await client.create(crb)
    before = await _wait_placed(client, ns, "web", {"d1": 2, "d2": 2})
    crb_before = await _wait_placed(
        client, "", crb.metadata.name, {"d1": 0, "d2": 0}, kind=CLUSTER_RESOURCE_BINDING
    )

    await set_taints(client, "d1", not_ready_taints(now()))

    def settled(binding: Any) -> bool:
        return "d1" not in placed(binding) and not binding.spec.graceful_eviction_tasks

    states = await history(
        client,
        RESOURCE_BINDING,
        namespace=ns,
        name="web",
        since=before.metadata.resource_version,
        until=settled,
    )
    tasks = [t for state in states for t in state.spec.graceful_eviction_tasks]
    assert tasks, "an eviction task was written"
    assert {(t.from_cluster, t.purge_mode, t.replicas) for t in tasks} == {("d1", "Directly", 2)}
    await _wait_placed(client, ns, "web", {"d2": 4}, current=False)

    crb_states = await history(
        client,
        CLUSTER_RESOURCE_BINDING,
        namespace="",
        name=crb.metadata.name,
        since=crb_before.metadata.resource_version,
        until=settled,
    )
    crb_tasks = [t for state in crb_states for t in state.spec.graceful_eviction_tasks]
    assert [(t.from_cluster, t.purge_mode, t.HasField("replicas")) for t in crb_tasks[:1]] == [
        ("d1", "Directly", False)
    ]
    assert placed(crb_states[-1]) == {"d2": 0}


async def test_a_cluster_back_in_time_keeps_its_bindings(plane: ControlPlane) -> None:
    """r1 recovers before X's 3 s run out; r3 stays tainted: Z leaves after 6 s, while W
    (tolerates forever) and V (failover off) stay."""
    client = plane.client
    ns = await _namespace(client, "recover")
    await create_clusters(client, "r1", "r2", "r3")
    bindings = {
        "x": binding_spec("x", ns, placement(["r1", "r2"], tolerate=3), replicas=2, purge_mode=""),
        "z": binding_spec("z", ns, placement(["r3", "r2"], tolerate=6), replicas=2, purge_mode=""),
        "w": binding_spec(
            "w", ns, placement(["r3", "r2"], tolerate=None), replicas=2, purge_mode=""
        ),
        "v": binding_spec(
            "v", ns, placement(["r3", "r2"], tolerate=0), replicas=2, purge_mode=None
        ),
    }
    for name, spec in bindings.items():
        await _bind(client, ns, name, spec)
    await _wait_placed(client, ns, "x", {"r1": 1, "r2": 1})
    for name in ("z", "w", "v"):
        await _wait_placed(client, ns, name, {"r3": 1, "r2": 1})

    tainted_at = now()
    await set_taints(client, "r1", not_ready_taints(tainted_at))
    await set_taints(client, "r3", not_ready_taints(tainted_at))
    await set_taints(client, "r1", [])
    assert time.time() < seconds(tainted_at) + 3, "r1 recovered within x's toleration"

    await _wait_placed(client, ns, "z", {"r2": 2})
    z = await client.get(RESOURCE_BINDING, "z", ns)
    assert seconds(z.spec.graceful_eviction_tasks[0].creation_timestamp) >= seconds(tainted_at) + 6
    expected = {"x": {"r1": 1, "r2": 1}, "w": {"r3": 1, "r2": 1}, "v": {"r3": 1, "r2": 1}}
    for name, clusters in expected.items():
        binding = await client.get(RESOURCE_BINDING, name, ns)
        assert placed(binding) == clusters, name
        assert not binding.spec.graceful_eviction_tasks, name


async def test_a_task_ends_when_its_grace_period_runs_out(plane: ControlPlane) -> None:
    """An application-failover task (written here, without creation time) with a 2 s grace period."""
    client = plane.client
    ns = await _namespace(client, "grace")
    await create_clusters(client, "e1", "e2")
    spec = binding_spec(
        "app", ns, placement(["e1", "e2"], tolerate=None), replicas=2, purge_mode=""
    )
    await _bind(client, ns, "app", spec)
    await _wait_placed(client, ns, "app", {"e1": 1, "e2": 1})

    def evict(binding: Any) -> Any:
        del binding.spec.clusters[:1]
        binding.spec.graceful_eviction_tasks.add(
            from_cluster="e1",
            purge_mode="Gracefully",
            replicas=1,
            reason="ApplicationFailure",
            producer="ApplicationFailover",
            grace_period_seconds=2,
        )
        return binding

    evicted = await client.guaranteed_update(RESOURCE_BINDING, "app", ns, mutate=evict)
    await report(client, RESOURCE_BINDING, ns, "app", health("e2", "Unhealthy", available=0))

    states = await history(
        client,
        RESOURCE_BINDING,
        namespace=ns,
        name="app",
        since=evicted.metadata.resource_version,
        until=lambda b: not b.spec.graceful_eviction_tasks,
    )
    ended_at = time.time()
    stamped = [
        t.creation_timestamp
        for state in states
        for t in state.spec.graceful_eviction_tasks
        if t.HasField("creation_timestamp")
    ]
    assert stamped, "the controller gave the task a creation time"
    assert ended_at >= seconds(stamped[0]) + 2
    moved = [placed(state) for state in states if placed(state) == {"e2": 2}]
    assert moved, "the scheduler moved the replicas, keeping e1 out while the task lived"
