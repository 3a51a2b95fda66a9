"""What Works a (Cluster)ResourceBinding should have: pure, table-tested rendering.

Karmada's pkg/controllers/binding/common.go (ensureWork) with
ctrlutil.CreateOrUpdateWork and the Work mutating webhook:

* targets: ``spec.clusters`` then the clusters of ``spec.requiredBy`` not
  already listed (mergeTargetClusters); each gets a Work named
  ``work_name(kind, name, namespace)`` in ``karmada-es-<cluster>``;
* kept: the targets plus the clusters of graceful eviction tasks whose purge
  mode is not Directly (or its old name Immediately): their Works stay until
  the task is done; every other Work of the binding is an orphan
  (ObtainBindingSpecExistingClusters);
* per cluster: the template as a manifest; when the binding has replicas,
  the cluster's share written by the interpreter's revise_replicas; for a
  Divided Job with ``spec.completions``, the completions spread over the
  clusters by their replicas (helper.SpreadReplicasByTargetClusters); then
  the override policies, last, as they have the final word;
* marks on the manifest: labels ``<binding>.karmada.io/permanent-id``,
  ``karmada.io/managed``, ``work.karmada.io/permanent-id``; annotations
  ``resourcetemplate.karmada.io/{generation,uid}``, the binding's name (and
  namespace), ``work.karmada.io/{namespace,name,conflict-resolution}``;
* the Work: label ``<binding>.karmada.io/permanent-id`` and
  ``work.karmada.io/permanent-id`` (a new uuid, kept once set, as Karmada's
  webhook does); annotations naming the binding, the conflict resolution
  (the template's own ``work.karmada.io/conflict-resolution`` annotation
  when it is abort or overwrite, else the binding's conflictResolution) and
  the applied overrides; ``suspendDispatching`` when the binding suspends
  dispatching everywhere or on that cluster; ``preserveResourcesOnDeletion``
  from the binding.

Better than Karmada: the completions of a Job are matched to clusters by
name (Karmada pairs them by position in a list it has re-sorted), and an
applied-overrides annotation is removed from the Work when the policy stops
applying (Karmada merges annotations and leaves the stale one).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

from controller_manager.interpreter import revise_replicas
from controller_manager.overrides import apply_overrides
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import resource_template_pb2
from karmada.machinery.structs import to_dict
from karmada.member.marks import (
    CONFLICT_RESOLUTION_ANNOTATION,
    CRB_NAME_ANNOTATION,
    CRB_PERMANENT_ID_LABEL,
    MANAGED_LABEL,
    MANAGED_VALUE,
    RB_NAME_ANNOTATION,
    RB_NAMESPACE_ANNOTATION,
    RB_PERMANENT_ID_LABEL,
    WORK_NAME_ANNOTATION,
    WORK_NAMESPACE_ANNOTATION,
    WORK_PERMANENT_ID_LABEL,
)
from karmada.names import (
    APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
    APPLIED_OVERRIDES_ANNOTATION,
    TEMPLATE_GENERATION_ANNOTATION,
    TEMPLATE_UID_ANNOTATION,
    execution_space,
    work_name,
)
from karmada.policy.v1alpha1 import cluster_override_policy_pb2 as cop_pb
from karmada.policy.v1alpha1 import override_policy_pb2 as op_pb
from karmada.templates import to_manifest
from karmada.work.v1alpha1 import work_pb2
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb

__all__ = [
    "OWNED_ANNOTATIONS",
    "OWNED_LABELS",
    "Binding",
    "DesiredWork",
    "apply_desired",
    "binding_permanent_id",
    "conflict_resolution",
    "divide_completions",
    "is_divided",
    "kept_clusters",
    "render",
    "suspended_on",
    "target_clusters",
    "with_work_permanent_id",
    "work_differs",
]

Binding: TypeAlias = rb_pb.ResourceBinding | crb_pb.ClusterResourceBinding
ResourceTemplate = resource_template_pb2.ResourceTemplate
Manifest = dict[str, Any]

_IMMEDIATE_PURGE_MODES: Final = frozenset({"Directly", "Immediately"})

OWNED_LABELS: Final = frozenset({RB_PERMANENT_ID_LABEL, CRB_PERMANENT_ID_LABEL})
"""Work labels this controller sets (the Work's own permanent id is set once and kept)."""
OWNED_ANNOTATIONS: Final = frozenset(
    {
        RB_NAMESPACE_ANNOTATION,
        RB_NAME_ANNOTATION,
        CRB_NAME_ANNOTATION,
        CONFLICT_RESOLUTION_ANNOTATION,
        APPLIED_OVERRIDES_ANNOTATION,
        APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
    }
)
"""Work annotations this controller sets, and removes when no longer wanted."""


def target_clusters(spec: rb_pb.ResourceBindingSpec) -> list[rb_pb.TargetCluster]:
    """spec.clusters, then requiredBy clusters not already listed (mergeTargetClusters)."""
    targets = list(spec.clusters)
    seen = {target.name for target in targets}
    for snapshot in spec.required_by:
        for target in snapshot.clusters:
            if target.name not in seen:
                seen.add(target.name)
                targets.append(target)
    return targets


def kept_clusters(spec: rb_pb.ResourceBindingSpec) -> set[str]:
    """Clusters whose Works the binding keeps: targets and gracefully evicted clusters."""
    kept = {target.name for target in target_clusters(spec)}
    kept.update(
        task.from_cluster
        for task in spec.graceful_eviction_tasks
        if task.purge_mode not in _IMMEDIATE_PURGE_MODES
    )
    return kept


def is_divided(spec: rb_pb.ResourceBindingSpec) -> bool:
    """Whether the placement divides replicas (an unset replicaScheduling duplicates)."""
    return (
        spec.placement.HasField("replica_scheduling")
        and spec.placement.replica_scheduling.replica_scheduling_type == "Divided"
    )


def divide_completions(completions: int, targets: Sequence[rb_pb.TargetCluster]) -> dict[str, int]:
    """A Job's completions spread over clusters weighted by their replicas.

    Karmada's Dispenser.TakeByWeight: each cluster gets floor(completions *
    weight / total); the remainder goes one by one to the heaviest clusters
    (ties by name). No weights at all divides nothing.
    """
    total = sum(max(target.replicas, 0) for target in targets)
    if total == 0:
        return {}
    ordered = sorted(targets, key=lambda t: (-max(t.replicas, 0), t.name))
    shares = {t.name: completions * max(t.replicas, 0) // total for t in ordered}
    remain = completions - sum(shares.values())
    for target in ordered:
        if remain <= 0:
            break
        shares[target.name] += 1
        remain -= 1
    return shares


def conflict_resolution(template_annotations: Mapping[str, str], binding_value: str) -> str:
    """The Work's conflict-resolution annotation: the template's own, else the binding's."""
    own = template_annotations.get(CONFLICT_RESOLUTION_ANNOTATION, "")
    if own in ("overwrite", "abort"):
        return own
    return "overwrite" if binding_value == "Overwrite" else "abort"


def suspended_on(spec: rb_pb.ResourceBindingSpec, cluster: str) -> bool:
    """Whether dispatching to `cluster` is suspended (shouldSuspendDispatching)."""
    suspension = spec.suspension
    if suspension.dispatching:
        return True
    return cluster in suspension.dispatching_on_clusters.cluster_names


def binding_permanent_id(binding: Binding) -> tuple[str, str]:
    """(label key, value) of the binding's permanent id ("" value when it has none)."""
    key = RB_PERMANENT_ID_LABEL if binding.metadata.namespace else CRB_PERMANENT_ID_LABEL
    return key, binding.metadata.labels.get(key, "")


@dataclass(frozen=True)
class DesiredWork:
    """One Work as the binding wants it."""

    namespace: str
    name: str
    manifest: Manifest
    labels: dict[str, str]
    annotations: dict[str, str]
    suspend_dispatching: bool
    preserve_resources_on_deletion: bool
    work_permanent_id: str = field(default="")


def _set(manifest: Manifest, field_name: str, values: Mapping[str, str]) -> None:
    metadata = manifest.setdefault("metadata", {})
    current = metadata.get(field_name)
    merged = dict(current) if isinstance(current, dict) else {}
    merged.update(values)
    metadata[field_name] = merged


def render(
    binding: Binding,
    template: ResourceTemplate,
    target: rb_pb.TargetCluster,
    cluster: cluster_pb2.Cluster,
    *,
    cluster_policies: Iterable[cop_pb.ClusterOverridePolicy] = (),
    policies: Iterable[op_pb.OverridePolicy] = (),
    completions: Mapping[str, int] | None = None,
    work_permanent_id: str = "",
) -> DesiredWork:
    """The Work carrying `template` to `target`'s cluster for `binding`.

    Raises:
        controller_manager.overrides.OverrideError: an override policy fails.
        controller_manager.interpreter.InterpretError: the template is malformed.
    """
    spec = binding.spec
    resource = spec.resource
    manifest = to_manifest(template)
    if spec.replicas > 0:
        manifest = revise_replicas(manifest, target.replicas)
    if completions and target.name in completions:
        body = manifest.get("spec")
        if isinstance(body, dict) and "completions" in body:
            body["completions"] = completions[target.name]
    overridden = apply_overrides(
        manifest, cluster, cluster_policies=cluster_policies, policies=policies
    )
    manifest = overridden.manifest

    namespace = execution_space(target.name)
    name = work_name(resource.kind, resource.name, resource.namespace)
    id_key, id_value = binding_permanent_id(binding)
    resolution = conflict_resolution(template.metadata.annotations, spec.conflict_resolution)
    binding_marks = (
        {
            RB_NAMESPACE_ANNOTATION: binding.metadata.namespace,
            RB_NAME_ANNOTATION: binding.metadata.name,
        }
        if binding.metadata.namespace
        else {CRB_NAME_ANNOTATION: binding.metadata.name}
    )
    work_labels = {id_key: id_value} if id_value else {}

    manifest_labels = {**work_labels, MANAGED_LABEL: MANAGED_VALUE}
    if work_permanent_id:
        manifest_labels[WORK_PERMANENT_ID_LABEL] = work_permanent_id
    manifest_annotations = dict(binding_marks)
    if template.metadata.generation > 0:
        manifest_annotations[TEMPLATE_GENERATION_ANNOTATION] = str(template.metadata.generation)
    manifest_annotations |= {
        TEMPLATE_UID_ANNOTATION: template.metadata.uid,
        WORK_NAME_ANNOTATION: name,
        WORK_NAMESPACE_ANNOTATION: namespace,
        CONFLICT_RESOLUTION_ANNOTATION: resolution,
    }
    _set(manifest, "labels", manifest_labels)
    _set(manifest, "annotations", manifest_annotations)

    return DesiredWork(
        namespace=namespace,
        name=name,
        manifest=manifest,
        labels=work_labels,
        annotations={
            **binding_marks,
            CONFLICT_RESOLUTION_ANNOTATION: resolution,
            **overridden.annotations(),
        },
        suspend_dispatching=suspended_on(spec, target.name),
        preserve_resources_on_deletion=spec.preserve_resources_on_deletion,
        work_permanent_id=work_permanent_id,
    )


def with_work_permanent_id(desired: DesiredWork, permanent_id: str) -> DesiredWork:
    """`desired` for a Work that already has `permanent_id` (a Work's id never changes)."""
    if not permanent_id or permanent_id == desired.work_permanent_id:
        return desired
    manifest = copy.deepcopy(desired.manifest)
    _set(manifest, "labels", {WORK_PERMANENT_ID_LABEL: permanent_id})
    return dataclasses.replace(desired, manifest=manifest, work_permanent_id=permanent_id)


def work_differs(work: work_pb2.Work, desired: DesiredWork) -> bool:
    """Whether `work` lacks anything `desired` says (foreign labels and annotations aside)."""
    meta = work.metadata
    for key in OWNED_LABELS:
        if meta.labels.get(key) != desired.labels.get(key):
            return True
    for key in OWNED_ANNOTATIONS:
        if meta.annotations.get(key) != desired.annotations.get(key):
            return True
    if desired.work_permanent_id and meta.labels.get(WORK_PERMANENT_ID_LABEL) != (
        desired.work_permanent_id
    ):
        return True
    spec = work.spec
    if (
        not spec.HasField("suspend_dispatching")
        or spec.suspend_dispatching != desired.suspend_dispatching
        or not spec.HasField("preserve_resources_on_deletion")
        or spec.preserve_resources_on_deletion != desired.preserve_resources_on_deletion
    ):
        return True
    manifests = spec.workload.manifests
    return len(manifests) != 1 or to_dict(manifests[0]) != desired.manifest


def apply_desired(work: work_pb2.Work, desired: DesiredWork) -> None:
    """Writes `desired` into `work` (in place), keeping foreign labels, annotations, finalizers."""
    meta = work.metadata
    meta.namespace = desired.namespace
    meta.name = desired.name
    for key in OWNED_LABELS:
        if key in desired.labels:
            meta.labels[key] = desired.labels[key]
        elif key in meta.labels:
            del meta.labels[key]
    if desired.work_permanent_id:
        meta.labels[WORK_PERMANENT_ID_LABEL] = desired.work_permanent_id
    for key in OWNED_ANNOTATIONS:
        if key in desired.annotations:
            meta.annotations[key] = desired.annotations[key]
        elif key in meta.annotations:
            del meta.annotations[key]
    work.spec.suspend_dispatching = desired.suspend_dispatching
    work.spec.preserve_resources_on_deletion = desired.preserve_resources_on_deletion
    del work.spec.workload.manifests[:]
    work.spec.workload.manifests.add().update(desired.manifest)
