"""Waiting for a gRPC server to report SERVING through grpc.health.v1.

Anything that starts components and must not talk to them too early (the
demo launcher, tests, benchmarks, a component waiting for the apiserver)
polls the standard health service with a deadline instead of sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


async def wait_serving(
    address: str,
    *,
    timeout: float = 30.0,
    alive: Callable[[], bool] | None = None,
    credentials: grpc.ChannelCredentials | None = None,
) -> None:
    """Returns once `address` reports SERVING; TimeoutError after `timeout` seconds.

    `alive`, when given, is checked on every attempt: the server's process
    dying ends the wait with RuntimeError instead of a timeout.
    """
    deadline = time.monotonic() + timeout
    channel = (
        grpc.aio.secure_channel(address, credentials)
        if credentials
        else grpc.aio.insecure_channel(address)
    )
    async with channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            if alive is not None and not alive():
                raise RuntimeError(f"the server at {address} exited before serving")
            try:
                response = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1.0)
                if response.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{address} not serving after {timeout}s")
            await asyncio.sleep(0.05)
