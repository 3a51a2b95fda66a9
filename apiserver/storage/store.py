"""Key/value operations with Kubernetes' concurrency rules, as etcd transactions.

Every write is a compare-and-swap on the key's mod revision (or on its absence
for create), so two writers never overwrite each other: the loser learns it
lost and the registry either retries or returns ABORTED. A lost swap reads the
key's current state in the same transaction (as Kubernetes' GuaranteedUpdate),
so the retry needs no second round trip. etcd failures become UNAVAILABLE;
compacted revisions become OUT_OF_RANGE.
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
class Swap:
    """The outcome of a compare-and-swap: the new revision, or what beat it.

    `revision` is 0 when the key was not at the expected revision; `current`
    is then the key's state at the time of the transaction (None if absent).
    """

    revision: int
    current: Stored | None = None


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

    async def replace(self, key: str, value: bytes, *, expected_revision: int) -> Swap:
        """Overwrites the key if it is still at expected_revision."""
        put = rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key.encode(), value=value))
        return await self._swap(key, expected_revision, put)

    async def delete(self, key: str, *, expected_revision: int) -> Swap:
        """Deletes the key if it is still at expected_revision."""
        delete = rpc_pb2.RequestOp(
            request_delete_range=rpc_pb2.DeleteRangeRequest(key=key.encode())
        )
        return await self._swap(key, expected_revision, delete)

    async def _swap(self, key: str, expected_revision: int, op: rpc_pb2.RequestOp) -> Swap:
        raw_key = key.encode()
        compare = _Compare(
            key=raw_key, target=_Compare.MOD, result=_Compare.EQUAL, mod_revision=expected_revision
        )
        read = rpc_pb2.RequestOp(request_range=rpc_pb2.RangeRequest(key=raw_key))
        try:
            response = await self.etcd.txn([compare], [op], [read])
        except EtcdError as err:
            raise _unavailable(err) from err
        if response.succeeded:
            return Swap(int(response.header.revision))
        kvs = response.responses[0].response_range.kvs
        return Swap(0, Stored(kvs[0].value, int(kvs[0].mod_revision)) if kvs else None)

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
