"""Deployment controller: one ReplicaSet per pod template, rolled over as the new one gets ready.

A template change creates a ReplicaSet named ``<deployment>-<pod-template-hash>``
with the full replica count, and the old ReplicaSets shrink as the new one's
pods become ready (simple, not surge-exact). Status follows the real
controller's fields and the Available and Progressing conditions, so
``kubectl wait --for=condition=Available`` and ``kubectl rollout status`` work.
"""

from __future__ import annotations

import copy
import math

from membersim.controllers.common import (
    Context,
    Obj,
    condition,
    deleting,
    owned,
    owner_reference,
    template_hash,
)
from membersim.resources import DEPLOYMENTS, REPLICASETS

HASH_LABEL = "pod-template-hash"


def _max_unavailable(spec: Obj, replicas: int) -> int:
    strategy = spec.get("strategy") or {}
    if strategy.get("type") == "Recreate":
        return 0
    value = (strategy.get("rollingUpdate") or {}).get("maxUnavailable", "25%")
    if isinstance(value, str) and value.endswith("%"):
        return math.floor(replicas * int(value[:-1]) / 100)
    return int(value)


def _new_replicaset(deployment: Obj, pod_hash: str, replicas: int) -> Obj:
    spec = deployment.get("spec") or {}
    template = copy.deepcopy(spec.get("template") or {})
    template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = pod_hash
    selector = copy.deepcopy(spec.get("selector") or {})
    selector.setdefault("matchLabels", {})[HASH_LABEL] = pod_hash
    meta = deployment["metadata"]
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": f"{meta['name']}-{pod_hash}",
            "namespace": meta["namespace"],
            "labels": {**(template["metadata"].get("labels") or {})},
            "annotations": {"deployment.kubernetes.io/revision": str(meta.get("generation", 1))},
            "ownerReferences": [owner_reference(deployment)],
        },
        "spec": {"replicas": replicas, "selector": selector, "template": template},
    }


def reconcile(ctx: Context) -> None:
    if not ctx.count(DEPLOYMENTS):
        return
    for deployment in ctx.objects(DEPLOYMENTS):
        if deleting(deployment):
            continue
        spec = deployment.get("spec") or {}
        desired = int(spec.get("replicas", 1))
        pod_hash = template_hash(spec.get("template"))
        sets = owned(ctx.objects(REPLICASETS, deployment["metadata"]["namespace"]), deployment)
        current = next(
            (rs for rs in sets if rs["metadata"].get("labels", {}).get(HASH_LABEL) == pod_hash),
            None,
        )
        if current is None:
            current = ctx.create(REPLICASETS, _new_replicaset(deployment, pod_hash, desired))
            if current is None:
                continue
        elif int(current["spec"].get("replicas", 0)) != desired:
            current["spec"]["replicas"] = desired
            current = ctx.update(REPLICASETS, current) or current
        new_ready = int((current.get("status") or {}).get("readyReplicas", 0))
        allowed = max(0, desired - new_ready)
        old_sets = [rs for rs in sets if rs["metadata"]["uid"] != current["metadata"]["uid"]]
        old_sets.sort(key=lambda rs: str(rs["metadata"].get("creationTimestamp", "")), reverse=True)
        for rs in old_sets:
            have = int(rs["spec"].get("replicas", 0))
            keep = min(have, allowed)
            allowed -= keep
            if keep != have:
                rs["spec"]["replicas"] = keep
                ctx.update(REPLICASETS, rs)
        all_sets = [current, *old_sets]

        def total(field: str, sets: list[Obj] = all_sets) -> int:
            return sum(int((rs.get("status") or {}).get(field, 0)) for rs in sets)

        replicas = total("replicas")
        available = total("availableReplicas")
        updated = int((current.get("status") or {}).get("replicas", 0))
        old = deployment.get("status")
        minimum = desired - _max_unavailable(spec, desired)
        conditions = [
            condition(
                old,
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
            )
            if available >= minimum
            else condition(
                old,
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
            ),
            condition(
                old,
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                f'ReplicaSet "{current["metadata"]["name"]}" has successfully progressed.',
            )
            if updated == desired and replicas == desired and available == desired
            else condition(
                old,
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                f'ReplicaSet "{current["metadata"]["name"]}" is progressing.',
            ),
        ]
        status: Obj = {
            "observedGeneration": deployment["metadata"].get("generation", 1),
            "replicas": replicas,
            "updatedReplicas": updated,
            "readyReplicas": total("readyReplicas"),
            "availableReplicas": available,
            "conditions": conditions,
        }
        if replicas - available > 0:
            status["unavailableReplicas"] = replicas - available
        ctx.set_status(DEPLOYMENTS, deployment, status)
