"""RecentWrites against a real informer: a controller's own writes until its informer has them."""

from __future__ import annotations

from karmada.core.v1 import resource_template_pb2
from karmada.machinery.client import Client
from karmada.machinery.informer import Informer, key_of
from karmada.machinery.recent import RecentWrites
from karmada.machinery.scheme import template_kind
from tests.support.waiting import eventually

CONFIGMAP = template_kind("v1", "ConfigMap")


def configmap(namespace: str, name: str, value: str) -> resource_template_pb2.ResourceTemplate:
    obj = CONFIGMAP.new(name=name, namespace=namespace)
    obj.body.update({"data": {"k": value}})
    return obj


async def test_written_objects_are_read_until_the_informer_catches_up(
    client: Client, namespace: str
) -> None:
    informer = Informer(client, CONFIGMAP, namespace=namespace, packed=True)
    recent = RecentWrites(informer)
    created = await client.create(configmap(namespace, "a", "1"))
    recent.record(created)
    # Not started: the informer knows nothing, the write is what there is.
    found = recent.get(key_of(created))
    assert (
        found is not None and found.metadata.resource_version == created.metadata.resource_version
    )
    informer.start()
    try:
        assert await informer.wait_for_sync(30)

        async def forgotten() -> bool:
            return len(recent) == 0

        await eventually(forgotten, timeout=30, what="the write to be forgotten")
        again = recent.get(key_of(created))
        assert again is not None and again.metadata.uid == created.metadata.uid

        # An older write than the informer's copy never shadows it.
        created.body.update({"data": {"k": "2"}})
        newer = await client.update(created)

        async def caught_up() -> bool:
            return informer.store.revision(key_of(newer)) >= int(newer.metadata.resource_version)

        await eventually(caught_up, timeout=30, what="the informer to see the update")
        recent.record(created)
        seen = recent.get(key_of(created))
        assert (
            seen is not None and seen.metadata.resource_version == newer.metadata.resource_version
        )
    finally:
        await informer.stop()


async def test_a_write_the_informer_already_has_is_not_kept(client: Client, namespace: str) -> None:
    informer = Informer(client, CONFIGMAP, namespace=namespace)
    recent = RecentWrites(informer)
    informer.start()
    try:
        assert await informer.wait_for_sync(30)
        created = await client.create(configmap(namespace, "b", "1"))

        async def seen() -> bool:
            return informer.get(key_of(created)) is not None

        await eventually(seen, timeout=30, what="the informer to see the create")
        recent.record(created)
        assert len(recent) == 0
    finally:
        await informer.stop()
