"""The controller loop against a real apiserver: reconcile, retry, requeue, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import inspect
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import ClassVar

import pytest
from prometheus_client import REGISTRY

from karmada.core.v1 import resource_template_pb2
from karmada.machinery.client import Client
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.informer import Informer
from karmada.machinery.ratelimit import ItemExponentialFailureRateLimiter
from karmada.machinery.scheme import template_kind

CONFIGMAP = template_kind("v1", "ConfigMap")
DEADLINE = 20.0

ConfigMap = resource_template_pb2.ResourceTemplate


class ObservedGenerationController(Controller):
    """Writes status.observedGeneration of every ConfigMap template it sees.

    Hooks let a test make a key fail or requeue; every call is logged with its time.
    """

    name: ClassVar[str] = "test-observed-generation"

    def __init__(
        self, client: Client, informer: Informer[ConfigMap], *, base_delay: float = 0.005
    ) -> None:
        super().__init__(
            informers=[informer],
            rate_limiter=ItemExponentialFailureRateLimiter(base_delay=base_delay, max_delay=1.0),
        )
        self.client = client
        self.informer = informer
        informer.add_handler(self.enqueue, self.enqueue_update, self.enqueue)
        self.calls: list[tuple[str, float]] = []
        self.failures: dict[str, int] = {}
        self.requeues: dict[str, float] = {}
        self.gone: set[str] = set()
        self.gate: asyncio.Event | None = None

    async def reconcile(self, key: str) -> Requeue | None:
        self.calls.append((key, time.monotonic()))
        if self.gate is not None:
            await self.gate.wait()
        if self.failures.get(key, 0) > 0:
            self.failures[key] -= 1
            raise RuntimeError("injected failure")
        if (delay := self.requeues.pop(key, None)) is not None:
            return Requeue(delay)
        cached = self.informer.get(key)
        if cached is None:
            self.gone.add(key)
            return None
        if observed_generation(cached) == cached.metadata.generation:
            return None
        desired = copy.deepcopy(cached)
        desired.status.update({"observedGeneration": desired.metadata.generation})
        await self.client.update_status(desired)
        return None

    def calls_of(self, key: str) -> list[float]:
        return [at for k, at in self.calls if k == key]


def reconciles(result: str) -> float:
    labels = {"controller": ObservedGenerationController.name, "result": result}
    return REGISTRY.get_sample_value("karmada_controller_reconcile_total", labels) or 0.0


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], timeout: float = DEADLINE
) -> None:
    """Polls `check` until it holds; fails after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while True:
            result = check()
            if await result if inspect.isawaitable(result) else result:
                return
            await asyncio.sleep(0.02)


async def observed(client: Client, namespace: str, *, name: str, generation: int) -> bool:
    return observed_generation(await client.get(CONFIGMAP, name, namespace)) == generation


def observed_generation(obj: ConfigMap) -> int | None:
    if "observedGeneration" not in obj.status:
        return None
    return int(obj.status.fields["observedGeneration"].number_value)


def new_configmap(namespace: str, name: str) -> ConfigMap:
    obj = CONFIGMAP.new(name=name, namespace=namespace)
    obj.body.update({"data": {"key": "v"}})
    return obj


@pytest.fixture
async def informer(client: Client, namespace: str) -> AsyncIterator[Informer[ConfigMap]]:
    informer = Informer(client, CONFIGMAP, namespace=namespace)
    informer.start()
    yield informer
    await informer.stop()


@contextlib.asynccontextmanager
async def running(controller: Controller, *, workers: int = 2) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(controller.run(workers=workers))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_reconciles_every_key_and_follows_changes(
    client: Client, namespace: str, informer: Informer[ConfigMap]
) -> None:
    for name in ("a", "b", "c"):
        await client.create(new_configmap(namespace, name))
    controller = ObservedGenerationController(client, informer)
    successes = reconciles("success")
    async with running(controller):
        for name in ("a", "b", "c"):
            await eventually(
                functools.partial(observed, client, namespace, name=name, generation=1)
            )

        current = await client.get(CONFIGMAP, "a", namespace)
        current.body.update({"data": {"key": "changed"}})
        await client.update(current)
        await eventually(lambda: observed(client, namespace, name="a", generation=2))

        await client.delete(CONFIGMAP, "b", namespace)
        await eventually(lambda: f"{namespace}/b" in controller.gone)
    assert reconciles("success") - successes >= 5


async def test_failing_key_is_retried_with_growing_backoff(
    client: Client, namespace: str, informer: Informer[ConfigMap]
) -> None:
    await client.create(new_configmap(namespace, "flaky"))
    key = f"{namespace}/flaky"
    controller = ObservedGenerationController(client, informer, base_delay=0.05)
    controller.failures[key] = 3
    errors, successes = reconciles("error"), reconciles("success")
    async with running(controller):
        await eventually(lambda: observed(client, namespace, name="flaky", generation=1))
    attempts = controller.calls_of(key)
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert len(attempts) >= 4
    for gap, backoff in zip(gaps, (0.05, 0.1, 0.2), strict=False):
        assert gap >= backoff * 0.9
    assert reconciles("error") - errors == 3
    assert reconciles("success") - successes >= 1
    assert controller.queue.num_requeues(key) == 0


async def test_requeue_reconciles_again_after_the_delay_without_an_error(
    client: Client, namespace: str, informer: Informer[ConfigMap]
) -> None:
    await client.create(new_configmap(namespace, "later"))
    key = f"{namespace}/later"
    controller = ObservedGenerationController(client, informer)
    controller.requeues[key] = 0.3
    errors, requeues = reconciles("error"), reconciles("requeue")
    async with running(controller):
        await eventually(lambda: observed(client, namespace, name="later", generation=1))
    first, second = controller.calls_of(key)[:2]
    assert second - first >= 0.3 * 0.9
    assert reconciles("requeue") - requeues == 1
    assert reconciles("error") == errors
    assert controller.queue.num_requeues(key) == 0


async def test_shutdown_lets_in_flight_work_finish_and_ends_workers(
    client: Client, namespace: str, informer: Informer[ConfigMap]
) -> None:
    await client.create(new_configmap(namespace, "slow"))
    controller = ObservedGenerationController(client, informer)
    controller.gate = asyncio.Event()
    task = asyncio.create_task(controller.run(workers=3))
    await eventually(lambda: bool(controller.calls))
    controller.shutdown()
    controller.enqueue_key(f"{namespace}/ignored-after-shutdown")
    assert not task.done()
    controller.gate.set()
    async with asyncio.timeout(DEADLINE):
        await task
    assert await observed(client, namespace, name="slow", generation=1)
    assert [key for key, _ in controller.calls] == [f"{namespace}/slow"]


async def test_cancelling_run_cancels_in_flight_work_and_stops_the_queue(
    client: Client, namespace: str, informer: Informer[ConfigMap]
) -> None:
    await client.create(new_configmap(namespace, "stuck"))
    controller = ObservedGenerationController(client, informer)
    controller.gate = asyncio.Event()
    task = asyncio.create_task(controller.run(workers=2))
    await eventually(lambda: bool(controller.calls))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(DEADLINE):
            await task
    assert controller.queue.shutting_down
    assert await controller.queue.get() is None
    assert not (await client.get(CONFIGMAP, "stuck", namespace)).status
