"""Lists: ListResourceTemplates of 100 ConfigMaps in one namespace against a raw prefix range.

The raw range reads the apiserver's own keys (the namespace's prefix), so both
sides move the same 100 stored objects; both clients decode every item. Run
at 1 and 16 concurrent calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from apiserver.storage.etcd import Etcd, prefix_end
from bench.load import Operation, closed_loop, warm_up
from bench.objects import CONFIGMAP, configmap
from bench.processes import Stack
from bench.scenario import RunFn, ScenarioResult, Settings, interleave
from bench.stats import Measurement, Sample
from karmada.machinery.client import Client
from karmada.machinery.scheme import NAMESPACE

OBJECTS = 100
NAMESPACE_NAME = "bench-list"


async def run(stack: Stack, settings: Settings, progress: Callable[[str], None]) -> ScenarioResult:
    result = ScenarioResult("lists", f"Lists ({OBJECTS} objects of 1 KiB, one namespace)")
    etcd = Etcd([stack.etcd.endpoint])
    client = Client(stack.address)
    await client.create(NAMESPACE.new(name=NAMESPACE_NAME))
    await asyncio.gather(
        *(client.create(configmap(f"item-{i}", NAMESPACE_NAME)) for i in range(OBJECTS))
    )
    prefix = CONFIGMAP.namespace_prefix(NAMESPACE_NAME).encode()
    end = prefix_end(prefix)
    pids = stack.pids()

    async def raw_list(worker: int, seq: int) -> None:
        response = await etcd.range(prefix, end)
        assert len(response.kvs) == OBJECTS

    async def api_list(worker: int, seq: int) -> None:
        page = await client.list(CONFIGMAP, namespace=NAMESPACE_NAME)
        assert len(page.items) == OBJECTS

    def config(
        key: str, label: str, op: Operation, concurrency: int, ceiling: str = ""
    ) -> tuple[Measurement, RunFn]:
        measurement = Measurement(key, label, "lists/s", ceiling=ceiling)

        async def once(index: int) -> Sample:
            if index == 0:
                await warm_up(op, concurrency=concurrency, calls=settings.warmup_calls // 4)
            return await closed_loop(
                op, concurrency=concurrency, duration=settings.duration, pids=pids
            )

        return measurement, once

    configs = [
        config("raw_list_1", "raw etcd prefix range, 1 concurrent", raw_list, 1),
        config("raw_list_16", "raw etcd prefix range, 16 concurrent", raw_list, 16),
        config("api_list_1", "apiserver list, 1 concurrent", api_list, 1, "raw_list_1"),
        config("api_list_16", "apiserver list, 16 concurrent", api_list, 16, "raw_list_16"),
    ]
    try:
        await interleave(configs, runs=settings.runs, progress=progress)
    finally:
        await client.close()
        await etcd.close()
    result.measurements = [m for m, _ in configs]
    return result
