"""The raw Python gRPC ceiling: a bare grpc.aio server with no API logic behind it.

Run as ``python -m bench.grpc_ceiling PORT`` (a child process, like the
apiserver). It serves, on raw bytes with no (de)serialization:

- ``Echo`` (unary): returns the request; the Python gRPC unary ceiling.
- ``Stream`` (server stream): registers a subscriber that streams whatever
  ``Burst`` queues, one message per item, through the same deque-and-event
  buffer the apiserver's watchers use; the Python gRPC stream ceiling.
- ``Burst`` (unary): a 4-byte big-endian count followed by a payload; queues
  the payload `count` times to every subscriber.
- ``Subscribers`` (unary): how many Stream calls are registered (ASCII).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import deque
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import grpc

from apiserver.storage.embedded import free_port
from bench.processes import ROOT, stop_process

SERVICE = "bench.Ceiling"
ECHO = f"/{SERVICE}/Echo"
STREAM = f"/{SERVICE}/Stream"
BURST = f"/{SERVICE}/Burst"
SUBSCRIBERS = f"/{SERVICE}/Subscribers"


class _Subscriber:
    def __init__(self) -> None:
        self.buffer: deque[bytes] = deque()
        self.wake = asyncio.Event()


def _handlers() -> grpc.GenericRpcHandler:
    subscribers: set[_Subscriber] = set()

    async def echo(request: bytes, _: Any) -> bytes:
        return request

    async def stream(request: bytes, _: Any) -> AsyncIterator[bytes]:
        subscriber = _Subscriber()
        subscribers.add(subscriber)
        try:
            while True:
                while not subscriber.buffer:
                    subscriber.wake.clear()
                    await subscriber.wake.wait()
                batch = list(subscriber.buffer)
                subscriber.buffer.clear()
                for item in batch:
                    yield item
        finally:
            subscribers.discard(subscriber)

    async def burst(request: bytes, _: Any) -> bytes:
        count, payload = int.from_bytes(request[:4], "big"), request[4:]
        for _ in range(count):
            for subscriber in subscribers:
                subscriber.buffer.append(payload)
                subscriber.wake.set()
        return b""

    async def count(request: bytes, _: Any) -> bytes:
        return str(len(subscribers)).encode()

    unary = {"Echo": echo, "Burst": burst, "Subscribers": count}
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
        name: grpc.unary_unary_rpc_method_handler(fn) for name, fn in unary.items()
    }
    handlers["Stream"] = grpc.unary_stream_rpc_method_handler(stream)
    return grpc.method_handlers_generic_handler(SERVICE, handlers)


async def serve(port: int) -> None:
    server = grpc.aio.server()
    server.add_generic_rpc_handlers([_handlers()])
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


class CeilingServer:
    """The ceiling server as a child process, and a channel to it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.channel: grpc.aio.Channel | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def unary(self, method: str) -> grpc.aio.UnaryUnaryMultiCallable[bytes, bytes]:
        assert self.channel is not None
        return self.channel.unary_unary(method)

    async def subscribers(self) -> int:
        return int(await self.unary(SUBSCRIBERS)(b"", timeout=5))

    async def wait_subscribers(self, count: int, *, timeout: float = 60.0) -> None:
        """Polls until exactly `count` Stream calls are registered."""
        for _ in range(int(timeout / 0.01)):
            if await self.subscribers() == count:
                return
            await asyncio.sleep(0.01)
        raise TimeoutError(f"the ceiling server never had {count} subscribers")

    async def burst(self, count: int, payload: bytes) -> None:
        await self.unary(BURST)(count.to_bytes(4, "big") + payload, timeout=60)

    async def __aenter__(self) -> CeilingServer:
        command = [sys.executable, "-m", "bench.grpc_ceiling", str(self.port)]
        self.process = subprocess.Popen(command, cwd=ROOT)
        self.channel = grpc.aio.insecure_channel(self.address)
        await asyncio.wait_for(self.channel.channel_ready(), 30)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.channel is not None:
            await self.channel.close()
        if self.process is not None:
            stop_process(self.process)


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
