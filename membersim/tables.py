"""Server-side printing: ``meta.k8s.io/v1`` Tables for ``kubectl get``.

kubectl asks for ``Accept: application/json;as=Table;g=meta.k8s.io;v=v1``
and prints the columns the server chose. Every kind gets NAME and AGE, as
kube-apiserver gives custom resources without printer columns; the kinds
people look at most (nodes, namespaces, pods, deployments, services) get
their familiar extra columns. Rows carry the object's metadata
(``PartialObjectMetadata``) by default, which kubectl needs for
``--show-labels`` and namespaces, or the whole object with
``includeObject=Object``.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Sequence
from typing import Any, Final

from membersim.resources import DEPLOYMENTS, NAMESPACES, NODES, PODS, SERVICES, ResourceType
from membersim.store import StoredObject, encode

Cells = list[Any]


def wants_table(accept: str) -> bool:
    """Whether an Accept header asks for a Table (kubectl's human-readable get)."""
    return "as=Table" in accept


def human_duration(seconds: float) -> str:
    """apimachinery's ``duration.HumanDuration``, as kubectl prints ages."""
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    s = int(seconds)
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        return f"{hours // 24}d" if hours % 24 == 0 else f"{hours // 24}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = hours // 24
        return f"{days // 365}y{days % 365}d"
    return f"{hours // 24 // 365}y"


def _age(obj: dict[str, Any]) -> str:
    created = obj.get("metadata", {}).get("creationTimestamp")
    if not created:
        return "<unknown>"
    try:
        then = calendar.timegm(time.strptime(created, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return "<unknown>"
    return human_duration(time.time() - then)


def _node(obj: dict[str, Any]) -> Cells:
    conditions = {
        c.get("type"): c.get("status") for c in obj.get("status", {}).get("conditions", [])
    }
    status = "Ready" if conditions.get("Ready") == "True" else "NotReady"
    if obj.get("spec", {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    version = obj.get("status", {}).get("nodeInfo", {}).get("kubeletVersion", "")
    return [status, "<none>", version]


def _pod(obj: dict[str, Any]) -> Cells:
    containers = obj.get("spec", {}).get("containers", [])
    statuses = obj.get("status", {}).get("containerStatuses", [])
    ready = sum(1 for s in statuses if s.get("ready"))
    restarts = sum(int(s.get("restartCount", 0)) for s in statuses)
    return [f"{ready}/{len(containers)}", obj.get("status", {}).get("phase", "Unknown"), restarts]


def _deployment(obj: dict[str, Any]) -> Cells:
    spec, status = obj.get("spec", {}), obj.get("status", {})
    return [
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
        status.get("updatedReplicas", 0),
        status.get("availableReplicas", 0),
    ]


def _service(obj: dict[str, Any]) -> Cells:
    spec = obj.get("spec", {})
    ports = ",".join(
        f"{p.get('port')}/{p.get('protocol', 'TCP')}"
        if not p.get("nodePort")
        else f"{p.get('port')}:{p.get('nodePort')}/{p.get('protocol', 'TCP')}"
        for p in spec.get("ports", [])
    )
    return [spec.get("type", "ClusterIP"), spec.get("clusterIP") or "<none>", ports or "<none>"]


def _namespace(obj: dict[str, Any]) -> Cells:
    return [obj.get("status", {}).get("phase", "")]


_Column = tuple[str, str]  # (name, type)
_EXTRA: Final[dict[ResourceType, tuple[Sequence[_Column], Callable[[dict[str, Any]], Cells]]]] = {
    NODES: ((("Status", "string"), ("Roles", "string"), ("Version", "string")), _node),
    PODS: ((("Ready", "string"), ("Status", "string"), ("Restarts", "integer")), _pod),
    DEPLOYMENTS: (
        (("Ready", "string"), ("Up-to-date", "integer"), ("Available", "integer")),
        _deployment,
    ),
    SERVICES: ((("Type", "string"), ("Cluster-IP", "string"), ("Port(s)", "string")), _service),
    NAMESPACES: ((("Status", "string"),), _namespace),
}


def _columns(rtype: ResourceType) -> list[dict[str, Any]]:
    extra, _ = _EXTRA.get(rtype, ((), None))
    columns = [("Name", "string"), *extra, ("Age", "string")]
    return [
        {
            "name": name,
            "type": kind,
            "format": "name" if name == "Name" else "",
            "description": "",
            "priority": 0,
        }
        for name, kind in columns
    ]


def _row(rtype: ResourceType, stored: StoredObject, include: str) -> dict[str, Any]:
    obj = stored.decode()
    _, extra = _EXTRA.get(rtype, ((), None))
    cells: Cells = [stored.name, *(extra(obj) if extra else ()), _age(obj)]
    row: dict[str, Any] = {"cells": cells}
    if include == "Object":
        row["object"] = obj
    elif include != "None":
        row["object"] = {
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata", {}),
        }
    return row


def table(
    rtype: ResourceType,
    items: Sequence[StoredObject],
    *,
    resource_version: int,
    continue_token: str = "",
    include: str = "",
) -> bytes:
    """A Table of `items`, the answer to a list (or one watch event's object)."""
    meta: dict[str, Any] = {"resourceVersion": str(resource_version)}
    if continue_token:
        meta["continue"] = continue_token
    return encode(
        {
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": meta,
            "columnDefinitions": _columns(rtype),
            "rows": [_row(rtype, s, include) for s in items],
        }
    )
