"""etcd history compaction, coordinated between apiservers through one key.

As kube-apiserver does, every interval the apiserver compacts etcd to the
revision it saw one interval earlier, so history never grows without bound
while watchers keep at least one interval to resume. Each compaction is first
recorded in COMPACT_KEY; every apiserver watches that key and tells its watch
caches, so a watch from a compacted revision is OUT_OF_RANGE on every
apiserver, not only the one that compacted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from prometheus_client import Gauge

from apiserver.storage.etcd import Etcd, EtcdError
from apiserver.storage.etcdpb import rpc_pb2

log = logging.getLogger(__name__)

COMPACT_KEY = b"/registry/compact_rev_key"

COMPACTED_REVISION = Gauge(
    "karmada_apiserver_etcd_compacted_revision", "The last etcd revision compacted to."
)


async def compact(etcd: Etcd, revision: int) -> None:
    """Records `revision` in COMPACT_KEY (if newer) and compacts etcd to it."""
    current = await etcd.range(COMPACT_KEY)
    recorded = int(current.kvs[0].value) if current.kvs else 0
    if revision <= recorded:
        return
    compare = rpc_pb2.Compare(
        key=COMPACT_KEY,
        target=rpc_pb2.Compare.MOD,
        result=rpc_pb2.Compare.EQUAL,
        mod_revision=current.kvs[0].mod_revision if current.kvs else 0,
    )
    put = rpc_pb2.RequestOp(
        request_put=rpc_pb2.PutRequest(key=COMPACT_KEY, value=str(revision).encode())
    )
    response = await etcd.txn([compare], [put])
    if not response.succeeded:
        return  # another apiserver compacted in the meantime
    try:
        await etcd.compact(revision)
    except EtcdError as err:
        log.warning("Compaction failed", extra={"revision": revision, "error": str(err)})
        return
    log.info("Compacted etcd", extra={"revision": revision})


class CompactionTracker:
    """Follows COMPACT_KEY and reports each compacted revision."""

    def __init__(self, etcd: Etcd, on_compacted: Callable[[int], None]) -> None:
        self._etcd = etcd
        self._on_compacted = on_compacted

    def _report(self, value: bytes) -> None:
        revision = int(value)
        COMPACTED_REVISION.set(revision)
        self._on_compacted(revision)

    async def run(self) -> None:
        while True:
            try:
                current = await self._etcd.range(COMPACT_KEY)
                if current.kvs:
                    self._report(current.kvs[0].value)
                async for batch in self._etcd.watch(
                    COMPACT_KEY, b"", start_revision=int(current.header.revision) + 1
                ):
                    for event in batch.events:
                        if event.kv.value:
                            self._report(event.kv.value)
            except EtcdError as err:
                log.warning("Compaction tracker lost etcd", extra={"error": str(err)})
                await asyncio.sleep(1.0)


async def compact_periodically(etcd: Etcd, interval: float) -> None:
    """Every interval, compacts to the revision seen one interval earlier."""
    previous = 0
    while True:
        await asyncio.sleep(interval)
        try:
            if previous:
                await compact(etcd, previous)
            previous = await etcd.current_revision()
        except EtcdError as err:
            log.warning("Periodic compaction failed", extra={"error": str(err)})
