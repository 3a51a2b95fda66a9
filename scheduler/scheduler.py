"""The scheduling loop: binding and cluster events in, scheduling results written back.

Informers keep bindings (both kinds) and clusters in memory; their handlers only
decide which bindings may need a new schedule and queue them. Workers take a
key, ask `triggers.decide` what kind of schedule it needs, run the algorithm
against the current cluster snapshot, and write `spec.clusters` (with the
applied-placement annotation) together with the status in one Bind call (as
kube's pods/binding), skipping it when it would change nothing, so steady state
costs no apiserver writes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Protocol

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.conditions import find_condition
from karmada.machinery.informer import Informer
from karmada.machinery.scheme import CLUSTER, CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING, Kind
from karmada.meta.v1 import meta_pb2
from karmada.names import APPLIED_PLACEMENT_ANNOTATION
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2
from scheduler import algorithm
from scheduler.events import ClusterEvents, scheduling_relevant_change
from scheduler.framework.runtime import Framework
from scheduler.framework.types import BindingInfo, ClusterInfo, ScheduleError
from scheduler.metrics import E2E_DURATION, SCHEDULE_ATTEMPTS
from scheduler.queue import Outcome, SchedulingQueue
from scheduler.triggers import (
    SCHEDULED_CONDITION,
    ScheduleType,
    decide,
    placement_json,
)

__all__ = ["Scheduler"]

log = logging.getLogger(__name__)

SUCCESS_REASON = "Success"
SUCCESS_MESSAGE = "Binding has been scheduled successfully."

RB_PREFIX = "rb:"
CRB_PREFIX = "crb:"


class Binding(Protocol):
    """What ResourceBinding and ClusterResourceBinding have in common."""

    @property
    def metadata(self) -> meta_pb2.ObjectMeta: ...
    @property
    def spec(self) -> rb_pb2.ResourceBindingSpec: ...
    @property
    def status(self) -> rb_pb2.ResourceBindingStatus: ...


def binding_key(obj: Binding) -> str:
    if obj.metadata.namespace:
        return f"{RB_PREFIX}{obj.metadata.namespace}/{obj.metadata.name}"
    return f"{CRB_PREFIX}{obj.metadata.name}"


def _result_clusters(obj: Any) -> list[str]:
    return [target.name for target in obj.spec.clusters]


def _needs_look(old: Binding, new: Binding) -> bool:
    """Whether an update may need scheduling; status-only writes never do."""
    return (
        old.metadata.generation != new.metadata.generation
        or old.metadata.annotations.get(APPLIED_PLACEMENT_ANNOTATION)
        != new.metadata.annotations.get(APPLIED_PLACEMENT_ANNOTATION)
        or old.metadata.HasField("deletion_timestamp")
        != new.metadata.HasField("deletion_timestamp")
    )


class Scheduler:
    """Schedules every binding of the default scheduler.

    Args:
        client: The apiserver connection.
        framework: The filter and score plugins to run.
        workers: Bindings scheduled concurrently (the algorithm itself runs on the
            event loop; concurrency overlaps the apiserver writes).
    """

    def __init__(self, client: Client, framework: Framework, *, workers: int = 16) -> None:
        self.client = client
        self.framework = framework
        self.workers = workers
        self.queue = SchedulingQueue()
        self.bindings: Informer[rb_pb2.ResourceBinding] = Informer(client, RESOURCE_BINDING)
        self.cluster_bindings: Informer[crb_pb2.ClusterResourceBinding] = Informer(
            client, CLUSTER_RESOURCE_BINDING
        )
        self.clusters: Informer[cluster_pb2.Cluster] = Informer(client, CLUSTER)
        self.snapshot: dict[str, ClusterInfo] = {}
        self._sorted: list[ClusterInfo] | None = None
        self.version = 0
        """Changes whenever a cluster changes in a way the algorithm can see."""
        self.cache = algorithm.EquivalenceCache()
        self._cluster_changed: set[str] = set()
        for informer in (self.bindings, self.cluster_bindings):
            informer.store.add_index("cluster", _result_clusters)
            informer.add_handler(self._binding_added, self._binding_updated, self._binding_deleted)
        self.cluster_events = ClusterEvents(self)
        self.clusters.add_handler(
            self.cluster_events.added, self.cluster_events.updated, self.cluster_events.deleted
        )

    @property
    def synced(self) -> bool:
        return all(i.has_synced for i in (self.bindings, self.cluster_bindings, self.clusters))

    async def run(self) -> None:
        """Runs informers and workers until cancelled."""
        informers = (self.clusters, self.bindings, self.cluster_bindings)
        for informer in informers:
            informer.start()
        try:
            for informer in informers:
                await informer.wait_for_sync()
            log.info("Informers synced; scheduling", extra={"bindings": len(self.bindings.store)})
            async with asyncio.TaskGroup() as group:
                for i in range(self.workers):
                    group.create_task(self._worker(), name=f"schedule-worker-{i}")
        finally:
            self.queue.close()
            for informer in informers:
                await informer.stop()

    # -- cluster snapshot -------------------------------------------------

    def cluster_list(self) -> list[ClusterInfo]:
        if self._sorted is None:
            self._sorted = sorted(self.snapshot.values(), key=lambda info: info.name)
        return self._sorted

    def set_cluster(self, info: ClusterInfo) -> None:
        old = self.snapshot.get(info.name)
        self.snapshot[info.name] = info
        self._sorted = None
        if old is None or scheduling_relevant_change(old, info):
            self.version += 1

    def remove_cluster(self, name: str) -> None:
        self.snapshot.pop(name, None)
        self._sorted = None
        self.version += 1

    def all_bindings(self) -> list[Binding]:
        out: list[Binding] = []
        out.extend(self.bindings.list())
        out.extend(self.cluster_bindings.list())
        return out

    def bindings_on(self, cluster: str) -> list[Binding]:
        out: list[Binding] = []
        out.extend(self.bindings.by_index("cluster", cluster))
        out.extend(self.cluster_bindings.by_index("cluster", cluster))
        return out

    def cluster_changed(self, obj: Binding, event: str) -> None:
        key = binding_key(obj)
        self._cluster_changed.add(key)
        self.queue.add(key, event)

    # -- binding events -----------------------------------------------------

    def _binding_added(self, obj: Binding) -> None:
        if decide(obj.metadata, obj.spec, obj.status) is not None:
            self.queue.add(binding_key(obj), "BindingAdd")

    def _binding_updated(self, old: Binding, new: Binding) -> None:
        if _needs_look(old, new) and decide(new.metadata, new.spec, new.status) is not None:
            self.queue.add(binding_key(new), "BindingUpdate")

    def _binding_deleted(self, obj: Binding) -> None:
        key = binding_key(obj)
        self._cluster_changed.discard(key)
        self.queue.forget(key)

    # -- workers ------------------------------------------------------------

    def _lookup(self, key: str) -> tuple[Kind[Any], Binding | None]:
        if key.startswith(RB_PREFIX):
            return RESOURCE_BINDING, self.bindings.get(key[len(RB_PREFIX) :])
        return CLUSTER_RESOURCE_BINDING, self.cluster_bindings.get(key[len(CRB_PREFIX) :])

    async def _worker(self) -> None:
        while (key := await self.queue.pop()) is not None:
            outcome = Outcome.ERROR
            try:
                outcome = await self.schedule_key(key)
            except (errors.Conflict, errors.NotFound) as error:
                outcome = Outcome.CONFLICT
                log.info(
                    "Binding changed while scheduling; retrying",
                    extra={"binding": key, "error": str(error)},
                )
            except Exception:
                log.exception("Scheduling failed", extra={"binding": key})
            finally:
                self.queue.done(key, outcome)

    async def schedule_key(self, key: str) -> Outcome:
        kind, obj = self._lookup(key)
        cluster_changed = key in self._cluster_changed
        self._cluster_changed.discard(key)
        if obj is None:
            return Outcome.SCHEDULED
        schedule_type = decide(obj.metadata, obj.spec, obj.status, cluster_changed=cluster_changed)
        if schedule_type is None:
            return Outcome.SCHEDULED
        start = time.perf_counter()
        info = BindingInfo(
            namespace=obj.metadata.namespace,
            name=obj.metadata.name,
            uid=obj.metadata.uid,
            spec=obj.spec,
            status=obj.status,
            previous={target.name: target.replicas for target in obj.spec.clusters},
        )
        try:
            decision = algorithm.schedule(
                info,
                self.cluster_list(),
                self.framework,
                fresh=schedule_type is ScheduleType.FRESH,
                cache=self.cache,
                version=self.version,
            )
        except ScheduleError as failure:
            await self._write_failure(kind, obj, failure)
            self._observe("unschedulable", schedule_type, start)
            log.info(
                "Binding unschedulable",
                extra={"binding": key, "reason": failure.reason, "detail": failure.message},
            )
            return Outcome.UNSCHEDULABLE
        except Exception:
            self._observe("error", schedule_type, start)
            raise
        await self._write_success(kind, obj, decision, schedule_type)
        self._observe("scheduled", schedule_type, start)
        return Outcome.SCHEDULED

    @staticmethod
    def _observe(result: str, schedule_type: ScheduleType, start: float) -> None:
        SCHEDULE_ATTEMPTS.labels(result, schedule_type.value).inc()
        E2E_DURATION.labels(result, schedule_type.value).observe(time.perf_counter() - start)

    async def _write_success(
        self,
        kind: Kind[Any],
        obj: Binding,
        decision: algorithm.Decision,
        schedule_type: ScheduleType,
    ) -> None:
        applied = placement_json(obj.spec.placement)
        unchanged = (
            list(obj.spec.clusters) == decision.clusters
            and obj.metadata.annotations.get(APPLIED_PLACEMENT_ANNOTATION) == applied
            and obj.status.scheduler_observing_affinity_name == decision.affinity_name
            and _condition_current(obj, "True", SUCCESS_REASON, SUCCESS_MESSAGE)
        )
        if unchanged and schedule_type is not ScheduleType.FRESH:
            return
        await self.client.bind(
            kind,
            name=obj.metadata.name,
            namespace=obj.metadata.namespace,
            resource_version=obj.metadata.resource_version,
            clusters=decision.clusters,
            applied_placement=applied,
            affinity_name=decision.affinity_name,
            condition=meta_pb2.Condition(
                type=SCHEDULED_CONDITION,
                status="True",
                reason=SUCCESS_REASON,
                message=SUCCESS_MESSAGE,
            ),
        )

    async def _write_failure(self, kind: Kind[Any], obj: Binding, failure: ScheduleError) -> None:
        if _condition_current(obj, "False", failure.reason, failure.message):
            return
        await self.client.bind(
            kind,
            name=obj.metadata.name,
            namespace=obj.metadata.namespace,
            resource_version=obj.metadata.resource_version,
            clusters=list(obj.spec.clusters),
            condition=meta_pb2.Condition(
                type=SCHEDULED_CONDITION,
                status="False",
                reason=failure.reason,
                message=failure.message,
            ),
        )


def _condition_current(obj: Binding, status: str, reason: str, message: str) -> bool:
    """Whether the binding's status already says this about its current generation."""
    if obj.status.scheduler_observed_generation != obj.metadata.generation:
        return False
    condition = find_condition(list(obj.status.conditions), SCHEDULED_CONDITION)
    return condition is not None and (condition.status, condition.reason, condition.message) == (
        status,
        reason,
        message,
    )
