"""A thin asyncio client for etcd v3 over the vendored etcd protos.

The `etcd3` package named on the design card does not import with protobuf 7,
and the asyncio alternatives hide watch details we need (start revision,
compaction, progress notifications), so the apiserver talks to etcd's gRPC API
directly. Only `apiserver.storage` imports this module.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import cast

import grpc
from prometheus_client import Histogram

from apiserver.storage.etcdpb import kv_pb2, rpc_pb2, rpc_pb2_grpc

REQUEST_DURATION = Histogram(
    "karmada_apiserver_etcd_request_duration_seconds",
    "Latency of etcd requests made by the apiserver.",
    ["operation"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
_RANGE = REQUEST_DURATION.labels("range")
_TXN = REQUEST_DURATION.labels("txn")

KeyValue = kv_pb2.KeyValue
Event = kv_pb2.Event
Compare = rpc_pb2.Compare
RequestOp = rpc_pb2.RequestOp


class EtcdError(Exception):
    """etcd could not be reached or refused a request."""


class CompactedError(EtcdError):
    """The requested revision has been compacted away."""

    def __init__(self, compact_revision: int) -> None:
        super().__init__(f"required revision has been compacted (compacted to {compact_revision})")
        self.compact_revision = compact_revision


def prefix_end(prefix: bytes) -> bytes:
    """The range end covering every key that starts with `prefix`."""
    end = bytearray(prefix)
    for i in reversed(range(len(end))):
        if end[i] < 0xFF:
            end[i] += 1
            return bytes(end[: i + 1])
    return b"\0"


def _target(endpoints: Sequence[str]) -> tuple[str, list[tuple[str, str]]]:
    """A gRPC target for the endpoints, balanced round-robin when there are several.

    Several endpoints must be IP:port; a DNS name that resolves to every member
    (e.g. a headless Service) is given as one ``dns:///name:port`` endpoint.
    """
    hosts = [e.removeprefix("http://").removeprefix("https://").rstrip("/") for e in endpoints]
    balanced = [("grpc.lb_policy_name", "round_robin")]
    if len(hosts) == 1:
        return hosts[0], balanced if hosts[0].startswith("dns:") else []
    try:
        for host in hosts:
            ipaddress.ip_address(host.rsplit(":", 1)[0])
    except ValueError:
        names = ",".join(hosts)
        raise EtcdError(
            f"several etcd endpoints must be IP:port ({names}); "
            "for DNS names give one dns:///name:port that resolves to every member"
        ) from None
    return "ipv4:" + ",".join(hosts), balanced


@dataclass(frozen=True, slots=True)
class WatchBatch:
    """Events of one etcd watch response (empty for a progress notification)."""

    revision: int
    events: Sequence[kv_pb2.Event]


class Etcd:
    """One gRPC channel to an etcd cluster, with the calls the store needs."""

    def __init__(self, endpoints: Sequence[str], *, timeout: float = 10.0) -> None:
        target, options = _target(endpoints)
        self.endpoints = list(endpoints)
        self._channel = grpc.aio.insecure_channel(
            target,
            options=[
                *options,
                ("grpc.max_receive_message_length", 256 * 1024 * 1024),
                ("grpc.max_send_message_length", 16 * 1024 * 1024),
                ("grpc.keepalive_time_ms", 30_000),
            ],
        )
        self._kv = rpc_pb2_grpc.KVStub(self._channel)
        self._watch = rpc_pb2_grpc.WatchStub(self._channel)
        self._maintenance = rpc_pb2_grpc.MaintenanceStub(self._channel)
        self._timeout = timeout

    async def close(self) -> None:
        await self._channel.close()

    async def range(
        self,
        key: bytes,
        range_end: bytes = b"",
        *,
        revision: int = 0,
        limit: int = 0,
        count_only: bool = False,
        keys_only: bool = False,
    ) -> rpc_pb2.RangeResponse:
        request = rpc_pb2.RangeRequest(
            key=key,
            range_end=range_end,
            revision=revision,
            limit=limit,
            count_only=count_only,
            keys_only=keys_only,
        )
        start = time.perf_counter()
        try:
            response: rpc_pb2.RangeResponse = await self._kv.Range(request, timeout=self._timeout)
        except grpc.aio.AioRpcError as err:
            raise _translate(err) from err
        finally:
            _RANGE.observe(time.perf_counter() - start)
        return response

    async def txn(
        self,
        compare: Sequence[rpc_pb2.Compare],
        success: Sequence[rpc_pb2.RequestOp],
        failure: Sequence[rpc_pb2.RequestOp] = (),
    ) -> rpc_pb2.TxnResponse:
        request = rpc_pb2.TxnRequest(compare=compare, success=success, failure=failure)
        start = time.perf_counter()
        try:
            response: rpc_pb2.TxnResponse = await self._kv.Txn(request, timeout=self._timeout)
        except grpc.aio.AioRpcError as err:
            raise _translate(err) from err
        finally:
            _TXN.observe(time.perf_counter() - start)
        return response

    async def put(self, key: bytes, value: bytes) -> int:
        """Unconditional put; returns the new revision."""
        try:
            response = await self._kv.Put(
                rpc_pb2.PutRequest(key=key, value=value), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as err:
            raise _translate(err) from err
        return int(response.header.revision)

    async def delete_range(self, key: bytes, range_end: bytes = b"") -> int:
        try:
            response = await self._kv.DeleteRange(
                rpc_pb2.DeleteRangeRequest(key=key, range_end=range_end), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as err:
            raise _translate(err) from err
        return int(response.header.revision)

    async def compact(self, revision: int) -> None:
        try:
            await self._kv.Compact(
                rpc_pb2.CompactionRequest(revision=revision, physical=False),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as err:
            raise _translate(err) from err

    async def status(self) -> rpc_pb2.StatusResponse:
        try:
            response: rpc_pb2.StatusResponse = await self._maintenance.Status(
                rpc_pb2.StatusRequest(), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as err:
            raise _translate(err) from err
        return response

    async def current_revision(self) -> int:
        response = await self.range(b"\0", count_only=True)
        return int(response.header.revision)

    async def watch(
        self,
        key: bytes,
        range_end: bytes,
        *,
        start_revision: int,
        progress_notify: bool = False,
    ) -> AsyncIterator[WatchBatch]:
        """Streams changes to [key, range_end) from start_revision on.

        With progress_notify, etcd periodically sends an empty batch carrying
        the revision the (synced) watch has reached; etcd sends those in order
        with the events, unlike manual progress requests, which etcd 3.4 may
        answer before pending events. Raises CompactedError if start_revision
        is compacted, EtcdError if the stream breaks.
        """
        requests: asyncio.Queue[rpc_pb2.WatchRequest | None] = asyncio.Queue()
        requests.put_nowait(
            rpc_pb2.WatchRequest(
                create_request=rpc_pb2.WatchCreateRequest(
                    key=key,
                    range_end=range_end,
                    start_revision=start_revision,
                    progress_notify=progress_notify,
                )
            )
        )

        async def request_stream() -> AsyncIterator[rpc_pb2.WatchRequest]:
            while (item := await requests.get()) is not None:
                yield item

        call = self._watch.Watch(request_stream())
        try:
            while True:
                read = await call.read()
                if read is grpc.aio.EOF:
                    raise EtcdError("etcd closed the watch stream")
                response = cast(rpc_pb2.WatchResponse, read)
                if response.compact_revision:
                    raise CompactedError(int(response.compact_revision))
                if response.canceled:
                    raise EtcdError(f"etcd canceled the watch: {response.cancel_reason}")
                if response.created and not response.events:
                    # The header of the creation reply is the store's revision,
                    # not a promise that older events were delivered.
                    continue
                yield WatchBatch(revision=int(response.header.revision), events=response.events)
        except grpc.aio.AioRpcError as err:
            raise _translate(err) from err
        finally:
            requests.put_nowait(None)
            call.cancel()


def _translate(err: grpc.aio.AioRpcError) -> EtcdError:
    details = err.details() or ""
    if err.code() == grpc.StatusCode.OUT_OF_RANGE and "compacted" in details:
        return CompactedError(0)
    return EtcdError(f"etcd {err.code().name}: {details}")
