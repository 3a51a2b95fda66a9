"""Cluster status pieces without a member: API enablements, conflict re-apply, metrics."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from controller_manager.controllers import cluster_metrics
from controller_manager.controllers.cluster_status import merge_status, set_api_enablements
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery.conditions import find_condition, set_condition
from karmada.member import ApiEnablements
from karmada.member.summary import ApiEnablement, ApiResource

APPS = ApiEnablement("apps/v1", (ApiResource("deployments", "Deployment"),))
CORE = ApiEnablement("v1", (ApiResource("pods", "Pod"),))
BATCH = ApiEnablement("batch/v1", (ApiResource("jobs", "Job"),))


def status_with(*enablements: ApiEnablement) -> cluster_pb2.ClusterStatus:
    return cluster_pb2.ClusterStatus(api_enablements=[e.to_proto() for e in enablements])


@pytest.mark.parametrize(
    ("before", "collected", "group_versions", "condition"),
    [
        # Complete: the collection replaces what was there.
        ((APPS, BATCH), ApiEnablements([APPS, CORE]), ["apps/v1", "v1"], ("True", "Complete")),
        # Partial: failed group/versions keep their previous resources.
        (
            (APPS, BATCH),
            ApiEnablements([CORE], failed={"apps/v1": "timeout", "policy/v1": "timeout"}),
            ["apps/v1", "v1"],
            ("False", "Partial"),
        ),
        # Empty: the previous list stays (Karmada drops it).
        ((APPS,), ApiEnablements([], failed={"v1": "down"}), ["apps/v1"], ("False", "Empty")),
        ((), ApiEnablements([]), [], ("False", "Empty")),
    ],
)
def test_set_api_enablements(
    before: tuple[ApiEnablement, ...],
    collected: ApiEnablements,
    group_versions: list[str],
    condition: tuple[str, str],
) -> None:
    status = status_with(*before)
    set_api_enablements(status, collected)
    assert [e.group_version for e in status.api_enablements] == group_versions
    found = find_condition(status.conditions, "CompleteAPIEnablements")
    assert found is not None
    assert (found.status, found.reason) == condition


def test_partial_message_counts_what_is_reported() -> None:
    status = status_with(APPS)
    set_api_enablements(status, ApiEnablements([CORE], failed={"apps/v1": "x"}))
    found = find_condition(status.conditions, "CompleteAPIEnablements")
    assert found is not None
    assert found.message == "might collect partial APIEnablements(2) from the cluster"


def test_merge_status_reapplies_our_fields_and_keeps_others() -> None:
    fresh = cluster_pb2.Cluster()
    fresh.status.remedy_actions.append("TrafficControl")
    set_condition(fresh.status.conditions, "Ready", "True", "ClusterReady", "ok", now=1.0)
    set_condition(fresh.status.conditions, "Other", "True", "X", "y", now=1.0)
    desired = status_with(APPS)
    desired.kubernetes_version = "v1.30.0"
    desired.node_summary.total_num = 3
    set_condition(desired.conditions, "Ready", "False", "ClusterNotReachable", "gone", now=2.0)

    merged = merge_status(fresh, desired)

    assert merged is not None
    assert merged.status.kubernetes_version == "v1.30.0"
    assert merged.status.node_summary.total_num == 3
    assert list(merged.status.remedy_actions) == ["TrafficControl"]
    ready = find_condition(merged.status.conditions, "Ready")
    assert ready is not None and (ready.status, ready.reason) == ("False", "ClusterNotReachable")
    assert find_condition(merged.status.conditions, "Other") is not None
    assert merge_status(merged, desired) is None


def sample(name: str, cluster: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"member_cluster": cluster})


def test_metrics_follow_the_status_and_are_removed_with_the_cluster() -> None:
    status = cluster_pb2.ClusterStatus(
        node_summary=cluster_pb2.NodeSummary(total_num=3, ready_num=2),
        resource_summary=cluster_pb2.ResourceSummary(
            allocatable={"cpu": "12", "memory": "48Gi", "pods": "330"},
            allocated={"cpu": "1500m", "memory": "512Mi", "pods": "7"},
        ),
    )
    set_condition(status.conditions, "Ready", "True", "ClusterReady", "ok")
    cluster_metrics.record_status("unit-metrics", status)
    cluster_metrics.record_probe("unit-metrics", healthy=False, seconds=0.01)

    assert sample("cluster_ready_state", "unit-metrics") == 1
    assert sample("cluster_node_number", "unit-metrics") == 3
    assert sample("cluster_ready_node_number", "unit-metrics") == 2
    assert sample("cluster_cpu_allocatable_number", "unit-metrics") == 12
    assert sample("cluster_memory_allocatable_bytes", "unit-metrics") == 48 * 2**30
    assert sample("cluster_pod_allocatable_number", "unit-metrics") == 330
    assert sample("cluster_cpu_allocated_number", "unit-metrics") == 1.5
    assert sample("cluster_memory_allocated_bytes", "unit-metrics") == 512 * 2**20
    assert sample("cluster_pod_allocated_number", "unit-metrics") == 7
    assert sample("cluster_health_probe_success", "unit-metrics") == 0
    assert (
        REGISTRY.get_sample_value(
            "cluster_health_probe_total", {"member_cluster": "unit-metrics", "result": "error"}
        )
        == 1
    )

    cluster_metrics.forget_cluster("unit-metrics")
    assert sample("cluster_ready_state", "unit-metrics") is None
    assert sample("cluster_node_number", "unit-metrics") is None
