"""The one place where API handlers meet gRPC: authentication, errors, metrics.

Every generated handler is wrapped here rather than through grpc.aio server
interceptors (which add a coroutine hop per call): the wrapper checks the
bearer token, turns ApiError into a rich gRPC status (anything else becomes
INTERNAL with no traceback in the reply) and records the conventional
`grpc_server_*` metrics.
"""

from __future__ import annotations

import csv
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from prometheus_client import Counter, Histogram

from karmada.machinery.errors import ApiError, Internal, Unauthenticated

log = logging.getLogger(__name__)

STARTED = Counter(
    "grpc_server_started_total",
    "RPCs started on the server.",
    ["grpc_type", "grpc_service", "grpc_method"],
)
HANDLED = Counter(
    "grpc_server_handled_total",
    "RPCs completed on the server, regardless of success or failure.",
    ["grpc_type", "grpc_service", "grpc_method", "grpc_code"],
)
HANDLING = Histogram(
    "grpc_server_handling_seconds",
    "Response latency of RPCs handled by the server.",
    ["grpc_type", "grpc_service", "grpc_method"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

UnaryFn = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[bytes]]
StreamFn = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], AsyncIterator[bytes]]


@dataclass(frozen=True, slots=True)
class User:
    """An authenticated caller."""

    name: str
    uid: str
    groups: tuple[str, ...]


class TokenAuthenticator:
    """Static bearer tokens, in kube-apiserver's --token-auth-file CSV format.

    Each line is ``token,user,uid[,"group1,group2"]``.
    """

    def __init__(self, tokens: dict[str, User]) -> None:
        self._tokens = tokens

    @classmethod
    def from_file(cls, path: Path) -> TokenAuthenticator:
        tokens: dict[str, User] = {}
        with path.open(newline="") as handle:
            for lineno, row in enumerate(csv.reader(handle), start=1):
                if not row or row[0].startswith("#"):
                    continue
                if len(row) < 3:
                    raise ValueError(f"{path}:{lineno}: want token,user,uid[,groups]")
                groups = tuple(g for g in row[3].split(",") if g) if len(row) > 3 else ()
                tokens[row[0]] = User(name=row[1], uid=row[2], groups=groups)
        if not tokens:
            raise ValueError(f"{path}: no tokens")
        return cls(tokens)

    def authenticate(self, metadata: Any) -> User:
        for key, value in metadata or ():
            if key == "authorization" and isinstance(value, str) and value.startswith("Bearer "):
                presented = value.removeprefix("Bearer ").strip()
                for token, user in self._tokens.items():
                    if hmac.compare_digest(token, presented):
                        return user
                break
        raise Unauthenticated("a valid bearer token is required")


class Interceptor:
    """Wraps API handlers with auth, error mapping and metrics."""

    def __init__(self, authenticator: TokenAuthenticator | None) -> None:
        self._auth = authenticator

    def _labels(self, kind: str, method_path: str) -> tuple[str, str, str]:
        service, method = method_path.lstrip("/").split("/")
        return kind, service, method

    def unary(self, method_path: str, fn: UnaryFn) -> UnaryFn:
        labels = self._labels("unary", method_path)
        started = STARTED.labels(*labels)
        handling = HANDLING.labels(*labels)
        handled: dict[grpc.StatusCode, Any] = {}
        auth = self._auth

        async def handler(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
            started.inc()
            start = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                if auth is not None:
                    auth.authenticate(context.invocation_metadata())
                return await fn(request, context)
            except ApiError as err:
                code = err.code
                await context.abort_with_status(err.to_status())
                raise
            except Exception:
                log.exception("Handler failed", extra={"method": method_path})
                code = grpc.StatusCode.INTERNAL
                await context.abort_with_status(Internal("internal error").to_status())
                raise
            finally:
                handling.observe(time.perf_counter() - start)
                counter = handled.get(code)
                if counter is None:
                    counter = handled[code] = HANDLED.labels(*labels, code.name)
                counter.inc()

        return handler

    def stream(self, method_path: str, fn: StreamFn) -> StreamFn:
        labels = self._labels("server_stream", method_path)
        started = STARTED.labels(*labels)
        handling = HANDLING.labels(*labels)
        auth = self._auth

        async def handler(
            request: Any, context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[bytes]:
            started.inc()
            start = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                if auth is not None:
                    auth.authenticate(context.invocation_metadata())
                async for item in fn(request, context):
                    yield item
            except ApiError as err:
                code = err.code
                await context.abort_with_status(err.to_status())
            except Exception:
                log.exception("Stream handler failed", extra={"method": method_path})
                code = grpc.StatusCode.INTERNAL
                await context.abort_with_status(Internal("internal error").to_status())
            finally:
                handling.observe(time.perf_counter() - start)
                HANDLED.labels(*labels, code.name).inc()

        return handler
