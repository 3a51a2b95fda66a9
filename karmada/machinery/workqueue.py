"""A fair, stingy, rate-limited asyncio work queue for level-triggered controllers.

Informer event handlers only enqueue object keys; controller workers take keys off the
queue and reconcile them. The queue gives the guarantees of client-go's
``util/workqueue`` that make this safe with many workers:

* Fair: items come out in the order they were added.
* Stingy: adding an item that is already waiting does nothing, so a burst of events for
  one object costs one reconcile. An item is never handed to two workers at once: adding
  an item while a worker holds it marks it dirty, and it is queued again only when the
  worker calls `WorkQueue.done`.
* Delayed and rate-limited adds: `WorkQueue.add_after` and `WorkQueue.add_rate_limited`
  retry a failing item with backoff, without blocking the other items.

Shutdown follows client-go: once `WorkQueue.shutdown` is called, new adds are ignored,
`WorkQueue.get` keeps returning the items still queued and then returns None, and items
waiting for a delayed add are dropped.

The queue belongs to one event loop and is not thread-safe. It exports controller-runtime's
``workqueue_*`` metrics, labelled by queue name, so existing dashboards work unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections import deque
from collections.abc import Hashable
from typing import Generic, TypeVar

from prometheus_client import Counter, Gauge, Histogram

from karmada.machinery.ratelimit import RateLimiter, default_controller_rate_limiter

__all__ = ["WorkQueue"]

T = TypeVar("T", bound=Hashable)

_LATENCY_BUCKETS = tuple(10.0**exponent for exponent in range(-8, 4))

_DEPTH = Gauge("workqueue_depth", "Current depth of workqueue", ["name"])
_ADDS = Counter("workqueue_adds_total", "Total number of adds handled by workqueue", ["name"])
_QUEUE_DURATION = Histogram(
    "workqueue_queue_duration_seconds",
    "How long in seconds an item stays in workqueue before being requested",
    ["name"],
    buckets=_LATENCY_BUCKETS,
)
_WORK_DURATION = Histogram(
    "workqueue_work_duration_seconds",
    "How long in seconds processing an item from workqueue takes.",
    ["name"],
    buckets=_LATENCY_BUCKETS,
)
_UNFINISHED_WORK = Gauge(
    "workqueue_unfinished_work_seconds",
    "How many seconds of work has been done that is in progress and hasn't been "
    "observed by work_duration. Large values indicate stuck threads. One can deduce "
    "the number of stuck threads by observing the rate at which this increases.",
    ["name"],
)
_LONGEST_RUNNING = Gauge(
    "workqueue_longest_running_processor_seconds",
    "How many seconds has the longest running processor for workqueue been running.",
    ["name"],
)
_RETRIES = Counter(
    "workqueue_retries_total", "Total number of retries handled by workqueue", ["name"]
)


class _Metrics(Generic[T]):
    """Per-queue metric children and the timestamps they are computed from."""

    def __init__(self, name: str) -> None:
        self.depth = _DEPTH.labels(name=name)
        self.adds = _ADDS.labels(name=name)
        self.queue_duration = _QUEUE_DURATION.labels(name=name)
        self.work_duration = _WORK_DURATION.labels(name=name)
        self.unfinished_work = _UNFINISHED_WORK.labels(name=name)
        self.longest_running = _LONGEST_RUNNING.labels(name=name)
        self.retries = _RETRIES.labels(name=name)
        self._added_at: dict[T, float] = {}
        self._started_at: dict[T, float] = {}

    def added(self, item: T) -> None:
        self.adds.inc()
        self._added_at.setdefault(item, time.monotonic())

    def got(self, item: T) -> None:
        now = time.monotonic()
        added_at = self._added_at.pop(item, None)
        if added_at is not None:
            self.queue_duration.observe(now - added_at)
        self._started_at[item] = now
        self._update_in_flight(now)

    def finished(self, item: T) -> None:
        now = time.monotonic()
        started_at = self._started_at.pop(item, None)
        if started_at is not None:
            self.work_duration.observe(now - started_at)
        self._update_in_flight(now)

    def _update_in_flight(self, now: float) -> None:
        running = [now - started_at for started_at in self._started_at.values()]
        self.unfinished_work.set(sum(running))
        self.longest_running.set(max(running, default=0.0))


class WorkQueue(Generic[T]):
    """client-go's rate-limiting work queue, for one asyncio event loop.

    A worker calls `get`, processes the item, then calls `forget` on success or
    `add_rate_limited` on failure, and `done` in either case.

    Args:
        name: Queue name, used as the ``name`` label of the metrics.
        rate_limiter: Decides the delay of `add_rate_limited`; defaults to
            `default_controller_rate_limiter`.
    """

    def __init__(self, name: str, *, rate_limiter: RateLimiter[T] | None = None) -> None:
        self.name = name
        self._rate_limiter: RateLimiter[T] = (
            rate_limiter if rate_limiter is not None else default_controller_rate_limiter()
        )
        self._queue: deque[T] = deque()
        self._dirty: set[T] = set()
        self._processing: set[T] = set()
        self._getters: deque[asyncio.Future[None]] = deque()
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._shutting_down = False
        self._waiting: dict[T, tuple[float, int]] = {}
        self._waiting_heap: list[tuple[float, int, T]] = []
        self._sequence = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._metrics: _Metrics[T] = _Metrics(name)

    def __len__(self) -> int:
        """Return the number of items ready to be handed out."""
        return len(self._queue)

    @property
    def shutting_down(self) -> bool:
        """Whether `shutdown` or `shutdown_with_drain` has been called."""
        return self._shutting_down

    def add(self, item: T) -> None:
        """Queue `item`, unless it is already queued or the queue is shutting down.

        If a worker is processing `item`, it is queued again once that worker calls `done`.
        """
        if self._shutting_down or item in self._dirty:
            return
        self._metrics.added(item)
        self._dirty.add(item)
        self._metrics.depth.set(len(self._dirty))
        if item in self._processing:
            return
        self._queue.append(item)
        self._wake_getter()

    async def get(self) -> T | None:
        """Wait for the next item and mark it as being processed.

        Returns:
            The oldest queued item, or None once the queue is shutting down and empty.
            The caller must call `done` with the item when it has finished with it.
        """
        while not self._queue:
            if self._shutting_down:
                return None
            getter = asyncio.get_running_loop().create_future()
            self._getters.append(getter)
            try:
                await getter
            except asyncio.CancelledError:
                getter.cancel()
                with contextlib.suppress(ValueError):
                    self._getters.remove(getter)
                if self._queue and not getter.cancelled():
                    self._wake_getter()
                raise
        item = self._queue.popleft()
        self._processing.add(item)
        self._dirty.discard(item)
        self._metrics.depth.set(len(self._dirty))
        self._metrics.got(item)
        return item

    def done(self, item: T) -> None:
        """Mark `item` as processed; queue it again if it was added while processing."""
        self._metrics.finished(item)
        self._processing.discard(item)
        if item in self._dirty:
            self._queue.append(item)
            self._wake_getter()
        if not self._processing:
            _resolve_all(self._drain_waiters)

    def shutdown(self) -> None:
        """Stop accepting items, drop delayed adds and wake every waiting `get`."""
        self._shutting_down = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._waiting.clear()
        self._waiting_heap.clear()
        _resolve_all(self._getters)

    async def shutdown_with_drain(self) -> None:
        """Shut down, then wait until every item handed out has been marked `done`."""
        self.shutdown()
        while self._processing:
            waiter = asyncio.get_running_loop().create_future()
            self._drain_waiters.append(waiter)
            await waiter

    def add_after(self, item: T, delay_seconds: float) -> None:
        """Add `item` once `delay_seconds` have passed; at once if the delay is not positive.

        If `item` is already waiting to be added, the sooner of the two deadlines wins.
        Must be called from the queue's running event loop.
        """
        if self._shutting_down:
            return
        self._metrics.retries.inc()
        if delay_seconds <= 0:
            self.add(item)
            return
        loop = asyncio.get_running_loop()
        ready_at = loop.time() + delay_seconds
        current = self._waiting.get(item)
        if current is not None and current[0] <= ready_at:
            return
        sequence = next(self._sequence)
        self._waiting[item] = (ready_at, sequence)
        heapq.heappush(self._waiting_heap, (ready_at, sequence, item))
        if self._timer is None or ready_at < self._timer.when():
            self._arm_timer(loop)

    def add_rate_limited(self, item: T) -> None:
        """Add `item` after the delay the rate limiter chooses for it."""
        self.add_after(item, self._rate_limiter.when(item))

    def forget(self, item: T) -> None:
        """Tell the rate limiter `item` succeeded, resetting its backoff."""
        self._rate_limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        """Return how many rate-limited retries of `item` are being tracked."""
        return self._rate_limiter.num_requeues(item)

    def _wake_getter(self) -> None:
        while self._getters:
            getter = self._getters.popleft()
            if not getter.done():
                getter.set_result(None)
                return

    def _arm_timer(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._timer is not None:
            self._timer.cancel()
        ready_at = self._waiting_heap[0][0]
        self._timer = loop.call_at(ready_at, self._on_timer, loop, ready_at)

    def _on_timer(self, loop: asyncio.AbstractEventLoop, scheduled_for: float) -> None:
        # The loop may run a timer up to its clock resolution early.
        now = max(loop.time(), scheduled_for)
        self._timer = None
        while self._waiting_heap and self._waiting_heap[0][0] <= now:
            ready_at, sequence, item = heapq.heappop(self._waiting_heap)
            if self._waiting.get(item) != (ready_at, sequence):
                continue
            del self._waiting[item]
            self.add(item)
        if self._waiting_heap:
            self._arm_timer(loop)


def _resolve_all(waiters: deque[asyncio.Future[None]] | list[asyncio.Future[None]]) -> None:
    for waiter in waiters:
        if not waiter.done():
            waiter.set_result(None)
    waiters.clear()
