"""Kubernetes object semantics for one kind, on top of the store and watch cache.

The registry is where kube-apiserver's rules live: create assigns uid,
creation time and generation 1 and drops status; update keeps status and the
server-owned metadata and bumps generation only when the spec changes; status
updates change only status; delete with finalizers marks the object and the
last finalizer's removal deletes it. A bind (kinds whose Strategy has a
Binder, as kube's pods/binding) changes spec and status together: the same
read-modify-write as an update, with the update's generation rule and the
kind's spec and status validation, in one write. Writes without a
resource_version retry their read-modify-write internally (GuaranteedUpdate);
writes with one get ABORTED when it is stale. A write's first attempt starts
from the watch cache's copy rather than an etcd read: the compare-and-swap
rejects a stale copy, and every answer but a successful write is decided on
state read from etcd. Responses are built from stored bytes
(`apiserver.storage.codec`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from google.protobuf import timestamp_pb2
from google.protobuf.message import DecodeError, Message

from apiserver.registry.strategy import Strategy
from apiserver.storage import codec
from apiserver.storage.store import Store, Stored
from apiserver.storage.watch_cache import WatchCache, Watcher
from karmada.machinery import validation as v
from karmada.machinery.errors import (
    ApiError,
    Conflict,
    FailedPrecondition,
    Invalid,
    NotFound,
    Unavailable,
)
from karmada.machinery.labels import Selector
from karmada.machinery.scheme import NAMESPACE, Kind
from karmada.machinery.validation import FieldViolation

MAX_OBJECT_BYTES = 1_572_864  # etcd's default request limit, as Kubernetes
MAX_PAGE_SIZE = 10_000
_READY_TIMEOUT = 30.0


def now() -> timestamp_pb2.Timestamp:
    """The current time at second precision, as Kubernetes' metav1.Time."""
    return timestamp_pb2.Timestamp(seconds=int(time.time()))


