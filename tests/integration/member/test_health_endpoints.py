"""Health probing at the HTTP level: the /healthz fallback and non-ok answers.

The member simulator always serves /readyz, so the answers that exercise the
fallback (an apiserver without /readyz) and an unhealthy-but-online member
come from a minimal HTTP endpoint serving just those paths.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from kubernetes.aio.client import Configuration

from karmada.member import MemberClient
from karmada.member.health import CLUSTER_NOT_READY, CLUSTER_READY, HEALTHY_MESSAGE

Serve = Callable[[dict[str, tuple[int, str]]], Awaitable[str]]


@pytest.fixture
async def endpoint() -> AsyncIterator[Serve]:
    """Serves fixed answers on the given paths; yields a function returning the base URL."""
    runners: list[web.AppRunner] = []

    async def serve(paths: dict[str, tuple[int, str]]) -> str:
        app = web.Application()
        for path, (status, text) in paths.items():

            async def answer(
                request: web.Request, status: int = status, text: str = text
            ) -> web.Response:
                return web.Response(status=status, text=text)

            app.router.add_get(path, answer)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    yield serve
    for runner in runners:
        await runner.cleanup()


async def health_of(url: str) -> tuple[bool, bool, str, str]:
    async with MemberClient("m", Configuration(host=url)) as client:
        health = await client.health()
    return health.online, health.healthy, health.reason, health.message


async def test_readyz_ok(endpoint: Serve) -> None:
    url = await endpoint({"/readyz": (200, "ok"), "/healthz": (500, "unused")})
    assert await health_of(url) == (True, True, CLUSTER_READY, HEALTHY_MESSAGE)


async def test_falls_back_to_healthz_when_readyz_is_missing(
    endpoint: Serve,
) -> None:
    url = await endpoint({"/healthz": (200, "ok")})
    assert await health_of(url) == (True, True, CLUSTER_READY, HEALTHY_MESSAGE)


async def test_no_fallback_when_readyz_fails(endpoint: Serve) -> None:
    url = await endpoint(
        {"/readyz": (500, "[-]etcd failed: reason withheld"), "/healthz": (200, "ok")}
    )
    online, healthy, reason, message = await health_of(url)
    assert (online, healthy, reason) == (True, False, CLUSTER_NOT_READY)
    assert "/readyz returned 500: [-]etcd failed" in message


async def test_both_missing_is_not_ready(endpoint: Serve) -> None:
    url = await endpoint({"/other": (200, "ok")})
    online, healthy, reason, message = await health_of(url)
    assert (online, healthy, reason) == (True, False, CLUSTER_NOT_READY)
    assert "/healthz returned 404" in message
