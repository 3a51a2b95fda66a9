"""Key/value operations with Kubernetes' concurrency rules, as etcd transactions.

Every write is a compare-and-swap on the key's mod revision (or on its absence
for create), so two writers never overwrite each other: the loser learns it
lost and the registry either retries or returns ABORTED. etcd failures become
UNAVAILABLE; compacted revisions become OUT_OF_RANGE.
"""

from __future__ import annotations

from dataclasses import dataclass

from apiserver.storage.etcd import CompactedError, Etcd, EtcdError, KeyValue, prefix_end
from apiserver.storage.etcdpb import rpc_pb2
from karmada.machinery.errors import AlreadyExists, Expired, NotFound, Unavailable

_Compare = rpc_pb2.Compare


@dataclass(frozen=True, slots=True)
class Stored:
    """One key's value and the revision that last wrote it."""

    raw: bytes
    revision: int


@dataclass(frozen=True, slots=True)
class Page:
    """A slice of a prefix read at one revision."""

    kvs: list[KeyValue]
    more: bool
    revision: int
    count: int


def _unavailable(err: EtcdError) -> Unavailable:
    return Unavailable(f"storage unavailable: {err}")


class Store:
    """CRUD on raw values under string keys."""

    def __init__(self, etcd: Etcd) -> None:
        self.etcd = etcd

    async def get(self, key: str) -> Stored | None:
        try:
            response = await self.etcd.range(key.encode())
        except EtcdError as err:
            raise _unavailable(err) from err
        if not response.kvs:
            return None
        kv = response.kvs[0]
        return Stored(kv.value, int(kv.mod_revision))

    async def create(self, key: str, value: bytes, *, namespace_key: str = "") -> int:
        """Writes a new key; AlreadyExists if taken, NotFound if the namespace is missing."""
        compare = [
            _Compare(
                key=key.encode(),
                target=_Compare.CREATE,
                result=_Compare.EQUAL,
                create_revision=0,
            )
        ]
        if namespace_key:
            compare.append(
                _Compare(
                    key=namespace_key.encode(),
                    target=_Compare.CREATE,
                    result=_Compare.GREATER,
                    create_revision=0,
                )
            )
        put = rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key.encode(), value=value))
        probe = rpc_pb2.RequestOp(
            request_range=rpc_pb2.RangeRequest(key=key.encode(), count_only=True)
        )
        try:
            response = await self.etcd.txn(compare, [put], [probe])
        except EtcdError as err:
            raise _unavailable(err) from err
        if response.succeeded:
            return int(response.header.revision)
        if response.responses[0].response_range.count:
            raise AlreadyExists(f"{key.rsplit('/', 1)[-1]!r} already exists")
        namespace = namespace_key.rsplit("/", 1)[-1]
        raise NotFound(f"namespace {namespace!r} not found", reason="NAMESPACE_NOT_FOUND")

    async def replace(self, key: str, value: bytes, *, expected_revision: int) -> int | None:
        """Overwrites the key if it is still at expected_revision; None if not."""
        compare = _Compare(
            key=key.encode(),
            target=_Compare.MOD,
            result=_Compare.EQUAL,
            mod_revision=expected_revision,
        )
        put = rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key.encode(), value=value))
        try:
            response = await self.etcd.txn([compare], [put])
        except EtcdError as err:
            raise _unavailable(err) from err
        return int(response.header.revision) if response.succeeded else None

    async def delete(self, key: str, *, expected_revision: int) -> int | None:
        """Deletes the key if it is still at expected_revision; None if not."""
        compare = _Compare(
            key=key.encode(),
            target=_Compare.MOD,
            result=_Compare.EQUAL,
            mod_revision=expected_revision,
        )
        delete = rpc_pb2.RequestOp(
            request_delete_range=rpc_pb2.DeleteRangeRequest(key=key.encode())
        )
        try:
            response = await self.etcd.txn([compare], [delete])
        except EtcdError as err:
            raise _unavailable(err) from err
        return int(response.header.revision) if response.succeeded else None

    async def page(self, prefix: str, *, start: str, revision: int, limit: int) -> Page:
        """Keys under prefix from `start` on, read at `revision` (0 = now)."""
        try:
            response = await self.etcd.range(
                start.encode(), prefix_end(prefix.encode()), revision=revision, limit=limit
            )
        except CompactedError as err:
            raise Expired(
                "the list's continue token is too old (its revision was compacted); "
                "start the list again"
            ) from err
        except EtcdError as err:
            raise _unavailable(err) from err
        return Page(
            kvs=list(response.kvs),
            more=bool(response.more),
            revision=int(response.header.revision),
            count=int(response.count),
        )
