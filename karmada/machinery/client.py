"""The typed asyncio client every component uses to talk to the apiserver.

Calls are built from the scheme (`Kind`), so one client serves every kind,
typed and template alike: ``await client.get(CLUSTER, "member1")`` returns a
Cluster. UNAVAILABLE is retried with exponential backoff (the apiserver or its
etcd restarting); every other failure raises a typed ApiError. Conflicts are
the caller's to resolve, usually with `guaranteed_update`, which re-reads and
re-applies a change until it lands (client-go's RetryOnConflict).
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import random
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import grpc
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import Message

from karmada.machinery.errors import Conflict, Unavailable, from_rpc_error
from karmada.machinery.scheme import Kind, kind_of
from karmada.meta.v1 import meta_pb2
from karmada.work.v1alpha2 import resource_binding_pb2

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Message)

EVENT_TYPES = {
    meta_pb2.WATCH_EVENT_TYPE_ADDED: "ADDED",
    meta_pb2.WATCH_EVENT_TYPE_MODIFIED: "MODIFIED",
    meta_pb2.WATCH_EVENT_TYPE_DELETED: "DELETED",
    meta_pb2.WATCH_EVENT_TYPE_BOOKMARK: "BOOKMARK",
}


@dataclass(frozen=True, slots=True)
class ListPage(Generic[M]):
    """One page of a list, with the revision to watch from."""

    items: list[M]
    next_page_token: str
    resource_version: str
    remaining_item_count: int


@dataclass(frozen=True, slots=True)
class WatchEvent(Generic[M]):
    """One watch event: ADDED, MODIFIED, DELETED or BOOKMARK."""

    type: str
    object: M

    @property
    def resource_version(self) -> str:
        return str(self.object.metadata.resource_version)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class _Method:
    request: type[Message]
    response: type[Message]
    path: str


def _method(kind: Kind[Any], verb: str) -> _Method:
    path = kind.method(verb)
    service_name, method_name = path.lstrip("/").split("/")
    service = descriptor_pool.Default().FindServiceByName(service_name)
    descriptor = service.methods_by_name[method_name]
    return _Method(
        request=message_factory.GetMessageClass(descriptor.input_type),
        response=message_factory.GetMessageClass(descriptor.output_type),
        path=path,
    )


class Client:
    """A connection to the apiserver, shared by every caller in the process."""

    def __init__(
        self,
        target: str,
        *,
        token: str = "",
        root_certificates: bytes | None = None,
        tls: bool = False,
        retry_timeout: float = 30.0,
        call_timeout: float = 30.0,
    ) -> None:
        options = [
            ("grpc.max_receive_message_length", 256 * 1024 * 1024),
            ("grpc.max_send_message_length", 16 * 1024 * 1024),
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.keepalive_permit_without_calls", 1),
        ]
        if tls or root_certificates:
            credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
            self._channel = grpc.aio.secure_channel(target, credentials, options=options)
        else:
            self._channel = grpc.aio.insecure_channel(target, options=options)
        self.target = target
        self._metadata: tuple[tuple[str, str], ...] = (
            (("authorization", f"Bearer {token}"),) if token else ()
        )
        self._retry_timeout = retry_timeout
        self._call_timeout = call_timeout
        self._methods: dict[tuple[str, str, str], _Method] = {}
        self._unary: dict[str, grpc.aio.UnaryUnaryMultiCallable[Any, Any]] = {}

    async def close(self) -> None:
        await self._channel.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    # -- plumbing -------------------------------------------------------

    def _lookup(self, kind: Kind[Any], verb: str) -> _Method:
        key = (kind.service, kind.rpc_kind, verb)
        method = self._methods.get(key)
        if method is None:
            method = self._methods[key] = _method(kind, verb)
        return method

    def _request(self, kind: Kind[Any], verb: str, **fields: Any) -> tuple[_Method, Message]:
        method = self._lookup(kind, verb)
        names = method.request.DESCRIPTOR.fields_by_name
        values = {k: v for k, v in {**kind.request_extras(), **fields}.items() if k in names}
        return method, method.request(**values)

    async def _call(self, method: _Method, request: Message) -> Message:
        callable_ = self._unary.get(method.path)
        if callable_ is None:
            callable_ = self._unary[method.path] = self._channel.unary_unary(
                method.path,
                request_serializer=method.request.SerializeToString,
                response_deserializer=method.response.FromString,
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._retry_timeout
        delay = 0.05
        while True:
            try:
                response: Message = await callable_(
                    request, timeout=self._call_timeout, metadata=self._metadata
                )
                return response
            except grpc.aio.AioRpcError as err:
                error = from_rpc_error(err)
            if not isinstance(error, Unavailable) or loop.time() + delay > deadline:
                raise error
            log.debug("Retrying unavailable call", extra={"method": method.path})
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 2.0)

    # -- standard methods -----------------------------------------------

    async def get(self, kind: Kind[M], name: str, namespace: str = "") -> M:
        method, request = self._request(kind, "Get", namespace=namespace, name=name)
        return await self._call(method, request)  # type: ignore[return-value]

    async def list(
        self,
        kind: Kind[M],
        *,
        namespace: str = "",
        label_selector: str = "",
        page_size: int = 0,
        page_token: str = "",
    ) -> ListPage[M]:
        method, request = self._request(
            kind,
            "List",
            namespace=namespace,
            label_selector=label_selector,
            page_size=page_size,
            page_token=page_token,
        )
        response: Any = await self._call(method, request)
        return ListPage(
            items=list(getattr(response, kind.list_field)),
            next_page_token=response.next_page_token,
            resource_version=response.metadata.resource_version,
            remaining_item_count=response.metadata.remaining_item_count,
        )

    async def list_all(
        self, kind: Kind[M], *, namespace: str = "", label_selector: str = "", page_size: int = 500
    ) -> tuple[builtins.list[M], str]:
        """Every matching object, read page by page at one revision; and that revision."""
        items: builtins.list[M] = []
        token = ""
        while True:
            page = await self.list(
                kind,
                namespace=namespace,
                label_selector=label_selector,
                page_size=page_size,
                page_token=token,
            )
            items.extend(page.items)
            if not page.next_page_token:
                return items, page.resource_version
            token = page.next_page_token

    async def create(self, obj: M) -> M:
        kind = kind_of(obj)
        method, request = self._request(kind, "Create", **{kind.object_field: obj})
        return await self._call(method, request)  # type: ignore[return-value]

    async def update(self, obj: M) -> M:
        kind = kind_of(obj)
        method, request = self._request(kind, "Update", **{kind.object_field: obj})
        return await self._call(method, request)  # type: ignore[return-value]

    async def update_status(self, obj: M) -> M:
        kind = kind_of(obj)
        method, request = self._request(kind, "UpdateStatus", **{kind.object_field: obj})
        return await self._call(method, request)  # type: ignore[return-value]

    async def bind(
        self,
        kind: Kind[M],
        *,
        name: str,
        namespace: str = "",
        resource_version: str,
        clusters: Iterable[resource_binding_pb2.TargetCluster],
        applied_placement: str = "",
        affinity_name: str = "",
        condition: meta_pb2.Condition,
    ) -> M:
        """Writes a scheduling result in one call, as kube's pods/binding.

        With condition.status "True" the server sets spec.clusters, the
        applied-placement annotation, last_scheduled_time and the affinity
        name; with "False" only status. Both record the resulting generation
        and the Scheduled condition. A stale resource_version raises Conflict.
        """
        try:
            method, request = self._request(
                kind,
                "Bind",
                namespace=namespace,
                name=name,
                resource_version=resource_version,
                clusters=list(clusters),
                applied_placement=applied_placement,
                affinity_name=affinity_name,
                condition=condition,
            )
        except KeyError:
            raise TypeError(f"{kind.kind} has no Bind method") from None
        return await self._call(method, request)  # type: ignore[return-value]

    async def delete(
        self,
        kind: Kind[Any],
        name: str,
        namespace: str = "",
        *,
        resource_version: str = "",
        uid: str = "",
    ) -> None:
        method, request = self._request(
            kind,
            "Delete",
            namespace=namespace,
            name=name,
            resource_version=resource_version,
            uid=uid,
        )
        await self._call(method, request)

    async def watch(
        self,
        kind: Kind[M],
        *,
        namespace: str = "",
        label_selector: str = "",
        resource_version: str = "",
        allow_bookmarks: bool = False,
    ) -> AsyncIterator[WatchEvent[M]]:
        """Streams events until the server ends the watch; errors raise ApiError."""
        method, request = self._request(
            kind,
            "Watch",
            namespace=namespace,
            label_selector=label_selector,
            resource_version=resource_version,
            allow_bookmarks=allow_bookmarks,
        )
        call = self._channel.unary_stream(
            method.path,
            request_serializer=method.request.SerializeToString,
            response_deserializer=method.response.FromString,
        )(request, metadata=self._metadata)
        try:
            response: Any
            async for response in call:
                yield WatchEvent(EVENT_TYPES.get(response.type, "UNKNOWN"), response.object)
        except grpc.aio.AioRpcError as err:
            raise from_rpc_error(err) from None
        finally:
            call.cancel()

    async def guaranteed_update(
        self,
        kind: Kind[M],
        name: str,
        namespace: str = "",
        *,
        mutate: Callable[[M], M | None],
        status: bool = False,
        attempts: int = 10,
        cached: M | None = None,
    ) -> M:
        """Reads, mutates and writes back until no concurrent writer interferes.

        `mutate` receives a fresh copy and returns the object to write, or
        None to leave it unchanged. ABORTED from a concurrent write re-reads
        and re-applies, as client-go's RetryOnConflict. With `cached` (an
        informer's copy, left untouched) the first attempt starts from a copy
        of it instead of a read, so a write that meets no concurrent writer
        costs one call; its resourceVersion makes a stale copy fail as ABORTED.
        """
        for attempt in range(attempts):
            if attempt == 0 and cached is not None:
                current = type(cached)()
                current.CopyFrom(cached)
            else:
                current = await self.get(kind, name, namespace)
            desired = mutate(current)
            if desired is None:
                return current
            try:
                if status:
                    return await self.update_status(desired)
                return await self.update(desired)
            except Conflict:
                if attempt == attempts - 1:
                    raise
                if attempt > 0 or cached is None:
                    await asyncio.sleep(random.uniform(0, 0.01 * attempt))
        raise AssertionError("unreachable")
