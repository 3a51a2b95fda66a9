"""Claim metadata, and what the detector writes into a binding (and what it leaves alone)."""

from __future__ import annotations

import pytest

from controller_manager.controllers.detector.binding import (
    apply_policy,
    binding_for,
    binding_ownership,
    owner_reference,
    same_apart_from_resource_version,
)
from controller_manager.controllers.detector.claim import (
    Claim,
    claim_of,
    clear_claim,
    has_claim_metadata,
    is_claimed_by,
    set_claim,
)
from controller_manager.controllers.detector.events import detector_view, template_changed
from karmada.core.v1 import resource_template_pb2
from karmada.machinery.scheme import template_kind
from karmada.meta.v1 import meta_pb2
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb

PP_CLAIM = Claim(cluster=False, namespace="ns", name="web-pp", permanent_id="pp-1")
CPP_CLAIM = Claim(cluster=True, namespace="", name="all", permanent_id="cpp-1")


def _meta(labels: dict[str, str], annotations: dict[str, str]) -> meta_pb2.ObjectMeta:
    meta = meta_pb2.ObjectMeta()
    meta.labels.update(labels)
    meta.annotations.update(annotations)
    return meta


@pytest.mark.parametrize(
    ("case", "labels", "annotations", "expected"),
    [
        ("none", {}, {}, None),
        (
            "PropagationPolicy",
            {"propagationpolicy.karmada.io/permanent-id": "pp-1"},
            {
                "propagationpolicy.karmada.io/namespace": "ns",
                "propagationpolicy.karmada.io/name": "web-pp",
            },
            PP_CLAIM,
        ),
        (
            "ClusterPropagationPolicy",
            {"clusterpropagationpolicy.karmada.io/permanent-id": "cpp-1"},
            {"clusterpropagationpolicy.karmada.io/name": "all"},
            CPP_CLAIM,
        ),
        (
            "label without annotations is no claim",
            {"propagationpolicy.karmada.io/permanent-id": "pp-1"},
            {},
            None,
        ),
        (
            "annotations without label is no claim",
            {},
            {"clusterpropagationpolicy.karmada.io/name": "all"},
            None,
        ),
    ],
)
def test_claim_of(
    case: str, labels: dict[str, str], annotations: dict[str, str], expected: Claim | None
) -> None:
    assert claim_of(_meta(labels, annotations)) == expected, case


def test_set_claim_replaces_the_other_kind_and_keeps_the_rest() -> None:
    meta = _meta({"app": "web"}, {"note": "x"})
    set_claim(meta, CPP_CLAIM)
    assert is_claimed_by(meta, CPP_CLAIM)
    set_claim(meta, PP_CLAIM)
    assert claim_of(meta) == PP_CLAIM and is_claimed_by(meta, PP_CLAIM)
    assert not is_claimed_by(meta, CPP_CLAIM)
    assert dict(meta.labels) == {"app": "web", "propagationpolicy.karmada.io/permanent-id": "pp-1"}
    assert "clusterpropagationpolicy.karmada.io/name" not in meta.annotations
    clear_claim(meta)
    assert not has_claim_metadata(meta)
    assert dict(meta.labels) == {"app": "web"} and dict(meta.annotations) == {"note": "x"}


def test_a_leftover_claim_of_another_kind_is_not_a_clean_claim() -> None:
    meta = meta_pb2.ObjectMeta()
    set_claim(meta, PP_CLAIM)
    meta.labels["clusterpropagationpolicy.karmada.io/permanent-id"] = "old"
    assert claim_of(meta) == PP_CLAIM
    assert not is_claimed_by(meta, PP_CLAIM)


def deployment(namespace: str = "ns") -> resource_template_pb2.ResourceTemplate:
    template = template_kind("apps/v1", "Deployment").new(name="Web", namespace=namespace)
    template.metadata.uid = "uid-1"
    template.metadata.resource_version = "42"
    return template


def policy_spec() -> pp_pb.PropagationSpec:
    spec = pp_pb.PropagationSpec(
        propagate_deps=True, scheduler_name="default-scheduler", conflict_resolution="Overwrite"
    )
    spec.placement.cluster_affinity.cluster_names.append("member1")
    spec.failover.application.purge_mode = "Directly"
    spec.preserve_resources_on_deletion = True
    spec.suspension.dispatching = True
    return spec


REQUIREMENTS = rb_pb.ReplicaRequirements(resource_request={"cpu": "100m"})


def _apply(binding: rb_pb.ResourceBinding | crb_pb.ClusterResourceBinding, **kw: object) -> None:
    args: dict[str, object] = {
        "template": deployment(),
        "policy": policy_spec(),
        "claim": PP_CLAIM,
        "replicas": 3,
        "requirements": REQUIREMENTS,
        "new_id": "rb-1",
    }
    args.update(kw)
    apply_policy(binding, **args)  # type: ignore[arg-type]


def test_new_binding_for_a_namespaced_template() -> None:
    binding = binding_for(deployment())
    assert isinstance(binding, rb_pb.ResourceBinding)
    _apply(binding)
    meta, spec = binding.metadata, binding.spec
    assert (meta.namespace, meta.name) == ("ns", "web-deployment")
    assert meta.labels["resourcebinding.karmada.io/permanent-id"] == "rb-1"
    assert claim_of(meta) == PP_CLAIM
    assert list(meta.owner_references) == [owner_reference(deployment())]
    assert meta.owner_references[0].controller
    assert spec.resource == rb_pb.ObjectReference(
        api_version="apps/v1",
        kind="Deployment",
        namespace="ns",
        name="Web",
        uid="uid-1",
        resource_version="42",
    )
    assert spec.replicas == 3 and spec.replica_requirements == REQUIREMENTS
    assert spec.placement == policy_spec().placement
    assert spec.propagate_deps and spec.conflict_resolution == "Overwrite"
    assert spec.failover.application.purge_mode == "Directly"
    assert spec.preserve_resources_on_deletion is True
    assert spec.suspension.dispatching is True


