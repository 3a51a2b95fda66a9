"""The in-memory object store of one simulated cluster, with versioned events.

Each cluster keeps its objects here, the way kube-apiserver keeps them in
etcd: every write takes the next value of a per-cluster resourceVersion
counter and appends one event to a bounded history, from which watches
resume. The store knows nothing of Kubernetes semantics (generation,
status, finalizers: `membersim.registry`); it stores, versions and
notifies.

Memory is the constraint that shapes it: a thousand idle clusters must fit
in one process. So an object is kept as its encoded JSON (`StoredObject`),
not as nested dicts: a few hundred bytes where the dict form costs several
kilobytes, and the same bytes are answered to GETs, lists and watch events
without re-encoding. Decoding on read also hands every caller a private
copy, so nobody can mutate the store by accident. The history holds
references to those same immutable objects, so it costs only its slots.

Subscribers (HTTP watches now, the simulated controllers later) get a
`Watcher`: an async iterator of `Event`s fed synchronously on each commit.
Everything runs on one event loop and no method awaits, so each write is
atomic and a watch registered right after reading the history misses
nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

from membersim import errors
from membersim.resources import ResourceKey

EventType = Literal["ADDED", "MODIFIED", "DELETED"]

_NO_LABELS: Final[Mapping[str, str]] = MappingProxyType({})
# The resourceVersion counters start at the process start time in
# milliseconds, so versions held by clients from before a restart read as
# too old (410, relist) instead of silently matching new objects.
_EPOCH: Final = int(time.time() * 1000)


def encode(obj: Mapping[str, Any]) -> bytes:
    """Compact JSON, the wire and storage form of every object."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


class StoredObject:
    """One object version, immutable: its encoded JSON plus the fields lists filter on."""

    __slots__ = ("labels", "name", "namespace", "raw", "resource_version")

    def __init__(
        self,
        raw: bytes,
        *,
        name: str,
        namespace: str,
        labels: Mapping[str, str],
        resource_version: int,
    ) -> None:
        self.raw = raw
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.resource_version = resource_version

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any], resource_version: int) -> StoredObject:
        meta = obj.get("metadata") or {}
        labels = meta.get("labels")
        return cls(
            encode(obj),
            name=meta.get("name", ""),
            namespace=meta.get("namespace", ""),
            labels=dict(labels) if labels else _NO_LABELS,
            resource_version=resource_version,
        )

    def decode(self) -> dict[str, Any]:
        """A fresh, private dict of the object."""
        result: dict[str, Any] = json.loads(self.raw)
        return result


@dataclass(frozen=True, slots=True)
class Event:
    """One committed change.

    Attributes:
        type: ADDED, MODIFIED or DELETED.
        resource: the (group, plural) the object belongs to.
        object: the object after the change (for DELETED, its last state,
            at the deletion's resourceVersion).
        previous: the object before the change; None for ADDED.
    """

    type: EventType
    resource: ResourceKey
    object: StoredObject
    previous: StoredObject | None

    @property
    def resource_version(self) -> int:
        return self.object.resource_version


class Watcher:
    """An async iterator over the events of one resource (or all) after a point.

    Iteration ends when the watcher is closed, by its owner or by the store
    (the subscriber fell too far behind: the caller should resume from the
    last version it saw, as kube-apiserver's clients do after a dropped
    watch).
    """

    __slots__ = ("_closed", "_queue", "_store", "max_backlog", "resource")

    def __init__(self, store: Store, resource: ResourceKey | None, *, max_backlog: int) -> None:
        self._store = store
        self.resource = resource
        self.max_backlog = max_backlog
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def _push(self, event: Event) -> None:
        if self._closed:
            return
        if self._queue.qsize() >= self.max_backlog:
            self.close()
            return
        self._queue.put_nowait(event)

    def close(self) -> None:
        """Stop the watcher; a pending or later `next` returns None."""
        if not self._closed:
            self._closed = True
            self._store._detach(self)
            self._queue.put_nowait(None)

    async def next(self, timeout: float | None = None) -> Event | None:
        """The next event; None once closed.

        Raises:
            TimeoutError: no event arrived within `timeout` seconds.
        """
        if timeout is None:
            return await self._queue.get()
        async with asyncio.timeout(timeout):
            return await self._queue.get()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while (event := await self.next()) is not None:
            yield event


