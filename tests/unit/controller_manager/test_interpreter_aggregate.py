"""aggregate_status: a template's status from its members' (Karmada's native aggregators), table-driven."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from controller_manager.interpreter import aggregate_status

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def template(
    kind: str, api_version: str, *, generation: int = 3, status: Any = None, spec: Any = None
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "x", "namespace": "ns", "generation": generation},
    }
    if spec is not None:
        obj["spec"] = spec
    if status is not None:
        obj["status"] = status
    return obj


def deploy_item(
    ready: int, *, generation: int = 2, observed: int = 2, template_generation: int = 3
) -> dict[str, Any]:
    item = {"replicas": 2, "readyReplicas": ready, "availableReplicas": ready, "updatedReplicas": 2}
    item |= {"generation": generation, "observedGeneration": observed}
    if template_generation:
        item["resourceTemplateGeneration"] = template_generation
    return {k: v for k, v in item.items() if v}


DEPLOY = template(
    "Deployment", "apps/v1", status={"observedGeneration": 2, "conditions": [{"type": "X"}]}
)

AGGREGATE_CASES: list[
    tuple[str, dict[str, Any], list[tuple[str, dict[str, Any] | None]], dict[str, Any] | None]
] = [
    (
        "deployment-all-caught-up",
        DEPLOY,
        [("m1", deploy_item(2)), ("m2", deploy_item(1))],
        {
            "replicas": 4,
            "readyReplicas": 3,
            "availableReplicas": 3,
            "updatedReplicas": 4,
            "observedGeneration": 3,
            "conditions": [{"type": "X"}],
        },
    ),
    (
        "deployment-member-not-observed",
        DEPLOY,
        [("m1", deploy_item(2)), ("m2", deploy_item(0, generation=3, observed=2))],
        {
            "replicas": 4,
            "readyReplicas": 2,
            "availableReplicas": 2,
            "updatedReplicas": 4,
            "observedGeneration": 2,
            "conditions": [{"type": "X"}],
        },
    ),
    (
        "deployment-old-template",
        DEPLOY,
        [("m1", deploy_item(2)), ("m2", deploy_item(2, template_generation=2))],
        {
            "replicas": 4,
            "readyReplicas": 4,
            "availableReplicas": 4,
            "updatedReplicas": 4,
            "observedGeneration": 2,
            "conditions": [{"type": "X"}],
        },
    ),
    (
        "deployment-status-not-collected",
        DEPLOY,
        [("m1", deploy_item(2)), ("m2", None)],
        {
            "replicas": 2,
            "readyReplicas": 2,
            "availableReplicas": 2,
            "updatedReplicas": 2,
            "observedGeneration": 2,
            "conditions": [{"type": "X"}],
        },
    ),
    (
        "deployment-no-template-generation-recorded",
        DEPLOY,
        [("m1", deploy_item(2, template_generation=0))],
        {
            "replicas": 2,
            "readyReplicas": 2,
            "availableReplicas": 2,
            "updatedReplicas": 2,
            "observedGeneration": 3,
            "conditions": [{"type": "X"}],
        },
    ),
    (
        "deployment-counts-drop-to-zero",
        template("Deployment", "apps/v1", status={"readyReplicas": 5, "observedGeneration": 3}),
        [("m1", {"replicas": 1, "generation": 1, "observedGeneration": 1})],
        {"replicas": 1, "observedGeneration": 3},
    ),
    (
        "statefulset",
        template("StatefulSet", "apps/v1"),
        [
            ("m1", {"replicas": 1, "currentReplicas": 1, "generation": 1, "observedGeneration": 1}),
            ("m2", {"replicas": 2, "readyReplicas": 2}),
        ],
        {"replicas": 3, "currentReplicas": 1, "readyReplicas": 2, "observedGeneration": 3},
    ),
    (
        "daemonset",
        template("DaemonSet", "apps/v1"),
        [
            ("m1", {"desiredNumberScheduled": 2, "numberReady": 1}),
            ("m2", {"desiredNumberScheduled": 3, "numberReady": 3}),
        ],
        {"desiredNumberScheduled": 5, "numberReady": 4, "observedGeneration": 3},
    ),
    (
        "service-lb",
        template("Service", "v1", spec={"type": "LoadBalancer"}),
        [
            ("m1", {"loadBalancer": {"ingress": [{"ip": "1.1.1.1"}]}}),
            ("m2", {"loadBalancer": {"ingress": [{"hostname": "lb"}]}}),
            ("m3", None),
        ],
        {"loadBalancer": {"ingress": [{"ip": "1.1.1.1", "hostname": "m1"}, {"hostname": "lb"}]}},
    ),
    (
        "service-clusterip",
        template("Service", "v1", spec={"type": "ClusterIP"}),
        [("m1", None)],
        None,
    ),
    (
        "ingress",
        template("Ingress", "networking.k8s.io/v1"),
        [("m1", {"loadBalancer": {"ingress": [{"ip": "2.2.2.2"}]}})],
        {"loadBalancer": {"ingress": [{"ip": "2.2.2.2", "hostname": "m1"}]}},
    ),
    (
        "pod",
        template("Pod", "v1"),
        [
            (
                "m1",
                {
                    "phase": "Running",
                    "containerStatuses": [
                        {"name": "c", "ready": True, "state": {"running": {}}, "restartCount": 2}
                    ],
                },
            ),
            ("m2", {"phase": "Succeeded"}),
        ],
        {"phase": "Running", "containerStatuses": [{"ready": True, "state": {"running": {}}}]},
    ),
    (
        "pod-not-collected-is-pending",
        template("Pod", "v1"),
        [("m1", {"phase": "Running"}), ("m2", None)],
        {"phase": "Pending", "containerStatuses": []},
    ),
    (
        "pod-failed-wins",
        template("Pod", "v1"),
        [("m1", {"phase": "Pending"}), ("m2", {"phase": "Failed"})],
        {"phase": "Failed", "containerStatuses": []},
    ),
    ("pod-no-items", template("Pod", "v1"), [], None),
    (
        "pvc-bound",
        template("PersistentVolumeClaim", "v1"),
        [("m1", {"phase": "Bound"}), ("m2", None)],
        {"phase": "Bound"},
    ),
    (
        "pvc-pending",
        template("PersistentVolumeClaim", "v1"),
        [("m1", {"phase": "Pending"}), ("m2", {"phase": "Bound"})],
        {"phase": "Pending"},
    ),
    (
        "pvc-lost",
        template("PersistentVolumeClaim", "v1"),
        [("m1", {"phase": "Lost"}), ("m2", {"phase": "Pending"})],
        {"phase": "Lost"},
    ),
    (
        "pv",
        template("PersistentVolume", "v1"),
        [("m1", {"phase": "Bound"}), ("m2", {"phase": "Available"})],
        {"phase": "Available"},
    ),
    (
        "pdb",
        template("PodDisruptionBudget", "policy/v1"),
        [
            ("m1", {"currentHealthy": 2, "desiredHealthy": 1, "disruptedPods": {"p": "t"}}),
            ("m2", {"currentHealthy": 1, "desiredHealthy": 1}),
        ],
        {"currentHealthy": 3, "desiredHealthy": 2, "disruptedPods": {"m1/p": "t"}},
    ),
    ("no-aggregation", template("ConfigMap", "v1"), [("m1", {"a": 1})], None),
    (
        "cronjob",
        template("CronJob", "batch/v1", status={"lastScheduleTime": "2024-12-31T00:00:00Z"}),
        [
            ("m1", {"active": [{"name": "j1"}], "lastScheduleTime": "2025-01-01T00:00:00Z"}),
            (
                "m2",
                {
                    "active": [{"name": "j2"}],
                    "lastScheduleTime": "2025-01-01T01:00:00Z",
                    "lastSuccessfulTime": "2025-01-01T00:30:00Z",
                },
            ),
        ],
        {
            "active": [{"name": "j1"}, {"name": "j2"}],
            "lastScheduleTime": "2025-01-01T01:00:00Z",
            "lastSuccessfulTime": "2025-01-01T00:30:00Z",
        },
    ),
]


@pytest.mark.parametrize(
    ("tmpl", "items", "expected"),
    [c[1:] for c in AGGREGATE_CASES],
    ids=[c[0] for c in AGGREGATE_CASES],
)
def test_aggregate(
    tmpl: dict[str, Any],
    items: list[tuple[str, dict[str, Any] | None]],
    expected: dict[str, Any] | None,
) -> None:
    before = repr(tmpl)
    assert aggregate_status(tmpl, items, now=NOW) == expected
    assert repr(tmpl) == before
