"""A closed-loop load driver: N concurrent asyncio tasks, each issuing calls back to back.

Every task awaits its operation, records the latency and starts the next one
until the run's time is up; throughput is the number of finished operations
over the time until the last one finished. CPU seconds of the given
processes are read before and after each run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

from bench.processes import cpu_seconds
from bench.stats import Sample

Operation = Callable[[int, int], Awaitable[object]]
"""Called as op(worker, sequence); sequence numbers are unique within a run."""


class CpuMeter:
    """CPU seconds spent by named processes (or groups of processes) between two readings."""

    def __init__(self, pids: Mapping[str, int | Sequence[int]]) -> None:
        self._pids = {
            name: (pid,) if isinstance(pid, int) else tuple(pid) for name, pid in pids.items()
        }
        self._start: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        return {name: sum(map(cpu_seconds, pids)) for name, pids in self._pids.items()}

    def start(self) -> None:
        self._start = self._read()

    def stop(self) -> dict[str, float]:
        return {name: value - self._start[name] for name, value in self._read().items()}


async def closed_loop(
    op: Operation, *, concurrency: int, duration: float, pids: Mapping[str, int]
) -> Sample:
    """Runs `op` from `concurrency` tasks for about `duration` seconds."""
    latencies: list[float] = []
    counter = iter(range(1 << 62))
    clock = time.perf_counter
    deadline = clock() + duration

    async def worker(index: int) -> None:
        while clock() < deadline:
            started = clock()
            await op(index, next(counter))
            latencies.append(clock() - started)

    meter = CpuMeter(pids)
    meter.start()
    began = clock()
    async with asyncio.TaskGroup() as group:
        for index in range(concurrency):
            group.create_task(worker(index))
    elapsed = clock() - began
    return Sample(ops=len(latencies), seconds=elapsed, latencies=latencies, cpu=meter.stop())


async def warm_up(op: Operation, *, concurrency: int, calls: int) -> None:
    """A few untimed calls, so connections and caches are in place before timing."""
    counter = iter(range(1 << 62))

    async def worker(index: int) -> None:
        for _ in range(max(1, calls // concurrency)):
            await op(index, next(counter))

    async with asyncio.TaskGroup() as group:
        for index in range(concurrency):
            group.create_task(worker(index))


async def write_all(write: Callable[[int], Awaitable[object]], count: int, *, writers: int) -> None:
    """Calls write(0..count-1) from `writers` concurrent tasks, as fast as they go."""
    numbers = iter(range(count))

    async def writer() -> None:
        for number in numbers:
            await write(number)

    async with asyncio.TaskGroup() as group:
        for _ in range(writers):
            group.create_task(writer())
