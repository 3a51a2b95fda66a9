"""Rescheduling triggers: taints, labels, clusters joining and leaving, placement, manual trigger."""

from __future__ import annotations

import time

from karmada.core.v1 import types_pb2
from karmada.machinery.client import Client
from karmada.machinery.scheme import CLUSTER, NAMESPACE, RESOURCE_BINDING
from tests.integration.scheduler.conftest import Plane
from tests.integration.scheduler.objects import bind, join, placement, result
from tests.integration.scheduler.test_scheduling import wait_scheduled
from tests.support.waiting import eventually


async def _namespace(client: Client, unique: str) -> str:
    await client.create(NAMESPACE.new(name=f"ns-{unique}"))
    return f"ns-{unique}"


async def _three_clusters(client: Client, unique: str) -> list[str]:
    names = [f"{n}-{unique}" for n in ("a", "b", "c")]
    for name in names:
        await join(client, name, labels={"e2e": unique})
    return names


async def test_no_execute_taint_moves_replicas_and_no_schedule_does_not(
    plane: Plane, unique: str
) -> None:
    client = plane.client
    a, b, c = await _three_clusters(client, unique)
    ns = await _namespace(client, unique)
    await bind(client, ns, "web", placement(("e2e", unique)), replicas=6)
    await wait_scheduled(client, ns, "web", {a: 2, b: 2, c: 2})

    cluster = await client.get(CLUSTER, c)
    cluster.spec.taints.add(key="maintenance", effect="NoSchedule")
    await client.update(cluster)
    # Already-placed replicas stay on a NoSchedule cluster; a new binding avoids it.
    await bind(client, ns, "new", placement(("e2e", unique)), replicas=6)
    await wait_scheduled(client, ns, "new", {a: 3, b: 3})
    web = await client.get(RESOURCE_BINDING, "web", ns)
    assert result(web) == {a: 2, b: 2, c: 2}

    cluster = await client.get(CLUSTER, c)
    cluster.spec.taints.add(key="evict", effect="NoExecute")
    await client.update(cluster)
    await wait_scheduled(client, ns, "web", {a: 3, b: 3})


async def test_tolerated_taint_keeps_the_cluster(plane: Plane, unique: str) -> None:
    client = plane.client
    a, b, _ = await _three_clusters(client, unique)
    cluster = await client.get(CLUSTER, b)
    cluster.spec.taints.add(key="gpu", value="true", effect="NoSchedule")
    await client.update(cluster)
    ns = await _namespace(client, unique)
    tolerate = [
        types_pb2.Toleration(key="gpu", operator="Equal", value="true", effect="NoSchedule")
    ]
    spec = placement(("e2e", unique), scheduling="Duplicated", tolerations=tolerate)
    spec.cluster_affinity.cluster_names.extend([a, b])
    await bind(client, ns, "web", spec, replicas=1)
    await wait_scheduled(client, ns, "web", {a: 1, b: 1})


async def test_relabelling_a_cluster_moves_it_in_and_out(plane: Plane, unique: str) -> None:
    client = plane.client
    a, b, c = await _three_clusters(client, unique)
    ns = await _namespace(client, unique)
    await bind(client, ns, "web", placement(("e2e", unique), scheduling="Duplicated"), replicas=2)
    await wait_scheduled(client, ns, "web", {a: 2, b: 2, c: 2})

    cluster = await client.get(CLUSTER, b)
    cluster.metadata.labels["e2e"] = "elsewhere"
    await client.update(cluster)
    await wait_scheduled(client, ns, "web", {a: 2, c: 2})

    cluster = await client.get(CLUSTER, b)
    cluster.metadata.labels["e2e"] = unique
    await client.update(cluster)
    await wait_scheduled(client, ns, "web", {a: 2, b: 2, c: 2})


async def test_clusters_joining_and_leaving(plane: Plane, unique: str) -> None:
    client = plane.client
    a, b, c = await _three_clusters(client, unique)
    ns = await _namespace(client, unique)
    await bind(client, ns, "web", placement(("e2e", unique)), replicas=12)
    await wait_scheduled(client, ns, "web", {a: 4, b: 4, c: 4})

    d = f"d-{unique}"
    await join(client, d, labels={"e2e": unique})
    await wait_scheduled(client, ns, "web", {a: 3, b: 3, c: 3, d: 3})

    await client.delete(CLUSTER, a)
    await wait_scheduled(client, ns, "web", {b: 4, c: 4, d: 4})


async def test_placement_change_and_manual_trigger(plane: Plane, unique: str) -> None:
    client = plane.client
    a, b, c = await _three_clusters(client, unique)
    ns = await _namespace(client, unique)
    await bind(client, ns, "web", placement(("e2e", unique), weights=[(a, 1)]), replicas=4)
    binding = await wait_scheduled(client, ns, "web", {a: 4})

    binding.spec.placement.CopyFrom(placement(("e2e", unique), weights=[(b, 1), (c, 1)]))
    await client.update(binding)
    binding = await wait_scheduled(client, ns, "web", {b: 2, c: 2})
    scheduled_at = binding.status.last_scheduled_time.ToNanoseconds()

    binding.spec.reschedule_triggered_at.FromNanoseconds(time.time_ns())
    await client.update(binding)

    async def probe() -> bool:
        current = await client.get(RESOURCE_BINDING, "web", ns)
        return current.status.last_scheduled_time.ToNanoseconds() > scheduled_at

    assert await eventually(probe, what="lastScheduledTime to move past rescheduleTriggeredAt")
