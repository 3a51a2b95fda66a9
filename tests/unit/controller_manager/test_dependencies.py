"""The attached bindings of propagateDeps: labels, snapshots, the dependencies annotation."""

from __future__ import annotations

import re

import pytest

from controller_manager.controllers.dependencies import (
    DEPENDED_BY_LABEL_PREFIX,
    attach,
    binding_reference_key,
    depended_by_label,
    dependencies_annotation,
    detach,
    parse_dependencies,
)
from karmada.core.v1 import resource_template_pb2
from karmada.machinery.scheme import RESOURCE_BINDING, template_kind
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb


def independent(name: str, *clusters: str) -> rb_pb.ResourceBinding:
    binding = RESOURCE_BINDING.new(name=name, namespace="ns")
    binding.metadata.labels["resourcebinding.karmada.io/permanent-id"] = f"id-{name}"
    binding.spec.propagate_deps = True
    binding.spec.conflict_resolution = "Overwrite"
    for cluster in clusters:
        binding.spec.clusters.add(name=cluster, replicas=1)
    return binding


def config_map() -> resource_template_pb2.ResourceTemplate:
    template = template_kind("v1", "ConfigMap").new(name="cfg", namespace="ns")
    template.metadata.uid = "cm-uid"
    template.metadata.resource_version = "7"
    return template


def snapshots(binding: rb_pb.ResourceBinding) -> dict[str, list[str]]:
    return {s.name: [c.name for c in s.clusters] for s in binding.spec.required_by}


def test_reference_key_is_a_stable_label_safe_hash() -> None:
    key = binding_reference_key("ns", "web-deployment")
    assert key == binding_reference_key("ns", "web-deployment")
    assert key != binding_reference_key("ns2", "web-deployment")
    assert key != binding_reference_key("", "ns/web-deployment".replace("/", ""))
    assert re.fullmatch(r"[bcdfghjklmnpqrstvwxz2456789]{1,10}", key)
    label = depended_by_label("ns", "web-deployment")
    assert label == DEPENDED_BY_LABEL_PREFIX + key
    assert len(label.split("/", 1)[1]) <= 63


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[{"apiVersion":"v1","kind":"Secret","namespace":"ns","name":"s"}]',
            [("v1", "Secret", "ns", "s")],
        ),
        ("[]", []),
        ("not json", []),
        ('{"kind": "Secret"}', []),
        ('[{"kind": "Secret", "name": "s"}, 3, {"name": 5}]', [("", "Secret", "", "s")]),
    ],
)
def test_parse_dependencies(text: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert parse_dependencies(text) == expected


def test_annotation_round_trips_in_karmada_field_order() -> None:
    deps = [("v1", "ConfigMap", "ns", "cfg"), ("v1", "Secret", "ns", "tls")]
    text = dependencies_annotation(deps)
    assert text.startswith('[{"apiVersion":"v1","kind":"ConfigMap","namespace":"ns","name":"cfg"}')
    assert parse_dependencies(text) == deps


def test_attach_merges_snapshots_per_requirer() -> None:
    attached = RESOURCE_BINDING.new(name="cfg-configmap", namespace="ns")
    attach(attached, independent=independent("a", "m1", "m2"), template=config_map(), new_id="x")
    attach(attached, independent=independent("b", "m3"), template=config_map(), new_id="y")
    attach(attached, independent=independent("a", "m2"), template=config_map(), new_id="z")

    assert snapshots(attached) == {"a": ["m2"], "b": ["m3"]}
    labels = attached.metadata.labels
    assert labels["resourcebinding.karmada.io/permanent-id"] == "x"
    assert labels[depended_by_label("ns", "a")] == "id-a"
    assert labels[depended_by_label("ns", "b")] == "id-b"
    assert attached.metadata.owner_references[0].uid == "cm-uid"
    assert attached.spec.resource.name == "cfg" and attached.spec.resource.uid == "cm-uid"
    assert not attached.spec.HasField("placement")
    assert attached.spec.conflict_resolution == "Overwrite"


def test_a_placed_attached_binding_keeps_its_policy_conflict_resolution() -> None:
    attached = RESOURCE_BINDING.new(name="cfg-configmap", namespace="ns")
    attached.spec.placement.SetInParent()
    attached.spec.conflict_resolution = "Abort"
    attach(attached, independent=independent("a", "m1"), template=config_map(), new_id="x")
    assert attached.spec.conflict_resolution == "Abort"


@pytest.mark.parametrize(
    ("case", "placed", "requirers", "gone"),
    [
        ("last requirer of an attached binding: nobody needs it", False, ["a"], True),
        ("other requirers remain", False, ["a", "b"], False),
        ("a policy placed it too", True, ["a"], False),
    ],
)
def test_detach(case: str, placed: bool, requirers: list[str], gone: bool) -> None:
    attached = RESOURCE_BINDING.new(name="cfg-configmap", namespace="ns")
    if placed:
        attached.spec.placement.SetInParent()
    for name in requirers:
        attach(attached, independent=independent(name, "m1"), template=config_map(), new_id="x")
    assert detach(attached, "ns", "a") is gone, case
    assert "a" not in snapshots(attached)
    assert depended_by_label("ns", "a") not in attached.metadata.labels
