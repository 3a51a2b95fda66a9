"""Watch fan-out: one kind watched by many clients at once, a burst of writes delivered to all.

The watchers live in several client processes (`bench.fanout_worker`), since
one Python process cannot read 1,000 busy streams and leave CPU for the
server. After every watch is registered (the apiserver's
karmada_apiserver_registered_watchers gauge), each run writes a burst of
ConfigMaps through the apiserver (16 concurrent creates) and waits until
every watcher received every event. Throughput is events x watchers over the
time from the first write to the last event's arrival; CPU seconds and RSS of
the apiserver come from /proc.

Ceiling: the same worker processes on the bare grpc.aio stream server,
which queues the same number of messages of the same size to every stream.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from types import TracebackType

from bench.grpc_ceiling import STREAM, CeilingServer
from bench.load import CpuMeter, write_all
from bench.objects import CONFIGMAP, ConfigMap, configmap
from bench.processes import ROOT, Stack, rss_bytes
from bench.scenario import ScenarioResult, Settings
from bench.stats import Measurement, Sample
from karmada.core.v1 import resource_template_service_pb2
from karmada.machinery.client import Client
from karmada.meta.v1 import meta_pb2

WRITERS = 16
CHANNELS_PER_PROCESS = 1
WARMUP_EVENTS = 5
MIB = 1 << 20

Progress = Callable[[str], None]


class WorkerPool:
    """Client processes holding `watchers` server streams between them."""

    def __init__(
        self, *, address: str, method: str, request: bytes, watchers: int, processes: int
    ) -> None:
        self._args = (address, method, request.hex())
        self.watchers = watchers
        self._split = [
            watchers // processes + (1 if i < watchers % processes else 0) for i in range(processes)
        ]
        self._procs: list[asyncio.subprocess.Process] = []

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._procs]

    async def __aenter__(self) -> WorkerPool:
        for streams in self._split:
            self._procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bench.fanout_worker",
                    *self._args,
                    str(streams),
                    str(min(CHANNELS_PER_PROCESS, streams)),
                    cwd=ROOT,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                )
            )
        for line in await asyncio.gather(*(self._readline(p) for p in self._procs)):
            if line != "ready":
                raise RuntimeError(f"fan-out worker failed to start: {line!r}")
        return self

    async def _readline(self, process: asyncio.subprocess.Process) -> str:
        assert process.stdout is not None
        return (await asyncio.wait_for(process.stdout.readline(), 360)).decode().strip()

    async def _send(self, process: asyncio.subprocess.Process, line: str) -> None:
        assert process.stdin is not None
        process.stdin.write(line.encode() + b"\n")
        await process.stdin.drain()

    async def expect(self, per_stream: int) -> float:
        """Waits until every stream got `per_stream` messages; the last one's arrival time."""
        for process in self._procs:
            await self._send(process, f"expect {per_stream}")
        replies = [json.loads(r) for r in await asyncio.gather(*map(self._readline, self._procs))]
        failed = [r for r in replies if not r["complete"]]
        if failed:
            raise RuntimeError(f"watchers did not receive every event: {failed[0]}")
        return max(float(r["last"]) for r in replies)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for process in self._procs:
            if process.returncode is None:
                try:
                    await self._send(process, "quit")
                    await asyncio.wait_for(process.wait(), 30)
                except (TimeoutError, ConnectionError):
                    process.kill()
                    await process.wait()


async def _wait_for(count: Callable[[], Awaitable[float]], wanted: int, what: str) -> None:
    deadline = time.monotonic() + 120
    while (have := await count()) < wanted:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {have:.0f} of {wanted} {what} registered")
        await asyncio.sleep(0.1)


async def _bursts(
    measurement: Measurement,
    pool: WorkerPool,
    *,
    burst: Callable[[int, int], Awaitable[object]],
    meter: CpuMeter,
    settings: Settings,
    progress: Progress,
) -> None:
    """A warm-up burst, then one timed burst of `fanout_events` per run."""
    events = settings.fanout_events
    await burst(-1, WARMUP_EVENTS)
    delivered = WARMUP_EVENTS
    await pool.expect(delivered)
    for index in range(settings.runs):
        meter.start()
        began = time.monotonic()
        await burst(index, events)
        delivered += events
        last = await pool.expect(delivered)
        sample = Sample(ops=events * pool.watchers, seconds=last - began, cpu=meter.stop())
        measurement.samples.append(sample)
        progress(
            f"  run {index + 1}/{settings.runs} {measurement.label}: "
            f"{sample.rate:,.0f} {measurement.unit}"
        )


