"""The labels and annotations Karmada stamps on the objects it puts in members.

They are how a member object says "Karmada manages me, on behalf of this Work
and this binding", and the names are Karmada's own (pkg/apis/work/v1alpha1,
v1alpha2 well_known_constants.go) so existing tooling and users' selectors
keep working:

* label ``karmada.io/managed=true`` marks ownership; apply refuses to update
  an existing object without it unless conflict resolution is Overwrite,
  and delete leaves unmarked objects alone;
* annotations ``work.karmada.io/{namespace,name}`` name the Work, and
  ``resourcebinding.karmada.io/{namespace,name}`` (or
  ``clusterresourcebinding.karmada.io/name``) the binding; the permanent ids
  are labels so members can select by them;
* ``resourcetemplate.karmada.io/managed-labels`` and ``managed-annotations``
  record which keys came from the control plane, so that a key removed from
  the template is removed from the member while keys the member added
  itself survive.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

Object = dict[str, Any]
ConflictResolution = Literal["Abort", "Overwrite"]

MANAGED_LABEL: Final = "karmada.io/managed"
MANAGED_VALUE: Final = "true"
WORK_NAMESPACE_ANNOTATION: Final = "work.karmada.io/namespace"
WORK_NAME_ANNOTATION: Final = "work.karmada.io/name"
WORK_PERMANENT_ID_LABEL: Final = "work.karmada.io/permanent-id"
RB_NAMESPACE_ANNOTATION: Final = "resourcebinding.karmada.io/namespace"
RB_NAME_ANNOTATION: Final = "resourcebinding.karmada.io/name"
RB_PERMANENT_ID_LABEL: Final = "resourcebinding.karmada.io/permanent-id"
CRB_NAME_ANNOTATION: Final = "clusterresourcebinding.karmada.io/name"
CRB_PERMANENT_ID_LABEL: Final = "clusterresourcebinding.karmada.io/permanent-id"
MANAGED_LABELS_ANNOTATION: Final = "resourcetemplate.karmada.io/managed-labels"
MANAGED_ANNOTATIONS_ANNOTATION: Final = "resourcetemplate.karmada.io/managed-annotations"
CONFLICT_RESOLUTION_ANNOTATION: Final = "work.karmada.io/conflict-resolution"
RETAIN_REPLICAS_LABEL: Final = "resourcetemplate.karmada.io/retain-replicas"

_CONFLICT_VALUES: Final[Mapping[str, str]] = {"Abort": "abort", "Overwrite": "overwrite"}
# Fields the member's apiserver owns; never sent from a template.
_SERVER_METADATA: Final = (
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)


@dataclass(frozen=True)
class WorkRef:
    """The Work an object is applied for."""

    namespace: str
    name: str
    permanent_id: str = ""


@dataclass(frozen=True)
class BindingRef:
    """The ResourceBinding (namespace set) or ClusterResourceBinding (namespace empty)."""

    name: str
    namespace: str = ""
    permanent_id: str = ""


def labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    """The object's labels (a new dict; empty if none)."""
    return dict((obj.get("metadata") or {}).get("labels") or {})


def annotations_of(obj: Mapping[str, Any]) -> dict[str, str]:
    """The object's annotations (a new dict; empty if none)."""
    return dict((obj.get("metadata") or {}).get("annotations") or {})


def is_managed(obj: Mapping[str, Any]) -> bool:
    """Whether the object carries ``karmada.io/managed=true``."""
    return labels_of(obj).get(MANAGED_LABEL) == MANAGED_VALUE


def belongs_to(obj: Mapping[str, Any], work: WorkRef) -> bool:
    """Whether the object is managed and was applied for `work`."""
    annotations = annotations_of(obj)
    return (
        is_managed(obj)
        and annotations.get(WORK_NAMESPACE_ANNOTATION) == work.namespace
        and annotations.get(WORK_NAME_ANNOTATION) == work.name
    )


def recorded_keys(obj: Mapping[str, Any], record: str) -> set[str]:
    """The keys listed in a managed-labels / managed-annotations record."""
    value = annotations_of(obj).get(record, "")
    return {key for key in value.split(",") if key}


def stamp(
    manifest: Mapping[str, Any],
    *,
    work: WorkRef,
    binding: BindingRef | None = None,
    conflict_resolution: ConflictResolution = "Abort",
) -> Object:
    """A copy of `manifest` as it should exist in the member.

    Server-owned metadata and status are dropped, the ownership marks are
    added, and the managed-labels / managed-annotations records list every
    key the result carries (the records included), as Karmada's
    RecordManagedLabels / RecordManagedAnnotations do.
    """
    if conflict_resolution not in _CONFLICT_VALUES:
        raise ValueError(
            f"conflict resolution must be Abort or Overwrite, not {conflict_resolution!r}"
        )
    desired: Object = copy.deepcopy(dict(manifest))
    desired.pop("status", None)
    metadata: dict[str, Any] = dict(desired.get("metadata") or {})
    for key in _SERVER_METADATA:
        metadata.pop(key, None)
    labels = dict(metadata.get("labels") or {})
    annotations = dict(metadata.get("annotations") or {})

    labels[MANAGED_LABEL] = MANAGED_VALUE
    annotations[WORK_NAMESPACE_ANNOTATION] = work.namespace
    annotations[WORK_NAME_ANNOTATION] = work.name
    if work.permanent_id:
        labels[WORK_PERMANENT_ID_LABEL] = work.permanent_id
    if binding is not None:
        if binding.namespace:
            annotations[RB_NAMESPACE_ANNOTATION] = binding.namespace
            annotations[RB_NAME_ANNOTATION] = binding.name
            if binding.permanent_id:
                labels[RB_PERMANENT_ID_LABEL] = binding.permanent_id
        else:
            annotations[CRB_NAME_ANNOTATION] = binding.name
            if binding.permanent_id:
                labels[CRB_PERMANENT_ID_LABEL] = binding.permanent_id
    annotations[CONFLICT_RESOLUTION_ANNOTATION] = _CONFLICT_VALUES[conflict_resolution]

    annotations[MANAGED_LABELS_ANNOTATION] = ",".join(sorted(labels))
    annotations[MANAGED_ANNOTATIONS_ANNOTATION] = ",".join(
        sorted({*annotations, MANAGED_ANNOTATIONS_ANNOTATION})
    )
    metadata["labels"] = labels
    metadata["annotations"] = annotations
    desired["metadata"] = metadata
    return desired
