"""health_of: Karmada's native health interpreters, table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.interpreter import health_of


def obj(
    kind: str, api_version: str, *, spec: Any = None, status: Any = None, generation: int = 1
) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "x", "namespace": "ns", "generation": generation},
    }
    if spec is not None:
        manifest["spec"] = spec
    if status is not None:
        manifest["status"] = status
    return manifest


def deploy(replicas: int, **status: Any) -> dict[str, Any]:
    return obj(
        "Deployment",
        "apps/v1",
        spec={"replicas": replicas},
        status={"observedGeneration": 1, **status},
    )


def sts(replicas: int, partition: int | None = None, **status: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"replicas": replicas}
    if partition is not None:
        spec["updateStrategy"] = {
            "type": "RollingUpdate",
            "rollingUpdate": {"partition": partition},
        }
    return obj("StatefulSet", "apps/v1", spec=spec, status={"observedGeneration": 1, **status})


def pod(phase: str, ready: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase}
    if ready is not None:
        status["conditions"] = [{"type": "Ready", "status": ready}]
    return obj("Pod", "v1", status=status)


def lb_status(*points: dict[str, str]) -> dict[str, Any]:
    return {"loadBalancer": {"ingress": list(points)}}


CASES: list[tuple[str, dict[str, Any], str]] = [
    ("deploy-healthy", deploy(3, updatedReplicas=3, availableReplicas=3), "Healthy"),
    (
        "deploy-not-observed",
        obj(
            "Deployment",
            "apps/v1",
            spec={"replicas": 1},
            status={"observedGeneration": 1, "updatedReplicas": 1, "availableReplicas": 1},
            generation=2,
        ),
        "Unhealthy",
    ),
    ("deploy-not-updated", deploy(3, updatedReplicas=2, availableReplicas=2), "Unhealthy"),
    ("deploy-not-available", deploy(3, updatedReplicas=3, availableReplicas=2), "Unhealthy"),
    ("deploy-zero", deploy(0), "Healthy"),
    ("deploy-malformed", deploy(3, updatedReplicas="three"), "Unknown"),
    ("sts-healthy", sts(3, updatedReplicas=3, availableReplicas=3), "Healthy"),
    ("sts-partition", sts(3, partition=2, updatedReplicas=1, availableReplicas=3), "Healthy"),
    (
        "sts-partition-not-available",
        sts(3, partition=2, updatedReplicas=1, availableReplicas=2),
        "Unhealthy",
    ),
    ("sts-not-updated", sts(3, updatedReplicas=2, availableReplicas=3), "Unhealthy"),
    (
        "rs-healthy",
        obj(
            "ReplicaSet",
            "apps/v1",
            spec={"replicas": 2},
            status={"observedGeneration": 1, "availableReplicas": 2},
        ),
        "Healthy",
    ),
    (
        "rs-short",
        obj(
            "ReplicaSet",
            "apps/v1",
            spec={"replicas": 2},
            status={"observedGeneration": 1, "availableReplicas": 1},
        ),
        "Unhealthy",
    ),
    (
        "ds-healthy",
        obj(
            "DaemonSet",
            "apps/v1",
            status={
                "observedGeneration": 1,
                "desiredNumberScheduled": 2,
                "updatedNumberScheduled": 2,
                "numberAvailable": 2,
            },
        ),
        "Healthy",
    ),
    (
        "ds-not-updated",
        obj(
            "DaemonSet",
            "apps/v1",
            status={
                "observedGeneration": 1,
                "desiredNumberScheduled": 2,
                "updatedNumberScheduled": 1,
                "numberAvailable": 1,
            },
        ),
        "Unhealthy",
    ),
    (
        "ds-not-available",
        obj(
            "DaemonSet",
            "apps/v1",
            status={
                "observedGeneration": 1,
                "desiredNumberScheduled": 2,
                "updatedNumberScheduled": 2,
                "numberAvailable": 1,
            },
        ),
        "Unhealthy",
    ),
    ("svc-clusterip", obj("Service", "v1", spec={"type": "ClusterIP"}), "Healthy"),
    (
        "svc-lb-pending",
        obj("Service", "v1", spec={"type": "LoadBalancer"}, status=lb_status()),
        "Unhealthy",
    ),
    (
        "svc-lb-ip",
        obj("Service", "v1", spec={"type": "LoadBalancer"}, status=lb_status({"ip": "1.2.3.4"})),
        "Healthy",
    ),
    ("ingress-none", obj("Ingress", "networking.k8s.io/v1", status=lb_status()), "Unhealthy"),
    (
        "ingress-hostname",
        obj("Ingress", "networking.k8s.io/v1", status=lb_status({"hostname": "lb.example"})),
        "Healthy",
    ),
    ("pvc-bound", obj("PersistentVolumeClaim", "v1", status={"phase": "Bound"}), "Healthy"),
    ("pvc-pending", obj("PersistentVolumeClaim", "v1", status={"phase": "Pending"}), "Unhealthy"),
    ("pod-running-ready", pod("Running", "True"), "Healthy"),
    ("pod-running-not-ready", pod("Running", "False"), "Unhealthy"),
    ("pod-succeeded", pod("Succeeded"), "Healthy"),
    ("pod-pending", pod("Pending"), "Unhealthy"),
    (
        "pdb-healthy",
        obj("PodDisruptionBudget", "policy/v1", status={"currentHealthy": 3, "desiredHealthy": 2}),
        "Healthy",
    ),
    (
        "pdb-short",
        obj("PodDisruptionBudget", "policy/v1", status={"currentHealthy": 1, "desiredHealthy": 2}),
        "Unhealthy",
    ),
    ("configmap-no-rule", obj("ConfigMap", "v1"), "Healthy"),
    ("job-no-rule", obj("Job", "batch/v1", status={"failed": 3}), "Healthy"),
]


@pytest.mark.parametrize(("member", "health"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_health(member: dict[str, Any], health: str) -> None:
    assert health_of(member) == health
