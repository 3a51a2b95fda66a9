"""The execution controller's loop: events to Work keys, and one Work's reconcile.

Semantics are described in the package docstring; this module maps Work,
Cluster and member-watch events to Work keys and decides per Work what to do
(finalize, skip, wait out an outage, apply), writing the Dispatching and
Applied conditions.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from controller_manager import memberwatch
from controller_manager.context import ControllerContext
from controller_manager.controllers.execution.backoff import Outages, Retries
from controller_manager.controllers.execution.member_ops import (
    Identity,
    applied_message,
    apply_manifests,
    delete_objects,
    identity_of,
    stale,
)
from controller_manager.manifest_status import Found, Summary, apply_summary, summarize
from controller_manager.members import MemberUnavailable
from controller_manager.status_writes import write_work_status
from controller_manager.works import (
    cluster_of,
    cluster_ready,
    is_push,
    manifests_of,
    work_key_of,
)
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery import errors
from karmada.machinery.conditions import set_condition
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.informer import NAMESPACE_INDEX
from karmada.machinery.recent import RecentWrites
from karmada.machinery.scheme import CLUSTER, WORK
from karmada.member import LISTED, MemberClient, Seen, Unreachable
from karmada.names import EXECUTION_FINALIZER, execution_space
from karmada.templates import manifest_identity
from karmada.work.v1alpha1 import work_pb2

__all__ = ["APPLIED", "DISPATCHING", "ExecutionController"]

log = logging.getLogger(__name__)

APPLIED: Final = "Applied"
DISPATCHING: Final = "Dispatching"
APPLIED_OK: Final = ("True", "AppliedSuccessful", "Manifest has been successfully applied")
DISPATCHING_ON: Final = ("True", "Dispatching", "Work is being dispatched to member clusters.")
DISPATCHING_OFF: Final = (
    "False",
    "SuspendDispatching",
    "Work dispatching is in a suspended state.",
)

Condition = tuple[str, str, str, str]
"""(type, status, reason, message)."""


def _failed(message: str) -> Condition:
    return (APPLIED, "False", "AppliedFailed", message)


class ExecutionController(Controller):
    name = "execution"

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.members = ctx.members
        self.works = ctx.informers.get(WORK)
        self.recent = RecentWrites(self.works)
        self.clusters = ctx.informers.get(CLUSTER)
        super().__init__(informers=[self.works, self.clusters])
        self.watches = memberwatch.shared(ctx)
        self.outages = Outages()
        self.retries = Retries()
        self._applied: dict[str, tuple[Identity, ...]] = {}
        """What this process applied per Work (tuples: a Work has one object or a few)."""
        self.works.add_handler(self._work_event, self._work_updated, self._work_event)
        self.clusters.add_handler(self._cluster_event, self._cluster_updated, self._cluster_event)
        self.watches.subscribe(self._member_changed)

    async def run(self, *, workers: int = 1) -> None:
        async with self.watches.running():
            await super().run(workers=workers)

    # Event mapping

    def _work_event(self, work: work_pb2.Work) -> None:
        if cluster_of(work):
            self.enqueue(work)

    def _work_updated(self, old: work_pb2.Work, new: work_pb2.Work) -> None:
        o, n = old.metadata, new.metadata
        if (
            o.generation != n.generation
            or o.HasField("deletion_timestamp") != n.HasField("deletion_timestamp")
            or o.annotations != n.annotations
            or o.labels != n.labels
            or list(o.finalizers) != list(n.finalizers)
        ):
            self._work_event(new)

    def _cluster_event(self, cluster: cluster_pb2.Cluster) -> None:
        space = execution_space(cluster.metadata.name)
        for key in self.works.store.index_keys(NAMESPACE_INDEX, space):
            self.enqueue_key(key)

    def _cluster_updated(self, old: cluster_pb2.Cluster, new: cluster_pb2.Cluster) -> None:
        if (
            old.spec != new.spec
            or cluster_ready(old) != cluster_ready(new)
            or old.metadata.HasField("deletion_timestamp")
            != new.metadata.HasField("deletion_timestamp")
        ):
            self._cluster_event(new)

    def _member_changed(self, change: memberwatch.WatchChange) -> None:
        if change.type == LISTED:
            for key in self.watches.works_of(change.cluster, change.api_version, change.kind):
                self.enqueue_key(key)
            return
        if change.type == "MODIFIED" and not change.drifted:
            return
        for obj in (change.old, change.new):
            work_key = work_key_of(obj, change.cluster) if obj is not None else None
            if work_key:
                self.enqueue_key(work_key)

    # Reconcile

    async def reconcile(self, key: str) -> Requeue | None:
        work = self.recent.get(key)
        if work is None:
            self._forget(key)
            return None
        cluster_name = cluster_of(work)
        if not cluster_name:
            return None
        cluster = self.clusters.get(cluster_name)
        if cluster is not None and not is_push(cluster):
            return None
        if work.metadata.HasField("deletion_timestamp"):
            return await self._finalize(key, work, cluster)
        if cluster is None:
            return None
        if EXECUTION_FINALIZER not in work.metadata.finalizers:
            work = await self._add_finalizer(work)
        if work.spec.suspend_dispatching:
            await self._set_conditions(work, [(DISPATCHING, *DISPATCHING_OFF)])
            return None
        dispatching = (DISPATCHING, *DISPATCHING_ON)
        if cluster_ready(cluster) in ("False", "Unknown") or cluster.metadata.HasField(
            "deletion_timestamp"
        ):
            await self._set_conditions(work, [dispatching])
            return None
        now = time.monotonic()
        outage = self.outages.current(cluster_name, now)
        if outage is not None:
            message = f"cluster {cluster_name} is unreachable, will retry: {outage.error}"
            await self._set_conditions(work, [dispatching, _failed(message)])
            return Requeue(max(outage.until - now, 0.1))
        try:
            client = await self.members.client(cluster_name)
        except MemberUnavailable as error:
            await self._set_conditions(work, [dispatching, _failed(str(error))])
            return self._retry(key, str(error))
        return await self._sync(key, work, client, dispatching)

    async def _sync(
        self, key: str, work: work_pb2.Work, client: MemberClient, dispatching: Condition
    ) -> Requeue | None:
        manifests = manifests_of(work)
        outcome = await apply_manifests(client, work, manifests, self._seen_in(client.cluster))
        if outcome.unreachable is None:
            self.outages.recovered(client.cluster)
            candidates = set(self._applied.get(key, ())) | {
                identity_of(obj) for obj in self.watches.objects_of_work(key)
            }
            try:
                failed, failures = await delete_objects(client, work, stale(candidates, manifests))
            except Unreachable as error:
                outcome.unreachable = error
                outcome.failures.append(str(error))
            else:
                outcome.failures += failures
                self._applied[key] = tuple(sorted(outcome.applied | failed))
        for ordinal, (stored, _) in outcome.stored.items():
            manifest = manifests[ordinal]
            self.watches.observe(
                client.cluster, str(manifest["apiVersion"]), str(manifest["kind"]), stored
            )
        summary = None
        if outcome.failures:
            message = applied_message(len(outcome.applied), len(manifests), outcome.failures)
            result = _failed(message)
        else:
            result = (APPLIED, *APPLIED_OK)
            found = [Found(*outcome.stored[ordinal]) for ordinal in range(len(manifests))]
            summary = summarize(manifests, found)
        await self._set_conditions(work, [dispatching, result], summary)
        if outcome.unreachable is not None:
            return Requeue(self._unreachable(client.cluster, outcome.unreachable))
        if outcome.failures:
            return self._retry(key, result[3])
        self.retries.forget(key)
        log.debug("Work applied", extra={"work": key, "cluster": client.cluster})
        return None

    def _seen_in(self, cluster: str) -> Callable[[Mapping[str, Any]], Seen | None]:
        def seen(manifest: Mapping[str, Any]) -> Seen | None:
            """Absent, if the member watch says so (its copies are partial: no more than that)."""
            api_version, kind, namespace, name = manifest_identity(manifest)
            found = self.watches.lookup(cluster, api_version, kind, namespace, name)
            return Seen(None) if found is not None and found.object is None else None

        return seen

    # Deletion

    async def _finalize(
        self, key: str, work: work_pb2.Work, cluster: cluster_pb2.Cluster | None
    ) -> Requeue | None:
        if EXECUTION_FINALIZER not in work.metadata.finalizers:
            self._forget(key)
            return None
        if cluster is None or work.spec.preserve_resources_on_deletion:
            return await self._release(key, work)
        leaving = cluster.metadata.HasField("deletion_timestamp")
        if cluster_ready(cluster) in ("False", "Unknown"):
            return await self._release(key, work) if leaving else None
        name = cluster.metadata.name
        now = time.monotonic()
        outage = self.outages.current(name, now)
        if outage is not None:
            if leaving:
                return await self._release(key, work)
            return Requeue(max(outage.until - now, 0.1))
        try:
            client = await self.members.client(name)
        except MemberUnavailable as error:
            return await self._release(key, work) if leaving else self._retry(key, str(error))
        targets = {identity_of(manifest) for manifest in manifests_of(work)}
        targets |= set(self._applied.get(key, ()))
        targets |= {identity_of(obj) for obj in self.watches.objects_of_work(key)}
        try:
            _, failures = await delete_objects(client, work, targets)
        except Unreachable as error:
            if leaving:
                return await self._release(key, work)
            return Requeue(self._unreachable(name, error))
        self.outages.recovered(name)
        if failures:
            return self._retry(key, "; ".join(failures))
        return await self._release(key, work)

    async def _release(self, key: str, work: work_pb2.Work) -> Requeue | None:
        def mutate(current: work_pb2.Work) -> work_pb2.Work | None:
            if EXECUTION_FINALIZER not in current.metadata.finalizers:
                return None
            current.metadata.finalizers.remove(EXECUTION_FINALIZER)
            return current

        with contextlib.suppress(errors.NotFound):
            await self.client.guaranteed_update(
                WORK, work.metadata.name, work.metadata.namespace, mutate=mutate, cached=work
            )
        self._forget(key)
        return None

    # Bookkeeping

    def _forget(self, key: str) -> None:
        self._applied.pop(key, None)
        self.retries.forget(key)

    def _retry(self, key: str, error: str) -> Requeue:
        delay = self.retries.failed(key)
        log.warning(
            "Work not fully applied; retrying", extra={"work": key, "error": error, "delay": delay}
        )
        return Requeue(delay)

    def _unreachable(self, cluster: str, error: Unreachable) -> float:
        delay = self.outages.failed(cluster, str(error), time.monotonic())
        log.warning(
            "Member unreachable; holding its Works back",
            extra={"cluster": cluster, "error": str(error), "delay": delay},
        )
        return delay

    # Writes

    async def _add_finalizer(self, work: work_pb2.Work) -> work_pb2.Work:
        def mutate(current: work_pb2.Work) -> work_pb2.Work | None:
            if EXECUTION_FINALIZER in current.metadata.finalizers:
                return None
            current.metadata.finalizers.append(EXECUTION_FINALIZER)
            return current

        updated = await self.client.guaranteed_update(
            WORK, work.metadata.name, work.metadata.namespace, mutate=mutate, cached=work
        )
        self.recent.record(updated)
        return updated

    async def _set_conditions(
        self, work: work_pb2.Work, conditions: list[Condition], summary: Summary | None = None
    ) -> None:
        """Writes the conditions (and the summary) unless the cached Work already says the same."""
        generation = work.metadata.generation

        def apply(target: work_pb2.Work) -> bool:
            changed = summary is not None and apply_summary(target, summary)
            for type_, status, reason, message in conditions:
                changed |= set_condition(
                    target.status.conditions,
                    type_,
                    status,
                    reason,
                    message,
                    observed_generation=generation,
                )
            return changed

        if (written := await write_work_status(self.client, work, apply)) is not None:
            self.recent.record(written)
