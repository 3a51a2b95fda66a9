"""ReplicaSet controller: keep spec.replicas active pods, replace failed ones, report status."""

from __future__ import annotations

from membersim.controllers.common import (
    Context,
    Obj,
    deleting,
    new_pod,
    owned,
    pod_active,
    pod_phase,
    pod_ready,
)
from membersim.resources import PODS, REPLICASETS


def _removal_order(pod: Obj) -> tuple[int, int, str]:
    """Unscheduled first, then not ready, then the newest (as the real controller ranks them)."""
    scheduled = 1 if (pod.get("spec") or {}).get("nodeName") else 0
    created = str(pod["metadata"].get("creationTimestamp", ""))
    return (scheduled, 1 if pod_ready(pod) else 0, "".join(chr(0x10FFFF - ord(c)) for c in created))


def reconcile(ctx: Context) -> None:
    if not ctx.count(REPLICASETS):
        return
    pods_by_ns: dict[str, list[Obj]] = {}
    for rs in ctx.objects(REPLICASETS):
        if deleting(rs):
            continue
        namespace = rs["metadata"]["namespace"]
        if namespace not in pods_by_ns:
            pods_by_ns[namespace] = ctx.objects(PODS, namespace)
        pods = owned(pods_by_ns[namespace], rs)
        spec = rs.get("spec") or {}
        for pod in pods:
            if pod_phase(pod) == "Failed":
                ctx.delete(PODS, pod)
        active = [p for p in pods if pod_active(p)]
        desired = int(spec.get("replicas", 1))
        if len(active) < desired:
            for _ in range(desired - len(active)):
                created = ctx.create(PODS, new_pod(rs, spec.get("template") or {}))
                if created is not None:
                    active.append(created)
        elif len(active) > desired:
            surplus = sorted(active, key=_removal_order)[: len(active) - desired]
            for pod in surplus:
                ctx.delete(PODS, pod)
            active = [p for p in active if p not in surplus]
        ready = sum(1 for p in active if pod_ready(p))
        labels = (spec.get("template") or {}).get("metadata", {}).get("labels") or {}
        status: Obj = {
            "replicas": len(active),
            "fullyLabeledReplicas": sum(
                1
                for p in active
                if all(p["metadata"].get("labels", {}).get(k) == v for k, v in labels.items())
            ),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        ctx.set_status(REPLICASETS, rs, status)
