"""A local, watch-fed cache of one kind, so controllers read memory, not the apiserver.

An Informer is client-go's Reflector + DeltaFIFO + Indexer in one asyncio task,
with kopf's `continuous_watch` loop shape: list every page, fill the store,
then watch from the list's revision (with bookmarks), tracking the last
revision from every event and bookmark. A broken watch (apiserver restart,
UNAVAILABLE) backs off and resumes from that revision, so nothing is missed
and nothing is replayed. An expired revision (OUT_OF_RANGE after compaction)
relists and replaces the store, telling handlers only the difference: adds for
new keys, updates for changed versions, deletes for vanished keys.

Handlers see each change once and in order: an event whose resource_version
is not newer than the stored object's is dropped as a duplicate, as is a
DELETED event for a key the store no longer holds (a DELETED event carries the
deletion's own, newer revision, so only an older one is dropped).

Objects in the store are shared with every handler and reader and must never
be mutated: copy first (``copy.deepcopy(obj)`` or ``CopyFrom``) and send the
copy, as client-go's "NEVER modify objects from the store".
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import logging
import random
from collections.abc import Callable
from typing import Generic, TypeVar, cast

from google.protobuf.message import Message
from prometheus_client import Counter, Gauge

from karmada.machinery.client import Client, WatchEvent
from karmada.machinery.errors import ApiError, Expired
from karmada.machinery.scheme import Kind
from karmada.meta.v1 import meta_pb2

__all__ = ["NAMESPACE_INDEX", "Informer", "Store", "key_of", "metadata", "split_key"]

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Message)

NAMESPACE_INDEX = "namespace"

EVENTS = Counter(
    "karmada_informer_events_total", "Watch events received by informers.", ["kind", "type"]
)
RELISTS = Counter(
    "karmada_informer_relists_total",
    "Times an informer relisted because its resource version expired.",
    ["kind"],
)
STORE_OBJECTS = Gauge(
    "karmada_informer_store_objects", "Objects held in the stores of running informers.", ["kind"]
)


def metadata(obj: Message) -> meta_pb2.ObjectMeta:
    """The ObjectMeta of any API object."""
    return cast(meta_pb2.ObjectMeta, obj.metadata)  # type: ignore[attr-defined]


def key_of(obj: Message) -> str:
    """The store key of an object: ``namespace/name``, or ``name`` if cluster-scoped."""
    meta = metadata(obj)
    return f"{meta.namespace}/{meta.name}" if meta.namespace else meta.name


def split_key(key: str) -> tuple[str, str]:
    """``namespace/name`` to (namespace, name); ``name`` to ("", name)."""
    namespace, _, name = key.rpartition("/")
    return namespace, name


def _revision(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _namespace_of(obj: Message) -> list[str]:
    return [metadata(obj).namespace]


class Store(Generic[M]):
    """The informer's objects by key, with secondary indexes.

    Read-only for everyone but its informer; the objects it returns are shared.
    """

    def __init__(self) -> None:
        self._items: dict[str, M] = {}
        self._indexers: dict[str, Callable[[M], builtins.list[str]]] = {}
        self._indices: dict[str, dict[str, set[str]]] = {}
        self.add_index(NAMESPACE_INDEX, _namespace_of)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def get(self, key: str) -> M | None:
        return self._items.get(key)

    def list(self) -> builtins.list[M]:
        return list(self._items.values())

    def keys(self) -> builtins.list[str]:
        return list(self._items)

    def add_index(self, name: str, fn: Callable[[M], builtins.list[str]]) -> None:
        """Indexes every object (present and future) under the values `fn` returns."""
        if name in self._indexers:
            raise ValueError(f"index {name!r} already exists")
        self._indexers[name] = fn
        self._indices[name] = {}
        for key, obj in self._items.items():
            self._index(name, key, obj)

    def by_index(self, name: str, value: str) -> builtins.list[M]:
        """Objects whose index `name` holds `value`; KeyError for an unknown index."""
        keys = self._indices[name].get(value, ())
        return [self._items[key] for key in sorted(keys)]

    def _index(self, name: str, key: str, obj: M) -> None:
        for value in self._indexers[name](obj):
            self._indices[name].setdefault(value, set()).add(key)

    def _unindex(self, key: str, obj: M) -> None:
        for name, fn in self._indexers.items():
            index = self._indices[name]
            for value in fn(obj):
                keys = index.get(value)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[value]

    def _put(self, key: str, obj: M) -> M | None:
        old = self._items.get(key)
        if old is not None:
            self._unindex(key, old)
        self._items[key] = obj
        for name in self._indexers:
            self._index(name, key, obj)
        return old

    def _remove(self, key: str) -> M | None:
        old = self._items.pop(key, None)
        if old is not None:
            self._unindex(key, old)
        return old


class _Backoff:
    """Exponential, capped, jittered delays; reset after progress."""

    def __init__(self, *, initial: float, maximum: float) -> None:
        self._initial = initial
        self._maximum = maximum
        self._next = initial

    def reset(self) -> None:
        self._next = self._initial

    async def sleep(self) -> None:
        delay = self._next * (0.5 + random.random())
        self._next = min(self._next * 2, self._maximum)
        await asyncio.sleep(delay)


class Informer(Generic[M]):
    """Lists and watches one kind into a `Store`, calling handlers on every change.

    Args:
        client: The apiserver connection.
        kind: The kind to follow.
        namespace: Only this namespace ("" for all).
        label_selector: Only objects matching this selector; objects entering
            or leaving the selection arrive as adds and deletes.
        resync_period: If set, every this many seconds each handler's
            on_update(obj, obj) is called for every stored object.
        initial_backoff: First delay, in seconds, before re-watching or relisting.
        max_backoff: Cap of the exponential backoff, in seconds.
        page_size: Objects per list page.
    """

    def __init__(
        self,
        client: Client,
        kind: Kind[M],
        *,
        namespace: str = "",
        label_selector: str = "",
        resync_period: float | None = None,
        initial_backoff: float = 0.1,
        max_backoff: float = 10.0,
        page_size: int = 500,
    ) -> None:
        self.client = client
        self.kind = kind
        self.namespace = namespace
        self.label_selector = label_selector
        self.resync_period = resync_period
        self.store: Store[M] = Store()
        self._page_size = page_size
        self._backoff = _Backoff(initial=initial_backoff, maximum=max_backoff)
        self._on_add: list[Callable[[M], None]] = []
        self._on_update: list[Callable[[M, M], None]] = []
        self._on_delete: list[Callable[[M], None]] = []
        self._synced = asyncio.Event()
        self._last_revision = ""
        self._counted = 0
        self._task: asyncio.Task[None] | None = None
        self._log_fields = {"kind": kind.kind, "namespace": namespace, "selector": label_selector}
        self._store_gauge = STORE_OBJECTS.labels(kind.kind)
        self._relists = RELISTS.labels(kind.kind)

    def get(self, key: str) -> M | None:
        return self.store.get(key)

    def list(self) -> builtins.list[M]:
        return self.store.list()

    def by_index(self, name: str, value: str) -> builtins.list[M]:
        return self.store.by_index(name, value)

    @property
    def has_synced(self) -> bool:
        """Whether the first list has been stored and handed to the handlers."""
        return self._synced.is_set()

    @property
    def last_resource_version(self) -> str:
        """The revision the informer has seen everything up to."""
        return self._last_revision

    async def wait_for_sync(self, timeout: float | None = None) -> bool:
        """Waits for the first list; False if `timeout` seconds pass first."""
        try:
            async with asyncio.timeout(timeout):
                await self._synced.wait()
        except TimeoutError:
            return False
        return True

    def add_handler(
        self,
        on_add: Callable[[M], None] | None = None,
        on_update: Callable[[M, M], None] | None = None,
        on_delete: Callable[[M], None] | None = None,
    ) -> None:
        """Registers callbacks; a handler added after sync first gets an add per object.

        Callbacks run on the informer's task, so they must be quick (enqueue a key)
        and must not modify the objects they receive.
        """
        if on_update is not None:
            self._on_update.append(on_update)
        if on_delete is not None:
            self._on_delete.append(on_delete)
        if on_add is not None:
            self._on_add.append(on_add)
            if self.has_synced:
                for obj in self.store.list():
                    self._call(on_add, obj)

    def _call(self, fn: Callable[..., None], *args: M) -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("Informer handler failed", extra=self._log_fields)

    def _added(self, obj: M) -> None:
        for fn in self._on_add:
            self._call(fn, obj)

    def _updated(self, old: M, new: M) -> None:
        for fn in self._on_update:
            self._call(fn, old, new)

    def _deleted(self, obj: M) -> None:
        for fn in self._on_delete:
            self._call(fn, obj)

    def start(self) -> asyncio.Task[None]:
        """Runs the informer in a background task (once)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name=f"informer:{self.kind.resource}")
        return self._task

    async def stop(self) -> None:
        """Cancels the task `start` created and waits for it to end."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        """Lists and watches until cancelled."""
        resync: asyncio.Task[None] | None = None
        if self.resync_period:
            resync = asyncio.create_task(self._resync(self.resync_period))
        try:
            await self._list_and_watch()
        finally:
            if resync is not None:
                resync.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await resync
            self._store_gauge.dec(self._counted)
            self._counted = 0

    async def _list_and_watch(self) -> None:
        must_list = True
        while True:
            try:
                if must_list:
                    await self._list()
                    must_list = False
                    self._backoff.reset()
                await self._watch()
                log.debug("Watch ended; resuming", extra=self._log_fields)
            except Expired:
                log.info(
                    "Resource version expired; relisting",
                    extra={**self._log_fields, "resource_version": self._last_revision},
                )
                if not must_list:
                    self._relists.inc()
                    must_list = True
                    continue
            except ApiError as err:
                log.warning(
                    "Watch failed; resuming",
                    extra={**self._log_fields, "error": repr(err), "reason": err.reason},
                )
            except Exception:
                log.exception("Informer failed; retrying", extra=self._log_fields)
            await self._backoff.sleep()

    async def _list(self) -> None:
        items, revision = await self.client.list_all(
            self.kind,
            namespace=self.namespace,
            label_selector=self.label_selector,
            page_size=self._page_size,
        )
        self._replace(items)
        self._last_revision = revision
        if not self._synced.is_set():
            log.info("Informer synced", extra={**self._log_fields, "objects": len(self.store)})
            self._synced.set()

    async def _watch(self) -> None:
        async for event in self.client.watch(
            self.kind,
            namespace=self.namespace,
            label_selector=self.label_selector,
            resource_version=self._last_revision,
            allow_bookmarks=True,
        ):
            self._backoff.reset()
            self._apply(event)

    async def _resync(self, period: float) -> None:
        while True:
            await asyncio.sleep(period)
            if self.has_synced:
                for obj in self.store.list():
                    self._updated(obj, obj)

    def _replace(self, items: builtins.list[M]) -> None:
        """Makes the store equal `items`, telling handlers the difference."""
        listed: set[str] = set()
        for obj in items:
            key = key_of(obj)
            listed.add(key)
            old = self.store.get(key)
            if old is None:
                self.store._put(key, obj)
                self._added(obj)
            elif metadata(old).resource_version != metadata(obj).resource_version:
                self.store._put(key, obj)
                self._updated(old, obj)
        for old in self.store.list():
            key = key_of(old)
            if key not in listed:
                self.store._remove(key)
                self._deleted(old)
        self._count()

    def _apply(self, event: WatchEvent[M]) -> None:
        EVENTS.labels(self.kind.kind, event.type).inc()
        if event.type != "BOOKMARK":
            self._apply_change(event)
        if _revision(event.resource_version) > _revision(self._last_revision):
            self._last_revision = event.resource_version

    def _apply_change(self, event: WatchEvent[M]) -> None:
        event_type, obj, revision = event.type, event.object, _revision(event.resource_version)
        key = key_of(obj)
        old = self.store.get(key)
        stored = _revision(metadata(old).resource_version) if old is not None else -1
        if event_type == "DELETED":
            # A deletion carries its own, newer revision; an older one is a replay.
            if old is not None and revision >= stored:
                self.store._remove(key)
                self._count()
                self._deleted(obj)
            return
        if event_type not in ("ADDED", "MODIFIED"):
            log.warning("Unknown watch event", extra={**self._log_fields, "type": event_type})
            return
        if revision <= stored:
            return
        self.store._put(key, obj)
        self._count()
        if old is None:
            self._added(obj)
        else:
            self._updated(old, obj)

    def _count(self) -> None:
        size = len(self.store)
        self._store_gauge.inc(size - self._counted)
        self._counted = size
