"""DaemonSet controller: one pod per schedulable node, bound to it directly."""

from __future__ import annotations

from membersim.controllers.common import (
    Context,
    Obj,
    deleting,
    new_pod,
    owned,
    pod_phase,
    pod_ready,
    template_hash,
)
from membersim.resources import DAEMONSETS, NODES, PODS

REVISION_LABEL = "controller-revision-hash"


def reconcile(ctx: Context) -> None:
    if not ctx.count(DAEMONSETS):
        return
    nodes = [
        n["metadata"]["name"]
        for n in ctx.objects(NODES)
        if not (n.get("spec") or {}).get("unschedulable")
    ]
    for ds in ctx.objects(DAEMONSETS):
        if deleting(ds):
            continue
        spec = ds.get("spec") or {}
        revision = template_hash(spec.get("template"))
        by_node: dict[str, Obj] = {}
        for pod in owned(ctx.objects(PODS, ds["metadata"]["namespace"]), ds):
            node = (pod.get("spec") or {}).get("nodeName", "")
            outdated = pod["metadata"].get("labels", {}).get(REVISION_LABEL) != revision
            if deleting(pod):
                continue
            if pod_phase(pod) == "Failed" or node not in nodes or node in by_node or outdated:
                ctx.delete(PODS, pod)
            else:
                by_node[node] = pod
        for node in nodes:
            if node not in by_node:
                pod = new_pod(
                    ds, spec.get("template") or {}, extra_labels={REVISION_LABEL: revision}
                )
                pod["spec"]["nodeName"] = node
                created = ctx.create(PODS, pod)
                if created is not None:
                    by_node[node] = created
        ready = sum(1 for p in by_node.values() if pod_ready(p))
        status: Obj = {
            "observedGeneration": ds["metadata"].get("generation", 1),
            "desiredNumberScheduled": len(nodes),
            "currentNumberScheduled": len(by_node),
            "updatedNumberScheduled": len(by_node),
            "numberMisscheduled": 0,
            "numberReady": ready,
            "numberAvailable": ready,
        }
        if len(nodes) - ready > 0:
            status["numberUnavailable"] = len(nodes) - ready
        ctx.set_status(DAEMONSETS, ds, status)
