"""Watch semantics: resume, filters, bookmarks, compaction, fan-out, several apiservers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from apiserver.storage.compaction import compact
from apiserver.storage.embedded import EmbeddedEtcd
from apiserver.storage.etcd import Etcd
from karmada.core.v1 import resource_template_pb2
from karmada.machinery.client import Client, WatchEvent
from karmada.machinery.errors import Expired, Invalid
from karmada.machinery.scheme import NAMESPACE, template_kind
from tests.support.processes import ApiServerProcess

CONFIGMAP = template_kind("v1", "ConfigMap")
Template = resource_template_pb2.ResourceTemplate


def configmap(namespace: str, name: str, **labels: str) -> Template:
    obj = CONFIGMAP.new(name=name, namespace=namespace)
    obj.metadata.labels.update(labels)
    obj.body.update({"data": {"key": name}})
    return obj


async def take(
    stream: AsyncIterator[WatchEvent[Any]],
    count: int,
    *,
    timeout: float = 10.0,
    skip_bookmarks: bool = True,
) -> list[WatchEvent[Any]]:
    """The next `count` events of a stream, failing after `timeout` seconds."""
    out: list[WatchEvent[Any]] = []

    async def read() -> None:
        async for event in stream:
            if skip_bookmarks and event.type == "BOOKMARK":
                continue
            out.append(event)
            if len(out) == count:
                return

    await asyncio.wait_for(read(), timeout)
    return out


def summary(events: list[WatchEvent[Any]]) -> list[tuple[str, str]]:
    return [(e.type, e.object.metadata.name) for e in events]


async def test_watch_from_list_revision_sees_every_change_in_order(
    client: Client, namespace: str
) -> None:
    await client.create(configmap(namespace, "before"))
    page = await client.list(CONFIGMAP, namespace=namespace)
    stream = client.watch(CONFIGMAP, namespace=namespace, resource_version=page.resource_version)
    a = await client.create(configmap(namespace, "a"))
    a.metadata.labels["changed"] = "yes"
    a2 = await client.update(a)
    await client.delete(CONFIGMAP, "a", namespace)
    events = await take(stream, 3)
    assert summary(events) == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]
    revisions = [int(e.resource_version) for e in events]
    assert revisions == sorted(revisions)
    assert events[1].object == a2
    assert events[2].object.metadata.labels["changed"] == "yes"


async def test_watch_resumes_after_a_given_revision(client: Client, namespace: str) -> None:
    first = await client.create(configmap(namespace, "one"))
    await client.create(configmap(namespace, "two"))
    await client.create(configmap(namespace, "three"))
    stream = client.watch(
        CONFIGMAP, namespace=namespace, resource_version=first.metadata.resource_version
    )
    assert summary(await take(stream, 2)) == [("ADDED", "two"), ("ADDED", "three")]


async def test_resource_version_zero_starts_with_current_objects(
    client: Client, namespace: str
) -> None:
    await client.create(configmap(namespace, "x"))
    await client.create(configmap(namespace, "y"))
    stream = client.watch(CONFIGMAP, namespace=namespace, resource_version="0")
    initial = await take(stream, 2)
    assert sorted(summary(initial)) == [("ADDED", "x"), ("ADDED", "y")]
    await client.create(configmap(namespace, "z"))
    assert summary(await take(stream, 1)) == [("ADDED", "z")]


async def test_label_selector_turns_relabels_into_added_and_deleted(
    client: Client, namespace: str
) -> None:
    page = await client.list(CONFIGMAP, namespace=namespace)
    stream = client.watch(
        CONFIGMAP,
        namespace=namespace,
        label_selector="tier=web",
        resource_version=page.resource_version,
    )
    obj = await client.create(configmap(namespace, "c", tier="db"))
    obj.metadata.labels["tier"] = "web"
    obj = await client.update(obj)
    obj.body.update({"data": {"key": "new"}})
    obj = await client.update(obj)
    obj.metadata.labels["tier"] = "db"
    await client.update(obj)
    await client.create(configmap(namespace, "d", tier="web"))
    assert summary(await take(stream, 4)) == [
        ("ADDED", "c"),
        ("MODIFIED", "c"),
        ("DELETED", "c"),
        ("ADDED", "d"),
    ]


async def test_namespace_filter(client: Client, namespace: str, unique: str) -> None:
    other = f"other-{unique}"
    await client.create(NAMESPACE.new(name=other))
    page = await client.list(CONFIGMAP)
    stream = client.watch(CONFIGMAP, namespace=namespace, resource_version=page.resource_version)
    await client.create(configmap(other, "elsewhere"))
    await client.create(configmap(namespace, "here"))
    assert summary(await take(stream, 1)) == [("ADDED", "here")]


async def test_bookmarks_carry_the_reached_revision(client: Client, namespace: str) -> None:
    created = await client.create(configmap(namespace, "b"))
    stream = client.watch(
        CONFIGMAP,
        namespace=namespace,
        resource_version=created.metadata.resource_version,
        allow_bookmarks=True,
    )
    await client.create(configmap(namespace, "b2"))
    events = await take(stream, 2, skip_bookmarks=False)
    assert events[0].type == "ADDED"
    assert events[1].type == "BOOKMARK"
    assert int(events[1].resource_version) >= int(events[0].resource_version)
    assert events[1].object.metadata.name == ""


async def test_compacted_revision_is_out_of_range(
    client: Client, namespace: str, etcd: EmbeddedEtcd
) -> None:
    old = await client.create(configmap(namespace, "old"))
    latest = await client.create(configmap(namespace, "new"))
    raw = Etcd([etcd.endpoint])
    try:
        await compact(raw, int(latest.metadata.resource_version))
    finally:
        await raw.close()

    async def expired() -> Expired:
        while True:
            stream = client.watch(
                CONFIGMAP, namespace=namespace, resource_version=old.metadata.resource_version
            )
            try:
                await take(stream, 1, timeout=0.5)
            except Expired as err:
                return err
            except TimeoutError:
                pass

    err = await asyncio.wait_for(expired(), 10)
    assert "too old resource version" in err.message
    page = await client.list(CONFIGMAP, namespace=namespace)
    assert sorted(o.metadata.name for o in page.items) == ["new", "old"]


async def test_thousand_watchers_see_every_event_in_order(client: Client, namespace: str) -> None:
    page = await client.list(CONFIGMAP, namespace=namespace)
    watchers = 1000
    writes = 10
    streams = [
        client.watch(CONFIGMAP, namespace=namespace, resource_version=page.resource_version)
        for _ in range(watchers)
    ]
    readers = [asyncio.create_task(take(s, writes, timeout=60)) for s in streams]
    for i in range(writes):
        await client.create(configmap(namespace, f"cm-{i:02d}"))
    results = await asyncio.gather(*readers)
    expected = [("ADDED", f"cm-{i:02d}") for i in range(writes)]
    assert all(summary(r) == expected for r in results)


async def test_two_apiservers_share_one_etcd(
    client: Client, namespace: str, etcd: EmbeddedEtcd, run_dir: Path
) -> None:
    second = ApiServerProcess(etcd.endpoint, run_dir)
    await second.start()
    try:
        async with Client(second.address) as other:
            page = await other.list(CONFIGMAP, namespace=namespace)
            stream = other.watch(
                CONFIGMAP, namespace=namespace, resource_version=page.resource_version
            )
            await client.create(configmap(namespace, "via-first"))
            events = await take(stream, 1)
            assert summary(events) == [("ADDED", "via-first")]
            fetched = await other.get(CONFIGMAP, "via-first", namespace)
            assert fetched.metadata.resource_version == events[0].resource_version
    finally:
        assert second.stop() == 0


@pytest.mark.parametrize("bad", ["abc", "-5x"])
async def test_unparseable_resource_version_is_rejected(
    client: Client, namespace: str, bad: str
) -> None:
    with pytest.raises(Invalid) as err:
        await take(client.watch(CONFIGMAP, namespace=namespace, resource_version=bad), 1)
    assert [v.field for v in err.value.violations] == ["resourceVersion"]