@dataclass(frozen=True, slots=True)
class PageToken:
    """Where the next page starts, and the revision every page is read at."""

    revision: int
    start: str

    def encode(self) -> str:
        raw = json.dumps({"rv": self.revision, "start": self.start}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode()

    @classmethod
    def decode(cls, token: str) -> PageToken:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            token_ = cls(revision=int(data["rv"]), start=str(data["start"]))
        except (binascii.Error, ValueError, KeyError, TypeError):
            raise Invalid(
                "invalid page token",
                violations=[FieldViolation("pageToken", "not a token returned by this API")],
            ) from None
        if token_.start.startswith("/") or ".." in token_.start:
            raise Invalid(
                "invalid page token",
                violations=[FieldViolation("pageToken", "not a token returned by this API")],
            )
        return token_


class Registry:
    """Serves one kind: typed, or one template group/kind."""

    def __init__(
        self, kind: Kind[Message], *, store: Store, cache: WatchCache, strategy: Strategy
    ) -> None:
        self.kind = kind
        self.store = store
        self.cache = cache
        self.strategy = strategy
        self._decode: Callable[[bytes], Message] = kind.message.FromString

    # -- helpers --------------------------------------------------------

    def _key(self, namespace: str, name: str) -> str:
        return self.kind.key(namespace, name)

    def _namespace_key(self, namespace: str) -> str:
        return NAMESPACE.key("", namespace) if namespace else ""

    def _check_scope(self, namespace: str, *, field: str) -> None:
        violations = self.strategy.validate_scope(namespace, field=field)
        if violations:
            raise Invalid(f"invalid {self.kind.kind} request", violations=violations)

    def _encode(self, obj: Message) -> bytes:
        raw = obj.SerializeToString(deterministic=True)
        if len(raw) > MAX_OBJECT_BYTES:
            raise Invalid(
                f"{self.kind.kind} is too large",
                violations=[
                    FieldViolation(
                        "",
                        f"object is {len(raw)} bytes; the limit is {MAX_OBJECT_BYTES} bytes",
                    )
                ],
            )
        return raw

    def _reject(self, obj: Message, violations: list[FieldViolation]) -> None:
        if violations:
            name = obj.metadata.name  # type: ignore[attr-defined]
            raise Invalid(f'{self.kind.kind} "{name}" is invalid', violations=violations)

    async def _current(self, namespace: str, name: str) -> Stored:
        stored = await self.store.get(self._key(namespace, name))
        if stored is None:
            raise NotFound(self._not_found(namespace, name))
        return stored

    def _not_found(self, namespace: str, name: str) -> str:
        where = f" in namespace {namespace!r}" if namespace else ""
        return f"{self.kind.kind} {name!r} not found{where}"

    @staticmethod
    def _check_version(requested: str, stored: Stored, what: str) -> None:
        if requested and requested != str(stored.revision):
            raise Conflict(
                f"the object has been modified; please apply your changes to the latest "
                f"version and try again ({what} resource_version {requested}, "
                f"current {stored.revision})"
            )

    # -- reads ----------------------------------------------------------

    async def get(self, namespace: str, name: str) -> bytes:
        self._check_name(name)
        self._check_scope(namespace, field="namespace")
        stored = await self._current(namespace, name)
        return codec.with_resource_version(stored.raw, stored.revision)

    def _check_name(self, name: str) -> None:
        if not name:
            raise Invalid("name is required", violations=[FieldViolation("name", "Required value")])

    async def list(
        self, namespace: str, selector: Selector, *, page_size: int, page_token: str
    ) -> bytes:
        if page_size < 0:
            raise Invalid(
                "invalid page size", violations=[FieldViolation("pageSize", "must be >= 0")]
            )
        if namespace and self.kind.namespaced is False:
            raise Invalid(
                f"{self.kind.kind} is cluster-scoped",
                violations=[FieldViolation("namespace", "must be empty for a cluster-scoped kind")],
            )
        prefix = self.kind.namespace_prefix(namespace)
        limit = min(page_size, MAX_PAGE_SIZE) if page_size else 0
        revision = 0
        start = prefix
        if page_token:
            token = PageToken.decode(page_token)
            revision, start = token.revision, prefix + token.start
        items: list[bytes] = []
        next_start = ""
        remaining = 0
        while True:
            page = await self.store.page(prefix, start=start, revision=revision, limit=limit)
            revision = revision or page.revision
            for index, kv in enumerate(page.kvs):
                if not selector.empty:
                    labels = self._decode(kv.value).metadata.labels  # type: ignore[attr-defined]
                    if not selector.matches(labels):
                        continue
                items.append(codec.with_resource_version(kv.value, int(kv.mod_revision)))
                if limit and len(items) == limit:
                    last = index == len(page.kvs) - 1
                    if not last or page.more:
                        next_start = kv.key.decode() + "\0"
                        if selector.empty:
                            remaining = page.count - (index + 1)
                    break
            else:
                if page.more and page.kvs:
                    start = page.kvs[-1].key.decode() + "\0"
                    continue
            break
        next_token = ""
        if next_start:
            next_token = PageToken(revision=revision, start=next_start[len(prefix) :]).encode()
        return codec.list_response(
            items, next_page_token=next_token, revision=revision, remaining=remaining
        )

    async def watch(
        self, namespace: str, selector: Selector, *, resource_version: str, bookmarks: bool
    ) -> Watcher:
        if namespace and self.kind.namespaced is False:
            raise Invalid(
                f"{self.kind.kind} is cluster-scoped",
                violations=[FieldViolation("namespace", "must be empty for a cluster-scoped kind")],
            )
        try:
            await asyncio.wait_for(self.cache.ready.wait(), _READY_TIMEOUT)
        except TimeoutError:
            raise Unavailable(f"the watch cache for {self.kind.resource} is not ready") from None
        return self.cache.watch(
            namespace=namespace,
            selector=selector,
            resource_version=resource_version,
            bookmarks=bookmarks,
        )

    # -- writes ---------------------------------------------------------

    async def create(self, obj: Message) -> bytes:
        meta = obj.metadata  # type: ignore[attr-defined]
        if self.kind.has_status:
            obj.ClearField("status")
        self.strategy.default(obj)
        if (label := self.strategy.permanent_id_label) and not meta.labels.get(label):
            meta.labels[label] = str(uuid.uuid4())
        self._reject(obj, self.strategy.validate(obj, None))
        meta.uid = str(uuid.uuid4())
        meta.resource_version = ""
        meta.generation = 1
        meta.creation_timestamp.CopyFrom(now())
        meta.ClearField("deletion_timestamp")
        raw = self._encode(obj)
        revision = await self.store.create(
            self._key(meta.namespace, meta.name),
            raw,
            namespace_key=self._namespace_key(meta.namespace),
        )
        return codec.with_resource_version(raw, revision)

    async def update(self, obj: Message) -> bytes:
        meta = obj.metadata  # type: ignore[attr-defined]
        self.strategy.default(obj)

        def mutate(old: Message) -> Message:
            new = obj.__class__()
            new.CopyFrom(obj)
            self._keep_server_fields(new, old)
            self._reject(new, self.strategy.validate(new, old))
            return new

        return await self._guaranteed_update(
            meta.namespace, meta.name, meta.resource_version, meta.uid, mutate
        )

    async def update_status(self, obj: Message) -> bytes:
        meta = obj.metadata  # type: ignore[attr-defined]
        if not self.kind.has_status:
            raise FailedPrecondition(f"{self.kind.kind} has no status")

        def mutate(old: Message) -> Message:
            new = old.__class__()
            new.CopyFrom(old)
            new.ClearField("status")
            new.status.CopyFrom(obj.status)  # type: ignore[attr-defined]
            self._reject(new, self.strategy.validate_status(new))
            return new

        self._check_name(meta.name)
        return await self._guaranteed_update(
            meta.namespace, meta.name, meta.resource_version, meta.uid, mutate
        )

    async def bind(self, request: Message) -> bytes:
        """Writes a bind request's spec and status changes in one compare-and-swap.

        `request` carries namespace (namespaced kinds), name and the required
        resource_version precondition; the kind's Binder reads the rest.
        """
        binder = self.strategy.binder
        if binder is None:
            raise FailedPrecondition(f"{self.kind.kind} cannot be bound")
        namespace: str = getattr(request, "namespace", "")
        name: str = request.name  # type: ignore[attr-defined]
        resource_version: str = request.resource_version  # type: ignore[attr-defined]
        violations = [] if name else [v.required_value("name")]
        if not resource_version:
            violations.append(v.required_value("resourceVersion"))
        violations += self.strategy.validate_scope(namespace, field="namespace")
        violations += binder.validate_request(request)
        if violations:
            raise Invalid(f"invalid {self.kind.kind} bind request", violations=violations)
        # Full precision, unlike metav1.Time: lastScheduledTime is compared with
        # rescheduleTriggeredAt, and a trigger in the second of the last schedule must count.
        stamp = timestamp_pb2.Timestamp()
        stamp.GetCurrentTime()

        def mutate(old: Message) -> Message:
            new = old.__class__()
            new.CopyFrom(old)
            binder.bind_spec(new, request)
            self.strategy.default(new)
            self._keep_server_fields(new, old)
            binder.bind_status(new, request, stamp)
            self._reject(new, self.strategy.validate(new, old) + self.strategy.validate_status(new))
            return new

        return await self._guaranteed_update(namespace, name, resource_version, "", mutate)

    def _keep_server_fields(self, new: Message, old: Message) -> None:
        nm = new.metadata  # type: ignore[attr-defined]
        om = old.metadata  # type: ignore[attr-defined]
        label = self.strategy.permanent_id_label
        if label and not nm.labels.get(label) and om.labels.get(label):
            nm.labels[label] = om.labels[label]
        nm.uid = om.uid
        nm.resource_version = ""
        nm.creation_timestamp.CopyFrom(om.creation_timestamp)
        nm.ClearField("deletion_timestamp")
        if om.HasField("deletion_timestamp"):
            nm.deletion_timestamp.CopyFrom(om.deletion_timestamp)
            added = set(nm.finalizers) - set(om.finalizers)
            if added:
                raise Invalid(
                    f'{self.kind.kind} "{nm.name}" is being deleted',
                    violations=[
                        FieldViolation(
                            "metadata.finalizers",
                            "Forbidden: no new finalizers can be added if the object is being "
                            f"deleted, found new finalizers {sorted(added)}",
                        )
                    ],
                )
        if self.kind.has_status:
            new.ClearField("status")
            if old.HasField("status"):
                new.status.CopyFrom(old.status)  # type: ignore[attr-defined]
        spec = self.strategy.spec_field
        changed = getattr(new, spec).SerializeToString(deterministic=True) != getattr(
            old, spec
        ).SerializeToString(deterministic=True)
        nm.generation = om.generation + 1 if changed else om.generation

    def _guess(self, key: str, resource_version: str) -> Stored | None:
        """The watch cache's copy of key, if it can be the state a request means.

        A first attempt starts from it instead of reading etcd; the
        compare-and-swap rejects it if it is stale. Any answer other than a
        successful write is only given from state read from etcd.
        """
        cached = self.cache.get(key.encode())
        if cached is None or (resource_version and resource_version != str(cached.revision)):
            return None
        return Stored(cached.raw, cached.revision)

    def _mutated(
        self,
        stored: Stored,
        resource_version: str,
        uid: str,
        mutate: Callable[[Message], Message],
    ) -> tuple[Message, bytes]:
        self._check_version(resource_version, stored, "request")
        old = self._decode(stored.raw)
        if uid and uid != old.metadata.uid:  # type: ignore[attr-defined]
            raise Conflict(f"precondition failed: uid {uid} does not match the stored object's uid")
        new = mutate(old)
        return new, self._encode(new)

    async def _guaranteed_update(
        self,
        namespace: str,
        name: str,
        resource_version: str,
        uid: str,
        mutate: Callable[[Message], Message],
    ) -> bytes:
        self._check_name(name)
        self._check_scope(namespace, field="metadata.namespace")
        key = self._key(namespace, name)
        stored = self._guess(key, resource_version)
        fresh = stored is None
        while True:
            if stored is None:
                stored, fresh = await self._current(namespace, name), True
            try:
                new, raw = self._mutated(stored, resource_version, uid, mutate)
            except ApiError:
                if fresh:
                    raise
                stored = None
                continue
            if raw == stored.raw:
                if fresh:
                    return codec.with_resource_version(stored.raw, stored.revision)
                stored = None
                continue
            nm = new.metadata  # type: ignore[attr-defined]
            if nm.HasField("deletion_timestamp") and not nm.finalizers:
                swap = await self.store.delete(key, expected_revision=stored.revision)
            else:
                swap = await self.store.replace(key, raw, expected_revision=stored.revision)
            if swap.revision:
                return codec.with_resource_version(raw, swap.revision)
            if swap.current is None:
                raise NotFound(self._not_found(namespace, name))
            stored, fresh = swap.current, True

    async def delete(self, namespace: str, name: str, *, resource_version: str, uid: str) -> None:
        self._check_name(name)
        self._check_scope(namespace, field="namespace")
        key = self._key(namespace, name)
        stored = self._guess(key, resource_version)
        fresh = stored is None
        while True:
            if stored is None:
                stored, fresh = await self._current(namespace, name), True
            try:
                self._check_version(resource_version, stored, "precondition")
                try:
                    old = self._decode(stored.raw)
                except DecodeError:
                    old = self.kind.message()
                meta = old.metadata  # type: ignore[attr-defined]
                if uid and uid != meta.uid:
                    raise Conflict(f"precondition failed: uid {uid} does not match {meta.uid}")
            except ApiError:
                if fresh:
                    raise
                stored = None
                continue
            if meta.finalizers:
                if meta.HasField("deletion_timestamp"):
                    if fresh:
                        return
                    stored = None
                    continue
                meta.deletion_timestamp.CopyFrom(now())
                meta.generation += 1
                swap = await self.store.replace(
                    key, self._encode(old), expected_revision=stored.revision
                )
            else:
                swap = await self.store.delete(key, expected_revision=stored.revision)
            if swap.revision:
                return
            if resource_version and fresh:
                raise Conflict("the object has been modified; read it again and retry")
            if swap.current is None:
                raise NotFound(self._not_found(namespace, name))
            stored, fresh = swap.current, True
