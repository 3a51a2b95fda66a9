"""`karmadactl get` tables: columns per kind, kubectl's ages and alignment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from karmadactl.tables import Row, Table, age, build, human_duration, parse_time, render

NOW = datetime(2025, 1, 10, 12, 0, 0, tzinfo=UTC)


def created(seconds_ago: float) -> str:
    return (NOW - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (5, "5s"),
        (119, "119s"),
        (120, "2m"),
        (200, "3m20s"),
        (600, "10m"),
        (179 * 60, "179m"),
        (3 * 3600, "3h"),
        (3 * 3600 + 25 * 60, "3h25m"),
        (10 * 3600, "10h"),
        (47 * 3600, "47h"),
        (4 * 86400, "4d"),
        (4 * 86400 + 5 * 3600, "4d5h"),
        (30 * 86400, "30d"),
        (3 * 365 * 86400, "3y"),
        (3 * 365 * 86400 + 10 * 86400, "3y10d"),
        (9 * 365 * 86400 + 10 * 86400, "9y"),
    ],
)
def test_human_duration_is_kubectls(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


@pytest.mark.parametrize(
    ("stamp", "text"),
    [
        (created(5), "5s"),
        ("2025-01-10T11:57:00Z", "3m"),
        ("2025-01-10T08:00:00.123456789Z", "3h59m"),
        ("2025-01-06T12:00:00+00:00", "4d"),
        ("", "<unknown>"),
        (None, "<unknown>"),
        ("yesterday", "<unknown>"),
    ],
)
def test_age(stamp: Any, text: str) -> None:
    assert age(stamp, NOW) == text


def test_parse_time_keeps_microseconds_and_zone() -> None:
    parsed = parse_time("2025-01-10T10:00:00.123456789Z")
    assert parsed == datetime(2025, 1, 10, 10, 0, 0, 123456, tzinfo=UTC)


def test_render_pads_like_kubectl() -> None:
    table = Table(["NAME", "READY", "AGE"], [["nginx", "6/6", "5s"], ["a", "0/1", "10d"]])
    assert render(table).splitlines() == [
        "NAME    READY   AGE",
        "nginx   6/6     5s",
        "a       0/1     10d",
    ]


def test_render_minimum_column_width() -> None:
    assert render(Table(["A", "B"], [["x", "y"]])).splitlines() == ["A     B", "x     y"]


def cluster(name: str, **status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "cluster.karmada.io/v1alpha1",
        "kind": "Cluster",
        "metadata": {"name": name, "creationTimestamp": created(300)},
        "spec": {
            "syncMode": "Push",
            "apiEndpoint": "https://10.0.0.1:6443",
            "region": "eu",
            "zones": ["eu-a", "eu-b"],
            "provider": "sim",
            "taints": [{"key": "cluster.karmada.io/unschedulable", "effect": "NoSchedule"}],
        },
        "status": status,
    }


def deployment(name: str, namespace: str = "default", **status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": created(60)},
        "spec": {
            "replicas": 6,
            "selector": {"matchLabels": {"app": name}},
            "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}},
        },
        "status": status,
    }


def binding(clusters: list[dict[str, Any]], conditions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "metadata": {"name": "nginx-deployment", "namespace": "default"},
        "spec": {
            "resource": {"kind": "Deployment", "name": "nginx"},
            "replicas": 9,
            "clusters": clusters,
        },
        "status": {"conditions": conditions},
    }


CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], list[str], list[str]]] = [
    (
        "cluster.karmada.io",
        "Cluster",
        cluster(
            "member1",
            kubernetesVersion="v1.30.0",
            conditions=[{"type": "Ready", "status": "True"}],
        ),
        {},
        ["NAME", "VERSION", "MODE", "READY", "AGE"],
        ["member1", "v1.30.0", "Push", "True", "5m"],
    ),
    (
        "cluster.karmada.io",
        "Cluster",
        cluster("member2"),
        {"wide": True},
        [
            "NAME",
            "VERSION",
            "MODE",
            "READY",
            "AGE",
            "ZONES",
            "REGION",
            "PROVIDER",
            "API-ENDPOINT",
            "TAINTS",
        ],
        [
            "member2",
            "<none>",
            "Push",
            "Unknown",
            "5m",
            "eu-a,eu-b",
            "eu",
            "sim",
            "https://10.0.0.1:6443",
            "cluster.karmada.io/unschedulable:NoSchedule",
        ],
    ),
    (
        "policy.karmada.io",
        "PropagationPolicy",
        {
            "metadata": {"name": "nginx", "creationTimestamp": created(10)},
            "spec": {"resourceSelectors": [{"kind": "Deployment", "name": "nginx"}]},
        },
        {},
        ["NAME", "AGE"],
        ["nginx", "10s"],
    ),
    (
        "policy.karmada.io",
        "PropagationPolicy",
        {
            "metadata": {"name": "web"},
            "spec": {
                "priority": 5,
                "resourceSelectors": [
                    {"kind": "Deployment", "name": "nginx"},
                    {"kind": "ConfigMap", "labelSelector": {"matchLabels": {"app": "web"}}},
                ],
            },
        },
        {"wide": True},
        ["NAME", "AGE", "PRIORITY", "SELECTORS"],
        ["web", "<unknown>", "5", "Deployment/nginx,ConfigMap(app=web)"],
    ),
    (
        "work.karmada.io",
        "ResourceBinding",
        binding(
            [{"name": "member1", "replicas": 3}, {"name": "member2", "replicas": 6}],
            [{"type": "Scheduled", "status": "True"}, {"type": "FullyApplied", "status": "True"}],
        ),
        {},
        ["NAME", "SCHEDULED", "FULLYAPPLIED", "AGE"],
        ["nginx-deployment", "member1:3,member2:6", "True", "<unknown>"],
    ),
    (
        "work.karmada.io",
        "ClusterResourceBinding",
        binding([], [{"type": "Scheduled", "status": "False"}]),
        {},
        ["NAME", "SCHEDULED", "FULLYAPPLIED", "AGE"],
        ["nginx-deployment", "False", "<none>", "<unknown>"],
    ),
    (
        "work.karmada.io",
        "Work",
        {
            "metadata": {"name": "nginx-7654b46f", "namespace": "karmada-es-member2"},
            "spec": {"workload": {"manifests": [{"kind": "Deployment"}]}},
            "status": {"conditions": [{"type": "Applied", "status": "True"}]},
        },
        {"wide": True},
        ["NAME", "CLUSTER", "APPLIED", "AGE", "WORKLOAD-KIND"],
        ["nginx-7654b46f", "member2", "True", "<unknown>", "Deployment"],
    ),
    (
        "apps",
        "Deployment",
        deployment("nginx", readyReplicas=4, updatedReplicas=6, availableReplicas=4),
        {},
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        ["nginx", "4/6", "6", "4", "60s"],
    ),
    (
        "apps",
        "Deployment",
        deployment("nginx"),
        {"wide": True},
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"],
        ["nginx", "0/6", "0", "0", "60s", "web", "nginx:1.27", "app=nginx"],
    ),
    (
        "",
        "ConfigMap",
        {"metadata": {"name": "cfg", "creationTimestamp": created(4 * 86400)}, "data": {"a": "1"}},
        {},
        ["NAME", "DATA", "AGE"],
        ["cfg", "1", "4d"],
    ),
    (
        "example.com",
        "Widget",
        {"metadata": {"name": "w", "creationTimestamp": created(7200)}},
        {"wide": True},
        ["NAME", "AGE"],
        ["w", "120m"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[1]}-{'wide' if c[3] else 'table'}")
def test_columns_per_kind(
    case: tuple[str, str, dict[str, Any], dict[str, Any], list[str], list[str]],
) -> None:
    group, kind, obj, flags, columns, cells = case
    table = build(group, kind, [Row(obj)], now=NOW, **flags)
    assert table.columns == columns
    assert table.rows == [cells]


def test_all_namespaces_puts_namespace_first() -> None:
    table = build("apps", "Deployment", [Row(deployment("a", "team-1"))], now=NOW, namespaces=True)
    assert table.columns[:2] == ["NAMESPACE", "NAME"]
    assert table.rows[0][:2] == ["team-1", "a"]


def test_members_scope_adds_cluster_and_adoption() -> None:
    adopted = deployment("nginx", readyReplicas=2)
    adopted["metadata"]["labels"] = {"karmada.io/managed": "true"}
    rows = [Row(deployment("nginx")), Row(adopted, "member1"), Row(deployment("nginx"), "member2")]
    table = build("apps", "Deployment", rows, now=NOW, clusters=True)
    assert table.columns == [
        "NAME",
        "CLUSTER",
        "READY",
        "UP-TO-DATE",
        "AVAILABLE",
        "AGE",
        "ADOPTION",
    ]
    assert [(r[1], r[-1]) for r in table.rows] == [
        ("Karmada", "-"),
        ("member1", "Y"),
        ("member2", "N"),
    ]
    assert table.rows[1][2] == "2/6"


def test_several_kinds_prefix_names_with_their_kind() -> None:
    table = build(
        "apps", "Deployment", [Row(deployment("web"))], now=NOW, name_prefix="deployment.apps/"
    )
    assert table.rows[0][0] == "deployment.apps/web"
