"""Watch delivery: events/s reaching one watcher, live and catching up.

Live: one watcher is open while N objects are written as fast as 16
concurrent writers can; throughput is N over the time from the first write to
the N-th event received (so it includes the writes). Catch-up: a second
watcher asks for the same N events after they were written (from the
revision before them), which measures delivery alone: the apiserver replays
them from its watch cache, etcd from its store.

Raw ceilings: an etcd watch on a prefix with 16 concurrent raw puts (etcd
packs many events into one watch response; the apiserver sends one gRPC
message per event, as Kubernetes does), and the bare grpc.aio server stream
sending N messages of the apiserver's event size to one stream. Every client
decodes what it receives.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from typing import Any, TypeVar

import grpc

from apiserver.storage.etcd import Etcd, prefix_end
from bench.grpc_ceiling import STREAM, CeilingServer
from bench.load import CpuMeter, write_all
from bench.objects import CONFIGMAP, ConfigMap, configmap, raw_value
from bench.processes import Stack
from bench.scenario import RunFn, ScenarioResult, Settings, interleave, repeated
from bench.stats import Measurement, Sample
from karmada.core.v1 import resource_template_service_pb2
from karmada.machinery.client import Client
from karmada.meta.v1 import meta_pb2

WRITERS = 16
REPEATS = 3
"""Catch-up and bare-stream runs last well under a second; each counts three back to back."""
NAMESPACE = "default"
T = TypeVar("T")

WatchResponse = resource_template_service_pb2.WatchResourceTemplatesResponse


async def count_until(stream: AsyncIterator[T], target: int, size: Callable[[T], int]) -> float:
    """Reads the stream until `target` events arrived; returns the arrival time of the last."""
    received = 0
    async with contextlib.aclosing(stream):  # type: ignore[type-var]
        async for item in stream:
            received += size(item)
            if received >= target:
                return time.perf_counter()
    raise RuntimeError(f"stream ended after {received} of {target} events")


async def timed(
    watch: Callable[[], Coroutine[Any, Any, float]],
    write: Callable[[], Awaitable[object]] | None,
    *,
    events: int,
    pids: Mapping[str, int],
) -> Sample:
    """Starts the watch, then the writes (if any); measures until the watch saw every event."""
    meter = CpuMeter(pids)
    meter.start()
    task = asyncio.create_task(watch())
    await asyncio.sleep(0)
    began = time.perf_counter()
    if write is not None:
        await write()
    last = await asyncio.wait_for(task, 120)
    return Sample(ops=events, seconds=last - began, cpu=meter.stop())


async def run(stack: Stack, settings: Settings, progress: Callable[[str], None]) -> ScenarioResult:
    async with CeilingServer() as ceiling:
        return await _run(stack, ceiling, settings, progress)


async def _run(
    stack: Stack, ceiling: CeilingServer, settings: Settings, progress: Callable[[str], None]
) -> ScenarioResult:
    n = settings.delivery_events
    result = ScenarioResult("watch", f"Watch delivery ({n:,} events of ~1 KiB, one watcher)")
    etcd = Etcd([stack.etcd.endpoint])
    client = Client(stack.address)
    pids = {**stack.pids(), "grpc-stream": ceiling.pid}
    value = raw_value()
    template = configmap("template", NAMESPACE)
    revisions: dict[str, int] = {}

    def one_batch(batch: Any) -> int:
        return len(batch.events)

    def one(_: object) -> int:
        return 1

    async def raw_live(index: int) -> Sample:
        prefix = f"/bench/watch/{index}/".encode()
        revisions["raw"] = start = await etcd.current_revision() + 1

        async def put(number: int) -> None:
            await etcd.put(prefix + str(number).encode(), value)

        stream = etcd.watch(prefix, prefix_end(prefix), start_revision=start)
        return await timed(
            lambda: count_until(stream, n, one_batch),
            lambda: write_all(put, n, writers=WRITERS),
            events=n,
            pids=pids,
        )

    async def raw_catch_up(index: int) -> Sample:
        prefix = f"/bench/watch/{index}/".encode()
        stream = etcd.watch(prefix, prefix_end(prefix), start_revision=revisions["raw"])
        return await timed(lambda: count_until(stream, n, one_batch), None, events=n, pids=pids)

    async def api_live(index: int) -> Sample:
        page = await client.list(CONFIGMAP, namespace=NAMESPACE, page_size=1)
        revisions["api"] = int(page.resource_version)

        async def create(number: int) -> None:
            obj = ConfigMap()
            obj.CopyFrom(template)
            obj.metadata.name = f"w-{index}-{number}"
            await client.create(obj)

        stream = client.watch(
            CONFIGMAP, namespace=NAMESPACE, resource_version=page.resource_version
        )
        return await timed(
            lambda: count_until(stream, n, one),
            lambda: write_all(create, n, writers=WRITERS),
            events=n,
            pids=pids,
        )

    async def api_catch_up(index: int) -> Sample:
        stream = client.watch(
            CONFIGMAP, namespace=NAMESPACE, resource_version=str(revisions["api"])
        )
        return await timed(lambda: count_until(stream, n, one), None, events=n, pids=pids)

    assert ceiling.channel is not None
    subscribe: grpc.aio.UnaryStreamMultiCallable[bytes, WatchResponse] = (
        ceiling.channel.unary_stream(STREAM, response_deserializer=WatchResponse.FromString)
    )
    event = WatchResponse(type=meta_pb2.WATCH_EVENT_TYPE_ADDED, object=template).SerializeToString()

    async def grpc_stream(index: int) -> Sample:
        call = subscribe(b"")

        async def messages() -> AsyncIterator[object]:
            async for message in call:
                yield message

        await ceiling.wait_subscribers(1)
        try:
            return await timed(
                lambda: count_until(messages(), n, one),
                lambda: ceiling.burst(n, event),
                events=n,
                pids=pids,
            )
        finally:
            call.cancel()
            await ceiling.wait_subscribers(0)

    def config(
        key: str, label: str, run: RunFn, ceiling_key: str = ""
    ) -> tuple[Measurement, RunFn]:
        return Measurement(key, label, "events/s", ceiling=ceiling_key), run

    configs = [
        config("raw_watch_live", "raw etcd watch, 16 concurrent puts", raw_live),
        config("raw_watch_replay", "raw etcd watch, catch-up", repeated(raw_catch_up, REPEATS)),
        config("grpc_stream", "grpc.aio server stream, 1 stream", repeated(grpc_stream, REPEATS)),
        config(
            "api_watch_live", "apiserver watch, 16 concurrent creates", api_live, "raw_watch_live"
        ),
        config(
            "api_watch_replay",
            "apiserver watch, catch-up",
            repeated(api_catch_up, REPEATS),
            "raw_watch_replay",
        ),
    ]
    try:
        await interleave(configs, runs=settings.runs, progress=progress)
    finally:
        await client.close()
        await etcd.close()
    result.measurements = [m for m, _ in configs]
    result.notes += [
        "etcd replays a watch that starts in the past from its unsynced-watcher loop: at "
        "most 1,000 revisions per pass (watchBatchMaxRevs, mvcc/watcher_group.go) and a "
        "pass every 100 ms (syncWatchersLoop, mvcc/watchable_store.go), i.e. about 10,000 "
        "events/s whatever the CPU; the raw catch-up figure is that pacing.",
        "One-stream figures (catch-up, bare stream) are bounded by the single Python client "
        "decoding every message (about one core); their spread across runs is wide.",
    ]
    stream_ceiling = result.get("grpc_stream").rate
    if stream_ceiling:
        result.figures["replay_vs_grpc_stream"] = (
            result.get("api_watch_replay").rate / stream_ceiling
        )
    return result
