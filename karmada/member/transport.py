"""HTTP to one member cluster: bounded, timed, and with typed errors.

Built on the official client's asyncio flavour (``kubernetes.aio``, aiohttp
underneath): its ApiClient does TLS, bearer tokens (refreshing in-cluster and
exec-plugin credentials) and proxies, and we send raw JSON paths through it
so any kind, including custom resources, goes the same way.

Every call holds one of ``max_in_flight`` slots and must finish, slot wait
included, within ``timeout`` seconds; so a member that stops answering costs
its callers at most ``timeout`` and never more than its own slots. Health
probes use a separate single slot so a member saturated with work is not
reported unreachable for that reason alone. Watch streams take a slot only
while opening; once open they are bounded by the server-side
``timeoutSeconds`` and a socket read timeout instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from kubernetes.aio.client import ApiClient, Configuration

from karmada.member.config import ClientOptions
from karmada.member.errors import MemberError, Timeout, Unreachable, from_response

log = logging.getLogger(__name__)

Query = Sequence[tuple[str, str]]
JSON = "application/json"


@dataclass(frozen=True)
class Response:
    """A complete HTTP response."""

    status: int
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def _pin_proxy(configuration: Configuration) -> None:
    """Takes the environment's proxy for the member once, not on every request.

    The official client's aiohttp session trusts the environment, which makes
    aiohttp read the proxy variables and ~/.netrc again for every request (a
    third of a busy controller manager's time); the same proxy choice is made
    here once and the session told not to look again.
    """
    if not configuration.proxy:
        url = urlsplit(configuration.host)
        proxies = getproxies()
        if url.scheme in proxies and not proxy_bypass(url.hostname or ""):
            configuration.proxy = proxies[url.scheme]
    extra = dict(getattr(configuration, "client_session_kwargs", None) or {})
    extra.setdefault("trust_env", False)
    configuration.client_session_kwargs = extra


class Transport:
    """Requests to one member through the official asyncio client."""

    def __init__(self, cluster: str, configuration: Configuration, options: ClientOptions) -> None:
        self.cluster = cluster
        self.options = options
        self.host: str = configuration.host
        _pin_proxy(configuration)
        self._api = ApiClient(configuration)
        self._api.user_agent = options.user_agent
        self._slots = asyncio.Semaphore(options.max_in_flight)
        self._probe_slot = asyncio.Semaphore(1)
        self._closed = False

    async def close(self) -> None:
        """Closes the connection pool; later calls raise `Unreachable`."""
        if not self._closed:
            self._closed = True
            await self._api.close()  # type: ignore[no-untyped-call]

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise Unreachable(self.cluster, "client is closed (its credentials may have changed)")

    async def _open(
        self,
        method: str,
        path: str,
        *,
        query: Query,
        body: Any,
        content_type: str,
        client_timeout: aiohttp.ClientTimeout,
    ) -> aiohttp.ClientResponse:
        request = await self._api.param_serialize(
            method=method,
            resource_path=path,
            query_params=list(query),
            header_params={"Content-Type": content_type, "Accept": JSON},
            body=body,
            auth_settings=["BearerToken"],
        )
        method, url, headers, serialized, _ = request
        rest = await self._api.call_api(
            method, url, header_params=headers, body=serialized, _request_timeout=client_timeout
        )
        response: aiohttp.ClientResponse = rest.response
        return response

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Query = (),
        body: Any = None,
        content_type: str = JSON,
        timeout: float | None = None,
        probe: bool = False,
    ) -> Response:
        """Sends one request and reads the whole answer, whatever its status.

        Raises:
            Timeout: no complete answer within the timeout.
            Unreachable: the connection failed.
        """
        self._check_open()
        limit = self.options.timeout if timeout is None else timeout
        slot = self._probe_slot if probe else self._slots
        try:
            async with asyncio.timeout(limit), slot:
                response = await self._open(
                    method,
                    path,
                    query=query,
                    body=body,
                    content_type=content_type,
                    client_timeout=aiohttp.ClientTimeout(total=limit),
                )
                async with response:
                    data = await response.read()
                    return Response(response.status, data)
        except TimeoutError:
            raise Timeout(
                self.cluster, f"{method} {path}: no answer within {limit:g}s", reason="Timeout"
            ) from None
        except (aiohttp.ClientError, OSError) as e:
            raise Unreachable(
                self.cluster, f"{method} {path}: {type(e).__name__}: {e}", reason="Unreachable"
            ) from None

    async def call(
        self,
        method: str,
        path: str,
        *,
        query: Query = (),
        body: Any = None,
        content_type: str = JSON,
        what: str = "",
    ) -> Any:
        """Sends a request and returns the decoded JSON, raising a typed error unless 2xx."""
        response = await self.request(
            method, path, query=query, body=body, content_type=content_type
        )
        if not response.ok:
            raise from_response(self.cluster, response.status, response.body, what=what)
        try:
            return response.json()
        except ValueError:
            raise MemberError(
                self.cluster, f"{what or path}: answer is not JSON", status=response.status
            ) from None

    @contextlib.asynccontextmanager
    async def stream(
        self, path: str, *, query: Query, read_timeout: float
    ) -> AsyncIterator[aiohttp.StreamReader]:
        """Opens a streaming GET (a watch) and yields its body reader.

        Opening is bounded like any call; reading is bounded by `read_timeout`
        seconds without data. The connection is closed when the block exits.
        """
        self._check_open()
        limit = self.options.timeout
        client_timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=limit, sock_read=read_timeout
        )
        try:
            async with asyncio.timeout(limit), self._slots:
                response = await self._open(
                    "GET",
                    path,
                    query=query,
                    body=None,
                    content_type=JSON,
                    client_timeout=client_timeout,
                )
                if response.status != 200:
                    async with response:
                        data = await response.read()
                    raise from_response(self.cluster, response.status, data, what=f"watch {path}")
        except TimeoutError:
            raise Timeout(self.cluster, f"watch {path}: no answer within {limit:g}s") from None
        except (aiohttp.ClientError, OSError) as e:
            raise Unreachable(self.cluster, f"watch {path}: {type(e).__name__}: {e}") from None
        try:
            yield response.content
        finally:
            response.close()
