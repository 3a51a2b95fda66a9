"""The Node objects a simulated cluster starts with.

Karmada reads member nodes for the cluster's resource summary (allocatable
minus what running pods request) and the scheduler's capacity estimates,
so each simulated node carries the configured capacity as both capacity
and allocatable, a Ready condition, and the well-known topology labels
(region, zone) that placement rules select on. There is no kubelet: a node
stays as created unless a client changes it; the simulated scheduler
(`membersim.controllers.scheduler`) binds pods within its allocatable.
"""

from __future__ import annotations

from typing import Any, Final

from membersim.options import ClusterConfig

KUBELET_VERSION: Final = "v1.37.0+membersim"
SIMULATED_LABEL: Final = "membersim.karmada.io/simulated"


def node_name(cluster: str, index: int) -> str:
    return f"{cluster}-node-{index}"


def node(config: ClusterConfig, index: int, *, timestamp: str) -> dict[str, Any]:
    """The Node object for node `index` (from 1) of a cluster."""
    name = node_name(config.name, index)
    labels = {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
        "kubernetes.io/hostname": name,
        "node.kubernetes.io/instance-type": "membersim",
        SIMULATED_LABEL: "true",
    }
    if config.region:
        labels["topology.kubernetes.io/region"] = config.region
    if config.zones:
        labels["topology.kubernetes.io/zone"] = config.zones[(index - 1) % len(config.zones)]
    labels.update(config.labels)
    resources = {
        "cpu": config.capacity.cpu,
        "memory": config.capacity.memory,
        "pods": config.capacity.pods,
        "ephemeral-storage": "100Gi",
    }
    spec: dict[str, Any] = {}
    if config.provider:
        spec["providerID"] = f"{config.provider}://{config.name}/{name}"

    def condition(kind: str, status: str, reason: str, message: str) -> dict[str, str]:
        return {
            "type": kind,
            "status": status,
            "lastHeartbeatTime": timestamp,
            "lastTransitionTime": timestamp,
            "reason": reason,
            "message": message,
        }

    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": spec,
        "status": {
            "capacity": resources,
            "allocatable": dict(resources),
            "conditions": [
                condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                condition(
                    "DiskPressure",
                    "False",
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                ),
                condition(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                ),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [
                {"type": "InternalIP", "address": "127.0.0.1"},
                {"type": "Hostname", "address": name},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "operatingSystem": "linux",
                "kubeletVersion": KUBELET_VERSION,
                "kubeProxyVersion": KUBELET_VERSION,
                "containerRuntimeVersion": "membersim://0.1.0",
                "osImage": "membersim",
                "kernelVersion": "",
                "machineID": "",
                "systemUUID": "",
                "bootID": "",
            },
        },
    }
