"""What Works a binding should have: targets, kept clusters, replicas, marks, overrides."""

from __future__ import annotations

import json
from typing import Any

import pytest

from controller_manager.controllers.binding.render import (
    apply_desired,
    conflict_resolution,
    divide_completions,
    is_divided,
    kept_clusters,
    render,
    suspended_on,
    target_clusters,
    with_work_permanent_id,
    work_differs,
)
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery.scheme import CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING, WORK
from karmada.machinery.structs import to_dict
from karmada.names import APPLIED_OVERRIDES_ANNOTATION, work_name
from karmada.policy.v1alpha1 import override_policy_pb2 as op_pb
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb
from karmada.templates import to_template
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb


def targets(*pairs: tuple[str, int]) -> list[rb_pb.TargetCluster]:
    return [rb_pb.TargetCluster(name=name, replicas=replicas) for name, replicas in pairs]


def spec(**fields: Any) -> rb_pb.ResourceBindingSpec:
    return rb_pb.ResourceBindingSpec(**fields)


def names(clusters: list[rb_pb.TargetCluster]) -> list[tuple[str, int]]:
    return [(c.name, c.replicas) for c in clusters]


def test_target_clusters_merge_required_by() -> None:
    s = spec(
        clusters=targets(("m1", 2), ("m2", 1)),
        required_by=[
            rb_pb.BindingSnapshot(name="a", clusters=targets(("m2", 0), ("m3", 0))),
            rb_pb.BindingSnapshot(name="b", clusters=targets(("m4", 0), ("m3", 0))),
        ],
    )
    assert names(target_clusters(s)) == [("m1", 2), ("m2", 1), ("m3", 0), ("m4", 0)]
    assert target_clusters(spec()) == []


@pytest.mark.parametrize(
    ("tasks", "kept"),
    [
        ([], {"m1"}),
        ([("m2", "Gracefully")], {"m1", "m2"}),
        ([("m2", "Never")], {"m1", "m2"}),
        ([("m2", "")], {"m1", "m2"}),
        ([("m2", "Directly")], {"m1"}),
        ([("m2", "Immediately")], {"m1"}),
        ([("m2", "Graciously"), ("m3", "Directly")], {"m1", "m2"}),
    ],
)
def test_kept_clusters(tasks: list[tuple[str, str]], kept: set[str]) -> None:
    s = spec(
        clusters=targets(("m1", 1)),
        graceful_eviction_tasks=[
            rb_pb.GracefulEvictionTask(from_cluster=c, purge_mode=m) for c, m in tasks
        ],
    )
    assert kept_clusters(s) == kept


@pytest.mark.parametrize(
    ("placement", "divided"),
    [
        (pp_pb.Placement(), False),
        (pp_pb.Placement(replica_scheduling=pp_pb.ReplicaSchedulingStrategy()), False),
        (
            pp_pb.Placement(
                replica_scheduling=pp_pb.ReplicaSchedulingStrategy(
                    replica_scheduling_type="Duplicated"
                )
            ),
            False,
        ),
        (
            pp_pb.Placement(
                replica_scheduling=pp_pb.ReplicaSchedulingStrategy(
                    replica_scheduling_type="Divided"
                )
            ),
            True,
        ),
    ],
)
def test_is_divided(placement: pp_pb.Placement, divided: bool) -> None:
    assert is_divided(spec(placement=placement)) is divided


@pytest.mark.parametrize(
    ("completions", "weights", "expected"),
    [
        (10, [("a", 1), ("b", 1)], {"a": 5, "b": 5}),
        (10, [("a", 2), ("b", 1)], {"a": 7, "b": 3}),
        (5, [("b", 1), ("a", 1), ("c", 1)], {"a": 2, "b": 2, "c": 1}),
        (3, [("a", 0), ("b", 4)], {"a": 0, "b": 3}),
        (3, [("a", 0)], {}),
        (0, [("a", 1)], {"a": 0}),
    ],
)
def test_divide_completions(
    completions: int, weights: list[tuple[str, int]], expected: dict[str, int]
) -> None:
    assert divide_completions(completions, targets(*weights)) == expected


@pytest.mark.parametrize(
    ("annotations", "binding", "expected"),
    [
        ({}, "", "abort"),
        ({}, "Abort", "abort"),
        ({}, "Overwrite", "overwrite"),
        ({"work.karmada.io/conflict-resolution": "overwrite"}, "Abort", "overwrite"),
        ({"work.karmada.io/conflict-resolution": "abort"}, "Overwrite", "abort"),
        ({"work.karmada.io/conflict-resolution": "bogus"}, "Overwrite", "overwrite"),
    ],
)
def test_conflict_resolution(annotations: dict[str, str], binding: str, expected: str) -> None:
    assert conflict_resolution(annotations, binding) == expected


