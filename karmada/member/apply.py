"""What to send when applying a manifest over an object that already exists.

Pure functions from (desired, observed) to the body of the update, so every
rule is table-tested. This is Karmada's objectwatcher ``retainClusterFields``
plus its default Retain interpreter (pkg/resourceinterpreter/default/native/
retain.go and pkg/util/lifted/retain.go):

* metadata the member owns is kept: ``resourceVersion`` (sent back for
  optimistic concurrency), ``uid``, ``creationTimestamp``, ``finalizers``
  and ``ownerReferences`` (set by the member's controllers);
* labels and annotations are merged: ours win for the keys we send, the
  member's other keys survive, and a key listed in the observed object's
  managed-labels / managed-annotations record but no longer sent is removed
  (it was ours and the template dropped it);
* ``status`` is the member's (controllers write it; PUT ignores it where a
  status subresource exists, and must not wipe it where none does);
* per kind, fields the member allocates: a Service's clusterIP(s), node
  ports of ports that still exist and healthCheckNodePort; a Pod's nodeName,
  serviceAccountName, volumes, volumeMounts and admission-added tolerations;
  a ServiceAccount's token secrets; a PVC's volumeName; a PV's claimRef; a
  Job's generated selector and template labels (controller-uid); and the
  replicas of a workload labelled ``resourcetemplate.karmada.io/retain-replicas``
  (scaled by an HPA in the member).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Final

from karmada.member.errors import ConflictError
from karmada.member.marks import (
    MANAGED_ANNOTATIONS_ANNOTATION,
    MANAGED_LABELS_ANNOTATION,
    RETAIN_REPLICAS_LABEL,
    ConflictResolution,
    Object,
    annotations_of,
    is_managed,
    labels_of,
    recorded_keys,
)

_MEMBER_OWNED_METADATA: Final = ("resourceVersion", "uid", "creationTimestamp")
_MEMBER_OWNED_LISTS: Final = ("finalizers", "ownerReferences")


def group_of(api_version: str) -> str:
    """The API group of an apiVersion ("" for the core group "v1")."""
    return api_version.rpartition("/")[0]


def check_adoption(
    observed: Mapping[str, Any], *, conflict_resolution: ConflictResolution, cluster: str
) -> None:
    """Raises `ConflictError` if we may not update `observed`.

    An object Karmada manages may always be updated; one it does not manage
    only with conflict resolution Overwrite (adoption, as ``karmadactl
    promote`` does).
    """
    if is_managed(observed) or conflict_resolution == "Overwrite":
        return
    metadata = observed.get("metadata") or {}
    raise ConflictError(
        cluster,
        kind=str(observed.get("kind", "")),
        namespace=str(metadata.get("namespace", "")),
        name=str(metadata.get("name", "")),
    )


def merge_owned_keys(
    desired: Mapping[str, str], observed: Mapping[str, str], *, dropped: set[str]
) -> dict[str, str]:
    """Ours win; the member's other keys stay unless we used to manage them."""
    merged = dict(desired)
    for key, value in observed.items():
        if key not in merged and key not in dropped:
            merged[key] = value
    return merged


def retain_for_update(desired: Mapping[str, Any], observed: Mapping[str, Any]) -> Object:
    """The object to PUT so that `desired` lands without losing member-owned fields."""
    result: Object = copy.deepcopy(dict(desired))
    metadata: dict[str, Any] = dict(result.get("metadata") or {})
    observed_metadata: Mapping[str, Any] = observed.get("metadata") or {}

    for key in _MEMBER_OWNED_METADATA:
        if key in observed_metadata:
            metadata[key] = observed_metadata[key]
    for key in _MEMBER_OWNED_LISTS:
        if observed_metadata.get(key):
            metadata[key] = copy.deepcopy(observed_metadata[key])
        else:
            metadata.pop(key, None)

    desired_labels = labels_of(result)
    desired_annotations = annotations_of(result)
    dropped_labels = recorded_keys(observed, MANAGED_LABELS_ANNOTATION) - desired_labels.keys()
    dropped_annotations = (
        recorded_keys(observed, MANAGED_ANNOTATIONS_ANNOTATION) - desired_annotations.keys()
    )
    labels = merge_owned_keys(desired_labels, labels_of(observed), dropped=dropped_labels)
    annotations = merge_owned_keys(
        desired_annotations, annotations_of(observed), dropped=dropped_annotations
    )
    if labels:
        metadata["labels"] = labels
    else:
        metadata.pop("labels", None)
    if annotations:
        metadata["annotations"] = annotations
    else:
        metadata.pop("annotations", None)
    result["metadata"] = metadata

    if "status" in observed:
        result["status"] = copy.deepcopy(observed["status"])
    else:
        result.pop("status", None)

    retain = _RETAINERS.get(
        (group_of(str(result.get("apiVersion", ""))), str(result.get("kind", "")))
    )
    if retain is not None:
        retain(result, observed)
    return result


def fingerprint(obj: Mapping[str, Any]) -> int:
    """A stable 128-bit digest of an object's content, to tell whether a manifest changed.

    An int rather than hex text: the member client keeps one per object applied.
    """
    encoded = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return int.from_bytes(hashlib.blake2b(encoded.encode(), digest_size=16).digest(), "big")


