"""Writes that start from the watch cache's copy stay correct when that copy is behind.

The apiserver begins an update, status update or delete from its watch
cache's copy and relies on etcd's compare-and-swap to catch a stale one. Two
apiservers on one etcd make the copy stale on purpose: each write goes
through one and the next, at once, through the other, whose cache has not
necessarily seen the first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from apiserver.storage.embedded import EmbeddedEtcd
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery.client import Client
from karmada.machinery.errors import Conflict, NotFound
from karmada.machinery.scheme import CLUSTER
from tests.support.processes import ApiServerProcess

ROUNDS = 20


@pytest.fixture
async def other(etcd: EmbeddedEtcd, run_dir: Path) -> AsyncIterator[Client]:
    process = ApiServerProcess(etcd.endpoint, run_dir)
    await process.start()
    try:
        async with Client(process.address, retry_timeout=30.0) as client:
            yield client
    finally:
        process.stop()


def _cluster(name: str) -> cluster_pb2.Cluster:
    cluster = CLUSTER.new(name=name)
    cluster.spec.sync_mode = "Push"
    cluster.spec.api_endpoint = "https://127.0.0.1:6443"
    return cluster


async def test_alternating_writers_never_lose_or_invent_a_write(
    client: Client, other: Client, unique: str
) -> None:
    current = await client.create(_cluster(f"c-{unique}"))
    writers = (other, client)
    for round_ in range(ROUNDS):
        writer = writers[round_ % 2]
        current.spec.region = f"r{round_}"
        current = await writer.update(current)
        assert current.spec.region == f"r{round_}"
        stale = cluster_pb2.Cluster()
        stale.CopyFrom(current)
        stale.metadata.resource_version = str(int(current.metadata.resource_version) - 1)
        with pytest.raises(Conflict):
            await writers[(round_ + 1) % 2].update(stale)
    for reader in writers:
        assert (await reader.get(CLUSTER, current.metadata.name)).spec.region == f"r{ROUNDS - 1}"


async def test_unconditional_writes_and_status_through_a_lagging_cache(
    client: Client, other: Client, unique: str
) -> None:
    created = await client.create(_cluster(f"c-{unique}"))
    for round_ in range(ROUNDS):
        changed = cluster_pb2.Cluster()
        changed.CopyFrom(created)
        changed.metadata.resource_version = ""
        changed.spec.region = f"r{round_}"
        written = await (other if round_ % 2 else client).update(changed)
        assert written.spec.region == f"r{round_}"
        status = cluster_pb2.Cluster()
        status.CopyFrom(written)
        status.status.kubernetes_version = f"v1.{round_}"
        after = await (client if round_ % 2 else other).update_status(status)
        assert (after.spec.region, after.status.kubernetes_version) == (
            f"r{round_}",
            f"v1.{round_}",
        )


async def test_delete_through_a_lagging_cache(client: Client, other: Client, unique: str) -> None:
    created = await client.create(_cluster(f"c-{unique}"))
    moved = cluster_pb2.Cluster()
    moved.CopyFrom(created)
    moved.spec.region = "moved"
    moved = await client.update(moved)
    with pytest.raises(Conflict):
        await other.delete(
            CLUSTER, created.metadata.name, resource_version=created.metadata.resource_version
        )
    await other.delete(
        CLUSTER, created.metadata.name, resource_version=moved.metadata.resource_version
    )
    with pytest.raises(NotFound):
        await client.get(CLUSTER, created.metadata.name)
    with pytest.raises(NotFound):
        await other.delete(CLUSTER, created.metadata.name)
