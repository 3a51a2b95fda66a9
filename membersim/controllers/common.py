"""What the simulated controllers share: their view of a cluster and small object helpers.

Controllers are level-triggered: each ``reconcile(ctx)`` reads the whole
current state of its kinds in one cluster and writes only what differs, so
running one twice in a row writes nothing the second time. That is what
lets one dispatcher (`membersim.controllers.manager`) simply run them again
whenever the cluster changes, until nothing does.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from membersim import errors
from membersim.cluster import SimCluster
from membersim.registry import DeleteOptions
from membersim.resources import ResourceType
from membersim.store import encode
from membersim.strategy import now

log = logging.getLogger("membersim.controllers")

Obj = dict[str, Any]


@dataclass(slots=True)
class ClusterState:
    """Per-cluster controller memory, created only once a cluster has pods.

    Attributes:
        bound_at: monotonic time each scheduled pod (by uid) was first seen bound.
        running_at: monotonic time each pod became Running.
        ip_counter: where the next pod IP search starts.
    """

    bound_at: dict[str, float] = field(default_factory=dict)
    running_at: dict[str, float] = field(default_factory=dict)
    ip_counter: int = 0


@dataclass(slots=True)
class Context:
    """One reconcile pass over one cluster."""

    cluster: SimCluster
    index: int
    state: ClusterState
    ready_delay: float
    job_duration: float
    wake_at: Callable[[float], None]
    """Ask for another pass once `delay` seconds have passed."""

    @property
    def name(self) -> str:
        return self.cluster.name

    def objects(self, rtype: ResourceType, namespace: str | None = None) -> list[Obj]:
        return [s.decode() for s in self.cluster.store.list_objects(rtype.key, namespace)]

    def count(self, rtype: ResourceType) -> int:
        return self.cluster.store.count(rtype.key)

    def create(self, rtype: ResourceType, obj: Obj) -> Obj | None:
        namespace = obj["metadata"].get("namespace")
        try:
            return self.cluster.registry.create(rtype, namespace, obj).decode()
        except errors.ApiError as err:
            log.debug("Create failed", extra={"cluster": self.name, "error": str(err)})
            return None

    def update(self, rtype: ResourceType, obj: Obj, *, status: bool = False) -> Obj | None:
        meta = obj["metadata"]
        try:
            stored = self.cluster.registry.update(
                rtype, meta.get("namespace"), meta["name"], obj, status_only=status
            )
        except errors.ApiError as err:
            log.debug("Update failed", extra={"cluster": self.name, "error": str(err)})
            return None
        return stored.decode()

    def set_status(self, rtype: ResourceType, obj: Obj, status: Obj) -> None:
        """Write `status` unless the object already has it."""
        if obj.get("status") != status:
            obj["status"] = status
            self.update(rtype, obj, status=True)

    def delete(self, rtype: ResourceType, obj: Obj) -> None:
        meta = obj["metadata"]
        if meta.get("deletionTimestamp"):
            return
        try:
            self.cluster.registry.delete(
                rtype,
                meta.get("namespace"),
                meta["name"],
                DeleteOptions(precondition_uid=meta.get("uid")),
            )
        except errors.ApiError as err:
            log.debug("Delete failed", extra={"cluster": self.name, "error": str(err)})


def deleting(obj: Obj) -> bool:
    return bool(obj["metadata"].get("deletionTimestamp"))


def owner_reference(owner: Obj) -> Obj:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controller_uid(obj: Obj) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def owned(objs: list[Obj], owner: Obj) -> list[Obj]:
    uid = owner["metadata"]["uid"]
    return [o for o in objs if controller_uid(o) == uid]


def template_hash(template: Any) -> str:
    """A short stable hash of a pod template, as the pod-template-hash label."""
    return hashlib.sha256(encode(template or {})).hexdigest()[:10]


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether a ``metav1.LabelSelector`` selects `labels`; an empty or missing one selects nothing."""
    if not selector:
        return False
    match = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match and not expressions:
        return False
    if any(labels.get(k) != v for k, v in match.items()):
        return False
    for expr in expressions:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def labels_of(obj: Obj) -> dict[str, str]:
    labels: dict[str, str] = obj["metadata"].get("labels") or {}
    return labels


def new_pod(
    owner: Obj, template: Obj, *, name: str = "", extra_labels: Mapping[str, str] = {}
) -> Obj:
    """A pod of `owner` from its pod template; named, or generated from the owner's name."""
    template_meta = template.get("metadata") or {}
    meta: Obj = {
        "namespace": owner["metadata"]["namespace"],
        "labels": {**(template_meta.get("labels") or {}), **extra_labels},
        "ownerReferences": [owner_reference(owner)],
    }
    if template_meta.get("annotations"):
        meta["annotations"] = dict(template_meta["annotations"])
    if name:
        meta["name"] = name
    else:
        meta["generateName"] = f"{owner['metadata']['name']}-"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": dict(template.get("spec") or {}),
    }


def pod_phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "Pending")


def pod_active(pod: Obj) -> bool:
    return not deleting(pod) and pod_phase(pod) not in ("Succeeded", "Failed")


def pod_ready(pod: Obj) -> bool:
    if pod_phase(pod) != "Running" or deleting(pod):
        return False
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or ()
    )


def condition(
    old_status: Mapping[str, Any] | None, kind: str, status: str, reason: str, message: str
) -> Obj:
    """A status condition, keeping the previous one's times when nothing about it changed."""
    for previous in (old_status or {}).get("conditions") or ():
        if (
            previous.get("type") == kind
            and previous.get("status") == status
            and previous.get("reason") == reason
            and previous.get("message") == message
        ):
            return dict(previous)
    timestamp = now()
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": timestamp,
        "lastTransitionTime": timestamp,
        "reason": reason,
        "message": message,
    }


def monotonic() -> float:
    return time.monotonic()
