"""Validation of the multicluster.x-k8s.io kinds: ServiceExport, ServiceImport."""

from __future__ import annotations

from typing import Any

import pytest

from apiserver.registry import mcs
from tests.unit.apiserver.support import build, fields_of, status_fields_of, to_dict

EXPORT = mcs.SERVICE_EXPORT_STRATEGY
IMPORT = mcs.SERVICE_IMPORT_STRATEGY


@pytest.mark.parametrize(
    ("name", "spec", "expected"),
    [
        pytest.param("web", {}, [], id="minimal"),
        pytest.param(
            "web",
            {"exportedLabels": {"app": "web"}, "exportedAnnotations": {"Example.io/note": "x"}},
            [],
            id="exported-metadata",
        ),
        pytest.param("1web", {}, ["metadata.name"], id="name-starts-with-digit"),
        pytest.param("web.v1", {}, ["metadata.name"], id="name-with-dot"),
        pytest.param(
            "web",
            {"exportedLabels": {"app": "bad value"}, "exportedAnnotations": {"a/b/c": ""}},
            ["spec.exportedLabels[app]", "spec.exportedAnnotations"],
            id="bad-exported-metadata",
        ),
    ],
)
def test_service_export(name: str, spec: dict[str, Any], expected: list[str]) -> None:
    assert fields_of(EXPORT, build(EXPORT, spec, name=name, namespace="apps")) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({"type": "Headless"}, [], id="minimal"),
        pytest.param(
            {
                "type": "ClusterSetIP",
                "ips": ["10.0.0.1", "fd00::1"],
                "ports": [
                    {"name": "http", "port": 80},
                    {"name": "dns", "protocol": "UDP", "port": 53},
                    {"name": "sig", "protocol": "SCTP", "port": 9000, "appProtocol": "x"},
                ],
                "sessionAffinity": "ClientIP",
                "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
                "ipFamilies": ["IPv4", "IPv6"],
            },
            [],
            id="everything-set",
        ),
        pytest.param({}, ["spec.type"], id="no-type"),
        pytest.param({"type": "NodePort"}, ["spec.type"], id="bad-type"),
        pytest.param(
            {"type": "ClusterSetIP", "ips": ["10.0.0.1", "10.0.0.2", "not-an-ip"]},
            ["spec.ips", "spec.ips[2]"],
            id="bad-ips",
        ),
        pytest.param(
            {
                "type": "ClusterSetIP",
                "ports": [
                    {"name": "http", "port": 0},
                    {"name": "http", "protocol": "HTTP", "port": 80},
                    {"name": "Web", "port": 65536},
                ],
            },
            [
                "spec.ports[0].port",
                "spec.ports[1].name",
                "spec.ports[1].protocol",
                "spec.ports[2].name",
                "spec.ports[2].port",
            ],
            id="bad-ports",
        ),
        pytest.param(
            {
                "type": "ClusterSetIP",
                "sessionAffinity": "Cookie",
                "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 0}},
                "ipFamilies": ["IPv5"],
            },
            [
                "spec.sessionAffinity",
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                "spec.ipFamilies[0]",
            ],
            id="bad-session-and-families",
        ),
    ],
)
def test_service_import(spec: dict[str, Any], expected: list[str]) -> None:
    assert fields_of(IMPORT, build(IMPORT, spec, name="web", namespace="apps")) == expected


def test_service_import_name_is_a_dns1035_label() -> None:
    obj = build(IMPORT, {"type": "Headless"}, name="9web", namespace="apps")
    assert fields_of(IMPORT, obj) == ["metadata.name"]


def test_service_import_port_protocol_defaults_to_tcp() -> None:
    obj = build(
        IMPORT, {"type": "Headless", "ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}]}
    )
    IMPORT.default(obj)
    assert [p["protocol"] for p in to_dict(obj)["ports"]] == ["TCP", "UDP"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param({"clusters": [{"cluster": "m1"}]}, [], id="valid"),
        pytest.param(
            {"clusters": [{"cluster": "M1"}, {}]},
            ["status.clusters[0].cluster", "status.clusters[1].cluster"],
            id="bad-clusters",
        ),
    ],
)
def test_service_import_status(status: dict[str, Any], expected: list[str]) -> None:
    obj = build(IMPORT, {"type": "Headless"}, name="web", namespace="apps", status=status)
    assert status_fields_of(IMPORT, obj) == expected
