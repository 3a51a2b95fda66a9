"""Leader election on a real Lease: one leader, takeover, release, loss."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

import pytest
from prometheus_client import REGISTRY

from karmada.coordination.v1 import lease_pb2
from karmada.machinery.client import Client
from karmada.machinery.leaderelection import LeaderElector
from karmada.machinery.scheme import LEASE

LEASE_DURATION = 1.5
RENEW_DEADLINE = 1.0
RETRY_PERIOD = 0.2
MARGIN = 2.0
DEADLINE = 20.0


class Candidate:
    """One elector plus the task running it, recording what its callbacks saw."""

    def __init__(
        self, client: Client, *, namespace: str, lease: str, identity: str, release: bool = True
    ) -> None:
        self.elector = LeaderElector(
            client,
            namespace=namespace,
            name=lease,
            identity=identity,
            lease_duration=LEASE_DURATION,
            renew_deadline=RENEW_DEADLINE,
            retry_period=RETRY_PERIOD,
            release_on_cancel=release,
        )
        self.identity = identity
        self.started_at: float | None = None
        self.stopped = asyncio.Event()
        self.leader_cancelled = False
        self.leaders: set[str] | None = None
        self.task: asyncio.Task[None] | None = None

    async def lead(self) -> None:
        self.started_at = time.time()
        assert self.leaders is not None
        self.leaders.add(self.identity)
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.leader_cancelled = True
            raise
        finally:
            self.leaders.discard(self.identity)

    def start(self, leaders: set[str]) -> None:
        self.leaders = leaders
        self.task = asyncio.create_task(self.elector.run(self.lead, self.stopped.set))

    async def cancel(self) -> None:
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def until(predicate: Callable[[], bool], timeout: float = DEADLINE) -> None:
    async with asyncio.timeout(timeout):
        while True:
            if predicate():
                return
            await asyncio.sleep(0.01)


def master_status(lease: str) -> float | None:
    return REGISTRY.get_sample_value("karmada_leader_election_master_status", {"name": lease})


@pytest.fixture
async def pair(
    client: Client, namespace: str, unique: str
) -> AsyncIterator[tuple[Candidate, Candidate]]:
    lease = f"lease-{unique}"
    first = Candidate(client, namespace=namespace, lease=lease, identity="first")
    second = Candidate(client, namespace=namespace, lease=lease, identity="second")
    yield first, second
    for candidate in (first, second):
        if candidate.task is not None:
            await candidate.cancel()


async def read_lease(client: Client, candidate: Candidate) -> lease_pb2.Lease:
    return await client.get(LEASE, candidate.elector.name, candidate.elector.namespace)


async def test_exactly_one_leads_and_the_other_takes_over_on_release(
    client: Client, pair: tuple[Candidate, Candidate]
) -> None:
    leaders: set[str] = set()
    concurrent: list[int] = []
    first, second = pair
    first.start(leaders)
    await until(lambda: first.elector.is_leader)
    second.start(leaders)

    for _ in range(round(2 * LEASE_DURATION / (RETRY_PERIOD / 2))):
        concurrent.append(len(leaders))
        await asyncio.sleep(RETRY_PERIOD / 2)
    assert set(concurrent) == {1}
    assert leaders == {"first"} and not second.elector.is_leader
    assert second.elector.leader == "first"
    assert master_status(first.elector.name) == 1

    stopped_at = time.time()
    await first.cancel()
    assert first.leader_cancelled and first.stopped.is_set()
    await until(lambda: second.started_at is not None, timeout=LEASE_DURATION + MARGIN)
    assert second.started_at is not None
    assert second.started_at - stopped_at < LEASE_DURATION
    lease = await read_lease(client, second)
    assert lease.spec.holder_identity == "second"
    assert lease.spec.lease_transitions == 1
    assert lease.spec.lease_duration_seconds == 2
    assert lease.spec.renew_time.ToNanoseconds() >= lease.spec.acquire_time.ToNanoseconds()
    assert master_status(second.elector.name) == 1


async def test_standby_takes_over_once_a_crashed_leader_lease_expires(
    client: Client, namespace: str, unique: str
) -> None:
    lease = f"lease-{unique}"
    leaders: set[str] = set()
    crashed = Candidate(client, namespace=namespace, lease=lease, identity="crashed", release=False)
    standby = Candidate(client, namespace=namespace, lease=lease, identity="standby")
    crashed.start(leaders)
    await until(lambda: crashed.elector.is_leader)
    standby.start(leaders)
    try:
        await until(lambda: standby.elector.leader == "crashed")
        await crashed.cancel()
        held = await read_lease(client, crashed)
        assert held.spec.holder_identity == "crashed"
        last_renewal = held.spec.renew_time.ToNanoseconds() / 1e9

        await until(lambda: standby.started_at is not None, timeout=LEASE_DURATION + MARGIN)
        assert standby.started_at is not None
        assert standby.started_at - last_renewal >= LEASE_DURATION - 0.05
        assert (await read_lease(client, standby)).spec.lease_transitions == 1
    finally:
        await standby.cancel()


async def test_leader_steps_down_when_another_holder_takes_the_lease(
    client: Client, pair: tuple[Candidate, Candidate]
) -> None:
    leaders: set[str] = set()
    first, _ = pair
    first.start(leaders)
    await until(lambda: first.elector.is_leader)

    def steal(lease: lease_pb2.Lease) -> lease_pb2.Lease:
        lease.spec.holder_identity = "intruder"
        lease.spec.renew_time.GetCurrentTime()
        return lease

    await client.guaranteed_update(LEASE, first.elector.name, first.elector.namespace, mutate=steal)
    assert first.task is not None
    async with asyncio.timeout(RENEW_DEADLINE + MARGIN):
        await first.task
    assert first.leader_cancelled and first.stopped.is_set()
    assert not first.elector.is_leader and master_status(first.elector.name) == 0
    assert (await read_lease(client, first)).spec.holder_identity == "intruder"


async def test_release_rereads_a_lease_changed_since_the_last_renewal(
    client: Client, pair: tuple[Candidate, Candidate]
) -> None:
    first, _ = pair
    first.start(set())
    await until(lambda: first.elector.is_leader)

    def relabel(lease: lease_pb2.Lease) -> lease_pb2.Lease:
        lease.metadata.labels["touched"] = "yes"
        return lease

    await client.guaranteed_update(
        LEASE, first.elector.name, first.elector.namespace, mutate=relabel
    )
    await first.cancel()
    lease = await read_lease(client, first)
    assert lease.spec.holder_identity == ""
    assert lease.metadata.labels["touched"] == "yes"


async def test_returning_callback_ends_leadership_and_releases_the_lease(
    client: Client, namespace: str, unique: str
) -> None:
    elector = LeaderElector(
        client,
        namespace=namespace,
        name=f"lease-{unique}",
        identity="brief",
        lease_duration=LEASE_DURATION,
        renew_deadline=RENEW_DEADLINE,
        retry_period=RETRY_PERIOD,
    )
    stopped: list[bool] = []

    async def work() -> None:
        assert elector.is_leader

    async with asyncio.timeout(DEADLINE):
        await elector.run(work, lambda: stopped.append(elector.is_leader))
    assert stopped == [False]
    lease = await client.get(LEASE, f"lease-{unique}", namespace)
    assert lease.spec.holder_identity == ""


async def test_callback_failure_propagates_after_release(
    client: Client, namespace: str, unique: str
) -> None:
    elector = LeaderElector(
        client,
        namespace=namespace,
        name=f"lease-{unique}",
        identity="failing",
        lease_duration=LEASE_DURATION,
        renew_deadline=RENEW_DEADLINE,
        retry_period=RETRY_PERIOD,
    )

    async def work() -> None:
        raise RuntimeError("leader work failed")

    with pytest.raises(RuntimeError, match="leader work failed"):
        async with asyncio.timeout(DEADLINE):
            await elector.run(work)
    lease = await client.get(LEASE, f"lease-{unique}", namespace)
    assert lease.spec.holder_identity == ""


async def test_timings_are_validated(client: Client) -> None:
    with pytest.raises(ValueError, match="renew_deadline"):
        LeaderElector(
            client,
            namespace="ns",
            name="n",
            identity="i",
            lease_duration=1.0,
            renew_deadline=1.0,
        )
