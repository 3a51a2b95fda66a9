"""Watches of Karmada-managed objects in Push members, shared by execution and work status.

Karmada's execution and work status controllers both follow the objects they
put in members — one to undo drift (an object edited or deleted by hand is
re-applied), the other to bring status back — through one informer per
cluster and resource. Here likewise one `list_and_watch` runs per (cluster,
apiVersion, kind) that some Work in the cluster's execution namespace
mentions, filtered by ``karmada.io/managed=true``; its events update a small
store and are handed to every subscribed controller, which maps them back to
Works through the objects' ``work.karmada.io/{namespace,name}`` annotations.

The set of watches follows the Works and Clusters: a watch starts when the
first Work of a Push cluster mentions a kind and stops when the last one goes
(or the cluster leaves or turns Pull). A member that cannot be reached never
blocks anyone: each watch is its own task, `list_and_watch` retries with
backoff, the store keeps the last known state, and controllers only read it.
When the member's client is replaced (rotated credentials) the watch resumes
on the new one, and objects that vanished in between come out as deletions.
A ``LISTED`` event tells subscribers the store of a kind is complete, so they
can re-check Works whose objects might have changed unseen.

The stores keep each object's `works.status_view` (identity, metadata,
spec without templates, status: what status collection reads) packed, and a
digest of the rest, so holding every managed object of every member costs a
fraction of the objects themselves, and each event says whether it drifted.

The execution controller hands over each object its apply returned
(`observe`): lookups see it at once, ahead of the watch, and when the watch
delivers that same version (or an older one) nobody is told, since it is the
controller's own write and not drift. Such an overlay entry lasts until the
watch catches up or relists.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Final

from controller_manager.context import ControllerContext
from controller_manager.informers import InformerFactory
from controller_manager.members import Members, MemberUnavailable
from controller_manager.packed import PackedObjects
from controller_manager.works import (
    cluster_of,
    drift_digest,
    is_push,
    kinds_of,
    status_view,
    work_key_of,
)
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery.informer import Informer, key_of
from karmada.machinery.scheme import CLUSTER, WORK
from karmada.member import LISTED, MemberClient, MemberError
from karmada.member.marks import MANAGED_LABEL, MANAGED_VALUE
from karmada.member.watch import object_key, resource_version_of
from karmada.work.v1alpha1 import work_pb2

__all__ = ["Lookup", "MemberWatches", "WatchChange", "shared", "version_order"]

log = logging.getLogger(__name__)

SELECTOR: Final = f"{MANAGED_LABEL}={MANAGED_VALUE}"
_RETRY_START: Final = 1.0
_RETRY_MAX: Final = 30.0

WatchKey = tuple[str, str, str]
"""(cluster, apiVersion, kind)."""


@dataclass(frozen=True)
class WatchChange:
    """One change seen in a member; ``LISTED`` (no objects) when a kind's store is complete."""

    cluster: str
    type: str
    api_version: str
    kind: str
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    drifted: bool = True
    """Whether anything but status and bookkeeping changed (`works.drift_digest`)."""


@dataclass(frozen=True)
class Lookup:
    """A member object as last seen (None if absent) and the kind's plural resource."""

    object: dict[str, Any] | None
    resource: str


@dataclass
class _Watch:
    cluster: str
    api_version: str
    kind: str
    objects: PackedObjects = field(default_factory=PackedObjects)
    """Each object's `works.status_view`, by key."""
    digests: dict[str, int] = field(default_factory=dict)
    """Each object's `works.drift_digest`, by key."""
    synced: bool = False
    resource: str = ""
    namespaced: bool = True
    task: asyncio.Task[None] | None = None
    applied: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Objects as the execution controller's apply returned them, not yet seen by the watch."""
    key: WatchKey = field(init=False)
    """(cluster, apiVersion, kind), one tuple shared by every index entry of the watch."""

    def __post_init__(self) -> None:
        self.key = (self.cluster, self.api_version, self.kind)


