"""What a user may type for a kind (kubectl's names, short names and group forms)."""

from __future__ import annotations

from typing import Any

import pytest

from karmada.machinery.scheme import (
    CLUSTER,
    CLUSTER_OVERRIDE_POLICY,
    CLUSTER_PROPAGATION_POLICY,
    CLUSTER_RESOURCE_BINDING,
    LEASE,
    MULTI_CLUSTER_INGRESS,
    MULTI_CLUSTER_SERVICE,
    NAMESPACE,
    OVERRIDE_POLICY,
    PROPAGATION_POLICY,
    RESOURCE_BINDING,
    SERVICE_EXPORT,
    SERVICE_IMPORT,
    WORK,
    Kind,
)
from karmadactl.errors import CliError
from karmadactl.kinds import ALIASES, display, resolve, resource


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("clusters", CLUSTER),
        ("cluster", CLUSTER),
        ("Cluster", CLUSTER),
        ("clusters.cluster.karmada.io", CLUSTER),
        ("propagationpolicies", PROPAGATION_POLICY),
        ("pp", PROPAGATION_POLICY),
        ("PropagationPolicy", PROPAGATION_POLICY),
        ("pp.policy.karmada.io", PROPAGATION_POLICY),
        ("propagationpolicies.v1alpha1.policy.karmada.io", PROPAGATION_POLICY),
        ("cpp", CLUSTER_PROPAGATION_POLICY),
        ("clusterpropagationpolicies", CLUSTER_PROPAGATION_POLICY),
        ("op", OVERRIDE_POLICY),
        ("overridepolicies", OVERRIDE_POLICY),
        ("cop", CLUSTER_OVERRIDE_POLICY),
        ("rb", RESOURCE_BINDING),
        ("resourcebindings", RESOURCE_BINDING),
        ("crb", CLUSTER_RESOURCE_BINDING),
        ("works", WORK),
        ("work.work.karmada.io", WORK),
        ("namespaces", NAMESPACE),
        ("ns", NAMESPACE),
        ("serviceexports", SERVICE_EXPORT),
        ("serviceimports", SERVICE_IMPORT),
        ("mcs", MULTI_CLUSTER_SERVICE),
        ("multiclusterservices", MULTI_CLUSTER_SERVICE),
        ("mci", MULTI_CLUSTER_INGRESS),
        ("multiclusteringresses", MULTI_CLUSTER_INGRESS),
        ("leases", LEASE),
        ("leases.coordination.k8s.io", LEASE),
    ],
)
def test_karmada_kinds(typed: str, expected: Kind[Any]) -> None:
    assert resolve(typed) is expected


@pytest.mark.parametrize(
    ("typed", "api_version", "kind"),
    [
        ("deployments", "apps/v1", "Deployment"),
        ("deployment", "apps/v1", "Deployment"),
        ("deploy", "apps/v1", "Deployment"),
        ("Deployment", "apps/v1", "Deployment"),
        ("deployments.apps", "apps/v1", "Deployment"),
        ("deploy.v1.apps", "apps/v1", "Deployment"),
        ("configmaps", "v1", "ConfigMap"),
        ("cm", "v1", "ConfigMap"),
        ("configmaps.v1", "v1", "ConfigMap"),
        ("secrets", "v1", "Secret"),
        ("svc", "v1", "Service"),
        ("services", "v1", "Service"),
        ("sts", "apps/v1", "StatefulSet"),
        ("ds", "apps/v1", "DaemonSet"),
        ("jobs", "batch/v1", "Job"),
        ("jobs.batch", "batch/v1", "Job"),
        ("crd", "apiextensions.k8s.io/v1", "CustomResourceDefinition"),
        ("ingresses", "networking.k8s.io/v1", "Ingress"),
        ("endpoints", "v1", "Endpoints"),
    ],
)
def test_kubernetes_kinds_are_templates(typed: str, api_version: str, kind: str) -> None:
    resolved = resolve(typed)
    assert resolved.template
    assert (resolved.api_version, resolved.kind) == (api_version, kind)


@pytest.mark.parametrize(
    "typed", ["x", "deploymentz", "deployments.policy", "pp.apps", "", "cm.apps", "."]
)
def test_unknown_kinds_are_one_line_errors(typed: str) -> None:
    with pytest.raises(CliError) as raised:
        resolve(typed)
    assert raised.value.message == f'the server doesn\'t have a resource type "{typed}"'
    assert "\n" not in raised.value.message


def test_no_name_means_two_kinds() -> None:
    seen: dict[str, str] = {}
    for alias in ALIASES:
        for name in alias.names():
            assert name not in seen, f"{name} names both {seen[name]} and {alias.kind}"
            seen[name] = alias.kind


@pytest.mark.parametrize(
    ("typed", "shown", "plural"),
    [
        ("deploy", "deployment.apps", "deployments.apps"),
        ("pp", "propagationpolicy.policy.karmada.io", "propagationpolicies.policy.karmada.io"),
        ("cm", "configmap", "configmaps"),
        ("ns", "namespace", "namespaces"),
        ("clusters", "cluster.cluster.karmada.io", "clusters.cluster.karmada.io"),
    ],
)
def test_names_printed_back_as_kubectl_does(typed: str, shown: str, plural: str) -> None:
    kind = resolve(typed)
    assert display(kind) == shown
    assert resource(kind) == plural
