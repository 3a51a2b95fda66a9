"""The shared cluster-affinity matcher and resource-selector specificity."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.overrides import (
    Priority,
    cluster_matches,
    selector_priority,
    selectors_priority,
)
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import types_pb2
from karmada.meta.v1 import meta_pb2
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2


def cluster(
    name: str,
    *,
    labels: dict[str, str] | None = None,
    region: str = "",
    provider: str = "",
    zones: tuple[str, ...] = (),
    zone: str = "",
) -> cluster_pb2.Cluster:
    out = cluster_pb2.Cluster()
    out.metadata.name = name
    out.metadata.labels.update(labels or {})
    out.spec.region = region
    out.spec.provider = provider
    out.spec.zones.extend(zones)
    out.spec.zone = zone
    return out


def fields(*expressions: tuple[str, str, list[str]]) -> policy_pb2.FieldSelector:
    return policy_pb2.FieldSelector(
        match_expressions=[
            types_pb2.NodeSelectorRequirement(key=k, operator=o, values=v)
            for k, o, v in expressions
        ]
    )


def selector(
    match: dict[str, str] | None = None, *expressions: tuple[str, str, list[str]]
) -> meta_pb2.LabelSelector:
    return meta_pb2.LabelSelector(
        match_labels=match or {},
        match_expressions=[
            meta_pb2.LabelSelectorRequirement(key=k, operator=o, values=v)
            for k, o, v in expressions
        ],
    )


M1 = cluster("m1", labels={"env": "prod"}, region="eu", provider="aws", zones=("eu-1", "eu-2"))
M2 = cluster("m2", labels={"env": "dev"}, region="us", zone="us-1")
M3 = cluster("m3")


@pytest.mark.parametrize(
    ("affinity", "matched"),
    [
        (policy_pb2.ClusterAffinity(), {"m1", "m2", "m3"}),
        (policy_pb2.ClusterAffinity(cluster_names=["m1", "m3"]), {"m1", "m3"}),
        (policy_pb2.ClusterAffinity(exclude=["m2"]), {"m1", "m3"}),
        (policy_pb2.ClusterAffinity(cluster_names=["m1", "m2"], exclude=["m1"]), {"m2"}),
        (policy_pb2.ClusterAffinity(label_selector=selector({"env": "prod"})), {"m1"}),
        (
            policy_pb2.ClusterAffinity(label_selector=selector(None, ("env", "NotIn", ["prod"]))),
            {"m2", "m3"},
        ),
        (policy_pb2.ClusterAffinity(label_selector=selector(None, ("env", "Bogus", ["x"]))), set()),
        (policy_pb2.ClusterAffinity(field_selector=fields()), {"m1", "m2", "m3"}),
        (
            policy_pb2.ClusterAffinity(field_selector=fields(("region", "In", ["eu", "us"]))),
            {"m1", "m2"},
        ),
        (
            policy_pb2.ClusterAffinity(field_selector=fields(("region", "NotIn", ["eu"]))),
            {"m2", "m3"},
        ),
        (policy_pb2.ClusterAffinity(field_selector=fields(("provider", "Exists", []))), {"m1"}),
        (
            policy_pb2.ClusterAffinity(field_selector=fields(("provider", "DoesNotExist", []))),
            {"m2", "m3"},
        ),
        (
            policy_pb2.ClusterAffinity(
                field_selector=fields(("zone", "In", ["eu-1", "eu-2", "us-1"]))
            ),
            {"m1", "m2"},
        ),
        (policy_pb2.ClusterAffinity(field_selector=fields(("zone", "In", ["eu-1"]))), set()),
        (
            policy_pb2.ClusterAffinity(field_selector=fields(("zone", "NotIn", ["eu-1"]))),
            {"m2", "m3"},
        ),
        (policy_pb2.ClusterAffinity(field_selector=fields(("zone", "Exists", []))), {"m1", "m2"}),
        (
            policy_pb2.ClusterAffinity(field_selector=fields(("color", "DoesNotExist", []))),
            {"m1", "m2", "m3"},
        ),
        (policy_pb2.ClusterAffinity(field_selector=fields(("region", "In", []))), set()),
        (policy_pb2.ClusterAffinity(field_selector=fields(("region", "Gt", ["1"]))), set()),
        (
            policy_pb2.ClusterAffinity(
                label_selector=selector({"env": "prod"}),
                field_selector=fields(("region", "In", ["us"])),
            ),
            set(),
        ),
    ],
)
def test_cluster_matches(affinity: policy_pb2.ClusterAffinity, matched: set[str]) -> None:
    assert {c.metadata.name for c in (M1, M2, M3) if cluster_matches(affinity, c)} == matched


def manifest(
    name: str = "web", namespace: str = "default", labels: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {"app": "web"}},
    }


def rs(**fields_: Any) -> policy_pb2.ResourceSelector:
    fields_.setdefault("api_version", "apps/v1")
    fields_.setdefault("kind", "Deployment")
    return policy_pb2.ResourceSelector(**fields_)


@pytest.mark.parametrize(
    ("selector_", "priority"),
    [
        (rs(), Priority.MATCH_ALL),
        (rs(namespace="default"), Priority.MATCH_ALL),
        (rs(namespace="other"), Priority.MISMATCH),
        (rs(api_version="apps/v2"), Priority.MISMATCH),
        (rs(kind="StatefulSet"), Priority.MISMATCH),
        (rs(name="web"), Priority.MATCH_NAME),
        (rs(name="web", label_selector=selector({"app": "other"})), Priority.MATCH_NAME),
        (rs(name="api"), Priority.MISMATCH),
        (rs(label_selector=selector({"app": "web"})), Priority.MATCH_LABEL_SELECTOR),
        (rs(label_selector=selector()), Priority.MATCH_LABEL_SELECTOR),
        (rs(label_selector=selector({"app": "api"})), Priority.MISMATCH),
        (rs(label_selector=selector(None, ("app", "In", []))), Priority.MISMATCH),
    ],
)
def test_selector_priority(selector_: policy_pb2.ResourceSelector, priority: Priority) -> None:
    assert selector_priority(manifest(), selector_) is priority


def test_selectors_priority_takes_the_best() -> None:
    assert selectors_priority(manifest(), []) is Priority.MATCH_ALL
    assert (
        selectors_priority(manifest(), [rs(name="api"), rs(), rs(name="web")])
        is Priority.MATCH_NAME
    )
    assert selectors_priority(manifest(), [rs(name="api")]) is Priority.MISMATCH