async def _apiserver(
    stack: Stack,
    settings: Settings,
    measurement: Measurement,
    result: ScenarioResult,
    progress: Progress,
) -> None:
    client = Client(stack.address)
    await client.create(configmap("fanout-seed"))
    pid = stack.apiserver_pid
    result.figures["apiserver_rss_idle_mib"] = rss_bytes(pid) / MIB
    request = resource_template_service_pb2.WatchResourceTemplatesRequest(
        api_version="v1", kind="ConfigMap", namespace="default"
    ).SerializeToString()
    template = configmap("template")

    async def burst(index: int, count: int) -> None:
        async def create(number: int) -> None:
            obj = ConfigMap()
            obj.CopyFrom(template)
            obj.metadata.name = f"f-{index + 1}-{number}"
            await client.create(obj)

        await write_all(create, count, writers=WRITERS)

    async def registered() -> float:
        return await stack.metric("karmada_apiserver_registered_watchers", 'resource="configmaps"')

    try:
        async with WorkerPool(
            address=stack.address,
            method=CONFIGMAP.method("Watch"),
            request=request,
            watchers=settings.fanout_watchers,
            processes=settings.fanout_processes,
        ) as pool:
            await _wait_for(registered, settings.fanout_watchers, "watches")
            watching = rss_bytes(pid)
            result.figures["apiserver_rss_watching_mib"] = watching / MIB
            idle = result.figures["apiserver_rss_idle_mib"] * MIB
            result.figures["apiserver_rss_per_watcher_kib"] = (
                (watching - idle) / settings.fanout_watchers / 1024
            )
            meter = CpuMeter(
                {
                    "apiserver": pid,
                    "etcd": stack.etcd_pid,
                    "clients": pool.pids,
                    "writer": os.getpid(),
                }
            )
            await _bursts(
                measurement, pool, burst=burst, meter=meter, settings=settings, progress=progress
            )
            result.figures["apiserver_rss_after_mib"] = rss_bytes(pid) / MIB
    finally:
        await client.close()


async def _ceiling(
    ceiling: CeilingServer,
    settings: Settings,
    measurement: Measurement,
    result: ScenarioResult,
    progress: Progress,
) -> None:
    result.figures["grpc_rss_idle_mib"] = rss_bytes(ceiling.pid) / MIB
    event = resource_template_service_pb2.WatchResourceTemplatesResponse(
        type=meta_pb2.WATCH_EVENT_TYPE_ADDED, object=configmap("template")
    ).SerializeToString()

    async def burst(index: int, count: int) -> None:
        await ceiling.burst(count, event)

    async def registered() -> float:
        return await ceiling.subscribers()

    async with WorkerPool(
        address=ceiling.address,
        method=STREAM,
        request=b"",
        watchers=settings.fanout_watchers,
        processes=settings.fanout_processes,
    ) as pool:
        await _wait_for(registered, settings.fanout_watchers, "streams")
        result.figures["grpc_rss_watching_mib"] = rss_bytes(ceiling.pid) / MIB
        meter = CpuMeter({"grpc-stream": ceiling.pid, "clients": pool.pids})
        await _bursts(
            measurement, pool, burst=burst, meter=meter, settings=settings, progress=progress
        )


async def run(stack: Stack, settings: Settings, progress: Progress) -> ScenarioResult:
    watchers, processes = settings.fanout_watchers, settings.fanout_processes
    result = ScenarioResult(
        "fanout",
        f"Watch fan-out ({watchers:,} watchers in {processes} client processes, "
        f"bursts of {settings.fanout_events} events)",
    )
    ceiling_m = Measurement("grpc_fanout", "grpc.aio server streams, fan-out", "events/s")
    api_m = Measurement("api_fanout", "apiserver watch fan-out", "events/s", ceiling="grpc_fanout")
    result.measurements = [ceiling_m, api_m]
    async with CeilingServer() as ceiling:
        await _ceiling(ceiling, settings, ceiling_m, result, progress)
    await _apiserver(stack, settings, api_m, result, progress)
    result.notes.append(
        "Messages are counted as raw bytes by the clients; the client processes still use "
        "more CPU than the server, so fan-out figures are partly client-bound on 2 cores."
    )
    api_cpu = [s.cpu.get("apiserver", 0.0) for s in api_m.samples]
    if api_cpu:
        result.figures["apiserver_cpu_seconds_per_burst"] = statistics.median(api_cpu)
        seconds = statistics.median(s.seconds for s in api_m.samples)
        result.figures["apiserver_burst_seconds"] = seconds
    return result
