"""Which bindings a cluster event concerns: the cluster side of the rescheduling triggers.

Karmada reschedules on few cluster changes (and never on capacity, issue #4434).
Here a cluster that is added, removed, relabelled, re-tainted, moved to another
provider/region/zone or that starts or stops serving a kind reschedules every
binding it could matter to: those placed on it, and those whose placement
could select it. Every cluster change — capacity included — also gives the
unschedulable bindings another try, since the change may be what they lacked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from karmada.cluster.v1alpha1 import cluster_pb2
from scheduler import algorithm
from scheduler.framework.types import ClusterInfo

if TYPE_CHECKING:
    from scheduler.scheduler import Binding, Scheduler

__all__ = ["ClusterEvents", "placement_relevant_change", "scheduling_relevant_change"]


def placement_relevant_change(old: ClusterInfo, new: ClusterInfo) -> bool:
    """Whether the change can alter which clusters a binding gets (capacity aside)."""
    return (
        old.labels != new.labels
        or old.provider != new.provider
        or old.region != new.region
        or old.zones != new.zones
        or list(old.taints) != list(new.taints)
        or old.enabled_kinds != new.enabled_kinds
        or old.complete_api_enablements != new.complete_api_enablements
        or old.deleting != new.deleting
    )


def scheduling_relevant_change(old: ClusterInfo, new: ClusterInfo) -> bool:
    """Whether anything a filter, score or estimate reads changed (capacity included)."""
    return (
        placement_relevant_change(old, new)
        or old.free != new.free
        or old.has_resource_summary != new.has_resource_summary
        or old.ready != new.ready
    )


class ClusterEvents:
    """Cluster informer handlers of one `Scheduler`."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler

    def added(self, cluster: cluster_pb2.Cluster) -> None:
        info = ClusterInfo.from_proto(cluster)
        self.scheduler.set_cluster(info)
        self.scheduler.queue.move_unschedulable("ClusterAdded")
        self._reschedule(self._selecting(info), "ClusterAdded")

    def updated(self, old: cluster_pb2.Cluster, new: cluster_pb2.Cluster) -> None:
        before = self.scheduler.snapshot.get(old.metadata.name) or ClusterInfo.from_proto(old)
        after = ClusterInfo.from_proto(new)
        self.scheduler.set_cluster(after)
        if placement_relevant_change(before, after):
            self.scheduler.queue.move_unschedulable("ClusterUpdated")
            affected = {id(b): b for b in self.scheduler.bindings_on(after.name)}
            for binding in self._selecting(after) + self._selecting(before):
                affected[id(binding)] = binding
            self._reschedule(list(affected.values()), "ClusterUpdated")
        elif before.free != after.free:
            self.scheduler.queue.move_unschedulable("ClusterCapacityChanged")

    def deleted(self, cluster: cluster_pb2.Cluster) -> None:
        self.scheduler.remove_cluster(cluster.metadata.name)
        self._reschedule(self.scheduler.bindings_on(cluster.metadata.name), "ClusterDeleted")

    def _selecting(self, info: ClusterInfo) -> list[Binding]:
        if not (self.scheduler.bindings.has_synced and self.scheduler.cluster_bindings.has_synced):
            # Before the first binding list every binding still arrives as an add and is
            # queued then; scanning now would cost clusters x bindings at startup.
            return []
        return [b for b in self.scheduler.all_bindings() if algorithm.could_select(b.spec, info)]

    def _reschedule(self, bindings: list[Binding], event: str) -> None:
        for binding in bindings:
            self.scheduler.cluster_changed(binding, event)