def test_cluster_scoped_template_gets_a_cluster_binding() -> None:
    role = template_kind("rbac.authorization.k8s.io/v1", "ClusterRole").new(name="reader")
    binding = binding_for(role)
    assert isinstance(binding, crb_pb.ClusterResourceBinding)
    _apply(binding, template=role, claim=CPP_CLAIM)
    assert binding.metadata.name == "reader-clusterrole" and not binding.metadata.namespace
    assert binding.metadata.labels["clusterresourcebinding.karmada.io/permanent-id"] == "rb-1"
    assert claim_of(binding.metadata) == CPP_CLAIM


def test_update_keeps_what_other_controllers_own() -> None:
    binding = binding_for(deployment())
    _apply(binding)
    assert isinstance(binding, rb_pb.ResourceBinding)
    binding.metadata.labels["resourcebinding.karmada.io/permanent-id"] = "kept"
    binding.metadata.labels["other"] = "x"
    binding.metadata.finalizers.append("karmada.io/binding-controller")
    binding.spec.clusters.add(name="member1", replicas=3)
    binding.spec.required_by.add(namespace="ns", name="app-deployment")
    binding.spec.graceful_eviction_tasks.add(from_cluster="member2", reason="R", producer="p")
    binding.spec.suspension.scheduling = True
    binding.status.conditions.add(type="Scheduled", status="True")

    spec = policy_spec()
    spec.ClearField("failover")
    spec.ClearField("preserve_resources_on_deletion")
    spec.ClearField("suspension")
    _apply(binding, policy=spec, replicas=5, requirements=None, new_id="unused")

    assert binding.metadata.labels["resourcebinding.karmada.io/permanent-id"] == "kept"
    assert binding.metadata.labels["other"] == "x"
    assert list(binding.metadata.finalizers) == ["karmada.io/binding-controller"]
    assert [c.name for c in binding.spec.clusters] == ["member1"]
    assert [r.name for r in binding.spec.required_by] == ["app-deployment"]
    assert len(binding.spec.graceful_eviction_tasks) == 1
    assert binding.spec.replicas == 5 and not binding.spec.HasField("replica_requirements")
    assert not binding.spec.HasField("failover")
    assert not binding.spec.HasField("preserve_resources_on_deletion")
    # Karmada's MergePolicySuspension: dispatching follows the policy, scheduling stays.
    assert binding.spec.suspension.scheduling is True
    assert not binding.spec.suspension.HasField("dispatching")
    assert binding.status.conditions[0].type == "Scheduled"


def test_suspension_disappears_when_nothing_is_suspended() -> None:
    binding = binding_for(deployment())
    _apply(binding)
    spec = policy_spec()
    spec.ClearField("suspension")
    _apply(binding, policy=spec)
    assert not binding.spec.HasField("suspension")


def test_only_a_moved_resource_version_is_no_change() -> None:
    first = binding_for(deployment())
    _apply(first)
    moved = deployment()
    moved.metadata.resource_version = "43"
    second = binding_for(moved)
    _apply(second, template=moved)
    assert same_apart_from_resource_version(first, second)
    third = binding_for(moved)
    _apply(third, template=moved, replicas=4)
    assert not same_apart_from_resource_version(first, third)


def _stored(owner_uid: str | None, api_version: str = "apps/v1") -> rb_pb.ResourceBinding:
    binding = rb_pb.ResourceBinding()
    binding.spec.resource.api_version = api_version
    binding.spec.resource.kind = "Deployment"
    if owner_uid is not None:
        binding.metadata.owner_references.add(
            api_version=api_version, kind="Deployment", uid=owner_uid, controller=True
        )
    return binding


@pytest.mark.parametrize(
    ("case", "stored", "expected"),
    [
        ("its own", _stored("uid-1"), "ours"),
        ("no owner yet", _stored(None), "ours"),
        ("an earlier template of the name", _stored("uid-0"), "stale"),
        ("another group's template", _stored("uid-9", "extensions/v1beta1"), "foreign"),
    ],
)
def test_binding_ownership(case: str, stored: rb_pb.ResourceBinding, expected: str) -> None:
    assert binding_ownership(stored, deployment()) == expected, case


def test_detector_view_ignores_what_others_write() -> None:
    binding = binding_for(deployment())
    _apply(binding)
    assert isinstance(binding, rb_pb.ResourceBinding)
    other = rb_pb.ResourceBinding()
    other.CopyFrom(binding)
    other.spec.clusters.add(name="member1", replicas=1)
    other.spec.required_by.add(name="x")
    other.status.conditions.add(type="FullyApplied", status="True")
    other.metadata.resource_version = "9"
    other.metadata.generation = 4
    assert detector_view(binding) == detector_view(other)
    other.spec.replicas = 7
    assert detector_view(binding) != detector_view(other)


def test_template_status_alone_is_no_change() -> None:
    old = deployment()
    new = resource_template_pb2.ResourceTemplate()
    new.CopyFrom(old)
    new.status.update({"readyReplicas": 2})
    new.metadata.resource_version = "50"
    assert not template_changed(old, new)
    new.metadata.generation = 2
    assert template_changed(old, new)
    newer = resource_template_pb2.ResourceTemplate()
    newer.CopyFrom(old)
    newer.metadata.labels["app"] = "web"
    assert template_changed(old, newer)
