"""The ``/scale`` subresource of Deployments, ReplicaSets and StatefulSets (autoscaling/v1 Scale)."""

from __future__ import annotations

from typing import Any, Final

from membersim import errors
from membersim.resources import DEPLOYMENTS, REPLICASETS, STATEFULSETS

SCALABLE: Final = frozenset({DEPLOYMENTS.key, REPLICASETS.key, STATEFULSETS.key})


def _selector(obj: dict[str, Any]) -> str:
    selector = (obj.get("spec") or {}).get("selector") or {}
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or ():
        op, key, values = expr.get("operator"), expr.get("key"), expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def view(obj: dict[str, Any]) -> dict[str, Any]:
    """The Scale object of a scalable workload."""
    meta = obj["metadata"]
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            key: meta[key]
            for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if key in meta
        },
        "spec": {"replicas": int((obj.get("spec") or {}).get("replicas", 1))},
        "status": {
            "replicas": int((obj.get("status") or {}).get("replicas", 0)),
            "selector": _selector(obj),
        },
    }


def replicas_of(scale: Any) -> int:
    """spec.replicas of a Scale body.

    Raises:
        ApiError: 422 when missing or not a non-negative integer.
    """
    replicas = (
        ((scale or {}).get("spec") or {}).get("replicas") if isinstance(scale, dict) else None
    )
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise errors.invalid(
            group="autoscaling",
            kind="Scale",
            name="",
            causes=[("spec.replicas", "Invalid value: must be a non-negative integer")],
        )
    return replicas
