"""Waiting for one object to reach a state, by watching it (for `wait` and `delete --wait`).

Read the object, and if it is not there yet, watch its namespace from the
object's resourceVersion (or, once that is too old for the watch cache, from
a fresh list's) and judge every event for it, until the predicate holds or the
deadline passes. A watch the server ends is resumed from the last event seen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message

from karmada.machinery import errors
from karmada.machinery.client import Client
from karmadactl.targets import Target

__all__ = ["Predicate", "until"]

Predicate = Callable[[Message | None], bool]
"""Judges the object's current state (None: it does not exist)."""


async def _read(client: Client, target: Target) -> Message | None:
    try:
        obj: Message = await client.get(target.kind, target.name, target.namespace)
    except errors.NotFound:
        return None
    return obj


async def _list_version(client: Client, target: Target) -> str:
    page = await client.list(target.kind, namespace=target.namespace, page_size=1)
    return page.resource_version


def _version(obj: Message | None) -> str:
    if obj is None:
        return ""
    meta: Any = obj.metadata  # type: ignore[attr-defined]
    return str(meta.resource_version)


async def until(client: Client, target: Target, predicate: Predicate, *, timeout: float) -> bool:
    """Whether `predicate` held within `timeout` seconds."""
    try:
        async with asyncio.timeout(timeout):
            await _wait(client, target, predicate)
    except TimeoutError:
        return False
    return True


async def _wait(client: Client, target: Target, predicate: Predicate) -> None:
    current = await _read(client, target)
    if predicate(current):
        return
    version = _version(current) or await _list_version(client, target)
    while True:
        try:
            async for event in client.watch(
                target.kind, namespace=target.namespace, resource_version=version
            ):
                version = event.resource_version or version
                if event.type == "BOOKMARK":
                    continue
                meta: Any = event.object.metadata
                if meta.name != target.name or meta.namespace != target.namespace:
                    continue
                if predicate(None if event.type == "DELETED" else event.object):
                    return
        except errors.Expired:
            version = await _list_version(client, target)
        except errors.Unavailable:
            await asyncio.sleep(0.5)
        else:
            continue  # the server ended the watch: resume from the last event
        current = await _read(client, target)
        if predicate(current):
            return
