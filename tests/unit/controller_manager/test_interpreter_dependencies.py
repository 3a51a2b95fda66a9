"""dependencies_of: the objects a workload refers to (propagateDeps), table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.interpreter import dependencies_of

POD_SPEC: dict[str, Any] = {
    "serviceAccountName": "runner",
    "imagePullSecrets": [{"name": "registry"}],
    "containers": [
        {
            "name": "app",
            "envFrom": [
                {"configMapRef": {"name": "env-cm"}},
                {"secretRef": {"name": "env-secret"}},
            ],
            "env": [
                {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "key-cm", "key": "a"}}},
                {"name": "B", "valueFrom": {"secretKeyRef": {"name": "key-secret", "key": "b"}}},
                {"name": "C", "value": "plain"},
                {"name": "D", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            ],
        }
    ],
    "initContainers": [{"name": "init", "envFrom": [{"configMapRef": {"name": "init-cm"}}]}],
    "volumes": [
        {"name": "v1", "configMap": {"name": "vol-cm"}},
        {"name": "v2", "secret": {"secretName": "vol-secret"}},
        {"name": "v3", "persistentVolumeClaim": {"claimName": "data"}},
        {
            "name": "v4",
            "projected": {
                "sources": [
                    {"configMap": {"name": "proj-cm"}},
                    {"secret": {"name": "proj-secret"}},
                    {"serviceAccountToken": {"path": "token"}},
                ]
            },
        },
        {"name": "v5", "csi": {"driver": "d", "nodePublishSecretRef": {"name": "csi-secret"}}},
        {"name": "v6", "emptyDir": {}},
        {"name": "v7", "configMap": {"name": "vol-cm"}},
    ],
}

EXPECTED: list[tuple[str, str, str, str]] = [
    ("v1", "ConfigMap", "ns", "env-cm"),
    ("v1", "ConfigMap", "ns", "init-cm"),
    ("v1", "ConfigMap", "ns", "key-cm"),
    ("v1", "ConfigMap", "ns", "proj-cm"),
    ("v1", "ConfigMap", "ns", "vol-cm"),
    ("v1", "Secret", "ns", "csi-secret"),
    ("v1", "Secret", "ns", "env-secret"),
    ("v1", "Secret", "ns", "key-secret"),
    ("v1", "Secret", "ns", "proj-secret"),
    ("v1", "Secret", "ns", "registry"),
    ("v1", "Secret", "ns", "vol-secret"),
    ("v1", "ServiceAccount", "ns", "runner"),
    ("v1", "PersistentVolumeClaim", "ns", "data"),
]


def templated(kind: str, api_version: str) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "w", "namespace": "ns"},
        "spec": {"template": {"spec": POD_SPEC}},
    }


@pytest.mark.parametrize(
    "manifest",
    [
        templated("Deployment", "apps/v1"),
        templated("StatefulSet", "apps/v1"),
        templated("DaemonSet", "apps/v1"),
        templated("ReplicaSet", "apps/v1"),
        templated("Job", "batch/v1"),
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "c", "namespace": "ns"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": POD_SPEC}}}},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "ns"},
            "spec": POD_SPEC,
        },
    ],
    ids=["deployment", "statefulset", "daemonset", "replicaset", "job", "cronjob", "pod"],
)
def test_pod_template_dependencies(manifest: dict[str, Any]) -> None:
    assert dependencies_of(manifest) == EXPECTED


@pytest.mark.parametrize(
    ("account", "expected"),
    [("", []), ("default", []), ("builder", [("v1", "ServiceAccount", "ns", "builder")])],
    ids=["unset", "default", "named"],
)
def test_service_account(account: str, expected: list[tuple[str, str, str, str]]) -> None:
    spec = {"containers": [{"name": "c"}], "serviceAccountName": account}
    manifest = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": spec,
    }
    assert dependencies_of(manifest) == expected


def test_ingress_tls_secrets() -> None:
    ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "i", "namespace": "web"},
        "spec": {
            "tls": [{"secretName": "b"}, {"secretName": "a"}, {"hosts": ["x"]}, {"secretName": "a"}]
        },
    }
    assert dependencies_of(ingress) == [("v1", "Secret", "web", "a"), ("v1", "Secret", "web", "b")]


@pytest.mark.parametrize(
    "manifest",
    [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "ns"},
            "data": {},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d", "namespace": "ns"},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {"template": "junk"},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"volumes": ["junk", {"configMap": "junk"}], "containers": "junk"},
        },
    ],
    ids=["no-dependencies-kind", "no-template", "malformed-template", "malformed-pod"],
)
def test_nothing_or_malformed(manifest: dict[str, Any]) -> None:
    assert dependencies_of(manifest) == []
