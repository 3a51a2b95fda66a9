"""The cluster status controller: what every Push cluster reports, collected every few seconds.

As Karmada's pkg/controllers/status/cluster_status_controller.go, for each
Push cluster carrying the cluster controller's finalizer, every
``--cluster-status-update-frequency`` seconds:

1. reach the member through the credentials the control plane holds
   (`Members`); if that is impossible (no Secret, no endpoint, bad
   credentials) Ready is False with reason ``StatusCollectionFailed``;
2. probe ``/readyz`` (``/healthz`` if absent): Ready True ``ClusterReady``
   "cluster is healthy and ready to accept workloads", or False
   ``ClusterNotReady`` (answered, not ok) / ``ClusterNotReachable`` (no
   answer), with the probe's detail after Karmada's message;
3. pass the outcome through the success/failure thresholds
   (`cluster_health`), so one lost probe does not flip Ready;
4. if the cluster is healthy and Ready: Kubernetes version, API enablements
   (+ ``CompleteAPIEnablements``: Complete / Partial / Empty) and the node and
   resource summaries;
5. write the status only if it changed (conditions keep their
   lastTransitionTime unless their status flips, so an unchanged cluster
   costs no write), and export Karmada's cluster metrics.

Where Karmada is weak we keep what we had instead of erasing it: a failed
version or summary read keeps the previous value, a group/version whose
discovery failed keeps its previous resources, and an empty discovery keeps
the previous list (Karmada drops it, which makes the scheduler's API
filter reject the cluster on a transient error). The condition still says
the list is Partial/Empty.

One slow member does not hold up the rest: members are reconciled by
``--workers`` concurrent workers, every member call is bounded by
``--member-timeout``, and the reads of one sync run concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from controller_manager.context import ControllerContext
from controller_manager.controllers import cluster_metrics
from controller_manager.controllers.cluster_health import ThresholdStore
from controller_manager.members import MemberUnavailable
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery import errors
from karmada.machinery.conditions import find_condition, set_condition
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.scheme import CLUSTER
from karmada.member import ApiEnablements, MemberClient, MemberError
from karmada.names import CLUSTER_FINALIZER

__all__ = ["NAME", "ClusterStatusController", "merge_status", "new", "set_api_enablements"]

NAME = "clusterStatus"

log = logging.getLogger(__name__)

READY = "Ready"
COMPLETE_API_ENABLEMENTS = "CompleteAPIEnablements"
STATUS_COLLECTION_FAILED = "StatusCollectionFailed"


def _has_finalizer(cluster: cluster_pb2.Cluster) -> bool:
    return CLUSTER_FINALIZER in cluster.metadata.finalizers


class ClusterStatusController(Controller):
    name = "clusterStatus"

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.members = ctx.members
        self.clusters = ctx.informers.get(CLUSTER)
        super().__init__(informers=[self.clusters])
        self.frequency = ctx.options.cluster_status_update_frequency
        self.thresholds = ThresholdStore(
            success_threshold=ctx.options.cluster_success_threshold,
            failure_threshold=ctx.options.cluster_failure_threshold,
        )
        self.clusters.add_handler(self.enqueue, self._updated, self.enqueue)

    def _updated(self, old: cluster_pb2.Cluster, new: cluster_pb2.Cluster) -> None:
        # Karmada's GenerationChangedPredicate: our own status writes must not
        # trigger a collection; the finalizer's arrival must (collection waits for it).
        if (
            old.metadata.generation != new.metadata.generation
            or _has_finalizer(old) != _has_finalizer(new)
            or old.metadata.HasField("deletion_timestamp")
            != new.metadata.HasField("deletion_timestamp")
        ):
            self.enqueue(new)

    async def reconcile(self, key: str) -> Requeue | None:
        cluster = self.clusters.get(key)
        if cluster is None:
            self.thresholds.forget(key)
            cluster_metrics.forget_cluster(key)
            await self.members.forget(key)
            return None
        if cluster.spec.sync_mode == "Pull":
            return None
        if not _has_finalizer(cluster):
            # The cluster controller adds it first; its update event brings us back.
            return Requeue(self.frequency)
        started = time.perf_counter()
        try:
            desired = await self._collect(cluster)
            status = await self._write(cluster, desired)
        finally:
            cluster_metrics.record_sync_duration(key, time.perf_counter() - started)
        cluster_metrics.record_status(key, status)
        return Requeue(self.frequency)

    # -- collection -------------------------------------------------------

    async def _collect(self, cluster: cluster_pb2.Cluster) -> cluster_pb2.ClusterStatus:
        name = cluster.metadata.name
        desired = cluster_pb2.ClusterStatus()
        desired.CopyFrom(cluster.status)
        try:
            member = await self.members.client(name)
        except MemberUnavailable as error:
            changed = set_condition(
                desired.conditions,
                READY,
                "False",
                STATUS_COLLECTION_FAILED,
                f"failed to create a ClusterClient: {error}",
            )
            if changed:
                log.warning(
                    "Cannot build a client of the cluster",
                    extra={"cluster": name, "error": str(error)},
                )
            return desired
        probe_started = time.perf_counter()
        health = await member.health()
        cluster_metrics.record_probe(
            name, healthy=health.healthy, seconds=time.perf_counter() - probe_started
        )
        observed = "True" if health.healthy else "False"
        current = find_condition(cluster.status.conditions, READY)
        publish = self.thresholds.publish(
            name,
            observed=observed,
            current=None if current is None else current.status,
            now=time.monotonic(),
        )
        if publish:
            set_condition(desired.conditions, READY, observed, health.reason, health.message)
            ready = observed
        else:
            assert current is not None  # a cluster without Ready always publishes
            ready = current.status
            log.info(
                "Cluster health changed; waiting for the threshold before reporting it",
                extra={"cluster": name, "observed": observed, "reported": ready},
            )
        if health.healthy and ready == "True":
            await self._collect_details(name, member, desired)
        return desired

    async def _collect_details(
        self, name: str, member: MemberClient, desired: cluster_pb2.ClusterStatus
    ) -> None:
        """Version, API enablements and summaries, read concurrently; failures keep old values."""

        async def guarded(what: str, read: Callable[[], Awaitable[None]]) -> None:
            try:
                await read()
            except MemberError as error:
                failure = error.message
            except (ValueError, KeyError, TypeError) as error:
                failure = f"malformed answer: {type(error).__name__}: {error}"
            else:
                return
            log.warning(
                "Collecting cluster status failed; keeping the previous value",
                extra={"cluster": name, "what": what, "error": failure},
            )
            if what == "apiEnablements":
                set_api_enablements(desired, ApiEnablements(enablements=[]))

        async def version() -> None:
            desired.kubernetes_version = await member.version()

        async def apis() -> None:
            set_api_enablements(desired, await member.api_enablements())

        async def summaries() -> None:
            nodes, resources = await member.summaries()
            desired.node_summary.CopyFrom(nodes.to_proto())
            # Resource modeling is not computed here; keep what another writer put.
            summary = resources.to_proto()
            summary.allocatable_modelings.extend(desired.resource_summary.allocatable_modelings)
            desired.resource_summary.CopyFrom(summary)

        async with asyncio.TaskGroup() as group:
            group.create_task(guarded("version", version))
            group.create_task(guarded("apiEnablements", apis))
            group.create_task(guarded("summaries", summaries))

    # -- write ------------------------------------------------------------

    async def _write(
        self, cluster: cluster_pb2.Cluster, desired: cluster_pb2.ClusterStatus
    ) -> cluster_pb2.ClusterStatus:
        """Writes `desired` if it differs from what the cluster carries; the resulting status."""
        if desired == cluster.status:
            return cluster.status
        updated = cluster_pb2.Cluster()
        updated.CopyFrom(cluster)
        updated.status.CopyFrom(desired)
        try:
            written = await self.client.update_status(updated)
        except errors.Conflict:
            written = await self.client.guaranteed_update(
                CLUSTER,
                cluster.metadata.name,
                mutate=lambda fresh: merge_status(fresh, desired),
                status=True,
            )
        log.debug("Updated cluster status", extra={"cluster": cluster.metadata.name})
        return written.status


def set_api_enablements(desired: cluster_pb2.ClusterStatus, collected: ApiEnablements) -> None:
    """The collected API enablements and the CompleteAPIEnablements condition saying how complete.

    A group/version whose discovery failed keeps its previous resources; an
    empty collection keeps the previous list altogether.
    """
    fresh = [e.to_proto() for e in collected.enablements]
    if not fresh:
        set_condition(
            desired.conditions,
            COMPLETE_API_ENABLEMENTS,
            "False",
            "Empty",
            "collected empty APIEnablements from the cluster",
        )
        return
    if collected.complete:
        reason, status = "Complete", "True"
        message = "collected complete APIEnablements from the cluster"
    else:
        got = {e.group_version for e in fresh}
        for kept in desired.api_enablements:
            if kept.group_version in collected.failed and kept.group_version not in got:
                copy = cluster_pb2.ApiEnablement()
                copy.CopyFrom(kept)
                fresh.append(copy)
        fresh.sort(key=lambda e: e.group_version)
        reason, status = "Partial", "False"
        message = f"might collect partial APIEnablements({len(fresh)}) from the cluster"
    del desired.api_enablements[:]
    desired.api_enablements.extend(fresh)
    set_condition(desired.conditions, COMPLETE_API_ENABLEMENTS, status, reason, message)


def merge_status(
    fresh: cluster_pb2.Cluster, desired: cluster_pb2.ClusterStatus
) -> cluster_pb2.Cluster | None:
    """Our fields of `desired` over a freshly read cluster (RetryOnConflict's re-apply)."""
    before = fresh.status.SerializeToString(deterministic=True)
    status = fresh.status
    status.kubernetes_version = desired.kubernetes_version
    del status.api_enablements[:]
    status.api_enablements.extend(desired.api_enablements)
    status.node_summary.CopyFrom(desired.node_summary)
    status.resource_summary.CopyFrom(desired.resource_summary)
    for condition in desired.conditions:
        if condition.type in (READY, COMPLETE_API_ENABLEMENTS):
            set_condition(
                status.conditions,
                condition.type,
                condition.status,
                condition.reason,
                condition.message,
            )
    if status.SerializeToString(deterministic=True) == before:
        return None
    return fresh


def new(ctx: ControllerContext) -> ClusterStatusController:
    return ClusterStatusController(ctx)
