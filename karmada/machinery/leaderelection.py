"""Leader election on a coordination.k8s.io/v1 Lease, so replicas of a component
run their loops one at a time.

It follows client-go's ``tools/leaderelection``: a candidate takes the Lease
when nobody holds it, when the holder stopped renewing it for
`lease_duration`, or when it already holds it; the leader renews every
`retry_period` and steps down if it cannot renew for `renew_deadline`. Every
write carries the Lease's resource_version, so of two candidates racing for a
free Lease exactly one wins (the other gets ABORTED and keeps campaigning).

Expiry is judged on the local monotonic clock from the moment this candidate
saw the Lease's record change, credited with the age its renew_time claims
(never more than lease_duration, never less than 0). That is
``renew_time + lease_duration < now`` when the clocks agree, and keeps clock
skew from making a live leader's Lease look expired. On a clean shutdown the
leader releases the Lease (empty holder, as client-go's ReleaseOnCancel) so a
standby takes over at once instead of waiting for the Lease to expire.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Callable, Coroutine
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from prometheus_client import Gauge

from karmada.coordination.v1 import lease_pb2
from karmada.machinery.client import Client
from karmada.machinery.errors import AlreadyExists, ApiError, Conflict, NotFound
from karmada.machinery.scheme import LEASE

__all__ = ["LeaderElector"]

log = logging.getLogger(__name__)

JITTER_FACTOR = 1.2

MASTER_STATUS = Gauge(
    "karmada_leader_election_master_status",
    "1 while this process holds the named lease, else 0.",
    ["name"],
)


def _timestamp(seconds: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


class LeaderElector:
    """Campaigns for one Lease and runs a callback while holding it.

    Args:
        client: The apiserver connection.
        namespace: Namespace of the Lease (must exist, e.g. karmada-system).
        name: Name of the Lease.
        identity: This candidate's unique identity (e.g. hostname + uuid).
        lease_duration: Seconds a standby waits after the last renewal it saw
            before taking the Lease over.
        renew_deadline: Seconds the leader keeps retrying a renewal before it
            gives up leadership; less than lease_duration.
        retry_period: Seconds between attempts to acquire or renew.
        release_on_cancel: Release the Lease when leadership ends cleanly.
    """

    def __init__(
        self,
        client: Client,
        *,
        namespace: str,
        name: str,
        identity: str,
        lease_duration: float = 15.0,
        renew_deadline: float = 10.0,
        retry_period: float = 2.0,
        release_on_cancel: bool = True,
    ) -> None:
        if not identity:
            raise ValueError("identity must not be empty")
        if lease_duration <= renew_deadline:
            raise ValueError("lease_duration must be greater than renew_deadline")
        if renew_deadline <= JITTER_FACTOR * retry_period:
            raise ValueError(f"renew_deadline must be greater than {JITTER_FACTOR} * retry_period")
        if retry_period <= 0:
            raise ValueError("retry_period must be positive")
        self.client = client
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.lease_duration = lease_duration
        self.renew_deadline = renew_deadline
        self.retry_period = retry_period
        self.release_on_cancel = release_on_cancel
        self._observed: lease_pb2.Lease | None = None
        self._observed_at = 0.0
        self._leading = False
        self._claim_pending = False
        self._gauge = MASTER_STATUS.labels(name)
        self._log_fields = {"lease": f"{namespace}/{name}", "identity": identity}

    @property
    def is_leader(self) -> bool:
        return self._leading

    @property
    def leader(self) -> str:
        """The holder this candidate last saw ("" if none)."""
        return self._observed.spec.holder_identity if self._observed is not None else ""

    async def run(
        self,
        on_started_leading: Callable[[], Coroutine[Any, Any, None]],
        on_stopped_leading: Callable[[], None] | None = None,
    ) -> None:
        """Campaigns until elected, then runs `on_started_leading` as a task while leading.

        Returns when leadership ends: when renewal failed for renew_deadline
        (the task is cancelled) or when the task returned (its exception, if
        any, propagates). Cancelling `run` cancels the task too. Unless
        leadership was lost, the Lease is then released. Once leadership has
        ended and the task is over, `on_stopped_leading` is called (not when
        `run` is cancelled before it was ever elected).
        """
        try:
            await self._acquire()
        except asyncio.CancelledError:
            if self.release_on_cancel and (self._claim_pending or self.leader == self.identity):
                await self._release()
            raise
        leader = asyncio.create_task(on_started_leading(), name=f"leader:{self.name}")
        lost = False
        try:
            lost = not await self._lead(leader)
        finally:
            if not leader.done():
                leader.cancel()
            await asyncio.wait({leader})
            self._set_leading(False)
            if not lost and self.release_on_cancel:
                await self._release()
            if on_stopped_leading is not None:
                on_stopped_leading()
        if lost:
            log.warning("Lost leadership", extra=self._log_fields)
        elif not leader.cancelled() and (error := leader.exception()) is not None:
            raise error

    async def _acquire(self) -> None:
        log.info("Attempting to acquire leader lease", extra=self._log_fields)
        while True:
            if await self._attempt():
                break
            await asyncio.sleep(self.retry_period * (1 + random.random() * JITTER_FACTOR))
        self._set_leading(True)
        log.info("Acquired leader lease", extra=self._log_fields)

    async def _lead(self, leader: asyncio.Task[None]) -> bool:
        """Renews until the task ends (True) or leadership is lost (False)."""
        while True:
            done, _ = await asyncio.wait({leader}, timeout=self.retry_period)
            if done:
                return True
            if not await self._renew():
                return False

    async def _renew(self) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.renew_deadline
        while True:
            if await self._attempt(timeout=deadline - loop.time()):
                return True
            if self.leader not in ("", self.identity):
                return False
            if loop.time() + self.retry_period >= deadline:
                return False
            await asyncio.sleep(self.retry_period)

    async def _attempt(self, *, timeout: float | None = None) -> bool:
        try:
            async with asyncio.timeout(timeout if timeout is not None else self.renew_deadline):
                return await self._try_acquire_or_renew()
        except TimeoutError:
            log.warning("Lease request timed out", extra=self._log_fields)
        except ApiError as err:
            log.warning("Lease request failed", extra={**self._log_fields, "error": repr(err)})
        return False

    async def _try_acquire_or_renew(self) -> bool:
        now = time.time()
        if self._leading and self._observed is not None:
            try:
                await self._write(self._claim(self._observed, now))
                return True
            except Conflict:
                log.info("Lease changed under us; re-reading", extra=self._log_fields)
        try:
            current = await self.client.get(LEASE, self.name, self.namespace)
        except NotFound:
            return await self._create(now)
        self._observe(current)
        holder = current.spec.holder_identity
        if holder and holder != self.identity and self._observed_valid():
            return False
        try:
            await self._write(self._claim(current, now))
        except Conflict:
            return False
        return True

    async def _create(self, now: float) -> bool:
        lease = LEASE.new(name=self.name, namespace=self.namespace)
        lease.spec.lease_transitions = 0
        try:
            await self._write(self._claim(lease, now), create=True)
        except AlreadyExists:
            return False
        return True

    async def _write(self, lease: lease_pb2.Lease, *, create: bool = False) -> None:
        """Sends a claim; `_claim_pending` stays set if the call is cut short."""
        self._claim_pending = True
        try:
            written = await (self.client.create(lease) if create else self.client.update(lease))
        except ApiError:
            self._claim_pending = False
            raise
        self._claim_pending = False
        self._observe(written)

    def _claim(self, lease: lease_pb2.Lease, now: float) -> lease_pb2.Lease:
        """A copy of `lease` held by this candidate and renewed at `now`."""
        claimed = lease_pb2.Lease()
        claimed.CopyFrom(lease)
        spec = claimed.spec
        if spec.holder_identity != self.identity:
            spec.acquire_time.CopyFrom(_timestamp(now))
            if lease.metadata.resource_version:
                spec.lease_transitions = spec.lease_transitions + 1
        spec.holder_identity = self.identity
        spec.lease_duration_seconds = math.ceil(self.lease_duration)
        spec.renew_time.CopyFrom(_timestamp(now))
        return claimed

    def _observe(self, lease: lease_pb2.Lease) -> None:
        if self._observed is not None and self._observed.spec == lease.spec:
            self._observed = lease
            return
        age = time.time() - lease.spec.renew_time.ToNanoseconds() / 1e9
        self._observed = lease
        self._observed_at = asyncio.get_running_loop().time() - min(
            max(age, 0.0), self.lease_duration
        )

    def _observed_valid(self) -> bool:
        return self._observed_at + self.lease_duration > asyncio.get_running_loop().time()

    async def _release(self) -> None:
        """Vacates the Lease if this candidate holds it, re-reading it on conflict.

        A renewal cut short by cancellation may have landed unseen, so the
        observed copy can be stale; the Lease is read afresh rather than trusted.
        """
        vacated = False

        def vacate(lease: lease_pb2.Lease) -> lease_pb2.Lease | None:
            nonlocal vacated
            if lease.spec.holder_identity != self.identity:
                return None
            vacated = True
            now = _timestamp(time.time())
            lease.spec.holder_identity = ""
            lease.spec.lease_duration_seconds = 1
            lease.spec.renew_time.CopyFrom(now)
            lease.spec.acquire_time.CopyFrom(now)
            return lease

        try:
            async with asyncio.timeout(self.renew_deadline):
                lease = await self.client.guaranteed_update(
                    LEASE, self.name, self.namespace, mutate=vacate
                )
        except NotFound:
            return
        except (ApiError, TimeoutError) as err:
            log.warning(
                "Could not release leader lease", extra={**self._log_fields, "error": repr(err)}
            )
            return
        self._observe(lease)
        if vacated:
            log.info("Released leader lease", extra=self._log_fields)

    def _set_leading(self, leading: bool) -> None:
        self._leading = leading
        self._gauge.set(1 if leading else 0)
