"""The cluster controller: a member's execution namespace, its taints, and its orderly exit.

As Karmada's pkg/controllers/cluster/cluster_controller.go:

* every Cluster gets the finalizer ``karmada.io/cluster-controller`` and its
  execution namespace ``karmada-es-<cluster>``, where the binding
  controller writes its Works (recreated if someone deletes it);
* taints follow the Ready condition (`cluster_taints`): NoSchedule
  ``not-ready``/``unreachable`` keep the scheduler away, and their NoExecute
  twins let the taint manager evict; Ready lives in the Cluster, so every
  change of it reaches this controller as an event and taints need no
  polling (Karmada re-derives them every monitor period);
* Pull clusters that stop posting status and renewing their Lease
  ``karmada-cluster/<cluster>`` turn Ready Unknown after the grace period
  (`cluster_heartbeat`), checked every ``--cluster-monitor-period``;
* a deleted Cluster first loses its Works: each Work in the execution
  namespace is deleted and the controller waits (requeueing) until they are
  gone, which is when the execution controller's finalizer has removed
  their objects from the member; then the namespace goes, and finally the
  finalizer, so the Cluster goes last.

Karmada deletes the namespace and lets kube's namespace controller delete
the Works; our apiserver does not cascade namespace deletion, so the Works
are deleted here, explicitly, and the namespace only once it is empty of
them. Karmada's ``terminating`` taint and its wait for bindings to drop the
cluster (taint-manager mode) are not implemented: the scheduler already
reschedules bindings away from a cluster being deleted.

The grace periods of the Pull heartbeat are `--cluster-monitor-grace-period`
and `--cluster-startup-grace-period` (Karmada's 40 s and 60 s by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time

from google.protobuf import timestamp_pb2

from controller_manager.context import ControllerContext
from controller_manager.controllers import cluster_heartbeat
from controller_manager.controllers.cluster_taints import reconcile_taints
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.coordination.v1 import lease_pb2
from karmada.core.v1 import namespace_pb2
from karmada.machinery import errors
from karmada.machinery.conditions import find_condition, set_condition
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.scheme import CLUSTER, LEASE, NAMESPACE, WORK
from karmada.names import CLUSTER_FINALIZER, cluster_of_execution_space, execution_space
from karmada.registration import CLUSTER_NAMESPACE
from karmada.work.v1alpha1 import work_pb2

__all__ = ["NAME", "ClusterController", "new"]

NAME = "cluster"

log = logging.getLogger(__name__)

READY = "Ready"
REMOVAL_RECHECK_SECONDS = 5.0
"""Backstop while waiting for Works to go; their delete events normally requeue sooner."""


def _now() -> timestamp_pb2.Timestamp:
    """Now at second precision, as metav1.Time."""
    return timestamp_pb2.Timestamp(seconds=int(time.time()))


def _ready_status(cluster: cluster_pb2.Cluster) -> str | None:
    condition = find_condition(cluster.status.conditions, READY)
    return None if condition is None else condition.status


def _finalized_and_tainted(cluster: cluster_pb2.Cluster) -> cluster_pb2.Cluster | None:
    """A copy with our finalizer and the taints Ready asks for; None if it has them already."""
    if cluster.metadata.HasField("deletion_timestamp"):
        return None
    taints = reconcile_taints(cluster.spec.taints, ready=_ready_status(cluster), now=_now())
    missing_finalizer = CLUSTER_FINALIZER not in cluster.metadata.finalizers
    if taints is None and not missing_finalizer:
        return None
    desired = cluster_pb2.Cluster()
    desired.CopyFrom(cluster)
    if missing_finalizer:
        desired.metadata.finalizers.append(CLUSTER_FINALIZER)
    if taints is not None:
        del desired.spec.taints[:]
        desired.spec.taints.extend(taints)
    return desired


def _without_finalizer(cluster: cluster_pb2.Cluster) -> cluster_pb2.Cluster | None:
    if CLUSTER_FINALIZER not in cluster.metadata.finalizers:
        return None
    desired = cluster_pb2.Cluster()
    desired.CopyFrom(cluster)
    desired.metadata.finalizers.remove(CLUSTER_FINALIZER)
    return desired


class ClusterController(Controller):
    name = "cluster"

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.clusters = ctx.informers.get(CLUSTER)
        self.namespaces = ctx.informers.get(NAMESPACE)
        self.works = ctx.informers.get(WORK)
        self.leases = ctx.informers.get(LEASE, namespace=CLUSTER_NAMESPACE)
        super().__init__(informers=[self.clusters, self.namespaces, self.works, self.leases])
        self.monitor_period = ctx.options.cluster_monitor_period
        self.monitor_grace = ctx.options.cluster_monitor_grace_period
        self.startup_grace = ctx.options.cluster_startup_grace_period
        self.heartbeats: dict[str, cluster_heartbeat.Heartbeat] = {}
        self.clusters.add_handler(self.enqueue, self.enqueue_update, self.enqueue)
        self.namespaces.add_handler(on_delete=self._namespace_deleted)
        self.works.add_handler(on_delete=self._work_deleted)

    # -- event mapping ----------------------------------------------------

    def _namespace_deleted(self, namespace: namespace_pb2.Namespace) -> None:
        if cluster := cluster_of_execution_space(namespace.metadata.name):
            self.enqueue_key(cluster)

    def _work_deleted(self, work: work_pb2.Work) -> None:
        cluster = cluster_of_execution_space(work.metadata.namespace)
        current = self.clusters.get(cluster) if cluster else None
        if current is not None and current.metadata.HasField("deletion_timestamp"):
            self.enqueue_key(cluster)

    # -- reconcile --------------------------------------------------------

    async def reconcile(self, key: str) -> Requeue | None:
        cluster = self.clusters.get(key)
        if cluster is None:
            self.heartbeats.pop(key, None)
            return None
        if cluster.metadata.HasField("deletion_timestamp"):
            return await self._remove(cluster)
        await self._ensure_execution_space(cluster.metadata.name)
        await self._ensure_finalizer_and_taints(cluster)
        return None

    async def _ensure_execution_space(self, cluster: str) -> None:
        space = execution_space(cluster)
        if self.namespaces.get(space) is not None:
            return
        try:
            await self.client.create(NAMESPACE.new(name=space))
        except errors.AlreadyExists:
            return
        log.info("Created execution space", extra={"cluster": cluster, "namespace": space})

    async def _ensure_finalizer_and_taints(self, cluster: cluster_pb2.Cluster) -> None:
        if _finalized_and_tainted(cluster) is None:
            return
        # Re-read and recompute on conflict: the status controller writes the same object.
        try:
            updated = await self.client.guaranteed_update(
                CLUSTER, cluster.metadata.name, mutate=_finalized_and_tainted
            )
        except errors.NotFound:
            return
        log.info(
            "Updated cluster finalizer and taints",
            extra={
                "cluster": cluster.metadata.name,
                "taints": [f"{t.key}:{t.effect}" for t in updated.spec.taints],
            },
        )

    async def _remove(self, cluster: cluster_pb2.Cluster) -> Requeue | None:
        name = cluster.metadata.name
        if CLUSTER_FINALIZER not in cluster.metadata.finalizers:
            return None
        space = execution_space(name)
        # Read through the API, not the informer: a Work created a moment ago must not be missed.
        works, _ = await self.client.list_all(WORK, namespace=space)
        for work in works:
            if work.metadata.HasField("deletion_timestamp"):
                continue
            with contextlib.suppress(errors.NotFound):
                await self.client.delete(WORK, work.metadata.name, space)
        if works:
            log.info(
                "Waiting for the Works of a leaving cluster to be removed",
                extra={"cluster": name, "namespace": space, "works": len(works)},
            )
            return Requeue(REMOVAL_RECHECK_SECONDS)
        with contextlib.suppress(errors.NotFound):
            await self.client.delete(NAMESPACE, space)
        try:
            await self.client.get(NAMESPACE, space)
        except errors.NotFound:
            pass
        else:
            log.info("Waiting for the execution space to go", extra={"cluster": name})
            return Requeue(REMOVAL_RECHECK_SECONDS)
        self.heartbeats.pop(name, None)
        await self.client.guaranteed_update(CLUSTER, name, mutate=_without_finalizer)
        log.info(
            "Removed execution space and finalizer of leaving cluster", extra={"cluster": name}
        )
        return None

    # -- Pull heartbeat monitor -------------------------------------------

    async def run(self, *, workers: int = 1) -> None:
        monitor = asyncio.create_task(self._monitor(), name="cluster-health-monitor")
        try:
            await super().run(workers=workers)
        finally:
            monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await monitor

    async def _monitor(self) -> None:
        await self.clusters.wait_for_sync()
        await self.leases.wait_for_sync()
        while True:
            for cluster in self.clusters.list():
                if cluster.spec.sync_mode != "Pull":
                    continue
                try:
                    await self._check_heartbeat(cluster)
                except Exception:
                    log.exception(
                        "Checking cluster heartbeat failed",
                        extra={"controller": self.name, "cluster": cluster.metadata.name},
                    )
            await asyncio.sleep(self.monitor_period)

    async def _check_heartbeat(self, cluster: cluster_pb2.Cluster) -> None:
        name = cluster.metadata.name
        now = time.time()
        ready = find_condition(cluster.status.conditions, READY)
        lease: lease_pb2.Lease | None = self.leases.get(f"{CLUSTER_NAMESPACE}/{name}")
        renewed = (
            lease.spec.renew_time.ToNanoseconds() / 1e9
            if lease is not None and lease.spec.HasField("renew_time")
            else None
        )
        beat = cluster_heartbeat.observe(
            self.heartbeats.get(name),
            ready=None if ready is None else ready.SerializeToString(deterministic=True),
            renewed=renewed,
            created=cluster.metadata.creation_timestamp.ToNanoseconds() / 1e9,
            now=now,
        )
        self.heartbeats[name] = beat
        verdict = cluster_heartbeat.verdict(
            beat,
            ready_status=None if ready is None else ready.status,
            now=now,
            monitor_grace=self.monitor_grace,
            startup_grace=self.startup_grace,
        )
        if verdict is None:
            return

        changed = False

        def mutate(current: cluster_pb2.Cluster) -> cluster_pb2.Cluster | None:
            nonlocal changed
            changed = False
            existing = find_condition(current.status.conditions, READY)
            if existing is not None and existing.status == "Unknown":
                return None
            set_condition(
                current.status.conditions, READY, "Unknown", verdict.reason, verdict.message
            )
            changed = True
            return current

        written = await self.client.guaranteed_update(CLUSTER, name, mutate=mutate, status=True)
        condition = find_condition(written.status.conditions, READY)
        if condition is not None:
            # Our own write is no sign of life from the cluster.
            self.heartbeats[name] = dataclasses.replace(
                beat, ready=condition.SerializeToString(deterministic=True)
            )
        if changed:
            log.info(
                "Cluster stopped reporting; Ready is Unknown",
                extra={"cluster": name, "reason": verdict.reason},
            )


def new(ctx: ControllerContext) -> ClusterController:
    return ClusterController(ctx)
