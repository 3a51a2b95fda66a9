"""Which changes concern which bindings."""

from __future__ import annotations

import pytest

from controller_manager.controllers.binding.events import (
    binding_changed,
    binding_key_of_template,
    binding_key_of_work,
    claim_behind,
    cluster_changed,
    clusters_of_binding,
    selectors_may_match,
    template_changed,
    work_changed,
)
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery.scheme import RESOURCE_BINDING, WORK, template_kind
from karmada.names import CPP_PERMANENT_ID_LABEL, PP_PERMANENT_ID_LABEL
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb
from karmada.templates import to_template
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb


@pytest.mark.parametrize(
    ("annotations", "keys"),
    [
        ({}, []),
        (
            {
                "resourcebinding.karmada.io/namespace": "shop",
                "resourcebinding.karmada.io/name": "web-deployment",
            },
            ["shop/web-deployment"],
        ),
        ({"resourcebinding.karmada.io/name": "web-deployment"}, []),
        ({"clusterresourcebinding.karmada.io/name": "shop-namespace"}, ["shop-namespace"]),
    ],
)
def test_binding_key_of_work(annotations: dict[str, str], keys: list[str]) -> None:
    work = WORK.new(name="w", namespace="karmada-es-m1")
    work.metadata.annotations.update(annotations)
    assert binding_key_of_work(work) == keys


def test_binding_key_of_template() -> None:
    namespaced = to_template(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "Web", "namespace": "s"},
        }
    )
    assert binding_key_of_template(namespaced) == "s/web-deployment"
    cluster_scoped = to_template(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "s"}}
    )
    assert binding_key_of_template(cluster_scoped) == "s-namespace"


def test_clusters_of_binding() -> None:
    binding = RESOURCE_BINDING.new(name="b", namespace="n")
    binding.spec.clusters.add(name="m2")
    binding.spec.required_by.add(name="x").clusters.add(name="m3")
    binding.spec.graceful_eviction_tasks.add(from_cluster="m1", purge_mode="Directly")
    assert clusters_of_binding(binding) == ["m1", "m2", "m3"]


RESOURCE = rb_pb.ObjectReference(
    api_version="apps/v1", kind="Deployment", namespace="n", name="web"
)


@pytest.mark.parametrize(
    ("selectors", "match"),
    [
        ([], True),
        ([pp_pb.ResourceSelector(api_version="apps/v1", kind="Deployment")], True),
        ([pp_pb.ResourceSelector(api_version="apps/v1", kind="Deployment", name="web")], True),
        ([pp_pb.ResourceSelector(api_version="apps/v1", kind="Deployment", name="api")], False),
        ([pp_pb.ResourceSelector(api_version="apps/v1", kind="Deployment", namespace="x")], False),
        ([pp_pb.ResourceSelector(api_version="v1", kind="Deployment")], False),
        (
            [
                pp_pb.ResourceSelector(api_version="v1", kind="ConfigMap"),
                pp_pb.ResourceSelector(api_version="apps/v1", kind="Deployment", namespace="n"),
            ],
            True,
        ),
    ],
)
def test_selectors_may_match(selectors: list[pp_pb.ResourceSelector], match: bool) -> None:
    assert selectors_may_match(selectors, RESOURCE) is match


def test_binding_changed_ignores_status() -> None:
    old = RESOURCE_BINDING.new(name="b", namespace="n")
    new = RESOURCE_BINDING.new(name="b", namespace="n")
    new.status.aggregated_status.add(cluster_name="m1", applied=True)
    new.metadata.resource_version = "9"
    assert not binding_changed(old, new)
    new.spec.clusters.add(name="m1", replicas=1)
    assert binding_changed(old, new)
    other = RESOURCE_BINDING.new(name="b", namespace="n")
    other.metadata.deletion_timestamp.seconds = 1
    assert binding_changed(old, other)


def test_work_changed_ignores_status() -> None:
    old = WORK.new(name="w", namespace="karmada-es-m1")
    new = WORK.new(name="w", namespace="karmada-es-m1")
    new.status.conditions.add(type="Applied", status="True")
    assert not work_changed(old, new)
    new.metadata.generation = 2
    assert work_changed(old, new)


def test_cluster_changed_only_for_override_targets() -> None:
    old = cluster_pb2.Cluster()
    new = cluster_pb2.Cluster()
    new.status.kubernetes_version = "v1.30"
    new.status.conditions.add(type="Ready", status="True")
    assert not cluster_changed(old, new)
    for change in (
        lambda c: c.metadata.labels.update({"env": "prod"}),
        lambda c: setattr(c.spec, "region", "eu"),
        lambda c: setattr(c.spec, "provider", "aws"),
        lambda c: c.spec.zones.append("z1"),
    ):
        changed = cluster_pb2.Cluster()
        change(changed)
        assert cluster_changed(old, changed)


def test_template_changed_ignores_status() -> None:
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "w"},
        "spec": {"replicas": 1},
    }
    old = to_template(manifest)
    new = to_template(manifest)
    new.status.update({"readyReplicas": 1})
    assert not template_changed(old, new)
    new.body.get_or_create_struct("spec")["replicas"] = 2
    assert template_changed(old, new)


@pytest.mark.parametrize(
    ("template_labels", "binding_labels", "behind"),
    [
        ({}, {}, False),
        ({}, {PP_PERMANENT_ID_LABEL: "a"}, True),
        ({PP_PERMANENT_ID_LABEL: "a"}, {PP_PERMANENT_ID_LABEL: "a"}, False),
        ({PP_PERMANENT_ID_LABEL: "old"}, {PP_PERMANENT_ID_LABEL: "a"}, True),
        ({PP_PERMANENT_ID_LABEL: "a"}, {}, False),
        ({}, {CPP_PERMANENT_ID_LABEL: "c"}, True),
        ({CPP_PERMANENT_ID_LABEL: "c"}, {CPP_PERMANENT_ID_LABEL: "c"}, False),
    ],
)
def test_claim_behind(
    template_labels: dict[str, str], binding_labels: dict[str, str], behind: bool
) -> None:
    template = template_kind("apps/v1", "Deployment").new(name="web", namespace="ns")
    template.metadata.labels.update(template_labels)
    binding = RESOURCE_BINDING.new(name="web-deployment", namespace="ns")
    binding.metadata.labels.update(binding_labels)
    assert claim_behind(template, binding) is behind
