"""taintManager: moves bindings off clusters whose NoExecute taints they do not tolerate.

Karmada's NoExecuteTaintManager (pkg/controllers/cluster/taint_manager.go).
When a cluster carries NoExecute taints — the cluster controller adds
``cluster.karmada.io/not-ready`` / ``unreachable`` ones when it stops being
Ready — every ResourceBinding and ClusterResourceBinding scheduled there
whose policy enables cluster failover (``spec.failover.cluster``, the switch
Karmada's failover proposal names; Karmada also needs its Failover gate and
``--enable-no-execute-taint-eviction``) is evicted from it: at once if a
taint is not tolerated, else when the shortest matching
``tolerationSeconds`` runs out (``controller_manager.failover.taints``).
Evicting is Karmada's GracefulEvictCluster: the cluster leaves
``spec.clusters`` and a graceful eviction task (reason TaintUntolerated,
producer TaintManager, the policy's cluster purgeMode) keeps the old copy
until the graceful eviction controller ends the task; the scheduler moves
the replicas meanwhile.

Queue keys are ``<cluster>|rb|<namespace>/<name>`` and
``<cluster>|crb|<name>``: one per binding and tainted cluster, enqueued when
a cluster's NoExecute taints change and when a binding is (re)scheduled.
A toleration that has not run out requeues its key for the moment it does;
a taint removed by then turns that reconcile into nothing, which is how a
cluster that recovers in time cancels its evictions. Karmada instead
re-lists every binding of a tainted cluster every 10 s. Evictions are
paced by a token bucket (`controller_manager.failover.ratelimit`).
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

from google.protobuf import timestamp_pb2
from prometheus_client import Counter

from controller_manager.context import ControllerContext
from controller_manager.failover.ratelimit import TokenBucket
from controller_manager.failover.taints import (
    DatedTaint,
    eviction_delay,
    no_execute,
    taint_identity,
    tolerations_of,
)
from controller_manager.failover.tasks import (
    PRODUCER_TAINT_MANAGER,
    REASON_TAINT_UNTOLERATED,
    cluster_failover_enabled,
    cluster_purge_mode,
    graceful_evict_cluster,
)
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import types_pb2
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.errors import Conflict, NotFound
from karmada.machinery.informer import Informer, key_of
from karmada.machinery.scheme import CLUSTER, CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING

__all__ = ["NAME", "TaintManager", "new"]

NAME = "taintManager"

log = logging.getLogger(__name__)

RB = "rb"
CRB = "crb"
_QUEUE_NAMES = {RB: "resource-binding", CRB: "cluster-resource-binding"}
_CLUSTER_INDEX = "taintManager/scheduled-cluster"
CONFLICT_RETRY_SECONDS = 0.1

EVICTIONS = Counter(
    "karmada_eviction_processing_total",
    "Evictions of bindings from tainted clusters, by binding kind and result.",
    ["name", "result"],
)

_Binding = Any  # ResourceBinding | ClusterResourceBinding: same metadata/spec/status shape


def _scheduled_clusters(binding: _Binding) -> list[str]:
    return [target.name for target in binding.spec.clusters]


def _dated_identities(cluster: cluster_pb2.Cluster) -> list[tuple[tuple[str, str, str], int]]:
    return [
        (taint_identity(taint), taint.time_added.ToNanoseconds())
        for taint in no_execute(cluster.spec.taints)
    ]


def _describe(taint: types_pb2.Taint) -> str:
    return (
        f"{taint.key}={taint.value}:{taint.effect}"
        if taint.value
        else f"{taint.key}:{taint.effect}"
    )


class TaintManager(Controller):
    name = NAME

    def __init__(self, ctx: ControllerContext, *, limiter: TokenBucket | None = None) -> None:
        self.client = ctx.client
        self.clusters: Informer[cluster_pb2.Cluster] = ctx.informers.get(CLUSTER)
        self.bindings: dict[str, Informer[Any]] = {
            RB: ctx.informers.get(RESOURCE_BINDING),
            CRB: ctx.informers.get(CLUSTER_RESOURCE_BINDING),
        }
        super().__init__(informers=[self.clusters, *self.bindings.values()])
        self.limiter = limiter or TokenBucket()
        self._first_seen: dict[tuple[str, tuple[str, str, str]], float] = {}
        for tag, informer in self.bindings.items():
            informer.store.add_index(_CLUSTER_INDEX, _scheduled_clusters)
            informer.add_handler(
                functools.partial(self._binding_added, tag),
                functools.partial(self._binding_updated, tag),
            )
        self.clusters.add_handler(self._cluster_added, self._cluster_updated, self._cluster_deleted)

    # -- event handlers: enqueue (cluster, binding) pairs ---------------------

    def _enqueue_cluster(self, name: str) -> None:
        for tag, informer in self.bindings.items():
            for binding in informer.by_index(_CLUSTER_INDEX, name):
                self.queue.add(f"{name}|{tag}|{key_of(binding)}")

    def _cluster_added(self, cluster: cluster_pb2.Cluster) -> None:
        if no_execute(cluster.spec.taints):
            self._enqueue_cluster(cluster.metadata.name)

    def _cluster_updated(self, old: cluster_pb2.Cluster, new: cluster_pb2.Cluster) -> None:
        name = new.metadata.name
        present = {taint_identity(t) for t in no_execute(new.spec.taints)}
        for seen in [seen for seen in self._first_seen if seen[0] == name]:
            if seen[1] not in present:
                del self._first_seen[seen]
        if present and _dated_identities(old) != _dated_identities(new):
            self._enqueue_cluster(name)

    def _cluster_deleted(self, cluster: cluster_pb2.Cluster) -> None:
        name = cluster.metadata.name
        for seen in [seen for seen in self._first_seen if seen[0] == name]:
            del self._first_seen[seen]

    def _binding_added(self, tag: str, binding: _Binding) -> None:
        for target in binding.spec.clusters:
            cluster = self.clusters.get(target.name)
            if cluster is not None and no_execute(cluster.spec.taints):
                self.queue.add(f"{target.name}|{tag}|{key_of(binding)}")

    def _binding_updated(self, tag: str, old: _Binding, new: _Binding) -> None:
        if old.metadata.generation != new.metadata.generation or (
            old.metadata.annotations != new.metadata.annotations
        ):
            self._binding_added(tag, new)

    # -- reconcile --------------------------------------------------------------

    def _dated(self, cluster: cluster_pb2.Cluster, now: float) -> list[DatedTaint]:
        """The cluster's NoExecute taints with their times; undated ones from when first seen."""
        dated = []
        for taint in no_execute(cluster.spec.taints):
            if taint.HasField("time_added"):
                added = taint.time_added.ToNanoseconds() / 1e9
            else:
                added = self._first_seen.setdefault(
                    (cluster.metadata.name, taint_identity(taint)), now
                )
            dated.append(DatedTaint(taint, added))
        return dated

    async def reconcile(self, key: str) -> Requeue | None:
        try:
            cluster_name, tag, binding_key = key.split("|", 2)
            informer = self.bindings[tag]
        except (ValueError, KeyError):
            log.error("Malformed taint manager key", extra={"controller": NAME, "key": key})
            return None
        binding = informer.get(binding_key)
        cluster = self.clusters.get(cluster_name)
        if (
            binding is None
            or cluster is None
            or binding.metadata.HasField("deletion_timestamp")
            or cluster_name not in _scheduled_clusters(binding)
            or not cluster_failover_enabled(binding.spec)
        ):
            return None
        now = time.time()
        taints = self._dated(cluster, now)
        tolerations = tolerations_of(binding.metadata.annotations, binding.spec.placement)
        delay = eviction_delay(taints, tolerations, now=now)
        if delay is None:
            return None
        if delay > 0:
            return Requeue(delay)
        wait = self.limiter.take()
        if wait > 0:
            return Requeue(wait)
        return await self._evict(tag, binding, cluster_name, taints)

    async def _evict(
        self, tag: str, binding: _Binding, cluster: str, taints: list[DatedTaint]
    ) -> Requeue | None:
        evicted = type(binding)()
        evicted.CopyFrom(binding)
        now = timestamp_pb2.Timestamp()
        now.GetCurrentTime()
        graceful_evict_cluster(
            evicted.spec,
            cluster,
            purge_mode=cluster_purge_mode(evicted.spec.failover),
            reason=REASON_TAINT_UNTOLERATED,
            producer=PRODUCER_TAINT_MANAGER,
            message=f"Cluster {cluster} has NoExecute taints the placement does not tolerate: "
            + ", ".join(_describe(dated.taint) for dated in taints),
            now=now,
        )
        fields = {"controller": NAME, "cluster": cluster, "binding": key_of(binding)}
        try:
            await self.client.update(evicted)
        except Conflict:
            log.info("Binding changed while evicting; retrying", extra=fields)
            return Requeue(CONFLICT_RETRY_SECONDS)
        except NotFound:
            return None
        except Exception:
            EVICTIONS.labels(_QUEUE_NAMES[tag], "error").inc()
            raise
        EVICTIONS.labels(_QUEUE_NAMES[tag], "success").inc()
        log.info("Evicted binding from tainted cluster", extra=fields)
        return None


def new(ctx: ControllerContext) -> TaintManager:
    return TaintManager(ctx)
