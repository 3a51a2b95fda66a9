"""Whether a member object is healthy, as Karmada's native health interpreters judge it.

resourceinterpreter/default/native/healthy.go, with the work status
controller's mapping to a ResourceHealth: a kind without a health rule is
"Healthy" (Karmada skips the assessment and treats it as healthy), a rule
that holds is "Healthy", one that does not is "Unhealthy", and an object
too malformed to judge is "Unknown".

* Deployment: the member controller observed the current generation, every
  desired replica is updated and every updated replica is available.
* StatefulSet: as a Deployment, counting only the pods at or above the
  rolling-update partition as needing the update, and every pod available.
* ReplicaSet: observed the current generation and every replica available.
* DaemonSet: observed, every scheduled pod updated and available.
* Service: healthy unless it is a LoadBalancer without an ingress point.
* Ingress: has a load balancer ingress point.
* PersistentVolumeClaim: Bound. Pod: Succeeded, or Running and Ready.
* PodDisruptionBudget: currentHealthy >= desiredHealthy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

from controller_manager.interpreter.kinds import (
    DAEMON_SET,
    DEPLOYMENT,
    INGRESS,
    PDB,
    POD,
    PVC,
    REPLICA_SET,
    SERVICE,
    STATEFUL_SET,
    GroupKind,
    as_list,
    as_map,
    group_kind,
    nested,
)

__all__ = ["HEALTHY", "UNHEALTHY", "UNKNOWN", "Health", "health_of"]

Health = Literal["Healthy", "Unhealthy", "Unknown"]
HEALTHY: Final = "Healthy"
UNHEALTHY: Final = "Unhealthy"
UNKNOWN: Final = "Unknown"


class _Malformed(Exception):
    """A field the rule needs has the wrong type."""


def health_of(member_obj: Mapping[str, Any]) -> Health:
    """The health of a member object: "Healthy", "Unhealthy" or "Unknown"."""
    rule = _RULES.get(group_kind(member_obj))
    if rule is None:
        return HEALTHY
    try:
        return HEALTHY if rule(member_obj) else UNHEALTHY
    except _Malformed:
        return UNKNOWN


def _int(obj: Mapping[str, Any], *path: str, default: int = 0) -> int:
    value = nested(obj, *path)
    if value is None:
        return default
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Malformed(".".join(path))
    return value


def _observed(obj: Mapping[str, Any]) -> bool:
    return _int(obj, "status", "observedGeneration") == _int(obj, "metadata", "generation")


def _deployment(obj: Mapping[str, Any]) -> bool:
    if not _observed(obj):
        return False
    updated = _int(obj, "status", "updatedReplicas")
    if nested(obj, "spec", "replicas") is not None and updated < _int(obj, "spec", "replicas"):
        return False
    return _int(obj, "status", "availableReplicas") >= updated


def _stateful_set(obj: Mapping[str, Any]) -> bool:
    if not _observed(obj):
        return False
    updated = _int(obj, "status", "updatedReplicas")
    available = _int(obj, "status", "availableReplicas")
    if nested(obj, "spec", "replicas") is not None:
        replicas = _int(obj, "spec", "replicas")
        partition = _int(obj, "spec", "updateStrategy", "rollingUpdate", "partition")
        if updated < replicas - partition or available < replicas:
            return False
    return available >= updated


def _replica_set(obj: Mapping[str, Any]) -> bool:
    if not _observed(obj):
        return False
    if nested(obj, "spec", "replicas") is None:
        return True
    return _int(obj, "status", "availableReplicas") >= _int(obj, "spec", "replicas")


def _daemon_set(obj: Mapping[str, Any]) -> bool:
    if not _observed(obj):
        return False
    updated = _int(obj, "status", "updatedNumberScheduled")
    if updated < _int(obj, "status", "desiredNumberScheduled"):
        return False
    return _int(obj, "status", "numberAvailable") >= updated


def _has_ingress_point(obj: Mapping[str, Any]) -> bool:
    return any(
        as_map(point).get("hostname") or as_map(point).get("ip")
        for point in as_list(nested(obj, "status", "loadBalancer", "ingress"))
    )


def _service(obj: Mapping[str, Any]) -> bool:
    if nested(obj, "spec", "type") != "LoadBalancer":
        return True
    return _has_ingress_point(obj)


def _pvc(obj: Mapping[str, Any]) -> bool:
    return bool(nested(obj, "status", "phase") == "Bound")


def _pod(obj: Mapping[str, Any]) -> bool:
    phase = nested(obj, "status", "phase")
    if phase == "Succeeded":
        return True
    ready = any(
        as_map(c).get("type") == "Ready" and as_map(c).get("status") == "True"
        for c in as_list(nested(obj, "status", "conditions"))
    )
    return phase == "Running" and ready


def _pdb(obj: Mapping[str, Any]) -> bool:
    return _int(obj, "status", "currentHealthy") >= _int(obj, "status", "desiredHealthy")


_RULES: Final[Mapping[GroupKind, Callable[[Mapping[str, Any]], bool]]] = {
    DEPLOYMENT: _deployment,
    STATEFUL_SET: _stateful_set,
    REPLICA_SET: _replica_set,
    DAEMON_SET: _daemon_set,
    SERVICE: _service,
    INGRESS: _has_ingress_point,
    PVC: _pvc,
    POD: _pod,
    PDB: _pdb,
}
