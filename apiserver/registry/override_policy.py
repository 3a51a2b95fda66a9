"""Validation and defaulting of OverridePolicies and ClusterOverridePolicies.

Overriders rewrite resource templates per cluster just before they are
applied, so a malformed one would fail (or silently do nothing) far from the
write that introduced it. This module rejects such policies up front with
Karmada's rules (pkg/util/validation ValidateOverrideSpec plus the CRD
enums): operators and image components are enums, paths are JSON pointers,
values are required for add/replace and forbidden for remove, label and
annotation edits use valid keys, and the deprecated top-level
targetCluster/overriders cannot be combined with overrideRules. As Karmada's
mutating webhook, an OverridePolicy's selectors default to its namespace.
"""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf import struct_pb2
from google.protobuf.message import Message

from apiserver.registry.fields import json_pointer
from apiserver.registry.selectors import (
    cluster_affinity,
    default_selector_namespaces,
    resource_selectors,
)
from apiserver.registry.strategy import Strategy
from karmada.machinery import validation as v
from karmada.machinery.scheme import CLUSTER_OVERRIDE_POLICY, OVERRIDE_POLICY
from karmada.machinery.validation import FieldViolation, join_path
from karmada.policy.v1alpha1 import cluster_override_policy_pb2 as cop_pb
from karmada.policy.v1alpha1 import override_policy_pb2 as pb

OVERRIDE_OPERATORS = ("add", "remove", "replace")
COMMAND_OPERATORS = ("add", "remove")
IMAGE_COMPONENTS = ("Registry", "Repository", "Tag")

_Policy = pb.OverridePolicy | cop_pb.ClusterOverridePolicy
_PatchOperation = pb.PlaintextOverrider | pb.JSONPatchOperation | pb.YAMLPatchOperation


def _has_value(value: struct_pb2.Value) -> bool:
    return value.WhichOneof("kind") is not None


def _has_overriders(overriders: pb.Overriders) -> bool:
    return overriders.ByteSize() > 0


def validate_spec(spec: pb.OverrideSpec, *, namespace: str | None) -> list[FieldViolation]:
    """Validate an OverrideSpec; `namespace` is None for a cluster-scoped policy."""
    out = resource_selectors(
        spec.resource_selectors, "spec.resourceSelectors", policy_namespace=namespace
    )
    if spec.override_rules:
        if spec.HasField("target_cluster"):
            out.append(
                v.forbidden("spec.targetCluster", "may not be set together with overrideRules")
            )
        if _has_overriders(spec.overriders):
            out.append(v.forbidden("spec.overriders", "may not be set together with overrideRules"))
    if spec.HasField("target_cluster"):
        out += cluster_affinity(spec.target_cluster, "spec.targetCluster")
    out += validate_overriders(spec.overriders, "spec.overriders")
    for i, rule in enumerate(spec.override_rules):
        at = f"spec.overrideRules[{i}]"
        if rule.HasField("target_cluster"):
            out += cluster_affinity(rule.target_cluster, join_path(at, "targetCluster"))
        out += validate_overriders(rule.overriders, join_path(at, "overriders"))
    return out


def validate_overriders(overriders: pb.Overriders, path: str) -> list[FieldViolation]:
    """Validate every overrider of one rule at `path` (e.g. ``...overrideRules[0].overriders``)."""
    out: list[FieldViolation] = []
    for i, plain in enumerate(overriders.plaintext):
        at = join_path(path, "plaintext", i)
        out += json_pointer(plain.path, join_path(at, "path"), required=True)
        out += _operation(plain, at)
    for i, image in enumerate(overriders.image_overrider):
        out += _image(image, join_path(path, "imageOverrider", i))
    for field, items in (
        ("commandOverrider", overriders.command_overrider),
        ("argsOverrider", overriders.args_overrider),
    ):
        for i, command in enumerate(items):
            at = join_path(path, field, i)
            out += v.required(command.container_name, join_path(at, "containerName"))
            out += v.one_of(
                command.operator, COMMAND_OPERATORS, join_path(at, "operator"), required=True
            )
    for i, labels in enumerate(overriders.labels_overrider):
        at = join_path(path, "labelsOverrider", i)
        out += v.one_of(
            labels.operator, OVERRIDE_OPERATORS, join_path(at, "operator"), required=True
        )
        out += v.labels(labels.value, join_path(at, "value"))
    for i, annotation in enumerate(overriders.annotations_overrider):
        at = join_path(path, "annotationsOverrider", i)
        out += v.one_of(
            annotation.operator, OVERRIDE_OPERATORS, join_path(at, "operator"), required=True
        )
        out += v.annotations(annotation.value, join_path(at, "value"))
    for i, field_overrider in enumerate(overriders.field_overrider):
        out += _field_overrider(field_overrider, join_path(path, "fieldOverrider", i))
    return out