# Kind-specific retention. Each mutates `result` (a deep copy) from `observed`.


def _spec(obj: Object) -> dict[str, Any]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = {}
        obj["spec"] = spec
    return spec


def _port_key(port: Mapping[str, Any]) -> tuple[Any, str]:
    return port.get("port"), str(port.get("protocol") or "TCP")


def _retain_service(result: Object, observed: Mapping[str, Any]) -> None:
    spec = _spec(result)
    live: Mapping[str, Any] = observed.get("spec") or {}
    service_type = spec.get("type") or "ClusterIP"
    if service_type != "ExternalName" and live.get("clusterIP"):
        if not spec.get("clusterIP"):
            spec["clusterIP"] = live["clusterIP"]
            if live.get("clusterIPs"):
                spec["clusterIPs"] = list(live["clusterIPs"])
        elif (
            not spec.get("clusterIPs")
            and (live.get("clusterIPs") or [None])[0] == spec["clusterIP"]
        ):
            spec["clusterIPs"] = list(live["clusterIPs"])
    if service_type in ("NodePort", "LoadBalancer"):
        allocated = {
            _port_key(p): p["nodePort"] for p in live.get("ports") or () if p.get("nodePort")
        }
        for port in spec.get("ports") or ():
            if not port.get("nodePort") and _port_key(port) in allocated:
                port["nodePort"] = allocated[_port_key(port)]
    if (
        service_type == "LoadBalancer"
        and spec.get("externalTrafficPolicy") == "Local"
        and not spec.get("healthCheckNodePort")
        and live.get("healthCheckNodePort")
    ):
        spec["healthCheckNodePort"] = live["healthCheckNodePort"]


def _retain_volume_mounts(desired: list[Any], live: list[Any]) -> None:
    mounts = {c.get("name"): c.get("volumeMounts") for c in live}
    for container in desired:
        name = container.get("name")
        if mounts.get(name):
            container["volumeMounts"] = copy.deepcopy(mounts[name])


def _retain_pod(result: Object, observed: Mapping[str, Any]) -> None:
    spec = _spec(result)
    live: Mapping[str, Any] = observed.get("spec") or {}
    for key in ("nodeName", "serviceAccountName", "volumes"):
        if live.get(key):
            spec[key] = copy.deepcopy(live[key])
    _retain_volume_mounts(spec.get("containers") or [], live.get("containers") or [])
    _retain_volume_mounts(spec.get("initContainers") or [], live.get("initContainers") or [])
    if live.get("tolerations"):
        tolerations = copy.deepcopy(list(live["tolerations"]))
        tolerations += [t for t in spec.get("tolerations") or () if t not in tolerations]
        spec["tolerations"] = tolerations


def _retain_service_account(result: Object, observed: Mapping[str, Any]) -> None:
    if not result.get("secrets") and observed.get("secrets"):
        result["secrets"] = copy.deepcopy(observed["secrets"])


def _retain_pvc(result: Object, observed: Mapping[str, Any]) -> None:
    volume_name = (observed.get("spec") or {}).get("volumeName")
    if volume_name:
        _spec(result)["volumeName"] = volume_name


def _retain_pv(result: Object, observed: Mapping[str, Any]) -> None:
    claim_ref = (observed.get("spec") or {}).get("claimRef")
    if claim_ref is not None:
        _spec(result)["claimRef"] = copy.deepcopy(claim_ref)


def _retain_job(result: Object, observed: Mapping[str, Any]) -> None:
    spec = _spec(result)
    live: Mapping[str, Any] = observed.get("spec") or {}
    match_labels = (live.get("selector") or {}).get("matchLabels")
    if match_labels is not None:
        selector = dict(spec.get("selector") or {})
        selector["matchLabels"] = dict(match_labels)
        spec["selector"] = selector
    template_labels = ((live.get("template") or {}).get("metadata") or {}).get("labels")
    if template_labels is not None:
        template = dict(spec.get("template") or {})
        template_metadata = dict(template.get("metadata") or {})
        template_metadata["labels"] = dict(template_labels)
        template["metadata"] = template_metadata
        spec["template"] = template


def _retain_replicas(result: Object, observed: Mapping[str, Any]) -> None:
    live_replicas = (observed.get("spec") or {}).get("replicas")
    if labels_of(result).get(RETAIN_REPLICAS_LABEL) == "true" and live_replicas is not None:
        _spec(result)["replicas"] = live_replicas


_RETAINERS: Final[Mapping[tuple[str, str], Callable[[Object, Mapping[str, Any]], None]]] = {
    ("", "Service"): _retain_service,
    ("", "Pod"): _retain_pod,
    ("", "ServiceAccount"): _retain_service_account,
    ("", "PersistentVolumeClaim"): _retain_pvc,
    ("", "PersistentVolume"): _retain_pv,
    ("batch", "Job"): _retain_job,
    ("apps", "Deployment"): _retain_replicas,
    ("apps", "StatefulSet"): _retain_replicas,
    ("apps", "ReplicaSet"): _retain_replicas,
}