class Store:
    """Objects of one cluster by resource, namespace and name, with a bounded event history.

    Args:
        history_size: how many events to keep for watches that resume from
            a resourceVersion; older versions get 410 Gone.
        max_backlog: events a watcher may have unread before it is closed.
    """

    def __init__(self, *, history_size: int = 1000, max_backlog: int = 10_000) -> None:
        self._objects: dict[ResourceKey, dict[tuple[str, str], StoredObject]] = {}
        self._history: deque[Event] = deque(maxlen=history_size)
        self._watchers: dict[ResourceKey | None, set[Watcher]] = {}
        self._max_backlog = max_backlog
        self.resource_version = _EPOCH
        # Called with the resource of every committed event: how the
        # simulated controllers learn that a cluster changed, without a
        # watcher (and its queue) per cluster.
        self.listener: Callable[[ResourceKey], None] | None = None

    # Reads.

    def get(self, resource: ResourceKey, namespace: str, name: str) -> StoredObject | None:
        objects = self._objects.get(resource)
        return None if objects is None else objects.get((namespace, name))

    def list_objects(
        self, resource: ResourceKey, namespace: str | None = None
    ) -> list[StoredObject]:
        """Objects of a resource sorted by (namespace, name), as etcd's key order gives them."""
        objects = self._objects.get(resource)
        if not objects:
            return []
        keys = (
            sorted(objects)
            if namespace is None
            else sorted(k for k in objects if k[0] == namespace)
        )
        return [objects[k] for k in keys]

    def count(self, resource: ResourceKey, namespace: str | None = None) -> int:
        objects = self._objects.get(resource, {})
        if namespace is None:
            return len(objects)
        return sum(1 for k in objects if k[0] == namespace)

    def resources(self) -> Iterable[ResourceKey]:
        """The resources that hold at least one object."""
        return [key for key, objects in self._objects.items() if objects]

    # Writes.

    def put(self, resource: ResourceKey, obj: dict[str, Any]) -> StoredObject:
        """Store `obj` at the next resourceVersion (set into it) and emit ADDED or MODIFIED."""
        meta = obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        objects = self._objects.setdefault(resource, {})
        previous = objects.get(key)
        self.resource_version += 1
        meta["resourceVersion"] = str(self.resource_version)
        stored = StoredObject.from_dict(obj, self.resource_version)
        objects[key] = stored
        self._emit(Event("ADDED" if previous is None else "MODIFIED", resource, stored, previous))
        return stored

    def remove(self, resource: ResourceKey, obj: dict[str, Any]) -> StoredObject:
        """Delete the object named by `obj` and emit DELETED with `obj` as its last state.

        Raises:
            KeyError: no such object.
        """
        meta = obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        previous = self._objects[resource].pop(key)
        self.resource_version += 1
        meta["resourceVersion"] = str(self.resource_version)
        stored = StoredObject.from_dict(obj, self.resource_version)
        self._emit(Event("DELETED", resource, stored, previous))
        return stored

    def _emit(self, event: Event) -> None:
        self._history.append(event)
        if self.listener is not None:
            self.listener(event.resource)
        for watcher in list(self._watchers.get(event.resource, ())):
            watcher._push(event)
        for watcher in list(self._watchers.get(None, ())):
            watcher._push(event)

    # Watches.

    def events_since(self, resource: ResourceKey | None, resource_version: int) -> list[Event]:
        """Events after `resource_version` (of one resource, or all), oldest first.

        Raises:
            ApiError: 410 Expired if events after that version were dropped
                from the history; 504 if the version is in the future.
        """
        if resource_version > self.resource_version:
            raise errors.too_large_resource_version(resource_version, self.resource_version)
        oldest = self._history[0].resource_version if self._history else self.resource_version + 1
        if resource_version < oldest - 1:
            raise errors.gone(f"too old resource version: {resource_version} ({oldest - 1})")
        out: list[Event] = []
        for event in reversed(self._history):
            if event.resource_version <= resource_version:
                break
            if resource is None or event.resource == resource:
                out.append(event)
        out.reverse()
        return out

    def watch(self, resource: ResourceKey | None) -> Watcher:
        """A watcher receiving every event committed from now on."""
        watcher = Watcher(self, resource, max_backlog=self._max_backlog)
        self._watchers.setdefault(resource, set()).add(watcher)
        return watcher

    def _detach(self, watcher: Watcher) -> None:
        watchers = self._watchers.get(watcher.resource)
        if watchers is not None:
            watchers.discard(watcher)
            if not watchers:
                del self._watchers[watcher.resource]

    def close_watchers(self, resource: ResourceKey | None = None) -> None:
        """Close the watchers of one resource (it stopped being served), or all of them."""
        groups = (
            list(self._watchers.values())
            if resource is None
            else [self._watchers.get(resource, set())]
        )
        for watchers in groups:
            for watcher in list(watchers):
                watcher.close()
