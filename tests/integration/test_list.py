"""List semantics: label selectors, namespace scoping, pagination at one revision."""

from __future__ import annotations

import asyncio

import pytest

from apiserver.storage.compaction import compact
from apiserver.storage.embedded import EmbeddedEtcd
from apiserver.storage.etcd import Etcd
from karmada.core.v1 import resource_template_pb2
from karmada.machinery.client import Client
from karmada.machinery.errors import Expired
from karmada.machinery.scheme import CLUSTER, NAMESPACE, template_kind

SECRET = template_kind("v1", "Secret")


def secret(namespace: str, name: str, **labels: str) -> resource_template_pb2.ResourceTemplate:
    obj = SECRET.new(name=name, namespace=namespace)
    obj.metadata.labels.update(labels)
    obj.body.update({"type": "Opaque", "data": {"k": "dg=="}})
    return obj


async def names(client: Client, namespace: str, selector: str) -> list[str]:
    items, _ = await client.list_all(
        SECRET, namespace=namespace, label_selector=selector, page_size=2
    )
    return [o.metadata.name for o in items]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("", ["a", "b", "c", "d"]),
        ("env=prod", ["a", "b"]),
        ("env!=prod", ["c", "d"]),
        ("env in (prod,dev)", ["a", "b", "c"]),
        ("env notin (prod)", ["c", "d"]),
        ("tier", ["a", "c"]),
        ("!tier", ["b", "d"]),
        ("env=prod,tier=web", ["a"]),
    ],
)
async def test_label_selectors(
    client: Client, namespace: str, selector: str, expected: list[str]
) -> None:
    await client.create(secret(namespace, "a", env="prod", tier="web"))
    await client.create(secret(namespace, "b", env="prod"))
    await client.create(secret(namespace, "c", env="dev", tier="db"))
    await client.create(secret(namespace, "d"))
    assert await names(client, namespace, selector) == expected


async def test_namespace_scoping(client: Client, namespace: str, unique: str) -> None:
    other = f"scope-{unique}"
    await client.create(NAMESPACE.new(name=other))
    await client.create(secret(namespace, "mine"))
    await client.create(secret(other, "theirs"))
    assert await names(client, namespace, "") == ["mine"]
    everywhere, _ = await client.list_all(SECRET)
    found = {(o.metadata.namespace, o.metadata.name) for o in everywhere}
    assert {(namespace, "mine"), (other, "theirs")} <= found


async def test_pages_are_consistent_under_concurrent_writes(client: Client, namespace: str) -> None:
    for i in range(10):
        await client.create(secret(namespace, f"s{i:02d}"))
    first = await client.list(SECRET, namespace=namespace, page_size=4)
    assert [o.metadata.name for o in first.items] == ["s00", "s01", "s02", "s03"]
    assert first.remaining_item_count == 6
    # Writes after the first page must not show up in later pages.
    await client.create(secret(namespace, "s05a"))
    await client.delete(SECRET, "s07", namespace)
    second = await client.list(
        SECRET, namespace=namespace, page_size=4, page_token=first.next_page_token
    )
    third = await client.list(
        SECRET, namespace=namespace, page_size=4, page_token=second.next_page_token
    )
    listed = [o.metadata.name for o in [*first.items, *second.items, *third.items]]
    assert listed == [f"s{i:02d}" for i in range(10)]
    assert third.next_page_token == ""
    assert first.resource_version == second.resource_version == third.resource_version
    now = await names(client, namespace, "")
    assert "s05a" in now and "s07" not in now


async def test_concurrent_writers_while_paging(client: Client, namespace: str) -> None:
    for i in range(30):
        await client.create(secret(namespace, f"p{i:02d}"))
    stop = asyncio.Event()

    async def churn() -> None:
        i = 0
        while not stop.is_set():
            await client.create(secret(namespace, f"z-new-{i}"))
            i += 1

    writer = asyncio.create_task(churn())
    try:
        items, revision = await client.list_all(SECRET, namespace=namespace, page_size=3)
    finally:
        stop.set()
        await writer
    listed = [o.metadata.name for o in items]
    assert listed[:30] == [f"p{i:02d}" for i in range(30)]
    assert all(int(o.metadata.resource_version) <= int(revision) for o in items)


async def test_page_token_of_a_compacted_revision_is_out_of_range(
    client: Client, namespace: str, etcd: EmbeddedEtcd
) -> None:
    for i in range(3):
        await client.create(secret(namespace, f"c{i}"))
    first = await client.list(SECRET, namespace=namespace, page_size=1)
    latest = await client.create(secret(namespace, "c9"))
    raw = Etcd([etcd.endpoint])
    try:
        await compact(raw, int(latest.metadata.resource_version))
    finally:
        await raw.close()
    with pytest.raises(Expired):
        await client.list(
            SECRET, namespace=namespace, page_size=1, page_token=first.next_page_token
        )


async def test_cluster_scoped_list_with_selector(client: Client, unique: str) -> None:
    for i in range(3):
        cluster = CLUSTER.new(name=f"sel-{unique}-{i}")
        cluster.spec.sync_mode = "Pull"
        cluster.metadata.labels["batch"] = unique
        cluster.metadata.labels["index"] = str(i)
        await client.create(cluster)
    items, _ = await client.list_all(
        CLUSTER, label_selector=f"batch={unique},index!=1", page_size=1
    )
    assert [c.metadata.name for c in items] == [f"sel-{unique}-0", f"sel-{unique}-2"]
