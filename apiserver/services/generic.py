"""gRPC handlers for every kind's standard methods, built from the scheme.

All kinds share one implementation: for each service in the scheme this
module looks up the request types in the generated descriptors and binds the
seven standard methods (Get, List, Create, Update, UpdateStatus, Delete,
Watch), and the Bind custom method where a service declares one, to the
kind's Registry. Responses are passed through as bytes built by
`apiserver.storage.codec`, so the handlers never re-serialize stored objects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from apiserver.interceptors import Interceptor
from apiserver.registry.registry import Registry
from karmada.machinery.errors import Invalid
from karmada.machinery.labels import Selector, SelectorError, parse_selector
from karmada.machinery.scheme import Kind
from karmada.machinery.validation import FieldViolation

Resolver = Callable[[Any], Awaitable[Registry]]
"""Finds the registry for a request (fixed for typed kinds; by api_version/kind for templates)."""

ObjectResolver = Callable[[Message], Awaitable[Registry]]


def _identity(data: bytes) -> bytes:
    return data


def _selector(text: str) -> Selector:
    try:
        return parse_selector(text)
    except SelectorError as err:
        raise Invalid(
            "invalid label selector", violations=[FieldViolation("labelSelector", str(err))]
        ) from None


def _field_number(descriptor: Descriptor, name: str) -> int:
    field: FieldDescriptor | None = descriptor.fields_by_name.get(name)
    if field is None:
        raise TypeError(f"{descriptor.full_name} has no field {name!r}")
    return int(field.number)


def check_wire_layout(kind: Kind[Any]) -> None:
    """Asserts the field numbers `apiserver.storage.codec` writes by hand."""
    pool = descriptor_pool.Default()
    service = pool.FindServiceByName(kind.service)
    methods = service.methods_by_name
    listing = methods[f"List{kind.rpc_plural}"].output_type
    watch = methods[f"Watch{kind.rpc_plural}"].output_type
    expected = {
        (kind.message.DESCRIPTOR.full_name, "metadata"): 3,
        (listing.full_name, kind.list_field): 1,
        (listing.full_name, "next_page_token"): 2,
        (listing.full_name, "metadata"): 3,
        (watch.full_name, "type"): 1,
        (watch.full_name, "object"): 2,
    }
    descriptors = {
        kind.message.DESCRIPTOR.full_name: kind.message.DESCRIPTOR,
        listing.full_name: listing,
        watch.full_name: watch,
    }
    for (message, name), number in expected.items():
        actual = _field_number(descriptors[message], name)
        if actual != number:
            raise TypeError(f"{message}.{name} must be field {number}, is {actual}")


def build_service(
    kind: Kind[Any],
    *,
    resolve: Resolver,
    resolve_object: ObjectResolver,
    interceptor: Interceptor,
) -> grpc.GenericRpcHandler:
    """The handlers of one kind's service (or of the template service)."""
    check_wire_layout(kind)
    pool = descriptor_pool.Default()
    service = pool.FindServiceByName(kind.service)
    object_field = kind.object_field

    def request_class(method: str) -> type[Message]:
        descriptor = service.methods_by_name[method].input_type
        return message_factory.GetMessageClass(descriptor)

    async def get(request: Any, _: Any) -> bytes:
        registry = await resolve(request)
        return await registry.get(getattr(request, "namespace", ""), request.name)

    async def list_(request: Any, _: Any) -> bytes:
        registry = await resolve(request)
        return await registry.list(
            getattr(request, "namespace", ""),
            _selector(request.label_selector),
            page_size=request.page_size,
            page_token=request.page_token,
        )

    async def create(request: Any, _: Any) -> bytes:
        obj = getattr(request, object_field)
        return await (await resolve_object(obj)).create(obj)

    async def update(request: Any, _: Any) -> bytes:
        obj = getattr(request, object_field)
        return await (await resolve_object(obj)).update(obj)

    async def update_status(request: Any, _: Any) -> bytes:
        obj = getattr(request, object_field)
        return await (await resolve_object(obj)).update_status(obj)

    async def bind(request: Any, _: Any) -> bytes:
        return await (await resolve(request)).bind(request)

    async def delete(request: Any, _: Any) -> bytes:
        registry = await resolve(request)
        await registry.delete(
            getattr(request, "namespace", ""),
            request.name,
            resource_version=request.resource_version,
            uid=request.uid,
        )
        return b""

    async def watch(request: Any, _: Any) -> AsyncIterator[bytes]:
        registry = await resolve(request)
        watcher = await registry.watch(
            getattr(request, "namespace", ""),
            _selector(request.label_selector),
            resource_version=request.resource_version,
            bookmarks=request.allow_bookmarks,
        )
        try:
            while batch := await watcher.next_batch():
                for data in batch:
                    yield data
        finally:
            registry.cache.unwatch(watcher)

    unary = {
        f"Get{kind.rpc_kind}": get,
        f"List{kind.rpc_plural}": list_,
        f"Create{kind.rpc_kind}": create,
        f"Update{kind.rpc_kind}": update,
        f"Delete{kind.rpc_kind}": delete,
    }
    if f"Update{kind.rpc_kind}Status" in service.methods_by_name:
        unary[f"Update{kind.rpc_kind}Status"] = update_status
    if f"Bind{kind.rpc_kind}" in service.methods_by_name:
        unary[f"Bind{kind.rpc_kind}"] = bind
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {}
    for method, fn in unary.items():
        handlers[method] = grpc.unary_unary_rpc_method_handler(
            interceptor.unary(f"/{kind.service}/{method}", fn),
            request_deserializer=request_class(method).FromString,
            response_serializer=_identity,
        )
    watch_method = f"Watch{kind.rpc_plural}"
    handlers[watch_method] = grpc.unary_stream_rpc_method_handler(
        interceptor.stream(f"/{kind.service}/{watch_method}", watch),
        request_deserializer=request_class(watch_method).FromString,
        response_serializer=_identity,
    )
    missing = set(service.methods_by_name) - set(handlers)
    if missing:
        raise TypeError(f"{kind.service}: no handler for {sorted(missing)}")
    return grpc.method_handlers_generic_handler(kind.service, handlers)
