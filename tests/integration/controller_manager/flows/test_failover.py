"""MISSION flow 4: a member stops answering; its replicas move and come back, none lost."""

from __future__ import annotations

from karmada.core.v1 import types_pb2
from karmada.machinery.scheme import RESOURCE_BINDING
from tests.integration.controller_manager.flows.test_propagation import (
    create_deployment,
    new_namespace,
    wait_replicas,
    wait_replicas_one,
    weighted_policy,
)
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually


async def test_unreachable_member_fails_over_and_nothing_is_lost_when_it_returns(
    plane: ControlPlane,
) -> None:
    client = plane.client
    ns = await new_namespace(client)
    await create_deployment(client, ns, "web", 4)
    policy = weighted_policy(ns, "web", {"member1": 1, "member2": 1})
    policy.spec.failover.cluster.purge_mode = "Gracefully"
    for key in ("cluster.karmada.io/not-ready", "cluster.karmada.io/unreachable"):
        policy.spec.placement.cluster_tolerations.append(
            types_pb2.Toleration(
                key=key, operator="Exists", effect="NoExecute", toleration_seconds=2
            )
        )
    await client.create(policy)
    await wait_replicas(plane, ns, "web", {"member1": 2, "member2": 2})

    plane.simulator.faults("member2", "POST", {"unreachable": True})
    try:

        async def moved() -> bool:
            binding = await client.get(RESOURCE_BINDING, "web-deployment", ns)
            return {t.name: t.replicas for t in binding.spec.clusters} == {"member1": 4}

        await eventually(moved, timeout=90, what="the replicas to leave the unreachable member")
        await wait_replicas_one(plane, ns, "web", "member1", 4)
    finally:
        plane.simulator.faults("member2", "DELETE")

    # Back online and untainted, the cluster is a candidate again: the weights put half
    # the replicas back (Karmada leaves them where they moved, issue #1844), and no
    # replica is lost or doubled on the way.
    await wait_replicas(plane, ns, "web", {"member1": 2, "member2": 2})
