"""Informer against real apiservers on a real etcd: list, watch, resume, relist."""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from apiserver.storage.compaction import compact
from apiserver.storage.embedded import EmbeddedEtcd
from apiserver.storage.etcd import Etcd
from karmada.core.v1 import resource_template_pb2
from karmada.machinery.client import Client
from karmada.machinery.informer import Informer, key_of, metadata
from karmada.machinery.scheme import template_kind
from tests.support.processes import ApiServerProcess

CONFIGMAP = template_kind("v1", "ConfigMap")
DEADLINE = 30.0

ConfigMap = resource_template_pb2.ResourceTemplate


def new_configmap(
    namespace: str, name: str, *, labels: dict[str, str] | None = None, value: str = "v"
) -> ConfigMap:
    obj = CONFIGMAP.new(name=name, namespace=namespace)
    obj.metadata.labels.update(labels or {})
    obj.body.update({"data": {"key": value}})
    return obj


def value_of(obj: ConfigMap) -> str:
    return obj.body.fields["data"].struct_value.fields["key"].string_value


class Recorder:
    """Informer handlers that log (event, key, resource_version) and wake waiters."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, int]] = []
        self.updates: list[tuple[ConfigMap, ConfigMap]] = []
        self._changed = asyncio.Event()

    def attach(self, informer: Informer[ConfigMap]) -> None:
        informer.add_handler(self.on_add, self.on_update, self.on_delete)

    def _record(self, event: str, obj: ConfigMap) -> None:
        self.events.append((event, key_of(obj), int(metadata(obj).resource_version)))
        self._changed.set()

    def on_add(self, obj: ConfigMap) -> None:
        self._record("add", obj)

    def on_update(self, old: ConfigMap, new: ConfigMap) -> None:
        self.updates.append((old, new))
        self._record("update", new)

    def on_delete(self, obj: ConfigMap) -> None:
        self._record("delete", obj)

    def of(self, key: str) -> list[str]:
        return [event for event, k, _ in self.events if k == key]

    def counts(self) -> collections.Counter[tuple[str, str]]:
        return collections.Counter((event, key) for event, key, _ in self.events)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = DEADLINE) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()


@contextlib.asynccontextmanager
async def running(informer: Informer[ConfigMap]) -> AsyncIterator[Informer[ConfigMap]]:
    informer.start()
    try:
        assert await informer.wait_for_sync(DEADLINE)
        yield informer
    finally:
        await informer.stop()


@pytest.fixture
async def apiserver_b(etcd: EmbeddedEtcd, run_dir: Path) -> AsyncIterator[ApiServerProcess]:
    """A second apiserver on the session etcd, which a test may kill and restart."""
    process = ApiServerProcess(etcd.endpoint, run_dir)
    await process.start()
    yield process
    process.stop()


@pytest.fixture
async def client_b(apiserver_b: ApiServerProcess) -> AsyncIterator[Client]:
    async with Client(apiserver_b.address, retry_timeout=DEADLINE) as c:
        yield c


@pytest.fixture(params=[False, True], ids=["plain", "packed"])
def packed(request: pytest.FixtureRequest) -> bool:
    """Each store: plain (shared messages) and packed (serialized, fresh copies)."""
    return bool(request.param)


def relists() -> float:
    labels = {"kind": CONFIGMAP.kind}
    return REGISTRY.get_sample_value("karmada_informer_relists_total", labels) or 0.0


async def server_state(client: Client, namespace: str) -> dict[str, str]:
    items, _ = await client.list_all(CONFIGMAP, namespace=namespace)
    return {key_of(obj): obj.metadata.resource_version for obj in items}


def store_state(informer: Informer[ConfigMap]) -> dict[str, str]:
    return {key_of(obj): obj.metadata.resource_version for obj in informer.list()}


async def test_initial_list_fills_store_and_handlers_see_adds(
    client: Client, namespace: str, packed: bool
) -> None:
    names = [f"cm-{i}" for i in range(5)]
    for name in names:
        await client.create(new_configmap(namespace, name, labels={"tier": name[-1]}))
    informer = Informer(client, CONFIGMAP, namespace=namespace, page_size=2, packed=packed)
    informer.store.add_index("tier", lambda obj: [obj.metadata.labels.get("tier", "")])
    recorder = Recorder()
    recorder.attach(informer)
    assert not informer.has_synced
    async with running(informer):
        keys = [f"{namespace}/{name}" for name in names]
        assert informer.has_synced
        assert sorted(informer.store.keys()) == keys
        assert [(event, key) for event, key, _ in recorder.events] == [("add", k) for k in keys]
        assert [key_of(o) for o in informer.by_index("namespace", namespace)] == keys
        assert [key_of(o) for o in informer.by_index("tier", "3")] == [keys[3]]
        stored = informer.get(keys[0])
        assert stored is not None and value_of(stored) == "v"

        late = Recorder()
        late.attach(informer)
        assert [(event, key) for event, key, _ in late.events] == [("add", k) for k in keys]


async def test_changes_reach_handlers_once_and_in_order(
    client: Client, namespace: str, packed: bool
) -> None:
    informer = Informer(client, CONFIGMAP, namespace=namespace, packed=packed)
    recorder = Recorder()
    recorder.attach(informer)
    async with running(informer):
        a = await client.create(new_configmap(namespace, "a"))
        a.body.update({"data": {"key": "changed"}})
        a = await client.update(a)
        await client.create(new_configmap(namespace, "b"))
        await client.delete(CONFIGMAP, "a", namespace)
        await recorder.wait_until(lambda: ("delete", f"{namespace}/a") in recorder.counts())

        assert [(event, key) for event, key, _ in recorder.events] == [
            ("add", f"{namespace}/a"),
            ("update", f"{namespace}/a"),
            ("add", f"{namespace}/b"),
            ("delete", f"{namespace}/a"),
        ]
        revisions = [rv for _, _, rv in recorder.events]
        assert revisions == sorted(revisions) and len(set(revisions)) == len(revisions)
        old, new = recorder.updates[0]
        assert value_of(old) == "v" and value_of(new) == "changed"
        assert informer.store.keys() == [f"{namespace}/b"]
        assert informer.by_index("namespace", namespace)[0].metadata.name == "b"


async def test_label_selector_sees_objects_enter_and_leave(client: Client, namespace: str) -> None:
    informer = Informer(client, CONFIGMAP, namespace=namespace, label_selector="app=web")
    recorder = Recorder()
    recorder.attach(informer)
    async with running(informer):
        x = await client.create(new_configmap(namespace, "x", labels={"app": "web"}))
        y = await client.create(new_configmap(namespace, "y", labels={"app": "db"}))
        y.metadata.labels["app"] = "web"
        await client.update(y)
        x.metadata.labels["app"] = "db"
        await client.update(x)
        await recorder.wait_until(lambda: len(recorder.events) == 3)
        assert [(event, key) for event, key, _ in recorder.events] == [
            ("add", f"{namespace}/x"),
            ("add", f"{namespace}/y"),
            ("delete", f"{namespace}/x"),
        ]
        assert informer.store.keys() == [f"{namespace}/y"]


async def test_resync_replays_updates_with_the_same_object(client: Client, namespace: str) -> None:
    await client.create(new_configmap(namespace, "r"))
    informer = Informer(client, CONFIGMAP, namespace=namespace, resync_period=0.1)
    recorder = Recorder()
    recorder.attach(informer)
    async with running(informer):
        await recorder.wait_until(lambda: len(recorder.updates) >= 2)
        old, new = recorder.updates[0]
        assert old is new is informer.get(f"{namespace}/r")


async def test_informer_on_one_apiserver_sees_writes_through_another(
    client: Client, client_b: Client, namespace: str
) -> None:
    informer = Informer(client_b, CONFIGMAP, namespace=namespace)
    recorder = Recorder()
    recorder.attach(informer)
    async with running(informer):
        created = await client.create(new_configmap(namespace, "via-a"))
        await recorder.wait_until(lambda: bool(recorder.events))
        assert recorder.events == [
            ("add", f"{namespace}/via-a", int(created.metadata.resource_version))
        ]


async def test_watch_resumes_after_apiserver_restart_without_gaps_or_duplicates(
    packed: bool, client: Client, apiserver_b: ApiServerProcess, client_b: Client, namespace: str
) -> None:
    informer = Informer(client_b, CONFIGMAP, namespace=namespace, max_backoff=1.0, packed=packed)
    recorder = Recorder()
    recorder.attach(informer)
    relists_before = relists()
    async with running(informer):
        for i in range(5):
            await client_b.create(new_configmap(namespace, f"cm-{i}"))
        await recorder.wait_until(lambda: len(recorder.events) == 5)

        apiserver_b.kill()
        for i in range(5, 10):
            await client.create(new_configmap(namespace, f"cm-{i}"))
        first = await client.get(CONFIGMAP, "cm-0", namespace)
        first.body.update({"data": {"key": "after-kill"}})
        await client.update(first)
        await client.delete(CONFIGMAP, "cm-1", namespace)
        await apiserver_b.start()

        await recorder.wait_until(lambda: len(recorder.events) == 12)
        expected = {("add", f"{namespace}/cm-{i}"): 1 for i in range(10)}
        expected[("update", f"{namespace}/cm-0")] = 1
        expected[("delete", f"{namespace}/cm-1")] = 1
        assert recorder.counts() == expected
        assert recorder.of(f"{namespace}/cm-0") == ["add", "update"]
        assert recorder.of(f"{namespace}/cm-1") == ["add", "delete"]
        revisions = [rv for _, _, rv in recorder.events]
        assert revisions == sorted(revisions)
        assert store_state(informer) == await server_state(client, namespace)
        assert relists() == relists_before


async def test_expired_resource_version_relists_and_replaces_the_store(
    client: Client,
    apiserver_b: ApiServerProcess,
    client_b: Client,
    etcd: EmbeddedEtcd,
    namespace: str,
    *,
    packed: bool,
) -> None:
    for i in range(4):
        await client.create(new_configmap(namespace, f"cm-{i}"))
    informer = Informer(client_b, CONFIGMAP, namespace=namespace, max_backoff=1.0, packed=packed)
    recorder = Recorder()
    recorder.attach(informer)
    relists_before = relists()
    async with running(informer):
        assert len(recorder.events) == 4
        old_revision = int(informer.last_resource_version)

        apiserver_b.kill()
        await client.delete(CONFIGMAP, "cm-0", namespace)
        changed = await client.get(CONFIGMAP, "cm-1", namespace)
        changed.body.update({"data": {"key": "changed"}})
        await client.update(changed)
        await client.create(new_configmap(namespace, "cm-4"))
        storage = Etcd([etcd.endpoint])
        try:
            revision = await storage.current_revision()
            assert revision > old_revision
            await compact(storage, revision)
        finally:
            await storage.close()
        await apiserver_b.start()

        await recorder.wait_until(lambda: len(recorder.events) == 7)
        assert relists() > relists_before
        assert collections.Counter((e, k) for e, k, _ in recorder.events[4:]) == {
            ("update", f"{namespace}/cm-1"): 1,
            ("add", f"{namespace}/cm-4"): 1,
            ("delete", f"{namespace}/cm-0"): 1,
        }
        assert store_state(informer) == await server_state(client, namespace)
        old, new = recorder.updates[0]
        assert value_of(old) == "v" and value_of(new) == "changed"
