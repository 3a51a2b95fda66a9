"""One etcd watch per kind, fanned out to every client watch from memory.

A WatchCache mirrors one key prefix: a snapshot of the objects, the recent
events (a bounded history), and the revision it has reached. Each client watch
is a Watcher fed from that history and from new events, so a thousand clients
watching Clusters cost one etcd watch, and each event is encoded once per
event type rather than once per client.

Ordering and completeness rest on asyncio being single-threaded: applying an
etcd batch (history append + dispatch) and registering a watcher (history
replay + subscribe) never interleave, so a watcher sees every event after its
start revision exactly once.

At start the cache loads its snapshot `history_size` revisions in the past
and replays etcd's history from there, so clients that reconnect after an
apiserver restart resume without a relist. A start revision older than the
history, or than the last compaction, is OUT_OF_RANGE (HTTP 410 in
Kubernetes): the client relists.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from google.protobuf.message import Message
from prometheus_client import Counter, Gauge

from apiserver.storage import codec
from apiserver.storage.etcd import CompactedError, Etcd, EtcdError, prefix_end
from apiserver.storage.etcdpb import kv_pb2
from karmada.machinery.errors import Expired, Invalid, Unavailable
from karmada.machinery.labels import Selector
from karmada.machinery.validation import FieldViolation

log = logging.getLogger(__name__)

ADDED, MODIFIED, DELETED, BOOKMARK = 1, 2, 3, 4

WATCHERS = Gauge(
    "karmada_apiserver_registered_watchers", "Client watches being served.", ["resource"]
)
CACHE_OBJECTS = Gauge(
    "karmada_apiserver_watch_cache_objects", "Objects held by a watch cache.", ["resource"]
)
CACHE_EVENTS = Gauge(
    "karmada_apiserver_watch_cache_events", "Events held in a watch cache's history.", ["resource"]
)
EVENTS_RECEIVED = Counter(
    "karmada_apiserver_watch_cache_events_received_total",
    "Events a watch cache received from etcd.",
    ["resource"],
)
EVENTS_SENT = Counter(
    "karmada_apiserver_watch_events_sent_total",
    "Events queued to client watches.",
    ["resource"],
)
WATCHERS_TERMINATED = Counter(
    "karmada_apiserver_terminated_watchers_total",
    "Client watches closed because they could not keep up.",
    ["resource"],
)


@dataclass(slots=True)
class CachedObject:
    """The current state of one key."""

    raw: bytes
    revision: int
    namespace: str
    labels: Mapping[str, str]


@dataclass(slots=True)
class CacheEvent:
    """One change, with what filtering needs and its encodings per event type."""

    revision: int
    namespace: str
    labels: Mapping[str, str]
    prev_labels: Mapping[str, str] | None
    deleted: bool
    payload: bytes
    _encoded: dict[int, bytes] = field(default_factory=dict)

    def encoded(self, event_type: int) -> bytes:
        data = self._encoded.get(event_type)
        if data is None:
            data = self._encoded[event_type] = codec.watch_response(event_type, self.payload)
        return data


class Watcher:
    """A client watch: filters, a start revision and a bounded send buffer."""

    def __init__(
        self, *, namespace: str, selector: Selector, after: int, bookmarks: bool, capacity: int
    ) -> None:
        self.namespace = namespace
        self.selector = selector
        self.after = after
        self.bookmarks = bookmarks
        self.sent_revision = after
        self._match_all = selector.empty
        self._buffer: deque[bytes] = deque()
        self._capacity = capacity
        self._wake = asyncio.Event()
        self.error: Exception | None = None
        self.closed = False

    def matches(self, namespace: str, labels: Mapping[str, str]) -> bool:
        if self.namespace and namespace != self.namespace:
            return False
        return self._match_all or self.selector.matches(labels)

    def offer(self, data: bytes, revision: int) -> bool:
        """Queues one encoded event; False if the watcher is closed or overflowed."""
        if self.closed:
            return False
        if len(self._buffer) >= self._capacity:
            self.close(
                Unavailable("watch closed: the client is too slow; resume from the last revision")
            )
            return False
        self._buffer.append(data)
        self.sent_revision = revision
        self._wake.set()
        return True

    def close(self, error: Exception | None = None) -> None:
        if not self.closed:
            self.closed = True
            self.error = error
            self._wake.set()

    async def next_batch(self) -> list[bytes]:
        """Waits for events; returns [] once closed and drained."""
        while not self._buffer:
            if self.closed:
                if self.error is not None:
                    raise self.error
                return []
            self._wake.clear()
            await self._wake.wait()
        batch = list(self._buffer)
        self._buffer.clear()
        return batch


class WatchCache:
    """Mirrors one etcd prefix and serves client watches from memory."""

    def __init__(
        self,
        etcd: Etcd,
        *,
        prefix: str,
        resource: str,
        decode: Callable[[bytes], Message],
        history_size: int = 10_000,
        watcher_capacity: int = 10_000,
        bookmark_interval: float = 60.0,
    ) -> None:
        self._etcd = etcd
        self._prefix = prefix.encode()
        self._prefix_len = len(prefix)
        self.resource = resource
        self._decode = decode
        self._history_size = history_size
        self._watcher_capacity = watcher_capacity
        self._bookmark_interval = bookmark_interval
        self._objects: dict[bytes, CachedObject] = {}
        self._history: list[CacheEvent] = []
        self._history_revisions: list[int] = []
        self.revision = 0
        self._floor = 0
        self._initial_revision = 0
        self._compacted = 0
        self._watchers: set[Watcher] = set()
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._bookmark_task: asyncio.Task[None] | None = None
        self._watchers_gauge = WATCHERS.labels(resource)
        self._objects_gauge = CACHE_OBJECTS.labels(resource)
        self._events_gauge = CACHE_EVENTS.labels(resource)
        self._received = EVENTS_RECEIVED.labels(resource)
        self._sent = EVENTS_SENT.labels(resource)
        self._terminated = WATCHERS_TERMINATED.labels(resource)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"watch-cache:{self.resource}")
            self._bookmark_task = asyncio.create_task(
                self._bookmarks(), name=f"bookmarks:{self.resource}"
            )

    async def stop(self) -> None:
        for task in (self._task, self._bookmark_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for watcher in list(self._watchers):
            watcher.close()
        self._watchers.clear()
        self._watchers_gauge.set(0)

    def set_compacted(self, revision: int) -> None:
        """Records an etcd compaction: older start revisions become OUT_OF_RANGE."""
        self._compacted = max(self._compacted, revision)
        self._floor = max(self._floor, revision)

    def get(self, key: bytes) -> CachedObject | None:
        """The cached state of one key (possibly behind etcd; None if unknown)."""
        return self._objects.get(key) if self.ready.is_set() else None

    # -- client watches -------------------------------------------------

    def watch(
        self, *, namespace: str, selector: Selector, resource_version: str, bookmarks: bool
    ) -> Watcher:
        """Registers a client watch.

        resource_version: "" streams changes from now; "0" first sends the
        current objects as ADDED; "N" streams every change after revision N.
        """
        initial: list[tuple[bytes, int]] = []
        if resource_version in ("", "0"):
            after = max(self.revision, self._initial_revision)
            if resource_version == "0":
                after = self.revision
                initial = self._snapshot(namespace, selector)
        else:
            try:
                after = int(resource_version)
            except ValueError:
                after = -1
            if after < 0:
                raise Invalid(
                    "invalid resource version",
                    violations=[
                        FieldViolation(
                            "resourceVersion",
                            f"Invalid value: {resource_version!r}: must be a revision number",
                        )
                    ],
                )
            if after < self._floor:
                raise Expired(
                    f"too old resource version: {after} (history for {self.resource} "
                    f"starts at {self._floor})",
                    metadata={"oldest": str(self._floor)},
                )
        watcher = Watcher(
            namespace=namespace,
            selector=selector,
            after=after,
            bookmarks=bookmarks,
            capacity=self._watcher_capacity,
        )
        for data, revision in initial:
            watcher.offer(data, revision)
        if after < self.revision:
            start = bisect.bisect_right(self._history_revisions, after)
            for event in self._history[start:]:
                self._deliver(watcher, event)
        watcher.sent_revision = max(watcher.sent_revision, after)
        self._watchers.add(watcher)
        self._watchers_gauge.set(len(self._watchers))
        return watcher

    def unwatch(self, watcher: Watcher) -> None:
        watcher.close()
        self._watchers.discard(watcher)
        self._watchers_gauge.set(len(self._watchers))

    def _snapshot(self, namespace: str, selector: Selector) -> list[tuple[bytes, int]]:
        out = []
        for obj in self._objects.values():
            if namespace and obj.namespace != namespace:
                continue
            if not selector.empty and not selector.matches(obj.labels):
                continue
            data = codec.watch_response(ADDED, codec.with_resource_version(obj.raw, obj.revision))
            out.append((data, obj.revision))
        return out

    def _deliver(self, watcher: Watcher, event: CacheEvent) -> int:
        """Queues the event if it concerns the watcher; returns how many were queued."""
        if event.revision <= watcher.after:
            return 0
        now = watcher.matches(event.namespace, event.labels)
        if event.deleted:
            event_type = DELETED if now else 0
        elif event.prev_labels is None:
            event_type = ADDED if now else 0
        else:
            before = watcher.matches(event.namespace, event.prev_labels)
            if now:
                event_type = MODIFIED if before else ADDED
            else:
                event_type = DELETED if before else 0
        if not event_type:
            return 0
        if not watcher.offer(event.encoded(event_type), event.revision):
            self._drop(watcher)
            return 0
        return 1

    def _drop(self, watcher: Watcher) -> None:
        if watcher in self._watchers:
            self._terminated.inc()
            self._watchers.discard(watcher)
            self._watchers_gauge.set(len(self._watchers))

    # -- following etcd -------------------------------------------------

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                if not self.ready.is_set():
                    await self._initialize()
                async for batch in self._etcd.watch(
                    self._prefix,
                    prefix_end(self._prefix),
                    start_revision=self.revision + 1,
                    progress_notify=True,
                ):
                    self._apply(batch.events, batch.revision)
                    backoff = 0.1
            except CompactedError as err:
                log.warning(
                    "Watch cache fell behind compaction; reloading",
                    extra={"resource": self.resource, "compacted": err.compact_revision},
                )
                self._reset(Unavailable("watch cache reloaded after compaction; relist"))
            except EtcdError as err:
                log.warning(
                    "Watch cache lost etcd; retrying",
                    extra={"resource": self.resource, "error": str(err)},
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def _reset(self, error: Exception) -> None:
        for watcher in list(self._watchers):
            watcher.close(error)
        self._watchers.clear()
        self._watchers_gauge.set(0)
        self.ready.clear()

    async def _initialize(self) -> None:
        current = await self._etcd.current_revision()
        start = max(current - self._history_size, self._compacted, 1)
        try:
            snapshot = await self._etcd.range(
                self._prefix, prefix_end(self._prefix), revision=start
            )
        except CompactedError:
            start = current
            snapshot = await self._etcd.range(
                self._prefix, prefix_end(self._prefix), revision=start
            )
        self._objects = {}
        for kv in snapshot.kvs:
            self._objects[kv.key] = self._cached(kv)
        self._history = []
        self._history_revisions = []
        self.revision = start
        self._floor = max(start, self._compacted)
        self._initial_revision = current
        self._objects_gauge.set(len(self._objects))
        self._events_gauge.set(0)
        self.ready.set()

    def _cached(self, kv: kv_pb2.KeyValue) -> CachedObject:
        rest = kv.key[self._prefix_len :].decode()
        namespace = rest.split("/", 1)[0] if "/" in rest else ""
        labels = dict(self._decode(kv.value).metadata.labels)  # type: ignore[attr-defined]
        return CachedObject(kv.value, int(kv.mod_revision), namespace, labels)

    def _apply(self, events: object, progress_revision: int) -> None:
        batch: list[kv_pb2.Event] = list(events)  # type: ignore[call-overload]
        if not batch:
            self.revision = max(self.revision, progress_revision)
            return
        self._received.inc(len(batch))
        for ev in batch:
            key = ev.kv.key
            revision = int(ev.kv.mod_revision)
            previous = self._objects.get(key)
            if ev.type == kv_pb2.Event.DELETE:
                if previous is None:
                    continue
                del self._objects[key]
                event = CacheEvent(
                    revision=revision,
                    namespace=previous.namespace,
                    labels=previous.labels,
                    prev_labels=previous.labels,
                    deleted=True,
                    payload=codec.with_resource_version(previous.raw, revision),
                )
            else:
                current = self._cached(ev.kv)
                self._objects[key] = current
                event = CacheEvent(
                    revision=revision,
                    namespace=current.namespace,
                    labels=current.labels,
                    prev_labels=previous.labels if previous is not None else None,
                    deleted=False,
                    payload=codec.with_resource_version(current.raw, revision),
                )
            self.revision = max(self.revision, revision)
            self._remember(event)
            sent = 0
            for watcher in tuple(self._watchers):
                sent += self._deliver(watcher, event)
            self._sent.inc(sent)
        self._objects_gauge.set(len(self._objects))

    def _remember(self, event: CacheEvent) -> None:
        self._history.append(event)
        self._history_revisions.append(event.revision)
        if len(self._history) > 2 * self._history_size:
            cut = len(self._history) - self._history_size
            self._floor = max(self._floor, self._history_revisions[cut - 1])
            del self._history[:cut]
            del self._history_revisions[:cut]
        self._events_gauge.set(len(self._history))

    async def _bookmarks(self) -> None:
        while True:
            await asyncio.sleep(self._bookmark_interval)
            self.send_bookmarks()

    def send_bookmarks(self) -> None:
        """Tells bookmark-enabled watchers the revision the cache has reached.

        Sent every interval even when nothing changed, as Kubernetes does: it
        doubles as a keepalive, and never goes below what a watcher was sent.
        """
        revision = self.revision
        data = codec.bookmark(revision)
        for watcher in tuple(self._watchers):
            if (
                watcher.bookmarks
                and revision >= watcher.sent_revision
                and not watcher.offer(data, revision)
            ):
                self._drop(watcher)