def test_suspended_on() -> None:
    assert not suspended_on(spec(), "m1")
    everywhere = spec(suspension=rb_pb.Suspension(dispatching=True))
    assert suspended_on(everywhere, "m1")
    some = spec(
        suspension=rb_pb.Suspension(
            dispatching_on_clusters=pp_pb.SuspendClusters(cluster_names=["m2"])
        )
    )
    assert not suspended_on(some, "m1")
    assert suspended_on(some, "m2")


def deployment_template() -> Any:
    template = to_template(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
            "spec": {
                "replicas": 5,
                "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1"}]}},
            },
        }
    )
    template.metadata.uid = "tmpl-uid"
    template.metadata.generation = 3
    return template


def rb(**spec_fields: Any) -> rb_pb.ResourceBinding:
    binding = RESOURCE_BINDING.new(name="web-deployment", namespace="shop")
    binding.metadata.labels["resourcebinding.karmada.io/permanent-id"] = "rb-id"
    binding.spec.CopyFrom(
        spec(
            resource=rb_pb.ObjectReference(
                api_version="apps/v1", kind="Deployment", namespace="shop", name="web"
            ),
            **spec_fields,
        )
    )
    return binding


def cluster(name: str, **labels: str) -> cluster_pb2.Cluster:
    out = cluster_pb2.Cluster()
    out.metadata.name = name
    out.metadata.labels.update(labels)
    return out


def test_render_deployment() -> None:
    binding = rb(replicas=5, conflict_resolution="Overwrite")
    desired = render(
        binding,
        deployment_template(),
        rb_pb.TargetCluster(name="m1", replicas=2),
        cluster("m1"),
        work_permanent_id="work-id",
    )
    name = work_name("Deployment", "web", "shop")
    assert (desired.namespace, desired.name) == ("karmada-es-m1", name)
    assert desired.labels == {"resourcebinding.karmada.io/permanent-id": "rb-id"}
    assert desired.annotations == {
        "resourcebinding.karmada.io/namespace": "shop",
        "resourcebinding.karmada.io/name": "web-deployment",
        "work.karmada.io/conflict-resolution": "overwrite",
    }
    assert not desired.suspend_dispatching
    assert not desired.preserve_resources_on_deletion
    manifest = desired.manifest
    assert manifest["spec"]["replicas"] == 2
    assert manifest["metadata"]["labels"] == {
        "app": "web",
        "resourcebinding.karmada.io/permanent-id": "rb-id",
        "karmada.io/managed": "true",
        "work.karmada.io/permanent-id": "work-id",
    }
    assert manifest["metadata"]["annotations"] == {
        "resourcebinding.karmada.io/namespace": "shop",
        "resourcebinding.karmada.io/name": "web-deployment",
        "resourcetemplate.karmada.io/generation": "3",
        "resourcetemplate.karmada.io/uid": "tmpl-uid",
        "work.karmada.io/name": name,
        "work.karmada.io/namespace": "karmada-es-m1",
        "work.karmada.io/conflict-resolution": "overwrite",
    }


def test_render_without_replicas_keeps_the_template_count() -> None:
    desired = render(rb(), deployment_template(), rb_pb.TargetCluster(name="m1"), cluster("m1"))
    assert desired.manifest["spec"]["replicas"] == 5


def test_render_job_completions() -> None:
    template = to_template(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "pi", "namespace": "shop"},
            "spec": {"parallelism": 4, "completions": 10, "template": {"spec": {}}},
        }
    )
    desired = render(
        rb(replicas=4),
        template,
        rb_pb.TargetCluster(name="m2", replicas=1),
        cluster("m2"),
        completions={"m1": 7, "m2": 3},
    )
    assert desired.manifest["spec"]["parallelism"] == 1
    assert desired.manifest["spec"]["completions"] == 3


