"""Which namespaces the namespace controller propagates, and the manifest it sends, table-driven."""

from __future__ import annotations

import pytest

from controller_manager.controllers.namespace_sync import (
    namespace_manifest,
    should_sync,
    skips_propagation,
)
from karmada.core.v1 import namespace_pb2


@pytest.mark.parametrize(
    ("name", "synced"),
    [
        ("team-a", True),
        ("default", False),
        ("kube-system", False),
        ("kube-public", False),
        ("kube-node-lease", False),
        ("karmada-system", False),
        ("karmada-cluster", False),
        ("karmada-es-member1", False),
        ("karmada-public", True),
        ("kubeflow", True),
        ("defaults", True),
    ],
)
def test_should_sync(name: str, synced: bool) -> None:
    assert should_sync(name) is synced


def namespace(
    labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None
) -> namespace_pb2.Namespace:
    ns = namespace_pb2.Namespace(api_version="v1", kind="Namespace")
    ns.metadata.name = "team-a"
    ns.metadata.uid = "u1"
    ns.metadata.resource_version = "7"
    ns.metadata.finalizers.append("kubernetes")
    ns.metadata.labels.update(labels or {})
    ns.metadata.annotations.update(annotations or {})
    ns.spec.finalizers.append("kubernetes")
    return ns


@pytest.mark.parametrize(
    ("labels", "skipped"),
    [
        ({}, False),
        ({"namespace.karmada.io/skip-auto-propagation": "true"}, True),
        ({"namespace.karmada.io/skip-auto-propagation": "True"}, True),
        ({"namespace.karmada.io/skip-auto-propagation": "false"}, False),
        ({"namespace.karmada.io/skip-auto-propagation": ""}, False),
    ],
    ids=["unlabelled", "true", "True", "false", "empty"],
)
def test_skip_label(labels: dict[str, str], skipped: bool) -> None:
    assert skips_propagation(namespace(labels)) is skipped


@pytest.mark.parametrize(
    ("labels", "annotations", "metadata"),
    [
        ({}, {}, {"name": "team-a"}),
        (
            {"env": "prod"},
            {"owner": "me"},
            {"name": "team-a", "labels": {"env": "prod"}, "annotations": {"owner": "me"}},
        ),
    ],
    ids=["bare", "labels-and-annotations"],
)
def test_manifest_carries_identity_labels_and_annotations_only(
    labels: dict[str, str], annotations: dict[str, str], metadata: dict[str, object]
) -> None:
    assert namespace_manifest(namespace(labels, annotations)) == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": metadata,
    }
