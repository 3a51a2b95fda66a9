"""EndpointSlice controller: one IPv4 slice per Service with a selector, from its pods.

The slice (``<service>-membersim``, labelled ``kubernetes.io/service-name``
and owned by the Service) lists the Running pods the selector matches, with
``conditions.ready`` from the pods' Ready condition, and the Service's ports
with targetPort resolved against the pods' container ports (a named
targetPort is looked up by port name). Services without a selector are left
to whoever manages their slices by hand.
"""

from __future__ import annotations

from typing import Any

from membersim.controllers.common import (
    Context,
    Obj,
    deleting,
    owner_reference,
    pod_phase,
    pod_ready,
)
from membersim.resources import ENDPOINTSLICES, PODS, SERVICES

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "endpointslice-controller.k8s.io"


def slice_name(service: str) -> str:
    return f"{service}-membersim"


def _target_port(port: Obj, pods: list[Obj]) -> int | None:
    target: Any = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for pod in pods:
        for container in (pod.get("spec") or {}).get("containers") or ():
            for declared in container.get("ports") or ():
                if declared.get("name") == target:
                    return int(declared["containerPort"])
    return None


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def reconcile(ctx: Context) -> None:
    if not ctx.count(SERVICES):
        return
    pods_by_ns: dict[str, list[Obj]] = {}
    for service in ctx.objects(SERVICES):
        meta = service["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        selector = (service.get("spec") or {}).get("selector") or {}
        existing = ctx.cluster.store.get(ENDPOINTSLICES.key, namespace, slice_name(name))
        if not selector or deleting(service):
            if existing is not None:
                ctx.delete(ENDPOINTSLICES, existing.decode())
            continue
        if namespace not in pods_by_ns:
            pods_by_ns[namespace] = ctx.objects(PODS, namespace)
        pods = [
            p
            for p in pods_by_ns[namespace]
            if _matches(selector, p["metadata"].get("labels") or {})
            and pod_phase(p) == "Running"
            and (p.get("status") or {}).get("podIP")
        ]
        endpoints = []
        for pod in pods:
            ready = pod_ready(pod)
            endpoint: Obj = {
                "addresses": [pod["status"]["podIP"]],
                "conditions": {"ready": ready, "serving": ready, "terminating": deleting(pod)},
                "targetRef": {
                    "kind": "Pod",
                    "namespace": namespace,
                    "name": pod["metadata"]["name"],
                    "uid": pod["metadata"]["uid"],
                },
            }
            if pod["spec"].get("nodeName"):
                endpoint["nodeName"] = pod["spec"]["nodeName"]
            endpoints.append(endpoint)
        ports = []
        for port in (service.get("spec") or {}).get("ports") or ():
            number = _target_port(port, pods)
            if number is None:
                continue
            entry: Obj = {
                "name": port.get("name", ""),
                "protocol": port.get("protocol", "TCP"),
                "port": number,
            }
            if port.get("appProtocol"):
                entry["appProtocol"] = port["appProtocol"]
            ports.append(entry)
        labels = {SERVICE_NAME_LABEL: name, MANAGED_BY_LABEL: MANAGED_BY}
        if existing is None:
            ctx.create(
                ENDPOINTSLICES,
                {
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "name": slice_name(name),
                        "namespace": namespace,
                        "labels": labels,
                        "ownerReferences": [owner_reference(service)],
                    },
                    "addressType": "IPv4",
                    "endpoints": endpoints,
                    "ports": ports,
                },
            )
            continue
        current = existing.decode()
        if (
            current.get("endpoints") != endpoints
            or current.get("ports") != ports
            or any(current["metadata"].get("labels", {}).get(k) != v for k, v in labels.items())
        ):
            current["endpoints"] = endpoints
            current["ports"] = ports
            current["metadata"].setdefault("labels", {}).update(labels)
            ctx.update(ENDPOINTSLICES, current)