def test_render_cluster_resource_binding() -> None:
    template = to_template({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    binding = CLUSTER_RESOURCE_BINDING.new(name="shop-namespace")
    binding.metadata.labels["clusterresourcebinding.karmada.io/permanent-id"] = "crb-id"
    binding.spec.resource.CopyFrom(
        rb_pb.ObjectReference(api_version="v1", kind="Namespace", name="shop")
    )
    binding.spec.suspension.dispatching = True
    binding.spec.preserve_resources_on_deletion = True
    desired = render(binding, template, rb_pb.TargetCluster(name="m1"), cluster("m1"))
    assert desired.name == work_name("Namespace", "shop")
    assert desired.labels == {"clusterresourcebinding.karmada.io/permanent-id": "crb-id"}
    assert desired.annotations["clusterresourcebinding.karmada.io/name"] == "shop-namespace"
    assert "resourcebinding.karmada.io/name" not in desired.annotations
    assert desired.suspend_dispatching
    assert desired.preserve_resources_on_deletion
    assert (
        "resourcetemplate.karmada.io/generation" not in desired.manifest["metadata"]["annotations"]
    )


def image_policy(*clusters: str) -> op_pb.OverridePolicy:
    policy = op_pb.OverridePolicy()
    policy.metadata.name = "mirror"
    policy.metadata.namespace = "shop"
    policy.spec.resource_selectors.add(api_version="apps/v1", kind="Deployment")
    rule = policy.spec.override_rules.add()
    rule.target_cluster.cluster_names.extend(clusters)
    rule.overriders.image_overrider.add(component="Registry", operator="replace", value="r.io")
    # Overrides come first, marks after: an override cannot remove a mark.
    rule.overriders.labels_overrider.add(
        operator="remove", value={"resourcebinding.karmada.io/permanent-id": ""}
    )
    return policy


def test_render_applies_overrides_before_marks() -> None:
    policies = [image_policy("m1")]
    m1 = render(
        rb(replicas=5),
        deployment_template(),
        rb_pb.TargetCluster(name="m1", replicas=2),
        cluster("m1"),
        policies=policies,
    )
    containers = m1.manifest["spec"]["template"]["spec"]["containers"]
    assert containers[0]["image"] == "r.io/nginx:1"
    assert m1.manifest["metadata"]["labels"]["resourcebinding.karmada.io/permanent-id"] == "rb-id"
    assert json.loads(m1.annotations[APPLIED_OVERRIDES_ANNOTATION])[0]["policyName"] == "mirror"
    m2 = render(
        rb(replicas=5),
        deployment_template(),
        rb_pb.TargetCluster(name="m2", replicas=3),
        cluster("m2"),
        policies=policies,
    )
    assert m2.manifest["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1"
    assert APPLIED_OVERRIDES_ANNOTATION not in m2.annotations


def test_work_differs_and_apply_desired() -> None:
    binding = rb(replicas=5)
    target = rb_pb.TargetCluster(name="m1", replicas=2)
    with_policy = render(
        binding,
        deployment_template(),
        target,
        cluster("m1"),
        policies=[image_policy("m1")],
        work_permanent_id="w",
    )
    work = WORK.new(name="x", namespace="y")
    work.metadata.labels["foreign"] = "kept"
    work.metadata.finalizers.append("karmada.io/execution-controller")
    assert work_differs(work, with_policy)
    apply_desired(work, with_policy)
    assert not work_differs(work, with_policy)
    assert work.metadata.labels["foreign"] == "kept"
    assert work.metadata.labels["work.karmada.io/permanent-id"] == "w"
    assert list(work.metadata.finalizers) == ["karmada.io/execution-controller"]
    assert to_dict(work.spec.workload.manifests[0]) == with_policy.manifest

    without = render(binding, deployment_template(), target, cluster("m1"), work_permanent_id="w")
    assert work_differs(work, without)
    apply_desired(work, without)
    assert APPLIED_OVERRIDES_ANNOTATION not in work.metadata.annotations
    assert not work_differs(work, without)

    scaled = render(
        binding,
        deployment_template(),
        rb_pb.TargetCluster(name="m1", replicas=4),
        cluster("m1"),
        work_permanent_id="w",
    )
    assert work_differs(work, scaled)
    work.spec.ClearField("suspend_dispatching")
    assert work_differs(work, without)


def test_a_work_keeps_its_permanent_id() -> None:
    desired = render(
        rb(replicas=5),
        deployment_template(),
        rb_pb.TargetCluster(name="m1", replicas=2),
        cluster("m1"),
        work_permanent_id="fresh",
    )
    assert with_work_permanent_id(desired, "") is desired
    assert with_work_permanent_id(desired, "fresh") is desired
    kept = with_work_permanent_id(desired, "old")
    assert kept.work_permanent_id == "old"
    assert kept.manifest["metadata"]["labels"]["work.karmada.io/permanent-id"] == "old"
    assert desired.manifest["metadata"]["labels"]["work.karmada.io/permanent-id"] == "fresh"
