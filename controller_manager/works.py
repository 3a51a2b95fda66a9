"""Pure helpers shared by the execution and work status controllers.

Both controllers read the same things off a Work and off the member objects
it produced — which cluster it is for, its manifests in apply order, the
binding and conflict resolution to stamp, which Work a member object says it
belongs to, whether a member-side change is drift or just status — and the
answers must agree, so they live here, free of I/O and table-tested.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery.conditions import find_condition
from karmada.machinery.structs import to_dict
from karmada.member.marks import (
    CONFLICT_RESOLUTION_ANNOTATION,
    CRB_NAME_ANNOTATION,
    CRB_PERMANENT_ID_LABEL,
    MANAGED_LABEL,
    RB_NAME_ANNOTATION,
    RB_NAMESPACE_ANNOTATION,
    RB_PERMANENT_ID_LABEL,
    WORK_NAME_ANNOTATION,
    WORK_NAMESPACE_ANNOTATION,
    WORK_PERMANENT_ID_LABEL,
    BindingRef,
    ConflictResolution,
    annotations_of,
)
from karmada.names import (
    TEMPLATE_GENERATION_ANNOTATION,
    cluster_of_execution_space,
    execution_space,
)
from karmada.work.v1alpha1 import work_pb2

__all__ = [
    "BINDING_INDEX",
    "ObjectKey",
    "apply_order",
    "binding_index_value",
    "binding_index_values",
    "binding_of",
    "cluster_of",
    "cluster_ready",
    "conflict_resolution_of",
    "drift_digest",
    "drift_view",
    "drifted",
    "group_of",
    "is_push",
    "kinds_of",
    "manifests_of",
    "object_key",
    "permanent_id_of",
    "protected_keys",
    "status_view",
    "work_key_of",
]

ObjectKey = tuple[str, str, str, str]
"""(group, kind, namespace, name): one object in a member, whatever the version."""

# Created before everything else: the namespaces others live in, then the
# definitions of the custom kinds others may be.
_FIRST_KINDS: Final = {
    ("", "Namespace"): 0,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): 1,
}
_IGNORED_METADATA: Final = ("resourceVersion", "managedFields", "generation")
_STATUS_METADATA: Final = (
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "deletionTimestamp",
)
_STATUS_LABELS: Final = (MANAGED_LABEL,)
_STATUS_ANNOTATIONS: Final = (
    WORK_NAMESPACE_ANNOTATION,
    WORK_NAME_ANNOTATION,
    TEMPLATE_GENERATION_ANNOTATION,
)
_SPEC_TEMPLATES: Final = frozenset({"template", "jobTemplate", "volumeClaimTemplates"})


def group_of(api_version: str) -> str:
    """The API group of an apiVersion ("" for the core group)."""
    return api_version.rpartition("/")[0]


def manifests_of(work: work_pb2.Work) -> list[dict[str, Any]]:
    """The Work's manifests as plain dicts, in spec order (the ordinals)."""
    return [to_dict(manifest) for manifest in work.spec.workload.manifests]


def apply_order(manifests: Sequence[Mapping[str, Any]]) -> list[int]:
    """Ordinals in the order to apply: Namespaces, then CRDs, then the rest, stable."""

    def rank(ordinal: int) -> int:
        manifest = manifests[ordinal]
        kind = (group_of(str(manifest.get("apiVersion", ""))), str(manifest.get("kind", "")))
        return _FIRST_KINDS.get(kind, len(_FIRST_KINDS))

    return sorted(range(len(manifests)), key=rank)


def object_key(obj: Mapping[str, Any]) -> ObjectKey:
    """The (group, kind, namespace, name) of a manifest or member object."""
    metadata = obj.get("metadata") or {}
    return (
        group_of(str(obj.get("apiVersion", ""))),
        str(obj.get("kind", "")),
        str(metadata.get("namespace") or ""),
        str(metadata.get("name") or ""),
    )


def protected_keys(manifests: Iterable[Mapping[str, Any]]) -> set[ObjectKey]:
    """Keys of member objects the manifests still want.

    A manifest of a cluster-scoped kind may carry a namespace the member drops,
    so each manifest also protects its namespace-less key: an object is never
    removed as stale because of where a manifest misplaced it.
    """
    keys: set[ObjectKey] = set()
    for manifest in manifests:
        group, kind, namespace, name = object_key(manifest)
        keys.add((group, kind, namespace, name))
        keys.add((group, kind, "", name))
    return keys


def kinds_of(work: work_pb2.Work) -> frozenset[tuple[str, str]]:
    """(apiVersion, kind) of every manifest, read without converting whole manifests."""
    kinds: set[tuple[str, str]] = set()
    for manifest in work.spec.workload.manifests:
        api_version = manifest.fields.get("apiVersion")
        kind = manifest.fields.get("kind")
        if api_version is None or kind is None:
            continue
        if api_version.string_value and kind.string_value:
            kinds.add((api_version.string_value, kind.string_value))
    return frozenset(kinds)


def permanent_id_of(work: work_pb2.Work) -> str:
    return work.metadata.labels.get(WORK_PERMANENT_ID_LABEL, "")


