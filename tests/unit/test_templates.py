"""Templates become manifests without the control plane's own fields, and come back."""

from __future__ import annotations

from karmada.machinery.scheme import template_kind
from karmada.templates import manifest_identity, to_manifest, to_template

DEPLOYMENT = template_kind("apps/v1", "Deployment")


def test_round_trip_keeps_what_a_member_needs() -> None:
    template = DEPLOYMENT.new(name="web", namespace="apps")
    template.metadata.labels["app"] = "web"
    template.metadata.annotations["note"] = "x"
    template.metadata.uid = "u-1"
    template.metadata.resource_version = "42"
    template.metadata.generation = 3
    template.metadata.finalizers.append("karmada.io/x")
    template.body.update({"spec": {"replicas": 3}})
    template.status.update({"readyReplicas": 3})

    manifest = to_manifest(template)

    assert manifest == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "apps",
            "labels": {"app": "web"},
            "annotations": {"note": "x"},
        },
        "spec": {"replicas": 3},
    }
    assert manifest_identity(manifest) == ("apps/v1", "Deployment", "apps", "web")
    back = to_template(manifest)
    assert to_manifest(back) == manifest
    assert back.metadata.uid == ""


def test_cluster_scoped_manifest_has_no_namespace() -> None:
    template = template_kind("rbac.authorization.k8s.io/v1", "ClusterRole").new(name="admin")
    assert "namespace" not in to_manifest(template)["metadata"]
