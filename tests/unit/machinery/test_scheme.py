"""The scheme: names, plurals, keys and RPC paths of kinds."""

from __future__ import annotations

from typing import Any

import pytest

from karmada.machinery import scheme
from karmada.machinery.structs import from_dict, to_dict


@pytest.mark.parametrize(
    ("kind", "plural", "pascal"),
    [
        ("Cluster", "clusters", "Clusters"),
        ("PropagationPolicy", "propagationpolicies", "PropagationPolicies"),
        ("MultiClusterIngress", "multiclusteringresses", "MultiClusterIngresses"),
        ("Endpoints", "endpoints", "Endpoints"),
        ("Gateway", "gateways", "Gateways"),
        ("Work", "works", "Works"),
    ],
)
def test_plurals(kind: str, plural: str, pascal: str) -> None:
    assert scheme.plural_of(kind) == plural
    assert scheme.pascal_plural(kind) == pascal


@pytest.mark.parametrize(
    ("kind", "verb", "path"),
    [
        (scheme.CLUSTER, "Get", "/karmada.cluster.v1alpha1.ClusterService/GetCluster"),
        (
            scheme.CLUSTER,
            "UpdateStatus",
            "/karmada.cluster.v1alpha1.ClusterService/UpdateClusterStatus",
        ),
        (
            scheme.PROPAGATION_POLICY,
            "List",
            "/karmada.policy.v1alpha1.PropagationPolicyService/ListPropagationPolicies",
        ),
        (
            scheme.template_kind("apps/v1", "Deployment"),
            "Watch",
            "/karmada.core.v1.ResourceTemplateService/WatchResourceTemplates",
        ),
    ],
)
def test_method_paths(kind: scheme.Kind[Any], verb: str, path: str) -> None:
    assert kind.method(verb) == path


@pytest.mark.parametrize(
    ("kind", "namespace", "name", "key"),
    [
        (scheme.CLUSTER, "", "m1", "/registry/cluster.karmada.io/clusters/m1"),
        (scheme.WORK, "karmada-es-m1", "w", "/registry/work.karmada.io/works/karmada-es-m1/w"),
        (
            scheme.template_kind("v1", "ConfigMap"),
            "default",
            "c",
            "/registry/core/configmaps/default/c",
        ),
        (scheme.NAMESPACE, "", "default", "/registry/core/namespaces/default"),
    ],
)
def test_keys(kind: scheme.Kind[Any], namespace: str, name: str, key: str) -> None:
    assert kind.key(namespace, name) == key


def test_lookup_prefers_typed_kinds() -> None:
    assert scheme.lookup("cluster.karmada.io/v1alpha1", "Cluster") is scheme.CLUSTER
    assert scheme.lookup("multicluster.x-k8s.io/v1alpha1", "ServiceExport") is scheme.SERVICE_EXPORT
    deployment = scheme.lookup("apps/v1", "Deployment")
    assert deployment.template and deployment.namespaced is True
    assert scheme.lookup("rbac.authorization.k8s.io/v1", "ClusterRole").namespaced is False
    assert scheme.lookup("example.com/v1", "Widget").namespaced is None


def test_struct_round_trip_keeps_integers() -> None:
    data = {"spec": {"replicas": 3, "ratio": 0.5, "ports": [80, 443], "on": True, "none": None}}
    assert to_dict(from_dict(data)) == data
    assert isinstance(to_dict(from_dict(data))["spec"]["replicas"], int)
