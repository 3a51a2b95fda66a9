"""Node, resource and API-enablement summaries, after Karmada's cluster status controller."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.member.quantity import QuantityError
from karmada.member.summary import (
    ApiEnablement,
    ApiResource,
    NodeSummary,
    ResourceSummary,
    api_enablements,
    node_ready,
    node_summary,
    pod_requests,
    resource_summary,
)


def node(name: str, *, ready: str | None = "True", **allocatable: str) -> dict[str, Any]:
    status: dict[str, Any] = {"allocatable": allocatable}
    if ready is not None:
        status["conditions"] = [
            {"type": "MemoryPressure", "status": "False"},
            {"type": "Ready", "status": ready},
        ]
    return {"metadata": {"name": name}, "status": status}


def container(
    name: str = "c",
    *,
    requests: dict[str, str] | None = None,
    limits: dict[str, str] | None = None,
    restart: str | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {"name": name, "resources": {}}
    if requests is not None:
        result["resources"]["requests"] = requests
    if limits is not None:
        result["resources"]["limits"] = limits
    if restart is not None:
        result["restartPolicy"] = restart
    return result


def pod(*containers: dict[str, Any], node_name: str = "", phase: str = "Running") -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": list(containers)}
    if node_name:
        spec["nodeName"] = node_name
    return {"metadata": {"name": "p"}, "spec": spec, "status": {"phase": phase}}


@pytest.mark.parametrize(
    ("node_", "ready"),
    [
        (node("a", ready="True"), True),
        (node("b", ready="False"), False),
        (node("c", ready="Unknown"), False),
        (node("d", ready=None), False),
        ({"metadata": {"name": "e"}}, False),
    ],
)
def test_node_ready(node_: dict[str, Any], ready: bool) -> None:
    assert node_ready(node_) is ready


def test_node_summary_counts_all_and_ready() -> None:
    nodes = [node("a"), node("b", ready="False"), node("c", ready=None), node("d")]
    assert node_summary(nodes) == NodeSummary(total=4, ready=2)
    assert node_summary([]) == NodeSummary(total=0, ready=0)
    assert NodeSummary(3, 2).to_proto() == cluster_pb2.NodeSummary(total_num=3, ready_num=2)


F = Fraction


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({"containers": []}, {}, id="no-containers"),
        pytest.param(
            {
                "containers": [
                    container(requests={"cpu": "100m", "memory": "128Mi"}),
                    container(requests={"cpu": "200m"}),
                ]
            },
            {"cpu": F(3, 10), "memory": F(128 * 2**20)},
            id="sum-of-containers",
        ),
        pytest.param(
            {
                "containers": [
                    container(limits={"cpu": "1", "memory": "1Gi"}, requests={"memory": "512Mi"})
                ]
            },
            {"cpu": F(1), "memory": F(512 * 2**20)},
            id="limit-stands-in-for-missing-request",
        ),
        pytest.param(
            {
                "containers": [container(requests={"cpu": "100m"})],
                "initContainers": [container("init", requests={"cpu": "500m", "memory": "1Gi"})],
            },
            {"cpu": F(1, 2), "memory": F(2**30)},
            id="bigger-init-container-wins",
        ),
        pytest.param(
            {
                "containers": [container(requests={"cpu": "1"})],
                "initContainers": [container("init", requests={"cpu": "500m"})],
            },
            {"cpu": F(1)},
            id="smaller-init-container-ignored",
        ),
        pytest.param(
            {
                "containers": [container(requests={"cpu": "100m"})],
                "initContainers": [
                    container("sidecar", requests={"cpu": "50m"}, restart="Always"),
                    container("init", requests={"cpu": "200m"}),
                ],
            },
            {"cpu": F(1, 4)},  # max(100m + 50m sidecar, 200m init + 50m sidecar running)
            id="sidecar-adds-and-runs-during-later-inits",
        ),
        pytest.param(
            {
                "containers": [container(requests={"cpu": "300m"})],
                "initContainers": [
                    container("init", requests={"cpu": "200m"}),
                    container("sidecar", requests={"cpu": "50m"}, restart="Always"),
                ],
            },
            {"cpu": F(7, 20)},  # 300m + 50m sidecar; the earlier init ran alone (200m)
            id="sidecar-after-init",
        ),
        pytest.param(
            {
                "containers": [container(requests={"cpu": "100m"})],
                "overhead": {"cpu": "10m", "memory": "64Mi"},
            },
            {"cpu": F(11, 100), "memory": F(64 * 2**20)},
            id="overhead-added",
        ),
        pytest.param(
            {"containers": [container(requests={"nvidia.com/gpu": "1"})]},
            {"nvidia.com/gpu": F(1)},
            id="extended-resource",
        ),
    ],
)
def test_pod_requests(spec: dict[str, Any], expected: dict[str, Fraction]) -> None:
    assert pod_requests(spec) == expected


def test_resource_summary() -> None:
    nodes = [
        node("a", cpu="4", memory="8Gi", pods="110", **{"ephemeral-storage": "100Gi"}),
        node("b", ready="False", cpu="3500m", memory="16335244Ki", pods="110"),
    ]
    pods = [
        pod(container(requests={"cpu": "500m", "memory": "1Gi"}), node_name="a"),
        pod(container(requests={"cpu": "250m"}), node_name="b", phase="Pending"),
        pod(container(requests={"cpu": "2", "memory": "2Gi"}), node_name="a", phase="Succeeded"),
        pod(container(requests={"cpu": "1", "memory": "512Mi"})),  # pending, unscheduled
        pod(container(requests={"cpu": "8"}), phase="Failed"),  # unscheduled but terminated
    ]
    summary = resource_summary(nodes, pods)
    assert summary == ResourceSummary(
        allocatable={
            "cpu": "7500m",
            "ephemeral-storage": "100Gi",
            "memory": "24723852Ki",
            "pods": "220",
        },
        allocated={"cpu": "750m", "memory": "1Gi", "pods": "2"},
        allocating={"cpu": "1", "memory": "512Mi", "pods": "1"},
    )
    proto = summary.to_proto()
    assert dict(proto.allocatable) == summary.allocatable
    assert dict(proto.allocated) == summary.allocated
    assert dict(proto.allocating) == summary.allocating


def test_resource_summary_of_an_empty_cluster_reports_zeros() -> None:
    assert resource_summary([], []) == ResourceSummary(
        allocatable={},
        allocated={"cpu": "0", "memory": "0", "pods": "0"},
        allocating={"cpu": "0", "memory": "0", "pods": "0"},
    )


def test_hugepages_print_in_binary() -> None:
    summary = resource_summary([node("a", **{"hugepages-2Mi": "2097152"})], [])
    assert summary.allocatable == {"hugepages-2Mi": "2Mi"}


def test_malformed_quantity_raises() -> None:
    with pytest.raises(QuantityError):
        resource_summary([node("a", cpu="lots")], [])


def test_api_enablements_sorted_without_subresources() -> None:
    lists: list[dict[str, Any]] = [
        {
            "groupVersion": "v1",
            "resources": [
                {"name": "pods", "kind": "Pod", "namespaced": True},
                {"name": "pods/status", "kind": "Pod"},
                {"name": "configmaps", "kind": "ConfigMap"},
            ],
        },
        {
            "groupVersion": "apps/v1",
            "resources": [
                {"name": "deployments/scale", "kind": "Scale"},
                {"name": "deployments", "kind": "Deployment"},
            ],
        },
        {"groupVersion": "batch/v1", "resources": []},
    ]
    result = api_enablements(lists)
    assert result == [
        ApiEnablement("apps/v1", (ApiResource("deployments", "Deployment"),)),
        ApiEnablement("batch/v1", ()),
        ApiEnablement("v1", (ApiResource("configmaps", "ConfigMap"), ApiResource("pods", "Pod"))),
    ]
    assert result[0].to_dict() == {
        "groupVersion": "apps/v1",
        "resources": [{"name": "deployments", "kind": "Deployment"}],
    }
    assert result[2].to_proto() == cluster_pb2.ApiEnablement(
        group_version="v1",
        resources=[
            cluster_pb2.ApiResource(name="configmaps", kind="ConfigMap"),
            cluster_pb2.ApiResource(name="pods", kind="Pod"),
        ],
    )