def binding_of(work: work_pb2.Work) -> BindingRef | None:
    """The (Cluster)ResourceBinding the Work was rendered from, as its marks say."""
    annotations = work.metadata.annotations
    labels = work.metadata.labels
    if name := annotations.get(RB_NAME_ANNOTATION, ""):
        return BindingRef(
            name=name,
            namespace=annotations.get(RB_NAMESPACE_ANNOTATION, ""),
            permanent_id=labels.get(RB_PERMANENT_ID_LABEL, ""),
        )
    if name := annotations.get(CRB_NAME_ANNOTATION, ""):
        return BindingRef(name=name, permanent_id=labels.get(CRB_PERMANENT_ID_LABEL, ""))
    return None


def conflict_resolution_of(work: work_pb2.Work) -> ConflictResolution:
    """Overwrite only when the Work says "overwrite", as Karmada's objectwatcher."""
    value = work.metadata.annotations.get(CONFLICT_RESOLUTION_ANNOTATION, "")
    return "Overwrite" if value.lower() == "overwrite" else "Abort"


def work_key_of(obj: Mapping[str, Any], cluster: str) -> str | None:
    """The "namespace/name" of the Work a member object of `cluster` was applied for.

    None unless the object names a Work in `cluster`'s execution namespace.
    """
    annotations = annotations_of(obj)
    namespace = annotations.get(WORK_NAMESPACE_ANNOTATION, "")
    name = annotations.get(WORK_NAME_ANNOTATION, "")
    if not name or namespace != execution_space(cluster):
        return None
    return f"{namespace}/{name}"


def drift_view(obj: Mapping[str, Any]) -> dict[str, Any]:
    """What a hand edit can change: everything but status and server bookkeeping."""
    view = {key: value for key, value in obj.items() if key != "status"}
    metadata = dict(view.get("metadata") or {})
    for key in _IGNORED_METADATA:
        metadata.pop(key, None)
    view["metadata"] = metadata
    return view


def drift_digest(obj: Mapping[str, Any]) -> int:
    """A 64-bit digest of the object's `drift_view`: equal digests, no drift."""
    data = json.dumps(drift_view(obj), sort_keys=True, separators=(",", ":"), default=str)
    return int.from_bytes(hashlib.blake2b(data.encode(), digest_size=8).digest(), "big")


def drifted(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """Whether a member-side change may have moved the object away from its manifest.

    A status-only change (the member's controllers at work) is not drift.
    """
    if old is None or new is None:
        return True
    return drift_digest(old) != drift_digest(new)


def status_view(obj: Mapping[str, Any]) -> dict[str, Any]:
    """What status collection and ownership checks read of a member object, and no more.

    Identity, resourceVersion, generation; of the labels and annotations,
    those that say which Work the object is for (ownership) and which template
    generation it was rendered from (observedGeneration); the spec without its
    templates (pod templates are most of a workload's spec); the status.
    Payloads (a ConfigMap's or Secret's data), Karmada's other marks and server
    bookkeeping (managedFields) are left out: the member watches hold this
    view of every object, and drift is told by `drift_digest`, taken from the
    whole object.
    """
    metadata = obj.get("metadata") or {}
    meta = {key: metadata[key] for key in _STATUS_METADATA if key in metadata}
    for field, kept in (("labels", _STATUS_LABELS), ("annotations", _STATUS_ANNOTATIONS)):
        values = metadata.get(field) or {}
        if picked := {key: values[key] for key in kept if key in values}:
            meta[field] = picked
    view: dict[str, Any] = {
        "apiVersion": obj.get("apiVersion", ""),
        "kind": obj.get("kind", ""),
        "metadata": meta,
    }
    spec = obj.get("spec")
    if isinstance(spec, Mapping):
        view["spec"] = {key: value for key, value in spec.items() if key not in _SPEC_TEMPLATES}
    if "status" in obj:
        view["status"] = obj["status"]
    return view


def is_push(cluster: cluster_pb2.Cluster) -> bool:
    """Push clusters are ours; Pull clusters' agents apply their own Works."""
    return cluster.spec.sync_mode != "Pull"


def cluster_ready(cluster: cluster_pb2.Cluster) -> str:
    """The Ready condition's status ("" while the cluster status controller has not set it)."""
    condition = find_condition(cluster.status.conditions, "Ready")
    return condition.status if condition is not None else ""


BINDING_INDEX: Final = "works.binding"
"""Work index shared by the binding and binding status controllers: `binding_index_value`."""


def binding_index_value(cluster_scoped: bool, key: str) -> str:
    """The BINDING_INDEX value of the (Cluster)ResourceBinding with store key `key`."""
    return f"{'crb' if cluster_scoped else 'rb'}:{key}"


def binding_index_values(work: work_pb2.Work) -> list[str]:
    """BINDING_INDEX values of a Work: its binding's, as its annotations say."""
    ref = binding_of(work)
    if ref is None:
        return []
    if ref.namespace:
        return [binding_index_value(False, f"{ref.namespace}/{ref.name}")]
    return [binding_index_value(True, ref.name)]


def cluster_of(work: work_pb2.Work) -> str:
    """The cluster a Work is for ("" outside execution namespaces)."""
    return cluster_of_execution_space(work.metadata.namespace)
