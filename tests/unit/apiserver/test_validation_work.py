"""Validation of the work.karmada.io kinds: Work, ResourceBinding, ClusterResourceBinding."""

from __future__ import annotations

from typing import Any

import pytest

from apiserver.registry import binding, work
from tests.unit.apiserver.support import build, fields_of, status_fields_of

WORK = work.STRATEGY
RB = binding.STRATEGY
CRB = binding.CLUSTER_STRATEGY
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {}}
M = "spec.workload.manifests"


def manifests(*items: dict[str, Any]) -> dict[str, Any]:
    return {"workload": {"manifests": list(items)}}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({}, [], id="empty"),
        pytest.param(manifests(CONFIGMAP, CONFIGMAP), [], id="valid-manifests"),
        pytest.param(
            manifests({"metadata": {"name": "x"}}),
            [f"{M}[0].apiVersion", f"{M}[0].kind"],
            id="no-type",
        ),
        pytest.param(
            manifests({"apiVersion": 1, "kind": "", "metadata": {"name": "x"}}),
            [f"{M}[0].apiVersion", f"{M}[0].kind"],
            id="type-not-strings",
        ),
        pytest.param(
            manifests(
                {"apiVersion": "v1", "kind": "ConfigMap"},
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": "cfg"},
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "a"}},
            ),
            [f"{M}[0].metadata.name", f"{M}[1].metadata", f"{M}[2].metadata.name"],
            id="no-name",
        ),
    ],
)
def test_work_spec(spec: dict[str, Any], expected: list[str]) -> None:
    assert fields_of(WORK, build(WORK, spec, name="w", namespace="karmada-es-m1")) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param({"manifestStatuses": [{"health": "Healthy"}, {}]}, [], id="valid"),
        pytest.param(
            {"manifestStatuses": [{"health": "Healthy"}, {"health": "Fine"}]},
            ["status.manifestStatuses[1].health"],
            id="bad-health",
        ),
    ],
)
def test_work_status(status: dict[str, Any], expected: list[str]) -> None:
    obj = build(WORK, {}, name="w", namespace="karmada-es-m1", status=status)
    assert status_fields_of(WORK, obj) == expected


RESOURCE = {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "apps", "name": "nginx"}


def binding_spec(**fields: Any) -> dict[str, Any]:
    return {"resource": RESOURCE, **fields}


TASK = {"fromCluster": "m1", "reason": "ApplicationFailure", "producer": "failover-controller"}

BINDING_CASES = [
    pytest.param(binding_spec(), [], id="unscheduled"),
    pytest.param(
        binding_spec(
            replicas=3,
            clusters=[{"name": "m1", "replicas": 2}, {"name": "m2", "replicas": 1}],
            requiredBy=[{"name": "web", "clusters": [{"name": "m1"}]}],
            gracefulEvictionTasks=[{**TASK, "purgeMode": "Gracefully", "gracePeriodSeconds": 60}],
            conflictResolution="Overwrite",
        ),
        [],
        id="scheduled",
    ),
    pytest.param(
        {"resource": {}},
        ["spec.resource.apiVersion", "spec.resource.kind", "spec.resource.name"],
        id="no-resource",
    ),
    pytest.param(
        binding_spec(replicas=-1, conflictResolution="Merge"),
        ["spec.replicas", "spec.conflictResolution"],
        id="bad-replicas-and-conflict-resolution",
    ),
    pytest.param(
        binding_spec(
            clusters=[
                {"name": "m1", "replicas": 1},
                {"name": "m1", "replicas": -2},
                {"name": "Bad"},
                {},
            ]
        ),
        [
            "spec.clusters[1].name",
            "spec.clusters[1].replicas",
            "spec.clusters[2].name",
            "spec.clusters[3].name",
        ],
        id="bad-target-clusters",
    ),
    pytest.param(
        binding_spec(requiredBy=[{"clusters": [{"name": "m_1"}]}]),
        ["spec.requiredBy[0].name", "spec.requiredBy[0].clusters[0].name"],
        id="bad-required-by",
    ),
    pytest.param(
        binding_spec(
            gracefulEvictionTasks=[
                {},
                {
                    **TASK,
                    "purgeMode": "Soon",
                    "reason": "R" * 33,
                    "gracePeriodSeconds": 5,
                    "suppressDeletion": True,
                },
            ]
        ),
        [
            "spec.gracefulEvictionTasks[0].fromCluster",
            "spec.gracefulEvictionTasks[0].reason",
            "spec.gracefulEvictionTasks[0].producer",
            "spec.gracefulEvictionTasks[1].purgeMode",
            "spec.gracefulEvictionTasks[1].reason",
            "spec.gracefulEvictionTasks[1].suppressDeletion",
        ],
        id="bad-eviction-tasks",
    ),
]


@pytest.mark.parametrize(("spec", "expected"), BINDING_CASES)
def test_resource_binding_spec(spec: dict[str, Any], expected: list[str]) -> None:
    assert fields_of(RB, build(RB, spec, name="nginx-deployment", namespace="apps")) == expected


@pytest.mark.parametrize(("spec", "expected"), BINDING_CASES)
def test_cluster_resource_binding_spec(spec: dict[str, Any], expected: list[str]) -> None:
    assert fields_of(CRB, build(CRB, spec, name="nginx-deployment")) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param(
            {
                "aggregatedStatus": [
                    {"clusterName": "m1", "health": "Healthy", "applied": True},
                    {"clusterName": "m2", "health": "Unknown"},
                    {"clusterName": "m3"},
                ]
            },
            [],
            id="valid",
        ),
        pytest.param(
            {"aggregatedStatus": [{"clusterName": "m1", "health": "Sick"}, {"health": "Healthy"}]},
            ["status.aggregatedStatus[0].health", "status.aggregatedStatus[1].clusterName"],
            id="bad-health-and-cluster",
        ),
    ],
)
def test_binding_status(status: dict[str, Any], expected: list[str]) -> None:
    for strategy, namespace in ((RB, "apps"), (CRB, "")):
        obj = build(strategy, binding_spec(), name="b", namespace=namespace, status=status)
        assert status_fields_of(strategy, obj) == expected
