"""reflect_status: what of a member object's status Karmada's native reflectors keep, table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.interpreter import reflect_status
from karmada.names import TEMPLATE_GENERATION_ANNOTATION


def member(
    kind: str,
    api_version: str,
    status: Any,
    *,
    generation: int = 0,
    template_generation: str | None = None,
    spec: dict[str, Any] | None = None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "x", "namespace": "ns"}
    if generation:
        metadata["generation"] = generation
    if template_generation is not None:
        metadata["annotations"] = {TEMPLATE_GENERATION_ANNOTATION: template_generation}
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    if spec is not None:
        obj["spec"] = spec
    if status is not None:
        obj["status"] = status
    return obj


REFLECT_CASES: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = [
    (
        "deployment",
        member(
            "Deployment",
            "apps/v1",
            {
                "replicas": 3,
                "readyReplicas": 2,
                "availableReplicas": 2,
                "updatedReplicas": 3,
                "unavailableReplicas": 1,
                "observedGeneration": 4,
                "conditions": [{"type": "Available", "status": "True"}],
                "collisionCount": 1,
            },
            generation=4,
            template_generation="7",
        ),
        {
            "replicas": 3,
            "readyReplicas": 2,
            "availableReplicas": 2,
            "updatedReplicas": 3,
            "unavailableReplicas": 1,
            "observedGeneration": 4,
            "generation": 4,
            "resourceTemplateGeneration": 7,
        },
    ),
    ("deployment-no-status", member("Deployment", "apps/v1", None, generation=1), None),
    (
        "deployment-empty-status",
        member("Deployment", "apps/v1", {}, generation=1),
        {"generation": 1},
    ),
    (
        "deployment-bad-annotation",
        member("Deployment", "apps/v1", {"replicas": 1}, generation=1, template_generation="x"),
        {"replicas": 1, "generation": 1},
    ),
    (
        "statefulset-keeps-observed-generation",
        member(
            "StatefulSet",
            "apps/v1",
            {"replicas": 2, "currentReplicas": 2, "observedGeneration": 2},
            generation=2,
        ),
        {"replicas": 2, "currentReplicas": 2, "observedGeneration": 2, "generation": 2},
    ),
    (
        "daemonset",
        member(
            "DaemonSet",
            "apps/v1",
            {
                "desiredNumberScheduled": 2,
                "numberReady": 2,
                "observedGeneration": 1,
                "numberMisscheduled": 0,
            },
            generation=1,
        ),
        {"desiredNumberScheduled": 2, "numberReady": 2, "observedGeneration": 1, "generation": 1},
    ),
    (
        "service-lb",
        member(
            "Service",
            "v1",
            {"loadBalancer": {"ingress": [{"ip": "1.1.1.1"}]}, "conditions": []},
            spec={"type": "LoadBalancer"},
        ),
        {"loadBalancer": {"ingress": [{"ip": "1.1.1.1"}]}},
    ),
    (
        "service-clusterip",
        member("Service", "v1", {"loadBalancer": {}}, spec={"type": "ClusterIP"}),
        None,
    ),
    (
        "job",
        member(
            "Job",
            "batch/v1",
            {
                "active": 1,
                "succeeded": 2,
                "startTime": "2025-01-01T00:00:00Z",
                "uncountedTerminatedPods": {},
                "ready": 1,
            },
        ),
        {"active": 1, "succeeded": 2, "startTime": "2025-01-01T00:00:00Z"},
    ),
    (
        "pdb",
        member(
            "PodDisruptionBudget",
            "policy/v1",
            {
                "currentHealthy": 2,
                "desiredHealthy": 1,
                "expectedPods": 2,
                "disruptionsAllowed": 1,
                "observedGeneration": 1,
            },
        ),
        {"currentHealthy": 2, "desiredHealthy": 1, "expectedPods": 2, "disruptionsAllowed": 1},
    ),
    (
        "configmap-whole",
        member("Widget", "example.io/v1", {"phase": "Ready", "n": 1}),
        {"phase": "Ready", "n": 1},
    ),
    ("no-status", member("Widget", "example.io/v1", None), None),
    ("malformed-status", member("Widget", "example.io/v1", "ready"), None),
]


@pytest.mark.parametrize(
    ("obj", "expected"), [c[1:] for c in REFLECT_CASES], ids=[c[0] for c in REFLECT_CASES]
)
def test_reflect(obj: dict[str, Any], expected: dict[str, Any] | None) -> None:
    assert reflect_status(obj) == expected
