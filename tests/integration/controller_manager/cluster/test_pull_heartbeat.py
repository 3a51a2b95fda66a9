"""Pull clusters that go silent turn Ready Unknown; a renewed Lease keeps them alive.

Karmada's grace periods are 40 s (60 s before the first report), too long for
a test, so this module's control plane runs the cluster controller with
one-second grace periods.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from google.protobuf import timestamp_pb2

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.conditions import find_condition, set_condition
from karmada.machinery.scheme import CLUSTER, LEASE
from karmada.meta.v1 import meta_pb2
from karmada.registration import CLUSTER_NAMESPACE
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

GRACE = 1.0
STARTUP_GRACE = 1.5


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    """The cluster controller alone, with one-second grace periods."""
    started = ControlPlane(
        tmp_path_factory.mktemp("heartbeat"),
        clusters="member1",
        controllers="cluster",
        scheduler=False,
        manager_args=(
            "--cluster-monitor-period=0.1",
            f"--cluster-monitor-grace-period={GRACE}",
            f"--cluster-startup-grace-period={STARTUP_GRACE}",
        ),
    )
    await started.start()
    try:
        yield started
    finally:
        await started.stop()


def ready(cluster: cluster_pb2.Cluster) -> meta_pb2.Condition | None:
    return find_condition(cluster.status.conditions, "Ready")


async def wait_ready(client: Client, name: str, status: str, reason: str) -> meta_pb2.Condition:
    async def probe() -> meta_pb2.Condition | None:
        condition = ready(await client.get(CLUSTER, name))
        if condition is not None and (condition.status, condition.reason) == (status, reason):
            return condition
        return None

    return await eventually(probe, timeout=30, what=f"{name} Ready {status} ({reason})")


async def renew(client: Client, name: str) -> float:
    """Renews (or creates) the cluster's Lease as an agent would; the renew time."""
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    try:
        lease = await client.get(LEASE, name, CLUSTER_NAMESPACE)
    except errors.NotFound:
        lease = LEASE.new(name=name, namespace=CLUSTER_NAMESPACE)
        lease.spec.holder_identity = name
        lease.spec.lease_duration_seconds = 40
        lease.spec.renew_time.CopyFrom(stamp)
        await client.create(lease)
    else:
        lease.spec.renew_time.CopyFrom(stamp)
        await client.update(lease)
    return stamp.ToNanoseconds() / 1e9


async def test_silent_pull_cluster_turns_unknown_unless_its_lease_is_renewed(
    plane: ControlPlane,
) -> None:
    client = plane.client
    name = f"hb-{uuid.uuid4().hex[:6]}"
    created = CLUSTER.new(name=name)
    created.spec.sync_mode = "Pull"
    cluster = await client.create(created)

    # Never reported: Unknown once the startup grace has passed since creation.
    condition = await wait_ready(client, name, "Unknown", "ClusterStatusNeverUpdated")
    assert condition.message == "Cluster status controller never posted cluster status."
    born = cluster.metadata.creation_timestamp.seconds
    assert condition.last_transition_time.ToNanoseconds() / 1e9 >= born + STARTUP_GRACE

    # The agent reports Ready and keeps renewing its Lease for several grace periods.
    def report(current: cluster_pb2.Cluster) -> cluster_pb2.Cluster:
        set_condition(current.status.conditions, "Ready", "True", "ClusterReady", "agent")
        return current

    await client.guaranteed_update(CLUSTER, name, mutate=report, status=True)
    until = time.monotonic() + 3 * GRACE
    while time.monotonic() < until:
        last_renewal = await renew(client, name)
        await asyncio.sleep(GRACE / 4)  # the agent's renew interval
    alive = ready(await client.get(CLUSTER, name))
    assert alive is not None and (alive.status, alive.message) == ("True", "agent")

    # Silence: Unknown after the grace period from the last renewal.
    condition = await wait_ready(client, name, "Unknown", "ClusterStatusUnknown")
    assert condition.message == "Cluster status controller stopped posting cluster status."
    assert condition.last_transition_time.ToNanoseconds() / 1e9 >= last_renewal + GRACE

    await client.delete(LEASE, name, CLUSTER_NAMESPACE)
    await client.delete(CLUSTER, name)

    async def gone() -> bool:
        try:
            await client.get(CLUSTER, name)
        except errors.NotFound:
            return True
        return False

    await eventually(gone, timeout=30, what="the cluster to go")