def _operation(op: _PatchOperation, path: str) -> list[FieldViolation]:
    """An add/remove/replace edit: value required for add/replace, forbidden for remove."""
    out = v.one_of(op.operator, OVERRIDE_OPERATORS, join_path(path, "operator"), required=True)
    value_path = join_path(path, "value")
    has_value = op.HasField("value") and _has_value(op.value)
    if op.operator in ("add", "replace") and not has_value:
        out.append(v.required_value(value_path, "value is required for add or replace operation"))
    elif op.operator == "remove" and has_value:
        out.append(v.forbidden(value_path, "value is not allowed for remove operation"))
    return out


def _image(image: pb.ImageOverrider, path: str) -> list[FieldViolation]:
    out: list[FieldViolation] = []
    if image.HasField("predicate"):
        out += json_pointer(
            image.predicate.path, join_path(path, "predicate", "path"), required=True
        )
    out += v.one_of(image.component, IMAGE_COMPONENTS, join_path(path, "component"), required=True)
    out += v.one_of(image.operator, OVERRIDE_OPERATORS, join_path(path, "operator"), required=True)
    if image.operator in ("add", "replace") and not image.value:
        out.append(
            v.required_value(
                join_path(path, "value"), "value is required for add or replace operation"
            )
        )
    return out


def _field_overrider(overrider: pb.FieldOverrider, path: str) -> list[FieldViolation]:
    out = json_pointer(overrider.field_path, join_path(path, "fieldPath"), required=True)
    if overrider.json and overrider.yaml:
        out.append(v.forbidden(join_path(path, "yaml"), "may not be set together with json"))
    out += _patch_operations(overrider.json, join_path(path, "json"))
    out += _patch_operations(overrider.yaml, join_path(path, "yaml"))
    return out


def _patch_operations(
    ops: Iterable[pb.JSONPatchOperation | pb.YAMLPatchOperation], path: str
) -> list[FieldViolation]:
    out: list[FieldViolation] = []
    for i, op in enumerate(ops):
        at = join_path(path, i)
        out += json_pointer(op.sub_path, join_path(at, "subPath"), required=False)
        out += _operation(op, at)
    return out


def _policy(obj: Message) -> _Policy:
    assert isinstance(obj, pb.OverridePolicy | cop_pb.ClusterOverridePolicy)
    return obj


def _default(obj: Message) -> None:
    policy = _policy(obj)
    if isinstance(policy, pb.OverridePolicy):
        default_selector_namespaces(policy.spec.resource_selectors, policy.metadata.namespace)


def _validate(obj: Message) -> list[FieldViolation]:
    policy = _policy(obj)
    namespace = policy.metadata.namespace if isinstance(policy, pb.OverridePolicy) else None
    return validate_spec(policy.spec, namespace=namespace)


STRATEGY = Strategy(kind=OVERRIDE_POLICY, validate_spec=_validate, defaulter=_default)  # type: ignore[arg-type]
CLUSTER_STRATEGY = Strategy(kind=CLUSTER_OVERRIDE_POLICY, validate_spec=_validate)  # type: ignore[arg-type]
STRATEGIES = (STRATEGY, CLUSTER_STRATEGY)
