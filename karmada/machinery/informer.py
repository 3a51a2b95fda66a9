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

Objects in a plain store are shared with every handler and reader and must
never be mutated: copy first (``copy.deepcopy(obj)`` or ``CopyFrom``) and send
the copy, as client-go's "NEVER modify objects from the store". A packed store
(`karmada.machinery.stores`) keeps objects serialized and hands out fresh
copies; handlers still get the event's own object, shared, as ever.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import logging
import random
from collections.abc import Callable
from typing import Generic, TypeVar

from google.protobuf.message import Message
from prometheus_client import Counter, Gauge

from karmada.machinery.client import Client, WatchEvent
from karmada.machinery.errors import ApiError, Expired
from karmada.machinery.scheme import Kind
from karmada.machinery.stores import (
    NAMESPACE_INDEX,
    PackedStore,
    Store,
    key_of,
    metadata,
    revision,
    split_key,
)

__all__ = [
    "NAMESPACE_INDEX",
    "Informer",
    "PackedStore",
    "Store",
    "key_of",
    "metadata",
    "split_key",
]

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Message)

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
        packed: Keep the objects serialized (`PackedStore`): a quarter of the
            memory, and reads return fresh copies at the cost of a parse.
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
        packed: bool = False,
    ) -> None:
        self.client = client
        self.kind = kind
        self.namespace = namespace
        self.label_selector = label_selector
        self.resync_period = resync_period
        self.store: Store[M] = PackedStore(kind.message) if packed else Store()
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
            stored = self.store.revision(key)
            if stored < 0:
                self.store._put(key, obj)
                self._added(obj)
            elif stored != revision(metadata(obj).resource_version):
                old = self.store.get(key)
                self.store._put(key, obj, old)
                if old is not None:
                    self._updated(old, obj)
        for key in list(self.store):
            if key not in listed and (old := self.store.get(key)) is not None:
                self.store._remove(key, old)
                self._deleted(old)
        self._count()

    def _apply(self, event: WatchEvent[M]) -> None:
        EVENTS.labels(self.kind.kind, event.type).inc()
        if event.type != "BOOKMARK":
            self._apply_change(event)
        if revision(event.resource_version) > revision(self._last_revision):
            self._last_revision = event.resource_version

    def _apply_change(self, event: WatchEvent[M]) -> None:
        event_type, obj, at = event.type, event.object, revision(event.resource_version)
        key = key_of(obj)
        stored = self.store.revision(key)
        if event_type == "DELETED":
            # A deletion carries its own, newer revision; an older one is a replay.
            if stored >= 0 and at >= stored and (old := self.store.get(key)) is not None:
                self.store._remove(key, old)
                self._count()
                self._deleted(obj)
            return
        if event_type not in ("ADDED", "MODIFIED"):
            log.warning("Unknown watch event", extra={**self._log_fields, "type": event_type})
            return
        if at <= stored:
            return
        old = self.store.get(key) if stored >= 0 else None
        self.store._put(key, obj, old)
        self._count()
        if old is None:
            self._added(obj)
        else:
            self._updated(old, obj)

    def _count(self) -> None:
        size = len(self.store)
        self._store_gauge.inc(size - self._counted)
        self._counted = size
