"""Binding status items and FullyApplied from a binding's spec and Works, table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.controllers.binding_status.items import (
    aggregated_items,
    fully_applied,
    reflected,
    target_clusters,
)
from karmada.machinery.structs import from_dict
from karmada.meta.v1 import meta_pb2
from karmada.work.v1alpha1 import work_pb2
from karmada.work.v1alpha2.resource_binding_pb2 import (
    BindingSnapshot,
    GracefulEvictionTask,
    ResourceBindingSpec,
    TargetCluster,
)


def spec(
    *clusters: str, required_by: tuple[str, ...] = (), evicting: tuple[tuple[str, str], ...] = ()
) -> ResourceBindingSpec:
    result = ResourceBindingSpec(clusters=[TargetCluster(name=c, replicas=1) for c in clusters])
    result.resource.api_version = "apps/v1"
    result.resource.kind = "Deployment"
    result.resource.namespace = "ns"
    result.resource.name = "web"
    if required_by:
        result.required_by.append(
            BindingSnapshot(
                name="parent", namespace="ns", clusters=[TargetCluster(name=c) for c in required_by]
            )
        )
    for cluster, mode in evicting:
        result.graceful_eviction_tasks.append(
            GracefulEvictionTask(
                from_cluster=cluster, purge_mode=mode, reason="TaintUntolerated", producer="t"
            )
        )
    return result


def work(
    applied: str | None,
    message: str = "",
    *,
    status: dict[str, Any] | None = None,
    health: str = "",
    kind: str = "Deployment",
) -> work_pb2.Work:
    result = work_pb2.Work()
    if applied is not None:
        result.status.conditions.append(
            meta_pb2.Condition(type="Applied", status=applied, reason="R", message=message)
        )
    if status is not None or health:
        manifest = result.status.manifest_statuses.add(health=health)
        manifest.identifier.group = "apps"
        manifest.identifier.version = "v1"
        manifest.identifier.kind = kind
        manifest.identifier.namespace = "ns"
        manifest.identifier.name = "web"
        if status is not None:
            manifest.status.CopyFrom(from_dict(status))
    return result


@pytest.mark.parametrize(
    ("binding", "targets", "evicting"),
    [
        (spec(), [], []),
        (spec("m2", "m1"), ["m1", "m2"], []),
        (spec("m1", required_by=("m3", "m1")), ["m1", "m3"], []),
        (
            spec(
                "m1",
                evicting=(
                    ("m2", "Gracefully"),
                    ("m3", "Directly"),
                    ("m4", "Never"),
                    ("m1", "Gracefully"),
                ),
            ),
            ["m1"],
            ["m2", "m4"],
        ),
    ],
    ids=["unscheduled", "clusters", "required-by", "evictions"],
)
def test_target_clusters(
    binding: ResourceBindingSpec, targets: list[str], evicting: list[str]
) -> None:
    assert target_clusters(binding) == (targets, evicting)


def summary(
    binding: ResourceBindingSpec, works: dict[str, work_pb2.Work]
) -> list[tuple[str, bool, str, str, dict[str, Any] | None]]:
    return [
        (i.cluster_name, i.applied, i.applied_message, i.health, reflected(i))
        for i in aggregated_items(binding, works)
    ]


CASES: list[tuple[str, ResourceBindingSpec, dict[str, work_pb2.Work], list[Any], bool]] = [
    ("unscheduled", spec(), {}, [], False),
    (
        "all-applied-healthy",
        spec("m1", "m2"),
        {
            "m1": work("True", status={"replicas": 1}, health="Healthy"),
            "m2": work("True", status={"replicas": 2}, health="Unhealthy"),
        },
        [
            ("m1", True, "", "Healthy", {"replicas": 1}),
            ("m2", True, "", "Unhealthy", {"replicas": 2}),
        ],
        True,
    ),
    (
        "missing-work",
        spec("m1", "m2"),
        {"m1": work("True", status={"replicas": 1}, health="Healthy")},
        [("m1", True, "", "Healthy", {"replicas": 1}), ("m2", False, "", "Unknown", None)],
        False,
    ),
    (
        "apply-failed",
        spec("m1"),
        {
            "m1": work(
                "False",
                "Failed to apply all manifests (0/1): boom",
                status={"replicas": 1},
                health="Healthy",
            )
        },
        [("m1", False, "Failed to apply all manifests (0/1): boom", "Unknown", None)],
        False,
    ),
    (
        "no-condition-yet",
        spec("m1"),
        {"m1": work(None)},
        [("m1", False, "", "Unknown", None)],
        False,
    ),
    (
        "applied-no-manifest-status",
        spec("m1"),
        {"m1": work("True")},
        [("m1", True, "", "Unknown", None)],
        True,
    ),
    (
        "other-manifest-status",
        spec("m1"),
        {"m1": work("True", status={"a": 1}, health="Healthy", kind="StatefulSet")},
        [("m1", True, "", "Unknown", None)],
        True,
    ),
    (
        "stale-work-outside-targets",
        spec("m1"),
        {"m1": work("True"), "m9": work("True")},
        [("m1", True, "", "Unknown", None)],
        True,
    ),
    (
        "evicting-cluster-with-work",
        spec("m1", evicting=(("m2", "Gracefully"),)),
        {"m1": work("True"), "m2": work("False", "unreachable")},
        [("m1", True, "", "Unknown", None), ("m2", False, "unreachable", "Unknown", None)],
        False,
    ),
    (
        "evicting-cluster-work-gone",
        spec("m1", evicting=(("m2", "Gracefully"),)),
        {"m1": work("True")},
        [("m1", True, "", "Unknown", None)],
        True,
    ),
    (
        "required-by",
        spec(required_by=("m3",)),
        {"m3": work("True")},
        [("m3", True, "", "Unknown", None)],
        True,
    ),
]


@pytest.mark.parametrize(
    ("binding", "works", "expected", "applied"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_items_and_fully_applied(
    binding: ResourceBindingSpec,
    works: dict[str, work_pb2.Work],
    expected: list[Any],
    applied: bool,
) -> None:
    assert summary(binding, works) == expected
    assert fully_applied(binding, aggregated_items(binding, works)) is applied
