"""Assembles karmada-apiserver: etcd, registries, gRPC server, health and metrics.

`APIServer` owns one Registry (store + watch cache + strategy) per typed kind
and creates template registries on first use, one per template kind. `run`
wires it into a grpc.aio server with reflection and grpc.health.v1, serves
/metrics, /healthz and /readyz, and drains on SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any

import grpc
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from apiserver.interceptors import Interceptor, TokenAuthenticator
from apiserver.options import Options
from apiserver.registry import kinds as registry_kinds
from apiserver.registry import namespace as namespace_registry
from apiserver.registry import template as template_registry
from apiserver.registry.registry import Registry
from apiserver.registry.strategy import Strategy
from apiserver.services.generic import build_service
from apiserver.storage.compaction import CompactionTracker, compact_periodically
from apiserver.storage.embedded import EmbeddedEtcd
from apiserver.storage.etcd import Etcd, EtcdError
from apiserver.storage.store import Store
from apiserver.storage.watch_cache import WatchCache
from karmada.machinery import scheme
from karmada.machinery.errors import AlreadyExists, Invalid
from karmada.machinery.scheme import Kind
from karmada.machinery.serve import ObservabilityServer
from karmada.machinery.validation import FieldViolation

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 16 * 1024 * 1024


class APIServer:
    """The API: a Registry per kind over one etcd."""

    def __init__(
        self,
        etcd: Etcd,
        *,
        interceptor: Interceptor,
        watch_cache_size: int = 10_000,
        bookmark_interval: float = 60.0,
    ) -> None:
        self.etcd = etcd
        self.store = Store(etcd)
        self._interceptor = interceptor
        self._watch_cache_size = watch_cache_size
        self._bookmark_interval = bookmark_interval
        self._compacted = 0
        self.registries: dict[Kind[Any], Registry] = {
            kind: self._registry(kind, registry_kinds.strategy_for(kind))
            for kind in scheme.TYPED_KINDS
        }
        self._templates: dict[tuple[str, str], Registry] = {}

    def _registry(self, kind: Kind[Any], strategy: Strategy) -> Registry:
        cache = WatchCache(
            self.etcd,
            prefix=kind.key_prefix,
            resource=kind.resource,
            decode=kind.message.FromString,
            history_size=self._watch_cache_size,
            bookmark_interval=self._bookmark_interval,
        )
        cache.set_compacted(self._compacted)
        cache.start()
        return Registry(kind, store=self.store, cache=cache, strategy=strategy)

    @property
    def caches(self) -> list[WatchCache]:
        return [r.cache for r in (*self.registries.values(), *self._templates.values())]

    def on_compacted(self, revision: int) -> None:
        self._compacted = max(self._compacted, revision)
        for cache in self.caches:
            cache.set_compacted(revision)

    def template_registry(self, api_version: str, kind_name: str) -> Registry:
        """The registry of a template kind, created on first use."""
        violations = []
        if not api_version:
            violations.append(FieldViolation("apiVersion", "Required value"))
        if not kind_name:
            violations.append(FieldViolation("kind", "Required value"))
        if violations:
            raise Invalid("a resource template needs apiVersion and kind", violations=violations)
        typed = scheme.typed_kind(api_version, kind_name)
        if typed is not None:
            raise Invalid(
                f"{kind_name} is not a resource template",
                violations=[
                    FieldViolation(
                        "kind", f"{api_version} {kind_name} is served by {typed.service}"
                    )
                ],
            )
        kind = scheme.template_kind(api_version, kind_name)
        registry = self._templates.get((kind.group, kind.kind))
        if registry is None:
            registry = self._registry(kind, template_registry.strategy_for(kind))
            self._templates[(kind.group, kind.kind)] = registry
        return registry

    def handlers(self) -> list[grpc.GenericRpcHandler]:
        out = []
        for kind, registry in self.registries.items():

            async def fixed(_: Any, registry: Registry = registry) -> Registry:
                return registry

            out.append(
                build_service(
                    kind, resolve=fixed, resolve_object=fixed, interceptor=self._interceptor
                )
            )

        async def by_request(request: Any) -> Registry:
            return self.template_registry(request.api_version, request.kind)

        async def by_object(obj: Message) -> Registry:
            return self.template_registry(obj.api_version, obj.kind)  # type: ignore[attr-defined]

        template_kind = scheme.template_kind("template.karmada.io/v1", "Template")
        out.append(
            build_service(
                template_kind,
                resolve=by_request,
                resolve_object=by_object,
                interceptor=self._interceptor,
            )
        )
        return out

    async def bootstrap(self) -> None:
        """Creates the namespaces every control plane has."""
        registry = self.registries[scheme.NAMESPACE]
        for name in namespace_registry.BOOTSTRAP:
            with contextlib.suppress(AlreadyExists):
                await registry.create(scheme.NAMESPACE.new(name=name))

    async def readiness(self) -> list[str]:
        reasons = [
            f"watch cache {c.resource} not ready" for c in self.caches if not c.ready.is_set()
        ]
        try:
            await self.etcd.status()
        except EtcdError as err:
            reasons.append(f"etcd: {err}")
        return reasons

    async def stop(self) -> None:
        for cache in self.caches:
            await cache.stop()


def service_names() -> list[str]:
    return sorted({k.service for k in scheme.TYPED_KINDS} | {scheme.TEMPLATE_SERVICE})


async def _wait_for_etcd(etcd: Etcd, *, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            await etcd.status()
            return
        except EtcdError as err:
            if loop.time() > deadline:
                raise RuntimeError(f"etcd at {etcd.endpoints} is unreachable: {err}") from err
            log.warning("Waiting for etcd", extra={"endpoints": etcd.endpoints, "error": str(err)})
            await asyncio.sleep(1.0)


def _bind(server: grpc.aio.Server, opts: Options) -> int:
    if opts.tls_cert_file and opts.tls_private_key_file:
        credentials = grpc.ssl_server_credentials(
            [(opts.tls_private_key_file.read_bytes(), opts.tls_cert_file.read_bytes())]
        )
        return server.add_secure_port(opts.bind_address, credentials)
    return server.add_insecure_port(opts.bind_address)


async def run(opts: Options) -> None:
    """Runs the apiserver until SIGTERM or SIGINT."""
    embedded: EmbeddedEtcd | None = None
    endpoints = opts.etcd_servers
    if not endpoints:
        embedded = EmbeddedEtcd(
            opts.data_dir, binary=opts.etcd_binary, unsafe_no_fsync=opts.etcd_unsafe_no_fsync
        )
        await embedded.start()
        endpoints = [embedded.endpoint]
    etcd = Etcd(endpoints)
    tasks: list[asyncio.Task[None]] = []
    api: APIServer | None = None
    try:
        await _wait_for_etcd(etcd)
        authenticator = (
            TokenAuthenticator.from_file(opts.token_auth_file) if opts.token_auth_file else None
        )
        api = APIServer(
            etcd,
            interceptor=Interceptor(authenticator),
            watch_cache_size=opts.watch_cache_size,
            bookmark_interval=opts.watch_bookmark_interval,
        )
        server = grpc.aio.server(
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", 256 * 1024 * 1024),
                ("grpc.so_reuseport", 0),
                # Clients ping every 30 s even while idle (watches can be quiet for
                # long); gRPC's server default answers that with GOAWAY too_many_pings.
                ("grpc.keepalive_permit_without_calls", 1),
                ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
            ]
        )
        server.add_generic_rpc_handlers(api.handlers())
        health = HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(health, server)
        names = service_names()
        reflection.enable_server_reflection(
            [
                *names,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ],
            server,
        )
        port = _bind(server, opts)
        if port == 0:
            raise RuntimeError(f"cannot listen on {opts.bind_address}")
        await server.start()
        observability = None
        if opts.metrics_bind_address:
            observability = ObservabilityServer(opts.metrics_bind_address, readiness=api.readiness)
            await observability.start()
        tracker = CompactionTracker(etcd, api.on_compacted)
        tasks.append(asyncio.create_task(tracker.run(), name="compaction-tracker"))
        if opts.etcd_compaction_interval > 0:
            tasks.append(
                asyncio.create_task(
                    compact_periodically(etcd, opts.etcd_compaction_interval), name="compactor"
                )
            )
        await api.bootstrap()
        for name in ["", *names]:
            await health.set(name, health_pb2.HealthCheckResponse.SERVING)
        host = opts.bind_address.rsplit(":", 1)[0]
        address = f"{host}:{port}"
        log.info(
            "Serving",
            extra={
                "address": address,
                "etcd": endpoints,
                "metrics": observability.address if observability else "",
                "tls": bool(opts.tls_cert_file),
            },
        )
        print(f"karmada-apiserver serving gRPC on {address}", flush=True)
        if observability:
            print(
                f"karmada-apiserver metrics on http://{observability.address}/metrics", flush=True
            )
        await _wait_for_signal()
        log.info("Shutting down", extra={"grace_seconds": opts.shutdown_grace_period})
        await health.enter_graceful_shutdown()
        await server.stop(opts.shutdown_grace_period)
        if observability:
            await observability.stop()
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if api is not None:
            await api.stop()
        await etcd.close()
        if embedded is not None:
            embedded.stop()
    log.info("Stopped")


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.remove_signal_handler(sig)
    sys.stdout.flush()
