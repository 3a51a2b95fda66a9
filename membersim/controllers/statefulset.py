"""StatefulSet controller: pods ``<name>-0`` .. ``<name>-(N-1)``, replaced one at a time on template changes."""

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
from membersim.resources import PODS, STATEFULSETS

REVISION_LABEL = "controller-revision-hash"


def reconcile(ctx: Context) -> None:
    if not ctx.count(STATEFULSETS):
        return
    for sts in ctx.objects(STATEFULSETS):
        if deleting(sts):
            continue
        name = sts["metadata"]["name"]
        spec = sts.get("spec") or {}
        desired = int(spec.get("replicas", 1))
        revision = f"{name}-{template_hash(spec.get('template'))}"
        pods = {
            p["metadata"]["name"]: p
            for p in owned(ctx.objects(PODS, sts["metadata"]["namespace"]), sts)
        }
        for pod_name, pod in list(pods.items()):
            ordinal = pod_name.rsplit("-", 1)[-1]
            if pod_phase(pod) == "Failed" or not ordinal.isdigit() or int(ordinal) >= desired:
                ctx.delete(PODS, pod)
                pods.pop(pod_name)
        for ordinal in range(desired):
            pod_name = f"{name}-{ordinal}"
            if pod_name not in pods:
                pod = new_pod(
                    sts,
                    spec.get("template") or {},
                    name=pod_name,
                    extra_labels={
                        REVISION_LABEL: revision,
                        "statefulset.kubernetes.io/pod-name": pod_name,
                        "apps.kubernetes.io/pod-index": str(ordinal),
                    },
                )
                pod["spec"]["hostname"] = pod_name
                if spec.get("serviceName"):
                    pod["spec"]["subdomain"] = spec["serviceName"]
                created = ctx.create(PODS, pod)
                if created is not None:
                    pods[pod_name] = created
        live = [p for p in pods.values() if not deleting(p)]
        outdated = [
            p for p in live if p["metadata"].get("labels", {}).get(REVISION_LABEL) != revision
        ]
        if outdated and all(pod_ready(p) for p in live):
            # Rolling update, highest ordinal first, one pod at a time.
            ctx.delete(
                PODS, max(outdated, key=lambda p: int(p["metadata"]["name"].rsplit("-", 1)[-1]))
            )
        ready = sum(1 for p in live if pod_ready(p))
        updated = len(live) - len(outdated)
        status: Obj = {
            "observedGeneration": sts["metadata"].get("generation", 1),
            "replicas": len(live),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "currentReplicas": updated,
            "updatedReplicas": updated,
            "currentRevision": revision,
            "updateRevision": revision,
            "collisionCount": 0,
        }
        ctx.set_status(STATEFULSETS, sts, status)
