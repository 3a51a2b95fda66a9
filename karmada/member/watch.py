"""Watching a kind in a member, for drift detection and status collection.

`watch_stream` is one Kubernetes watch request: events until the member
closes the stream (``timeoutSeconds``), `Expired` on 410 Gone.

`list_and_watch` is the loop controllers want, after kopf's
``continuous_watch`` and client-go's reflector: list (all pages), emit the
differences from what it emitted before, a ``LISTED`` marker, then watch
from the list's resourceVersion, resuming from the last seen version
(bookmarks included) whenever a stream ends. On 410 Gone it relists, and
objects that vanished meanwhile come out as synthetic ``DELETED`` events
(their key and last resourceVersion; only those are kept), so
a consumer never misses a delete across a gap. While the member is
unreachable it retries with capped exponential backoff; other errors
(Forbidden, NoKindMatch) end the iteration, since retrying cannot help.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import aiohttp

from karmada.member.discovery import ResourceInfo
from karmada.member.errors import Expired, Timeout, Unreachable, from_response
from karmada.member.transport import Transport

log = logging.getLogger(__name__)

LISTED: Final = "LISTED"
_BACKOFF_START: Final = 0.5
_BACKOFF_MAX: Final = 30.0


@dataclass(frozen=True)
class WatchEvent:
    """One watch event; ``LISTED`` (no object) marks the end of a (re)list."""

    type: str
    object: dict[str, Any] = field(default_factory=dict)
    resource_version: str = ""


@dataclass(frozen=True)
class ObjectList:
    """The items of a list and the resourceVersion to watch from."""

    items: list[dict[str, Any]]
    resource_version: str


class WatchSource(Protocol):
    """What `list_and_watch` needs: `MemberClient.list` and `MemberClient.watch`."""

    cluster: str

    async def list(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str = ...,
        label_selector: str = ...,
        field_selector: str = ...,
    ) -> ObjectList: ...

    def watch(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str = ...,
        label_selector: str = ...,
        field_selector: str = ...,
        resource_version: str = ...,
    ) -> AsyncIterator[WatchEvent]: ...


def object_key(obj: Mapping[str, Any]) -> str:
    """``namespace/name`` (or ``name``) of an object."""
    metadata = obj.get("metadata") or {}
    namespace = metadata.get("namespace") or ""
    name = metadata.get("name") or ""
    return sys.intern(f"{namespace}/{name}" if namespace else str(name))


def resource_version_of(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


def selector_query(*, label_selector: str, field_selector: str) -> list[tuple[str, str]]:
    """The labelSelector / fieldSelector query parameters of a list or watch."""
    query = []
    if label_selector:
        query.append(("labelSelector", label_selector))
    if field_selector:
        query.append(("fieldSelector", field_selector))
    return query


def watch_query(
    *,
    label_selector: str,
    field_selector: str,
    resource_version: str,
    timeout_seconds: int,
) -> list[tuple[str, str]]:
    query = [
        ("watch", "true"),
        ("allowWatchBookmarks", "true"),
        ("timeoutSeconds", str(timeout_seconds)),
    ]
    if resource_version:
        query.append(("resourceVersion", resource_version))
    return query + selector_query(label_selector=label_selector, field_selector=field_selector)


async def watch_stream(
    transport: Transport,
    info: ResourceInfo,
    *,
    namespace: str = "",
    label_selector: str = "",
    field_selector: str = "",
    resource_version: str = "",
) -> AsyncGenerator[WatchEvent, None]:
    """Events of one watch request, until the member ends it."""
    timeout_seconds = max(1, int(transport.options.watch_timeout))
    path = info.collection_path(namespace)
    query = watch_query(
        label_selector=label_selector,
        field_selector=field_selector,
        resource_version=resource_version,
        timeout_seconds=timeout_seconds,
    )
    read_timeout = timeout_seconds + transport.options.timeout
    async with transport.stream(path, query=query, read_timeout=read_timeout) as content:
        try:
            async for line in content:
                if not line.strip():
                    continue
                event = json.loads(line)
                kind = str(event.get("type", ""))
                obj = event.get("object") or {}
                if kind == "ERROR":
                    code = int(obj.get("code") or 500)
                    raise from_response(
                        transport.cluster, code, json.dumps(obj).encode(), what=f"watch {path}"
                    )
                yield WatchEvent(kind, obj, resource_version_of(obj))
        except TimeoutError:
            raise Timeout(
                transport.cluster, f"watch {path}: no data for {read_timeout:g}s"
            ) from None
        except (aiohttp.ClientError, OSError, ValueError) as e:
            raise Unreachable(
                transport.cluster, f"watch {path}: stream broke: {type(e).__name__}: {e}"
            ) from None


def relist_changes(
    known: dict[str, str], items: Iterable[dict[str, Any]]
) -> tuple[dict[str, str], list[WatchEvent]]:
    """What a fresh list changes against what was known: the new state and its events.

    `known` maps each object's key to its resourceVersion (the objects
    themselves are the consumer's to keep, if it wants them). Keys gone from
    the list are DELETED (an object carrying only the key and the last known
    resourceVersion), new keys ADDED, keys whose resourceVersion moved
    MODIFIED; as client-go's Replace.
    """
    current = {object_key(o): o for o in items}
    changes = [
        WatchEvent("DELETED", _stub(key, version), version)
        for key, version in known.items()
        if key not in current
    ]
    for key, obj in current.items():
        previous = known.get(key)
        version = resource_version_of(obj)
        if previous is None:
            changes.append(WatchEvent("ADDED", obj, version))
        elif previous != version:
            changes.append(WatchEvent("MODIFIED", obj, version))
    return {key: resource_version_of(obj) for key, obj in current.items()}, changes


def _stub(key: str, version: str) -> dict[str, Any]:
    namespace, _, name = key.rpartition("/")
    metadata = {"name": name, "resourceVersion": version}
    if namespace:
        metadata["namespace"] = namespace
    return {"metadata": metadata}


async def list_and_watch(
    client: WatchSource,
    api_version: str,
    kind: str,
    *,
    namespace: str = "",
    label_selector: str = "",
    field_selector: str = "",
) -> AsyncGenerator[WatchEvent, None]:
    """Lists, then watches forever, relisting on 410 and retrying while unreachable."""
    known: dict[str, str] = {}
    resource_version = ""
    backoff = _BACKOFF_START
    while True:
        try:
            if not resource_version:
                listing = await client.list(
                    api_version,
                    kind,
                    namespace=namespace,
                    label_selector=label_selector,
                    field_selector=field_selector,
                )
                known, changes = relist_changes(known, listing.items)
                for change in changes:
                    yield change
                resource_version = listing.resource_version
                backoff = _BACKOFF_START
                yield WatchEvent(LISTED, {}, resource_version)
            async for event in client.watch(
                api_version,
                kind,
                namespace=namespace,
                label_selector=label_selector,
                field_selector=field_selector,
                resource_version=resource_version,
            ):
                backoff = _BACKOFF_START
                if event.resource_version:
                    resource_version = event.resource_version
                if event.type == "BOOKMARK":
                    continue
                key = object_key(event.object)
                if event.type == "DELETED":
                    known.pop(key, None)
                else:
                    known[key] = resource_version_of(event.object)
                yield event
        except Expired:
            log.info("Watch expired, relisting", extra={"cluster": client.cluster, "kind": kind})
            resource_version = ""
        except Unreachable as e:
            log.warning(
                "Member unreachable while watching, retrying",
                extra={"cluster": client.cluster, "kind": kind, "error": str(e), "delay": backoff},
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _BACKOFF_MAX)
