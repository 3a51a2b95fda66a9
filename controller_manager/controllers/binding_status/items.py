"""What a binding's status says about its Works: one item per target cluster, and FullyApplied.

Karmada's helper.AggregateResourceBindingWorkStatus (pkg/util/helper/
workstatus.go), as pure functions of the binding's spec and its Works:

* the target clusters are those of ``spec.clusters`` and of the bindings
  that require this one (``spec.requiredBy``, propagateDeps); clusters being
  evicted gracefully keep their item while their Work exists;
* a cluster's item says whether its Work is applied (the Work's ``Applied``
  condition; when it is not True, its message), and, once applied, the
  status and health its work status controller recorded for the
  template's manifest (matched by group, kind, namespace and name);
  otherwise health is "Unknown";
* ``FullyApplied`` is True (``FullyAppliedSuccess``) when the binding has
  target clusters and every item is applied, False
  (``FullyAppliedFailed``) otherwise.

Better than Karmada: a target cluster whose Work does not exist yet (or is
being deleted) still gets an item, applied False, so a missing Work is
visible instead of the list merely being short; and Works left in clusters
the binding no longer targets (about to be deleted by the binding
controller) do not show up. Karmada's latest FullyApplied also requires
every item to be Healthy; here it means applied, as its name says, and
health is reported per item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from karmada.machinery.conditions import find_condition
from karmada.machinery.structs import to_dict
from karmada.work.v1alpha1 import work_pb2
from karmada.work.v1alpha2.resource_binding_pb2 import (
    AggregatedStatusItem,
    ObjectReference,
    ResourceBindingSpec,
)

__all__ = [
    "FULLY_APPLIED",
    "FULLY_APPLIED_FAILED_MESSAGE",
    "FULLY_APPLIED_FAILED_REASON",
    "FULLY_APPLIED_SUCCESS_MESSAGE",
    "FULLY_APPLIED_SUCCESS_REASON",
    "aggregated_items",
    "fully_applied",
    "reflected",
    "target_clusters",
]

FULLY_APPLIED: Final = "FullyApplied"
FULLY_APPLIED_SUCCESS_REASON: Final = "FullyAppliedSuccess"
FULLY_APPLIED_FAILED_REASON: Final = "FullyAppliedFailed"
FULLY_APPLIED_SUCCESS_MESSAGE: Final = "All works have been successfully applied"
FULLY_APPLIED_FAILED_MESSAGE: Final = (
    "Failed to apply all works, see status.aggregatedStatus for details"
)
WORK_APPLIED: Final = "Applied"
UNKNOWN: Final = "Unknown"
# Evictions that remove the Work at once leave nothing to report.
_IMMEDIATE_PURGE: Final = frozenset({"Directly", "Immediately"})


def target_clusters(spec: ResourceBindingSpec) -> tuple[list[str], list[str]]:
    """(targets, evicting): the clusters the binding must be applied to, and those it is leaving.

    Both sorted; a cluster is in at most one of them.
    """
    targets = {cluster.name for cluster in spec.clusters if cluster.name}
    for snapshot in spec.required_by:
        targets.update(cluster.name for cluster in snapshot.clusters if cluster.name)
    evicting = {
        task.from_cluster
        for task in spec.graceful_eviction_tasks
        if task.from_cluster and task.purge_mode not in _IMMEDIATE_PURGE
    }
    return sorted(targets), sorted(evicting - targets)


def _manifest_status(
    work: work_pb2.Work, resource: ObjectReference
) -> work_pb2.ManifestStatus | None:
    group = resource.api_version.rpartition("/")[0]
    for status in work.status.manifest_statuses:
        identifier = status.identifier
        if (
            identifier.group == group
            and identifier.kind == resource.kind
            and identifier.namespace == resource.namespace
            and identifier.name == resource.name
        ):
            return status
    return None


def _item(
    cluster: str, work: work_pb2.Work | None, resource: ObjectReference
) -> AggregatedStatusItem:
    item = AggregatedStatusItem(cluster_name=cluster, applied=False, health=UNKNOWN)
    if work is None:
        return item
    condition = find_condition(work.status.conditions, WORK_APPLIED)
    if condition is None:
        return item
    if condition.status != "True":
        item.applied_message = condition.message
        return item
    item.applied = True
    manifest = _manifest_status(work, resource)
    if manifest is not None:
        if manifest.HasField("status"):
            item.status.CopyFrom(manifest.status)
        item.health = manifest.health or UNKNOWN
    return item


def aggregated_items(
    spec: ResourceBindingSpec, works: Mapping[str, work_pb2.Work]
) -> list[AggregatedStatusItem]:
    """One item per target cluster (and per evicting cluster whose Work remains), by cluster name.

    Args:
        spec: the binding's spec.
        works: the binding's Works by cluster, without Works being deleted.
    """
    targets, evicting = target_clusters(spec)
    clusters = sorted([*targets, *(cluster for cluster in evicting if cluster in works)])
    return [_item(cluster, works.get(cluster), spec.resource) for cluster in clusters]


def fully_applied(spec: ResourceBindingSpec, items: list[AggregatedStatusItem]) -> bool:
    """Whether the binding has target clusters and every one of them has its Work applied."""
    targets, _ = target_clusters(spec)
    applied = {item.cluster_name for item in items if item.applied}
    return bool(targets) and all(item.applied for item in items) and set(targets) <= applied


def reflected(item: AggregatedStatusItem) -> dict[str, Any] | None:
    """The item's status as the interpreter takes it (None when not collected)."""
    return to_dict(item.status) if item.HasField("status") else None
