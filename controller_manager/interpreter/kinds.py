"""Shared plumbing of the resource interpreter: kind dispatch and tolerant field access.

Karmada keys its native interpreters by GroupVersionKind. Templates reach the
control plane as whatever apiVersion the user wrote, so dispatch here is by
group and kind (``("apps", "Deployment")``): every served version of a kind
gets the same interpretation, as its fields are the same in all of them.

Member objects and templates are plain dicts that nobody validated for us;
the readers below never raise on a missing or mistyped field, they fall back
to the zero value the Kubernetes JSON decoder would have produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "CRON_JOB",
    "DAEMON_SET",
    "DEPLOYMENT",
    "INGRESS",
    "JOB",
    "PDB",
    "POD",
    "PV",
    "PVC",
    "REPLICA_SET",
    "SERVICE",
    "STATEFUL_SET",
    "GroupKind",
    "InterpretError",
    "as_int",
    "as_list",
    "as_map",
    "group_kind",
    "maps",
    "nested",
]

GroupKind = tuple[str, str]

DEPLOYMENT: Final[GroupKind] = ("apps", "Deployment")
STATEFUL_SET: Final[GroupKind] = ("apps", "StatefulSet")
REPLICA_SET: Final[GroupKind] = ("apps", "ReplicaSet")
DAEMON_SET: Final[GroupKind] = ("apps", "DaemonSet")
JOB: Final[GroupKind] = ("batch", "Job")
CRON_JOB: Final[GroupKind] = ("batch", "CronJob")
POD: Final[GroupKind] = ("", "Pod")
SERVICE: Final[GroupKind] = ("", "Service")
PV: Final[GroupKind] = ("", "PersistentVolume")
PVC: Final[GroupKind] = ("", "PersistentVolumeClaim")
INGRESS: Final[GroupKind] = ("networking.k8s.io", "Ingress")
PDB: Final[GroupKind] = ("policy", "PodDisruptionBudget")


class InterpretError(ValueError):
    """A template the interpreter cannot make sense of (e.g. replicas "three")."""


def group_kind(obj: Mapping[str, Any]) -> GroupKind:
    """The (group, kind) of a Kubernetes object dict; "" group for the core API."""
    api_version = str(obj.get("apiVersion") or "")
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    return group, str(obj.get("kind") or "")


def as_map(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """`value` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def maps(value: Any) -> list[dict[str, Any]]:
    """The JSON objects of an array (non-objects read as empty ones); [] for a non-array."""
    return [as_map(item) for item in as_list(value)]


def as_int(value: Any) -> int:
    """`value` if it is an integer (JSON numbers may arrive as whole floats), else 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return 0


def nested(obj: Mapping[str, Any], *path: str) -> Any:
    """The value at `path` inside nested JSON objects, or None where the path breaks."""
    current: Any = obj
    for key in path:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current
