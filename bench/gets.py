"""Gets: GetResourceTemplate of one ConfigMap against a raw etcd range of the same key.

Both sides read the same stored object (the raw range reads the key the
apiserver reads), 16 concurrent calls from one channel.
"""

from __future__ import annotations

from collections.abc import Callable

from apiserver.storage.etcd import Etcd
from bench.load import Operation, closed_loop, warm_up
from bench.objects import CONFIGMAP, configmap
from bench.processes import Stack
from bench.scenario import RunFn, ScenarioResult, Settings, interleave
from bench.stats import Measurement, Sample
from karmada.machinery.client import Client

CONCURRENCY = 16
NAME = "get-target"


async def run(stack: Stack, settings: Settings, progress: Callable[[str], None]) -> ScenarioResult:
    result = ScenarioResult("gets", f"Gets (one 1 KiB object, {CONCURRENCY} concurrent)")
    etcd = Etcd([stack.etcd.endpoint])
    client = Client(stack.address)
    await client.create(configmap(NAME))
    key = CONFIGMAP.key("default", NAME).encode()
    pids = stack.pids()

    async def raw_get(worker: int, seq: int) -> None:
        response = await etcd.range(key)
        assert response.kvs

    async def api_get(worker: int, seq: int) -> None:
        await client.get(CONFIGMAP, NAME, "default")

    def config(measurement: Measurement, op: Operation) -> tuple[Measurement, RunFn]:
        async def once(index: int) -> Sample:
            if index == 0:
                await warm_up(op, concurrency=CONCURRENCY, calls=settings.warmup_calls)
            return await closed_loop(
                op, concurrency=CONCURRENCY, duration=settings.duration, pids=pids
            )

        return measurement, once

    configs = [
        config(Measurement("raw_get_16", "raw etcd range of one key", "gets/s"), raw_get),
        config(Measurement("api_get_16", "apiserver get", "gets/s", ceiling="raw_get_16"), api_get),
    ]
    try:
        await interleave(configs, runs=settings.runs, progress=progress)
    finally:
        await client.close()
        await etcd.close()
    result.measurements = [m for m, _ in configs]
    return result
