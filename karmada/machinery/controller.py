"""The level-triggered controller loop every controller in the system shares.

Informer handlers only enqueue keys; workers take a key off a client-go
`WorkQueue`, reconcile it from the informers' stores, and either forget it
(success), retry it with per-key backoff (an exception), or schedule it again
after a delay (`Requeue`, which is not an error). The queue's stinginess means a
key is never reconciled by two workers at once and a burst of events costs one
reconcile, so `reconcile` only has to be idempotent: it compares desired with
actual state for one key, like sample-controller's `syncHandler` and Karmada's
`AsyncWorker`.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any, ClassVar

from google.protobuf.message import Message
from prometheus_client import Counter, Histogram

from karmada.machinery.informer import Informer, key_of
from karmada.machinery.ratelimit import RateLimiter
from karmada.machinery.workqueue import WorkQueue

__all__ = ["Controller", "Requeue"]

log = logging.getLogger(__name__)

RECONCILES = Counter(
    "karmada_controller_reconcile_total",
    "Reconciliations by result (success, error, requeue).",
    ["controller", "result"],
)
RECONCILE_DURATION = Histogram(
    "karmada_controller_reconcile_duration_seconds",
    "Time spent in one reconciliation.",
    ["controller"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


class Requeue(Exception):
    """Reconcile again after `after_seconds`, without counting as a failure.

    `reconcile` may raise it or return it.
    """

    def __init__(self, after_seconds: float) -> None:
        super().__init__(f"requeue after {after_seconds}s")
        self.after_seconds = after_seconds


class Controller(abc.ABC):
    """Level-triggered reconciler: informer events -> keys -> reconcile(key).

    Subclasses set `name`, register handlers on their informers (usually
    ``informer.add_handler(self.enqueue, self.enqueue_update, self.enqueue)``,
    or a mapping from child objects to their owner's key) and implement
    `reconcile`. The informers are run by whoever owns them (typically shared
    by several controllers); `run` only waits for them to sync.

    Args:
        informers: Informers whose sync `run` waits for.
        rate_limiter: Backoff for failed keys; client-go's default if None.
    """

    name: ClassVar[str]

    def __init__(
        self,
        *,
        informers: Sequence[Informer[Any]] = (),
        rate_limiter: RateLimiter[str] | None = None,
    ) -> None:
        self.informers = list(informers)
        self.queue: WorkQueue[str] = WorkQueue(self.name, rate_limiter=rate_limiter)
        self._log_fields = {"controller": self.name}
        self._success = RECONCILES.labels(self.name, "success")
        self._error = RECONCILES.labels(self.name, "error")
        self._requeue = RECONCILES.labels(self.name, "requeue")
        self._duration = RECONCILE_DURATION.labels(self.name)

    @staticmethod
    def key_of(obj: Message) -> str:
        """The queue key of an object: ``namespace/name`` or ``name``."""
        return key_of(obj)

    def enqueue(self, obj: Message) -> None:
        """Queues the object's key; usable directly as an add or delete handler."""
        self.queue.add(key_of(obj))

    def enqueue_update(self, old: Message, new: Message) -> None:
        """Queues the new object's key; usable directly as an update handler."""
        self.queue.add(key_of(new))

    def enqueue_key(self, key: str) -> None:
        self.queue.add(key)

    def enqueue_after(self, key: str, delay_seconds: float) -> None:
        self.queue.add_after(key, delay_seconds)

    async def run(self, *, workers: int = 1) -> None:
        """Waits for the informers to sync, then reconciles until `shutdown` or cancel."""
        log.info("Starting controller", extra={**self._log_fields, "workers": workers})
        try:
            await asyncio.gather(*(informer.wait_for_sync() for informer in self.informers))
            log.info("Caches synced; starting workers", extra=self._log_fields)
            async with asyncio.TaskGroup() as tg:
                for index in range(workers):
                    tg.create_task(self._worker(), name=f"{self.name}-worker-{index}")
        finally:
            self.queue.shutdown()
            log.info("Controller stopped", extra=self._log_fields)

    def shutdown(self) -> None:
        """Stops taking new keys; workers finish the queued ones and `run` returns."""
        self.queue.shutdown()

    async def _worker(self) -> None:
        while (key := await self.queue.get()) is not None:
            try:
                await self._process(key)
            finally:
                self.queue.done(key)

    async def _process(self, key: str) -> None:
        """Reconciles one key taken from the queue and files the outcome."""
        started = time.perf_counter()
        try:
            result = await self.reconcile(key)
        except Requeue as requeue:
            result = requeue
        except Exception:
            self._error.inc()
            log.exception("Reconcile failed; requeuing", extra={**self._log_fields, "key": key})
            self.queue.add_rate_limited(key)
            return
        finally:
            self._duration.observe(time.perf_counter() - started)
        self.queue.forget(key)
        if result is None:
            self._success.inc()
            log.debug("Reconciled", extra={**self._log_fields, "key": key})
        else:
            self._requeue.inc()
            self.queue.add_after(key, result.after_seconds)

    @abc.abstractmethod
    async def reconcile(self, key: str) -> Requeue | None:
        """Drives actual state toward desired state for `key`; must be idempotent.

        Raise to retry with backoff; raise or return `Requeue` to look again
        later. A key whose object is gone from the store is normally done.
        """
