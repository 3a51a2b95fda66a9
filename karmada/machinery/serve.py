"""The observability endpoint every process serves: /metrics, /healthz, /readyz.

A few lines of asyncio HTTP/1.1 rather than a web framework: the endpoints
are plain GETs read by Prometheus and by liveness/readiness probes, and every
component (apiserver, scheduler, controller manager, agent) shares this one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[list[str]]]
"""Returns the reasons the process is not ready (empty when ready)."""


async def _always_ready() -> list[str]:
    return []


def split_host_port(address: str, *, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """ "host:port" or ":port" to (host, port)."""
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"invalid address {address!r}: want host:port")
    return host.strip("[]") or default_host, int(port)


class ObservabilityServer:
    """Serves /metrics, /healthz, /readyz and /livez on one address."""

    def __init__(self, address: str, *, readiness: ReadinessCheck = _always_ready) -> None:
        self._host, self._port = split_host_port(address)
        self._readiness = readiness
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def address(self) -> str:
        return f"{self._host}:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self._host, self._port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), 10)
            while (await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b"\n", b""):
                pass
            parts = request_line.decode("latin-1").split()
            method, path = (parts[0], parts[1].split("?", 1)[0]) if len(parts) >= 2 else ("", "")
            status, content_type, body = await self._route(method, path)
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + (body if method != "HEAD" else b""))
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _route(self, method: str, path: str) -> tuple[str, str, bytes]:
        text = "text/plain; charset=utf-8"
        if method not in ("GET", "HEAD"):
            return "405 Method Not Allowed", text, b"method not allowed\n"
        if path == "/metrics":
            return "200 OK", CONTENT_TYPE_LATEST, generate_latest(REGISTRY)
        if path in ("/healthz", "/livez"):
            return "200 OK", text, b"ok\n"
        if path == "/readyz":
            try:
                reasons = await self._readiness()
            except Exception as err:  # a failing check means not ready, never a crash
                reasons = [f"readiness check failed: {err}"]
            if reasons:
                return "503 Service Unavailable", text, ("\n".join(reasons) + "\n").encode()
            return "200 OK", text, b"ok\n"
        return "404 Not Found", text, b"not found\n"
