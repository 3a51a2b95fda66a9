"""Validation of the networking.karmada.io kinds: MultiClusterService, MultiClusterIngress."""

from __future__ import annotations

from typing import Any

import pytest

from apiserver.registry import networking
from tests.unit.apiserver.support import build, fields_of

MCS = networking.MULTI_CLUSTER_SERVICE_STRATEGY
MCI = networking.MULTI_CLUSTER_INGRESS_STRATEGY


def mcs_fields(spec: dict[str, Any], *, name: str = "web") -> list[str]:
    return fields_of(MCS, build(MCS, spec, name=name, namespace="apps"))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({"types": ["CrossCluster"]}, [], id="minimal"),
        pytest.param(
            {
                "types": ["LoadBalancer"],
                "ports": [{"name": "http", "port": 80}, {"port": 8443}],
                "range": {"clusterNames": ["m1"]},
                "serviceProvisionClusters": ["m1"],
                "serviceConsumptionClusters": ["m2"],
                "providerClusters": [{"name": "m1"}],
                "consumerClusters": [{"name": "m2"}],
            },
            [],
            id="everything-set",
        ),
        pytest.param({}, ["spec.types"], id="no-types"),
        pytest.param(
            {"types": ["CrossCluster", "NodePort"]},
            ["spec.types[1]", "spec.types"],
            id="unknown-type",
        ),
        pytest.param(
            {"types": ["CrossCluster", "LoadBalancer"]}, ["spec.types"], id="more-than-one-type"
        ),
        pytest.param(
            {
                "types": ["CrossCluster"],
                "ports": [
                    {"name": "http", "port": 0},
                    {"name": "http", "port": 70000},
                    {"name": "A"},
                ],
            },
            [
                "spec.ports[0].port",
                "spec.ports[1].name",
                "spec.ports[1].port",
                "spec.ports[2].name",
                "spec.ports[2].port",
            ],
            id="bad-ports",
        ),
        pytest.param(
            {
                "types": ["CrossCluster"],
                "range": {"clusterNames": ["M1"]},
                "serviceProvisionClusters": [""],
                "serviceConsumptionClusters": ["m_2"],
                "providerClusters": [{}],
                "consumerClusters": [{"name": "x" * 49}],
            },
            [
                "spec.range.clusterNames[0]",
                "spec.serviceProvisionClusters[0]",
                "spec.serviceConsumptionClusters[0]",
                "spec.providerClusters[0].name",
                "spec.consumerClusters[0].name",
            ],
            id="bad-cluster-names",
        ),
    ],
)
def test_multi_cluster_service(spec: dict[str, Any], expected: list[str]) -> None:
    assert mcs_fields(spec) == expected


def test_multi_cluster_service_name_is_a_dns1035_label() -> None:
    assert mcs_fields({"types": ["CrossCluster"]}, name="1web") == ["metadata.name"]
    assert mcs_fields({"types": ["CrossCluster"]}, name="web.v1") == ["metadata.name"]


def test_multi_cluster_service_types_are_immutable() -> None:
    old = build(MCS, {"types": ["CrossCluster"]}, name="web", namespace="apps")
    new = build(MCS, {"types": ["LoadBalancer"]}, name="web", namespace="apps")
    assert fields_of(MCS, new, old) == ["spec.types"]
    same = build(
        MCS, {"types": ["CrossCluster"], "ports": [{"port": 80}]}, name="web", namespace="apps"
    )
    assert fields_of(MCS, same, old) == []


SERVICE = {"service": {"name": "web", "port": {"number": 80}}}


def http(*paths: dict[str, Any], host: str = "") -> dict[str, Any]:
    rule: dict[str, Any] = {"http": {"paths": list(paths)}}
    if host:
        rule["host"] = host
    return {"rules": [rule]}


P = "spec.rules[0].http.paths"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({"defaultBackend": SERVICE}, [], id="default-backend-only"),
        pytest.param(
            {
                "ingressClassName": "nginx",
                "tls": [{"hosts": ["a.example.com", "*.example.com"], "secretName": "tls-cert"}],
                **http(
                    {"path": "/", "pathType": "Prefix", "backend": SERVICE},
                    {"path": "/api", "pathType": "Exact", "backend": SERVICE},
                    {"pathType": "ImplementationSpecific", "backend": SERVICE},
                    {
                        "path": "/named",
                        "pathType": "Prefix",
                        "backend": {"service": {"name": "web", "port": {"name": "http"}}},
                    },
                    {
                        "path": "/bucket",
                        "pathType": "Prefix",
                        "backend": {
                            "resource": {
                                "apiGroup": "k8s.example.com",
                                "kind": "Bucket",
                                "name": "b",
                            }
                        },
                    },
                    host="*.example.com",
                ),
            },
            [],
            id="everything-set",
        ),
        pytest.param({}, ["spec.rules"], id="no-rules-or-default-backend"),
        pytest.param(
            {"rules": [{"host": "10.0.0.1"}, {"host": "Bad_Host"}, {"host": "a.*.com"}]},
            ["spec.rules[0].host", "spec.rules[1].host", "spec.rules[2].host"],
            id="bad-hosts",
        ),
        pytest.param(
            {"rules": [{"http": {}}]}, ["spec.rules[0].http.paths"], id="http-without-paths"
        ),
        pytest.param(
            http(
                {"path": "/", "backend": SERVICE},
                {"path": "/", "pathType": "Regex", "backend": SERVICE},
                {"path": "api", "pathType": "Prefix", "backend": SERVICE},
                {"path": "/a//b/..", "pathType": "Exact", "backend": SERVICE},
                {"path": "rel", "pathType": "ImplementationSpecific", "backend": SERVICE},
            ),
            [
                f"{P}[0].pathType",
                f"{P}[1].pathType",
                f"{P}[2].path",
                f"{P}[3].path",
                f"{P}[3].path",
                f"{P}[4].path",
            ],
            id="bad-paths",
        ),
        pytest.param(
            http(
                {"path": "/", "pathType": "Prefix"},
                {
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {**SERVICE, "resource": {"kind": "Bucket", "name": "b"}},
                },
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"port": {}}}},
                {
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": "Web", "port": {"name": "http", "number": 80}}},
                },
                {
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": "web", "port": {"number": 65536}}},
                },
                {
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": "web", "port": {"name": "http--x"}}},
                },
                {"path": "/", "pathType": "Prefix", "backend": {"resource": {"name": "a/b"}}},
            ),
            [
                f"{P}[0].backend",
                f"{P}[1].backend",
                f"{P}[2].backend.service.name",
                f"{P}[2].backend.service.port",
                f"{P}[3].backend.service.name",
                f"{P}[3].backend.service.port",
                f"{P}[4].backend.service.port.number",
                f"{P}[5].backend.service.port.name",
                f"{P}[6].backend.resource.kind",
                f"{P}[6].backend.resource.name",
            ],
            id="bad-backends",
        ),
        pytest.param(
            {
                "defaultBackend": SERVICE,
                "ingressClassName": "Nginx",
                "tls": [{"hosts": ["*"], "secretName": "Bad_Secret"}],
            },
            ["spec.tls[0].hosts[0]", "spec.tls[0].secretName", "spec.ingressClassName"],
            id="bad-tls-and-class",
        ),
    ],
)
def test_multi_cluster_ingress(spec: dict[str, Any], expected: list[str]) -> None:
    assert fields_of(MCI, build(MCI, spec, name="web", namespace="apps")) == expected
