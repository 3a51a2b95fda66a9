"""Scheduler: bind pending pods to nodes while allocatable cpu, memory and pod slots allow.

A node fits a pod when its allocatable resources minus the requests of the
pods already bound to it (and not finished) cover the pod's requests; a pod
without requests still takes one of the node's pod slots. Nodes are tried
least-loaded first (by pod count). A pod that fits nowhere stays Pending with
``PodScheduled=False``, reason Unschedulable, and is retried whenever the
cluster changes (a pod going away frees room).
"""

from __future__ import annotations

import contextlib
from fractions import Fraction

from karmada.member.quantity import parse_quantity
from membersim.controllers.common import Context, Obj, condition, deleting, pod_active
from membersim.resources import NODES, PODS

RESOURCES = ("cpu", "memory")


def requests(pod: Obj) -> dict[str, Fraction]:
    total = {name: Fraction(0) for name in RESOURCES}
    for container in (pod.get("spec") or {}).get("containers") or ():
        wanted = (container.get("resources") or {}).get("requests") or {}
        for name in RESOURCES:
            if name in wanted:
                with contextlib.suppress(ValueError):
                    total[name] += parse_quantity(str(wanted[name]))
    return total


def _ready(node: Obj) -> bool:
    if (node.get("spec") or {}).get("unschedulable"):
        return False
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (node.get("status") or {}).get("conditions") or ()
    )


def reconcile(ctx: Context) -> None:
    if not ctx.count(PODS):
        return
    pods = ctx.objects(PODS)
    pending = [
        p
        for p in pods
        if not (p.get("spec") or {}).get("nodeName") and pod_active(p) and not deleting(p)
    ]
    if not pending:
        return
    free: dict[str, dict[str, Fraction]] = {}
    for node in ctx.objects(NODES):
        if not _ready(node):
            continue
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        free[node["metadata"]["name"]] = {
            name: parse_quantity(str(allocatable.get(name, "0"))) for name in (*RESOURCES, "pods")
        }
    for pod in pods:
        node_name = (pod.get("spec") or {}).get("nodeName")
        if node_name in free and pod_active(pod):
            room = free[node_name]
            for name, amount in requests(pod).items():
                room[name] -= amount
            room["pods"] -= 1
    pending.sort(
        key=lambda p: (str(p["metadata"].get("creationTimestamp", "")), p["metadata"]["name"])
    )
    for pod in pending:
        wanted = requests(pod)
        fits = [
            name
            for name, room in free.items()
            if room["pods"] >= 1 and all(room[r] >= wanted[r] for r in RESOURCES)
        ]
        if not fits:
            short = sorted(
                {
                    r
                    for room in free.values()
                    for r in (*RESOURCES, "pods")
                    if room[r] < wanted.get(r, 1)
                }
            )
            detail = ", ".join(f"Insufficient {r}" for r in short) or "no nodes available"
            message = f"0/{len(free)} nodes are available: {detail}."
            status = dict(pod.get("status") or {})
            status["phase"] = "Pending"
            status["conditions"] = [
                condition(pod.get("status"), "PodScheduled", "False", "Unschedulable", message)
            ]
            ctx.set_status(PODS, pod, status)
            continue
        chosen = max(fits, key=lambda n: (free[n]["pods"], n))
        room = free[chosen]
        for name in RESOURCES:
            room[name] -= wanted[name]
        room["pods"] -= 1
        pod["spec"]["nodeName"] = chosen
        bound = ctx.update(PODS, pod)
        if bound is not None:
            status = dict(bound.get("status") or {})
            status["conditions"] = [condition(None, "PodScheduled", "True", "", "")]
            ctx.set_status(PODS, bound, status)
