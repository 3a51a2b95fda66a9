"""Bounded time and bounded concurrency against members that do not answer.

These need no simulator: a closed port (connection refused) and a listener
that accepts connections but never answers (a hung apiserver) are real
sockets. Synchronisation is by events set when the listener sees a
connection, never by sleeping.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import pytest
from kubernetes.aio.client import Configuration

from karmada.member import ClientOptions, MemberClient, Timeout, Unreachable
from karmada.member.discovery import ResourceInfo
from karmada.member.health import CLUSTER_NOT_REACHABLE
from karmada.member.transport import Transport
from karmada.member.watch import watch_stream


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


class HangingMember:
    """Accepts connections and never answers; counts open connections."""

    def __init__(self) -> None:
        self.open = 0
        self.total = 0
        self.changed = asyncio.Event()
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        self.total += 1
        self.changed.set()
        try:
            while await reader.read(65536):
                pass
        finally:
            self.open -= 1
            self.changed.set()
            writer.close()

    async def wait_for(self, open_connections: int) -> None:
        async with asyncio.timeout(5):
            while self.open != open_connections:
                self.changed.clear()
                await self.changed.wait()

    async def __aenter__(self) -> HangingMember:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def hanging() -> AsyncIterator[HangingMember]:
    async with HangingMember() as member:
        yield member


def client_for(url: str, *, timeout: float, max_in_flight: int = 8) -> MemberClient:
    return MemberClient(
        "slow",
        Configuration(host=url),
        options=ClientOptions(timeout=timeout, max_in_flight=max_in_flight),
    )


async def test_closed_port_is_unreachable_quickly() -> None:
    async with client_for(f"http://127.0.0.1:{closed_port()}", timeout=5) as client:
        started = time.monotonic()
        health = await client.health()
        assert not health.online and not health.healthy
        assert health.reason == CLUSTER_NOT_REACHABLE
        assert "cluster is not reachable" in health.message
        with pytest.raises(Unreachable) as caught:
            await client.version()
        assert caught.value.cluster == "slow"
        assert not isinstance(caught.value, Timeout)
        assert time.monotonic() - started < 2


async def test_hanging_member_times_out_within_the_timeout(hanging: HangingMember) -> None:
    async with client_for(hanging.url, timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(Timeout, match=r"no answer within 0\.3s"):
            await client.version()
        elapsed = time.monotonic() - started
        assert 0.3 <= elapsed < 1.5
        started = time.monotonic()
        health = await client.health()
        assert (health.online, health.healthy, health.reason) == (
            False,
            False,
            CLUSTER_NOT_REACHABLE,
        )
        assert time.monotonic() - started < 1.5


async def test_in_flight_calls_are_bounded_per_member(hanging: HangingMember) -> None:
    transport = Transport(
        "slow", Configuration(host=hanging.url), ClientOptions(timeout=5, max_in_flight=2)
    )
    first = [asyncio.create_task(transport.request("GET", "/version")) for _ in range(2)]
    await hanging.wait_for(2)
    # Both slots are taken: a third call waits for a slot and times out
    # without ever opening a connection.
    with pytest.raises(Timeout):
        await transport.request("GET", "/version", timeout=0.2)
    assert hanging.total == 2
    # Health probes have their own slot, so they still reach the member.
    probe = asyncio.create_task(transport.request("GET", "/readyz", probe=True))
    await hanging.wait_for(3)
    for task in (*first, probe):
        task.cancel()
    await asyncio.gather(*first, probe, return_exceptions=True)
    await transport.close()
    await hanging.wait_for(0)


async def test_a_hanging_member_does_not_stall_another(hanging: HangingMember) -> None:
    slow = client_for(hanging.url, timeout=5, max_in_flight=2)
    fast = client_for(f"http://127.0.0.1:{closed_port()}", timeout=5)
    async with slow, fast:
        stuck = [asyncio.create_task(slow.version()) for _ in range(4)]
        await hanging.wait_for(2)
        started = time.monotonic()
        health = await fast.health()
        assert not health.online
        assert time.monotonic() - started < 1
        assert not any(task.done() for task in stuck)
        for task in stuck:
            task.cancel()
        await asyncio.gather(*stuck, return_exceptions=True)


async def test_watch_open_is_bounded(hanging: HangingMember) -> None:
    transport = Transport("slow", Configuration(host=hanging.url), ClientOptions(timeout=0.3))
    configmaps = ResourceInfo("", "v1", "ConfigMap", "configmaps", namespaced=True)
    started = time.monotonic()
    with pytest.raises(Timeout):
        async for _ in watch_stream(transport, configmaps):
            pass
    assert time.monotonic() - started < 1.5
    await transport.close()


async def test_closed_client_refuses_calls() -> None:
    client = client_for(f"http://127.0.0.1:{closed_port()}", timeout=1)
    await client.close()
    with pytest.raises(Unreachable, match="client is closed"):
        await client.version()
    await client.close()  # idempotent
