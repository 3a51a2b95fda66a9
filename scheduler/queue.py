"""The scheduling queue: active, backoff and unschedulable bindings, as kube-scheduler's.

A binding that cannot be placed now should not be retried in a tight loop, and
should not wait for a timer either when the thing that blocked it changes: it
parks in the unschedulable set until a cluster event moves it back (or
`unschedulable_timeout` passes). A binding whose attempt failed on an error
(e.g. the apiserver refused the write) retries with per-key exponential backoff.
Like client-go's work queue the queue is stingy (a key waiting once is handed
out once) and never gives one key to two workers: an event for a key being
scheduled marks it dirty, and it goes back to active when the worker is done.
"""

from __future__ import annotations

import asyncio
import enum
import heapq
import itertools
import time
from collections.abc import Callable

from prometheus_client import Counter

from scheduler.metrics import INCOMING_BINDINGS, PENDING_BINDINGS

__all__ = ["Outcome", "SchedulingQueue"]

Clock = Callable[[], float]


class Outcome(enum.Enum):
    SCHEDULED = "scheduled"
    UNSCHEDULABLE = "unschedulable"
    ERROR = "error"
    CONFLICT = "conflict"
    """The binding changed under the write: try again at once, from the newer copy."""


class SchedulingQueue:
    """Keys of bindings to schedule, in three sub-queues.

    Args:
        initial_backoff: Seconds before the first retry of a failed key.
        max_backoff: Cap of the per-key exponential backoff.
        unschedulable_timeout: Seconds after which an unschedulable key is tried
            again even if no event moved it (kube's podMaxInUnschedulablePodsDuration).
    """

    def __init__(
        self,
        *,
        initial_backoff: float = 1.0,
        max_backoff: float = 10.0,
        unschedulable_timeout: float = 300.0,
        conflict_delay: float = 0.02,
        clock: Clock = time.monotonic,
    ) -> None:
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._unschedulable_timeout = unschedulable_timeout
        self._conflict_delay = conflict_delay
        self._clock = clock
        self._active: dict[str, None] = {}
        self._backoff: list[tuple[float, int, str]] = []
        self._backoff_keys: dict[str, float] = {}
        self._unschedulable: dict[str, float] = {}
        self._attempts: dict[str, int] = {}
        self._processing: set[str] = set()
        self._dirty: set[str] = set()
        self._seq = itertools.count()
        self._wakeup = asyncio.Event()
        self._closed = False
        self._incoming: dict[str, Counter] = {}
        # Read at scrape time, so queue operations cost no metric updates.
        PENDING_BINDINGS.labels("active").set_function(lambda: len(self._active))
        PENDING_BINDINGS.labels("backoff").set_function(lambda: len(self._backoff_keys))
        PENDING_BINDINGS.labels("unschedulable").set_function(lambda: len(self._unschedulable))

    def __len__(self) -> int:
        return len(self._active) + len(self._backoff_keys) + len(self._unschedulable)

    def pending(self) -> dict[str, int]:
        return {
            "active": len(self._active),
            "backoff": len(self._backoff_keys),
            "unschedulable": len(self._unschedulable),
        }

    def add(self, key: str, event: str) -> None:
        """An event says `key` may need scheduling: it becomes active now."""
        if self._closed:
            return
        self._count(event)
        if key in self._processing:
            self._dirty.add(key)
            return
        self._unschedulable.pop(key, None)
        self._backoff_keys.pop(key, None)
        self._activate(key)

    def move_unschedulable(self, event: str) -> int:
        """A cluster changed: every unschedulable key gets another try. Returns how many."""
        keys = list(self._unschedulable)
        self._unschedulable.clear()
        for key in keys:
            self._count(event)
            self._activate(key)
        return len(keys)

    def forget(self, key: str) -> None:
        """The binding is gone: drop it from every sub-queue."""
        self._active.pop(key, None)
        self._backoff_keys.pop(key, None)
        self._unschedulable.pop(key, None)
        self._attempts.pop(key, None)
        self._dirty.discard(key)

    async def pop(self) -> str | None:
        """The next active key (None once closed and drained of active keys)."""
        while True:
            self._promote()
            if self._active:
                key = next(iter(self._active))
                del self._active[key]
                self._processing.add(key)
                return key
            if self._closed:
                return None
            self._wakeup.clear()
            timeout = self._next_deadline()
            try:
                async with asyncio.timeout(timeout):
                    await self._wakeup.wait()
            except TimeoutError:
                pass

    def done(self, key: str, outcome: Outcome) -> None:
        """The worker finished `key`; it goes where `outcome` says, or active if dirty."""
        self._processing.discard(key)
        if key in self._dirty:
            self._dirty.discard(key)
            self._activate(key)
            return
        now = self._clock()
        if outcome is Outcome.CONFLICT:
            # Soon, not at once: the informer needs a moment to deliver the newer copy.
            ready_at = now + self._conflict_delay
            self._backoff_keys[key] = ready_at
            heapq.heappush(self._backoff, (ready_at, next(self._seq), key))
            self._wakeup.set()
            return
        if outcome is Outcome.SCHEDULED:
            self._attempts.pop(key, None)
        elif outcome is Outcome.UNSCHEDULABLE:
            self._attempts.pop(key, None)
            self._unschedulable[key] = now + self._unschedulable_timeout
            self._wakeup.set()
        else:
            attempts = self._attempts.get(key, 0)
            self._attempts[key] = attempts + 1
            delay = min(self._initial_backoff * 2**attempts, self._max_backoff)
            ready_at = now + delay
            self._backoff_keys[key] = ready_at
            heapq.heappush(self._backoff, (ready_at, next(self._seq), key))
            self._wakeup.set()

    def close(self) -> None:
        self._closed = True
        self._wakeup.set()

    def _activate(self, key: str) -> None:
        self._active[key] = None
        self._wakeup.set()

    def _promote(self) -> None:
        now = self._clock()
        while self._backoff and self._backoff[0][0] <= now:
            ready_at, _, key = heapq.heappop(self._backoff)
            if self._backoff_keys.get(key) == ready_at:
                del self._backoff_keys[key]
                self._active[key] = None
        # Every key parks for the same timeout, so insertion order is deadline order.
        while self._unschedulable:
            key, deadline = next(iter(self._unschedulable.items()))
            if deadline > now:
                break
            del self._unschedulable[key]
            self._active[key] = None

    def _next_deadline(self) -> float | None:
        deadlines = [ready_at for ready_at, _, key in self._backoff[:1]]
        if self._unschedulable:
            deadlines.append(next(iter(self._unschedulable.values())))
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - self._clock())

    def _count(self, event: str) -> None:
        counter = self._incoming.get(event)
        if counter is None:
            counter = self._incoming[event] = INCOMING_BINDINGS.labels(event)
        counter.inc()