class MemberWatches:
    """Per (Push cluster, kind) watches of managed member objects, with their stores."""

    def __init__(
        self,
        members: Members,
        works: Informer[work_pb2.Work],
        clusters: Informer[cluster_pb2.Cluster],
        *,
        client_check_period: float = 2.0,
    ) -> None:
        self.members = members
        self.works = works
        self.clusters = clusters
        self.client_check_period = client_check_period
        self._handlers: list[Callable[[WatchChange], None]] = []
        self._work_kinds: dict[str, frozenset[WatchKey]] = {}
        self._kind_sets: dict[frozenset[WatchKey], frozenset[WatchKey]] = {}
        self._refs: Counter[WatchKey] = Counter()
        self._push: set[str] = set()
        self._watches: dict[WatchKey, _Watch] = {}
        self._by_work: dict[str, tuple[tuple[WatchKey, str], ...]] = {}
        """Work key -> (watch, object key) of its objects; tuples, as most Works have one."""
        self._dirty = asyncio.Event()
        self._users = 0
        self._supervisor: asyncio.Task[None] | None = None
        works.add_handler(self._work_added, self._work_updated, self._work_deleted)
        clusters.add_handler(self._cluster_changed, self._cluster_updated, self._cluster_deleted)

    # Reading

    def subscribe(self, handler: Callable[[WatchChange], None]) -> None:
        """Calls `handler` on every change (on the watch's task: it must only enqueue)."""
        self._handlers.append(handler)

    def lookup(
        self, cluster: str, api_version: str, kind: str, namespace: str, name: str
    ) -> Lookup | None:
        """The object's status view as last listed/watched; None while the store is incomplete."""
        watch = self._watches.get((cluster, api_version, kind))
        if watch is None or not watch.synced:
            return None
        key = f"{namespace}/{name}" if watch.namespaced and namespace else name
        return Lookup(watch.applied.get(key) or watch.objects.get(key), watch.resource)

    def observe(self, cluster: str, api_version: str, kind: str, obj: dict[str, Any]) -> None:
        """Records `obj` as an apply in `cluster` returned it, ahead of the watch."""
        watch = self._watches.get((cluster, api_version, kind))
        if watch is None or not watch.synced:
            return
        name = object_key(obj)
        known = watch.objects.get(name)
        if known is None or version_order(obj, known) in (1, None):
            watch.applied[name] = status_view(obj)

    def objects_of_work(self, work_key: str) -> list[dict[str, Any]]:
        """Watched member objects that name Work `work_key` in their annotations."""
        found = []
        for watch_key, object_name in self._by_work.get(work_key, ()):
            watch = self._watches.get(watch_key)
            obj = watch.objects.get(object_name) if watch is not None else None
            if obj is not None:
                found.append(obj)
        return found

    def works_of(self, cluster: str, api_version: str, kind: str) -> list[str]:
        """Keys of the Works of `cluster` that mention the kind."""
        wanted = (cluster, api_version, kind)
        return [key for key, kinds in self._work_kinds.items() if wanted in kinds]

    def watching(self) -> list[WatchKey]:
        return sorted(self._watches)

    # Lifecycle

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Keeps the watches running while any controller using them runs."""
        self._users += 1
        if self._supervisor is None:
            self._supervisor = asyncio.create_task(self._supervise(), name="memberwatch")
        try:
            yield
        finally:
            self._users -= 1
            if self._users == 0:
                await self._shutdown()

    async def _shutdown(self) -> None:
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
        for key in list(self._watches):
            await self._stop(key)

    async def _supervise(self) -> None:
        self._dirty.set()
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            desired = {key for key, count in self._refs.items() if count and key[0] in self._push}
            for key in [key for key in self._watches if key not in desired]:
                await self._stop(key)
            for key in sorted(desired - self._watches.keys()):
                self._start(key)

    def _start(self, key: WatchKey) -> None:
        watch = _Watch(*key)
        self._watches[key] = watch
        watch.task = asyncio.create_task(self._run(watch), name=f"memberwatch:{'/'.join(key)}")
        log.info("Watching member kind", extra=_fields(watch))

    async def _stop(self, key: WatchKey) -> None:
        watch = self._watches.pop(key)
        if watch.task is not None:
            watch.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch.task
        for name, obj in watch.objects.items():
            self._unindex(key, name, obj)
        log.info("Stopped watching member kind", extra=_fields(watch))

    # Informer handlers: which watches should exist

    def _work_added(self, work: work_pb2.Work) -> None:
        cluster = cluster_of(work)
        if not cluster:
            return
        kinds = frozenset((cluster, av, kind) for av, kind in kinds_of(work))
        # Most Works of a cluster mention the same kinds: they share one set.
        kinds = self._kind_sets.setdefault(kinds, kinds)
        key = key_of(work)
        previous = self._work_kinds.get(key, frozenset())
        if kinds == previous:
            return
        self._refs.subtract(previous)
        self._refs.update(kinds)
        self._refs = +self._refs
        self._work_kinds[key] = kinds
        self._dirty.set()

    def _work_updated(self, old: work_pb2.Work, new: work_pb2.Work) -> None:
        if old.metadata.generation != new.metadata.generation or key_of(new) not in (
            self._work_kinds
        ):
            self._work_added(new)

    def _work_deleted(self, work: work_pb2.Work) -> None:
        previous = self._work_kinds.pop(key_of(work), None)
        if previous:
            self._refs.subtract(previous)
            self._refs = +self._refs
            self._dirty.set()

    def _cluster_changed(self, cluster: cluster_pb2.Cluster) -> None:
        name = cluster.metadata.name
        push = is_push(cluster)
        if push != (name in self._push):
            (self._push.add if push else self._push.discard)(name)
            self._dirty.set()

    def _cluster_updated(self, old: cluster_pb2.Cluster, new: cluster_pb2.Cluster) -> None:
        self._cluster_changed(new)

    def _cluster_deleted(self, cluster: cluster_pb2.Cluster) -> None:
        if cluster.metadata.name in self._push:
            self._push.discard(cluster.metadata.name)
            self._dirty.set()

    # One watch

    async def _run(self, watch: _Watch) -> None:
        delay = _RETRY_START
        while True:
            started = time.monotonic()
            try:
                client = await self.members.client(watch.cluster)
                await self._follow(watch, client)
            except (MemberUnavailable, MemberError) as error:
                log.warning(
                    "Member watch failed; retrying",
                    extra={**_fields(watch), "error": str(error), "delay": delay},
                )
            except Exception:
                log.exception("Member watch broke; retrying", extra=_fields(watch))
            if time.monotonic() - started > _RETRY_MAX:
                delay = _RETRY_START
            await asyncio.sleep(delay)
            delay = min(delay * 2, _RETRY_MAX)

    async def _follow(self, watch: _Watch, client: MemberClient) -> None:
        """Streams the kind from `client` until it fails or the member's client is replaced."""
        info = await client.resolve(watch.api_version, watch.kind)
        watch.resource, watch.namespaced = info.resource, info.namespaced
        stream = asyncio.create_task(self._consume(watch, client))
        try:
            while True:
                done, _ = await asyncio.wait({stream}, timeout=self.client_check_period)
                if done:
                    stream.result()
                    return
                if client.closed or self.members.cached(watch.cluster) is not client:
                    log.info("Member client replaced; rewatching", extra=_fields(watch))
                    return
        finally:
            stream.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stream

    async def _consume(self, watch: _Watch, client: MemberClient) -> None:
        seen: set[str] | None = set()
        async for event in client.list_and_watch(
            watch.api_version, watch.kind, label_selector=SELECTOR
        ):
            if event.type == LISTED:
                if seen is not None:
                    for name in [name for name in watch.objects if name not in seen]:
                        self._deleted(watch, name, None)
                    seen = None
                watch.synced = True
                watch.applied.clear()
                self._emit(WatchChange(watch.cluster, LISTED, watch.api_version, watch.kind))
                continue
            event.object.setdefault("apiVersion", watch.api_version)
            event.object.setdefault("kind", watch.kind)
            name = object_key(event.object)
            if seen is not None:
                seen.add(name)
            order = _caught_up(watch, name, event.object)
            if event.type == "DELETED":
                self._deleted(watch, name, event.object)
            elif event.type in ("ADDED", "MODIFIED"):
                old = watch.objects.get(name)
                digest = drift_digest(event.object)
                drift = watch.digests.get(name) != digest
                watch.objects[name] = status_view(event.object)
                watch.digests[name] = digest
                self._index(watch, name, old, event.object)
                if order is not None and order <= 0:
                    continue
                kind = "ADDED" if old is None else "MODIFIED"
                self._emit(
                    WatchChange(
                        watch.cluster, kind, watch.api_version, watch.kind, old, event.object, drift
                    )
                )

    def _deleted(self, watch: _Watch, name: str, event_object: dict[str, Any] | None) -> None:
        """Forgets the object; subscribers get its last state as stored (else the event's)."""
        known = watch.objects.pop(name, None)
        watch.digests.pop(name, None)
        if known is not None:
            self._unindex((watch.cluster, watch.api_version, watch.kind), name, known)
        last = known if known is not None else event_object
        if last is not None:
            self._emit(WatchChange(watch.cluster, "DELETED", watch.api_version, watch.kind, last))

    def _index(
        self, watch: _Watch, name: str, old: dict[str, Any] | None, new: dict[str, Any]
    ) -> None:
        key = watch.key
        if old is not None:
            self._unindex(key, name, old)
        if work := work_key_of(new, watch.cluster):
            entries = self._by_work.get(work, ())
            if (key, name) not in entries:
                self._by_work[sys.intern(work)] = (*entries, (key, name))

    def _unindex(self, key: WatchKey, name: str, obj: dict[str, Any]) -> None:
        work = work_key_of(obj, key[0])
        entries = self._by_work.get(work) if work else None
        if entries is not None:
            kept = tuple(entry for entry in entries if entry != (key, name))
            if kept:
                self._by_work[work] = kept  # type: ignore[index]
            else:
                del self._by_work[work]  # type: ignore[arg-type]

    def _emit(self, change: WatchChange) -> None:
        for handler in self._handlers:
            try:
                handler(change)
            except Exception:
                log.exception("Member watch handler failed", extra={"cluster": change.cluster})


