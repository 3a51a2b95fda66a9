"""Crash safety: the controller manager killed mid-propagation converges after restart.

Own module, so its control plane is fresh: nothing another test left behind
(a tainted member, a pending eviction) can hide or fake a missing object.
"""

from __future__ import annotations

import signal

from karmada.machinery.scheme import WORK
from tests.integration.controller_manager.flows.conftest import CLUSTERS
from tests.integration.controller_manager.flows.test_propagation import (
    create_deployment,
    new_namespace,
    wait_replicas,
    weighted_policy,
)
from tests.support.plane import ControlPlane


async def test_controller_manager_killed_mid_propagation_converges(plane: ControlPlane) -> None:
    client = plane.client
    ns = await new_namespace(client)
    names = [f"app{i}" for i in range(12)]
    for name in names:
        await create_deployment(client, ns, name, 3)
        await client.create(weighted_policy(ns, name, {"member1": 1, "member2": 1, "member3": 1}))
    assert plane.manager is not None
    plane.manager.stop(sig=signal.SIGKILL)
    await plane.start_manager()

    for name in names:
        await wait_replicas(plane, ns, name, {"member1": 1, "member2": 1, "member3": 1})
    for cluster in CLUSTERS:
        works, _ = await client.list_all(WORK, namespace=f"karmada-es-{cluster}")
        mine = [w for w in works if any(w.metadata.name.startswith(f"{n}-") for n in names)]
        assert len(mine) == len(names), [w.metadata.name for w in mine]
        member = await plane.member(cluster)
        listed = await member.list("apps/v1", "Deployment", namespace=ns)
        assert sorted(o["metadata"]["name"] for o in listed.items) == sorted(names)
