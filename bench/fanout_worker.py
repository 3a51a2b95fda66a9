"""A watch client process for the fan-out scenario: many server streams, counted, not decoded.

Run as ``python -m bench.fanout_worker ADDRESS METHOD REQUEST_HEX STREAMS CHANNELS``.
It opens STREAMS calls of the server-streaming METHOD (spread over CHANNELS
gRPC channels), prints ``ready`` and then answers commands on stdin:

- ``expect K``: waits until every stream has received K messages in total,
  then prints a JSON line with the CLOCK_MONOTONIC time the last of them
  arrived (comparable across processes) and the messages received;
- ``quit``: closes the streams and exits.

Messages are counted as raw bytes, so the clients spend as little CPU as a
gRPC client can; the apiserver and the ceiling server are measured alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time

import grpc

TIMEOUT_SECONDS = 300.0


class Streams:
    """Counts of messages per stream and when each stream's last one arrived."""

    def __init__(self, address: str, method: str, request: bytes, streams: int, channels: int):
        self.channels = [grpc.aio.insecure_channel(address) for _ in range(channels)]
        self.counts = [0] * streams
        self.last = [0.0] * streams
        self.errors: list[str] = []
        self.target = 0
        self.pending = 0
        self.reached = asyncio.Event()
        callables: list[grpc.aio.UnaryStreamMultiCallable[bytes, bytes]] = [
            channel.unary_stream(method) for channel in self.channels
        ]
        self.calls = [callables[i % channels](request) for i in range(streams)]
        self.tasks = [asyncio.create_task(self._read(i)) for i in range(streams)]

    async def _read(self, index: int) -> None:
        counts, last, clock = self.counts, self.last, time.monotonic
        try:
            async for _ in self.calls[index]:
                counts[index] += 1
                last[index] = clock()
                if counts[index] == self.target:
                    self.pending -= 1
                    if not self.pending:
                        self.reached.set()
        except grpc.aio.AioRpcError as err:
            if err.code() != grpc.StatusCode.CANCELLED:
                self.errors.append(f"{err.code().name}: {err.details()}")
                self.reached.set()

    async def expect(self, target: int) -> dict[str, object]:
        """Waits until every stream has `target` messages (or an error, or the timeout)."""
        self.target = target
        self.pending = sum(1 for count in self.counts if count < target)
        self.reached.clear()
        if self.pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.reached.wait(), TIMEOUT_SECONDS)
        return {
            "last": max(self.last),
            "received": sum(self.counts),
            "complete": min(self.counts) >= target,
            "errors": self.errors[:3],
        }

    async def close(self) -> None:
        for call in self.calls:
            call.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for channel in self.channels:
            await channel.close()


async def main(argv: list[str]) -> None:
    address, method, request, streams, channels = argv
    watches = Streams(address, method, bytes.fromhex(request), int(streams), int(channels))
    print("ready", flush=True)
    while True:
        line = (await asyncio.to_thread(sys.stdin.readline)).split()
        if not line or line[0] == "quit":
            break
        if line[0] == "expect":
            print(json.dumps(await watches.expect(int(line[1]))), flush=True)
    await watches.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