def version_order(a: dict[str, Any], b: dict[str, Any]) -> int | None:
    """-1, 0 or 1 as `a`'s resourceVersion is older, the same or newer than `b`'s.

    None when they differ and cannot be ordered: resourceVersions are opaque,
    though kube-apiserver's (etcd revisions) are integers.
    """
    va, vb = resource_version_of(a), resource_version_of(b)
    if va == vb:
        return 0
    if va.isdigit() and vb.isdigit():
        return -1 if int(va) < int(vb) else 1
    return None


def _caught_up(watch: _Watch, name: str, event_object: dict[str, Any]) -> int | None:
    """How the event orders against the applied overlay entry (None: no entry, or unordered).

    The entry goes once the watch delivers its version or a newer (or unordered) one.
    """
    applied = watch.applied.get(name)
    if applied is None:
        return None
    order = version_order(event_object, applied)
    if order is None or order >= 0:
        del watch.applied[name]
    return order


def _fields(watch: _Watch) -> dict[str, str]:
    return {"cluster": watch.cluster, "apiVersion": watch.api_version, "kind": watch.kind}


_SHARED: weakref.WeakKeyDictionary[InformerFactory, MemberWatches] = weakref.WeakKeyDictionary()


def shared(ctx: ControllerContext) -> MemberWatches:
    """The one `MemberWatches` of a controller-manager context (made on first use)."""
    watches = _SHARED.get(ctx.informers)
    if watches is None:
        watches = MemberWatches(ctx.members, ctx.informers.get(WORK), ctx.informers.get(CLUSTER))
        _SHARED[ctx.informers] = watches
    return watches
