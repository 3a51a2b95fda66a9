"""Why nothing fits, in the words of the Scheduled condition (own control plane: exact counts)."""

from __future__ import annotations

from karmada.core.v1 import types_pb2
from karmada.machinery.scheme import CLUSTER, NAMESPACE
from tests.integration.scheduler.conftest import Plane
from tests.integration.scheduler.objects import bind, join, placement, result, scheduled_condition
from tests.integration.scheduler.test_scheduling import wait_condition, wait_scheduled


async def test_message_counts_clusters_per_reason_then_recovers(plane: Plane) -> None:
    client = plane.client
    taint = types_pb2.Taint(key="maintenance", effect="NoSchedule")
    for name in ("t1", "t2"):
        await join(client, name, labels={"team": "web"}, taints=[taint])
    for name in ("o1", "o2", "o3"):
        await join(client, name, labels={"team": "other"})
    await client.create(NAMESPACE.new(name="apps"))
    await bind(client, "apps", "web", placement(("team", "web")), replicas=2)

    binding = await wait_condition(client, "apps", "web", "False")
    condition = scheduled_condition(binding)
    assert condition is not None
    assert condition.reason == "NoClusterFit"
    assert condition.message == (
        "0/5 clusters are available: 2 cluster(s) had untolerated taint, "
        "3 cluster(s) did not match the placement cluster affinity."
    )
    assert binding.status.scheduler_observed_generation == binding.metadata.generation
    assert not result(binding)

    # Removing the taint is a cluster event: the unschedulable binding is retried at once.
    cluster = await client.get(CLUSTER, "t1")
    del cluster.spec.taints[:]
    await client.update(cluster)
    await wait_scheduled(client, "apps", "web", {"t1": 2})
