"""The work status controller: member objects' status and health into their Works.

As Karmada's pkg/controllers/status/work_status_controller.go: for each Work
of a Push cluster, the objects its manifests produced are read from the
member watches shared with the execution controller
(`controller_manager.memberwatch`), and
``status.manifestStatuses[{identifier, status, health}]`` is written — the
identifier as Karmada builds it (ordinal, group, version, kind, resource,
namespace, name), the status as the resource interpreter reflects it, and
its health verdict. The ``Available`` condition sums it up
(`controller_manager.manifest_status`). The execution controller writes the
same summary from its apply's results with its Applied condition, so this
controller leaves a Work alone until Applied reports on the Work's current
generation, and then writes only when a member object's status moved.

Karmada keeps only the last reflected object (one manifest per Work); here
every manifest found in the member gets its entry, in manifest order, and a
manifest whose object is missing (or belongs to another Work) gets none. A
Work is reconciled when its manifests or Applied condition change, when any
of its objects changes in the member, when a kind's watch (re)lists, and
every `RESYNC_SECONDS` (five minutes). Until the watch of one of its kinds has listed (the
member not yet reached), the Work's status is left as it was. Recreating a
managed object deleted by hand is the execution controller's job (drift).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from controller_manager import memberwatch
from controller_manager.context import ControllerContext
from controller_manager.manifest_status import Found, apply_summary, summarize
from controller_manager.status_writes import write_work_status
from controller_manager.works import cluster_of, is_push, manifests_of, work_key_of
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery.conditions import find_condition
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.informer import NAMESPACE_INDEX, split_key
from karmada.machinery.scheme import CLUSTER, WORK
from karmada.member import LISTED
from karmada.member.marks import WorkRef, belongs_to
from karmada.names import cluster_of_execution_space, execution_space
from karmada.templates import manifest_identity
from karmada.work.v1alpha1 import work_pb2

__all__ = ["NAME", "RESYNC_SECONDS", "WorkStatusController", "new"]

NAME = "workStatus"

log = logging.getLogger(__name__)

RESYNC_SECONDS: Final = 300.0


def _applied_status(work: work_pb2.Work) -> str:
    condition = find_condition(work.status.conditions, "Applied")
    return condition.status if condition is not None else ""


class WorkStatusController(Controller):
    name = "workStatus"

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.works = ctx.informers.get(WORK)
        self.clusters = ctx.informers.get(CLUSTER)
        super().__init__(informers=[self.works, self.clusters])
        self.watches = memberwatch.shared(ctx)
        self.works.add_handler(self._work_event, self._work_updated)
        self.clusters.add_handler(self._cluster_event, self._cluster_updated)
        self.watches.subscribe(self._member_changed)

    async def run(self, *, workers: int = 1) -> None:
        async with self.watches.running():
            resync = asyncio.create_task(self._resync(), name="workStatus-resync")
            try:
                await super().run(workers=workers)
            finally:
                resync.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await resync

    async def _resync(self) -> None:
        while True:
            await asyncio.sleep(RESYNC_SECONDS)
            for key in list(self.works.store):
                if cluster_of_execution_space(split_key(key)[0]):
                    self.enqueue_key(key)

    # Event mapping

    def _work_event(self, work: work_pb2.Work) -> None:
        if cluster_of(work):
            self.enqueue(work)

    def _work_updated(self, old: work_pb2.Work, new: work_pb2.Work) -> None:
        if (
            old.metadata.generation != new.metadata.generation
            or _applied_status(old) != _applied_status(new)
            or old.metadata.HasField("deletion_timestamp")
            != new.metadata.HasField("deletion_timestamp")
        ):
            self._work_event(new)

    def _cluster_event(self, cluster: cluster_pb2.Cluster) -> None:
        space = execution_space(cluster.metadata.name)
        for key in self.works.store.index_keys(NAMESPACE_INDEX, space):
            self.enqueue_key(key)

    def _cluster_updated(self, old: cluster_pb2.Cluster, new: cluster_pb2.Cluster) -> None:
        if old.spec.sync_mode != new.spec.sync_mode:
            self._cluster_event(new)

    def _member_changed(self, change: memberwatch.WatchChange) -> None:
        if change.type == LISTED:
            for key in self.watches.works_of(change.cluster, change.api_version, change.kind):
                self.enqueue_key(key)
            return
        for obj in (change.old, change.new):
            work_key = work_key_of(obj, change.cluster) if obj is not None else None
            if work_key:
                self.enqueue_key(work_key)

    # Reconcile

    async def reconcile(self, key: str) -> Requeue | None:
        work = self.works.get(key)
        if work is None or work.metadata.HasField("deletion_timestamp"):
            return None
        cluster_name = cluster_of(work)
        cluster = self.clusters.get(cluster_name) if cluster_name else None
        if cluster is None or not is_push(cluster) or _being_applied(work):
            return None
        ref = WorkRef(work.metadata.namespace, work.metadata.name)
        manifests = manifests_of(work)
        found: list[Found] = []
        for manifest in manifests:
            api_version, kind, namespace, name = manifest_identity(manifest)
            lookup = self.watches.lookup(cluster_name, api_version, kind, namespace, name)
            if lookup is None:
                log.debug(
                    "Member objects not listed yet; status left as is",
                    extra={"work": key, "cluster": cluster_name, "kind": kind},
                )
                return None
            obj = lookup.object
            found.append(
                Found(obj if obj is not None and belongs_to(obj, ref) else None, lookup.resource)
            )
        summary = summarize(manifests, found)
        await write_work_status(self.client, work, lambda target: apply_summary(target, summary))
        return None


def _being_applied(work: work_pb2.Work) -> bool:
    """Whether the execution controller has yet to report on this generation of the Work.

    It writes the whole status of a Work it applied, so until then there is
    nothing to add (and a summary from a member watch that has not caught up
    with the apply would only be overwritten).
    """
    if work.spec.suspend_dispatching:
        return False
    applied = find_condition(work.status.conditions, "Applied")
    return applied is None or applied.observed_generation < work.metadata.generation


def new(ctx: ControllerContext) -> WorkStatusController:
    return WorkStatusController(ctx)
