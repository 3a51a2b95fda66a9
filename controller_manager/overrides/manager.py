"""Which override policies apply to a (manifest, cluster), in which order, and what they did.

Karmada's override manager (pkg/util/overridemanager/overridemanager.go):

* ClusterOverridePolicies apply first, then, for a namespaced resource, the
  OverridePolicies of its own namespace. OverridePolicies are matched against
  the manifest as the cluster-scoped ones left it.
* In each group, a policy applies when one of its resourceSelectors matches
  the manifest (a policy without selectors matches everything); the group is
  sorted by specificity ascending (match-all < label selector < name), then by
  policy name, so the most specific policy is applied last and wins.
* Of a policy, every overrideRule whose targetCluster matches the cluster (or
  that has none) applies, in order; a policy without rules uses the
  deprecated top-level targetCluster and overriders.
* What was applied is recorded as Karmada's OverridePolicyShadow list,
  ``[{"policyName": ..., "overriders": {...}}]`` sorted by policy name, in the
  Work annotations ``policy.karmada.io/applied-cluster-overrides`` and
  ``policy.karmada.io/applied-overrides`` (absent when nothing applied). The
  JSON is written as Go's encoding/json writes Karmada's types: field order of
  the Go structs, empty optional fields left out, a missing patch value as null.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from controller_manager.overrides.affinity import cluster_matches
from controller_manager.overrides.jsonpatch import MISSING, PatchError
from controller_manager.overrides.overriders import apply_overriders, plain_value
from controller_manager.overrides.selectors import Priority, selectors_priority
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.names import APPLIED_CLUSTER_OVERRIDES_ANNOTATION, APPLIED_OVERRIDES_ANNOTATION
from karmada.policy.v1alpha1 import cluster_override_policy_pb2 as cop_pb
from karmada.policy.v1alpha1 import override_policy_pb2 as pb
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2

__all__ = [
    "AnyOverridePolicy",
    "AppliedOverrider",
    "Overridden",
    "OverrideError",
    "applied_json",
    "apply_overrides",
    "matching_overriders",
    "overriders_json",
]

AnyOverridePolicy: TypeAlias = pb.OverridePolicy | cop_pb.ClusterOverridePolicy
Manifest = dict[str, Any]


@dataclass(frozen=True, slots=True)
class AppliedOverrider:
    """The overriders of one matching rule of one policy (Karmada's OverridePolicyShadow)."""

    policy_name: str
    overriders: pb.Overriders
    policy_namespace: str = ""


class OverrideError(Exception):
    """A policy's overriders do not apply to the manifest."""

    def __init__(self, applied: AppliedOverrider, cluster: str, cause: PatchError) -> None:
        scope = "override policy" if applied.policy_namespace else "cluster override policy"
        who = (
            f"{applied.policy_namespace}/{applied.policy_name}"
            if applied.policy_namespace
            else applied.policy_name
        )
        super().__init__(f"Apply {scope}({who}) for cluster({cluster}) failed: {cause}")
        self.applied = applied
        self.cluster = cluster
        self.cause = cause


@dataclass(frozen=True)
class Overridden:
    """The manifest as one cluster should get it, and the overriders that made it so."""

    manifest: Manifest
    cluster_overrides: tuple[AppliedOverrider, ...] = ()
    overrides: tuple[AppliedOverrider, ...] = field(default=())

    def annotations(self) -> dict[str, str]:
        """The applied-(cluster-)overrides annotations for the Work (only those with entries)."""
        out: dict[str, str] = {}
        if (text := applied_json(self.cluster_overrides)) is not None:
            out[APPLIED_CLUSTER_OVERRIDES_ANNOTATION] = text
        if (text := applied_json(self.overrides)) is not None:
            out[APPLIED_OVERRIDES_ANNOTATION] = text
        return out


def _rules(spec: pb.OverrideSpec) -> list[tuple[policy_pb2.ClusterAffinity | None, pb.Overriders]]:
    if spec.override_rules:
        return [
            (rule.target_cluster if rule.HasField("target_cluster") else None, rule.overriders)
            for rule in spec.override_rules
        ]
    target = spec.target_cluster if spec.HasField("target_cluster") else None
    return [(target, spec.overriders)]


def matching_overriders(
    policies: Iterable[AnyOverridePolicy], manifest: Mapping[str, Any], cluster: cluster_pb2.Cluster
) -> list[AppliedOverrider]:
    """The rules of `policies` that apply to `manifest` on `cluster`, in application order."""
    ranked: list[tuple[Priority, str, AnyOverridePolicy]] = []
    for policy in policies:
        priority = selectors_priority(manifest, policy.spec.resource_selectors)
        if priority is not Priority.MISMATCH:
            ranked.append((priority, policy.metadata.name, policy))
    ranked.sort(key=lambda item: (item[0], item[1]))
    out: list[AppliedOverrider] = []
    for _, name, policy in ranked:
        namespace = policy.metadata.namespace if isinstance(policy, pb.OverridePolicy) else ""
        for target, overriders in _rules(policy.spec):
            if target is None or cluster_matches(target, cluster):
                out.append(AppliedOverrider(name, overriders, namespace))
    return out


def _apply_group(manifest: Manifest, applied: list[AppliedOverrider], cluster: str) -> Manifest:
    for item in applied:
        try:
            manifest = apply_overriders(manifest, item.overriders)
        except PatchError as err:
            raise OverrideError(item, cluster, err) from None
    return manifest


def apply_overrides(
    manifest: Mapping[str, Any],
    cluster: cluster_pb2.Cluster,
    *,
    cluster_policies: Iterable[cop_pb.ClusterOverridePolicy] = (),
    policies: Iterable[pb.OverridePolicy] = (),
) -> Overridden:
    """`manifest` as `cluster` should get it after every matching policy.

    `policies` may hold OverridePolicies of any namespace: only those of the
    manifest's namespace apply, and none to a cluster-scoped manifest.

    Raises:
        OverrideError: a matching policy's overriders do not apply.
    """
    result: Manifest = copy.deepcopy(dict(manifest))
    cluster_name = cluster.metadata.name
    cluster_applied = matching_overriders(cluster_policies, result, cluster)
    result = _apply_group(result, cluster_applied, cluster_name)
    namespace = (result.get("metadata") or {}).get("namespace", "")
    applied: list[AppliedOverrider] = []
    if namespace:
        own = [p for p in policies if p.metadata.namespace == namespace]
        applied = matching_overriders(own, result, cluster)
        result = _apply_group(result, applied, cluster_name)
    return Overridden(result, tuple(cluster_applied), tuple(applied))


def _with_value(entry: dict[str, Any], value: Any) -> dict[str, Any]:
    entry["value"] = None if value is MISSING else value
    return entry


def _patch_ops(ops: Iterable[pb.JSONPatchOperation | pb.YAMLPatchOperation]) -> list[Any]:
    return [
        _with_value({"subPath": op.sub_path, "operator": op.operator}, plain_value(op.value))
        for op in ops
    ]


def overriders_json(overriders: pb.Overriders) -> dict[str, Any]:
    """`overriders` as Go's encoding/json writes Karmada's policyv1alpha1.Overriders."""
    out: dict[str, Any] = {}
    if overriders.plaintext:
        out["plaintext"] = [
            _with_value({"path": p.path, "operator": p.operator}, plain_value(p.value))
            for p in overriders.plaintext
        ]
    if overriders.image_overrider:
        images: list[Any] = []
        for image in overriders.image_overrider:
            entry: dict[str, Any] = {}
            if image.HasField("predicate"):
                entry["predicate"] = {"path": image.predicate.path}
            entry |= {"component": image.component, "operator": image.operator}
            if image.value:
                entry["value"] = image.value
            images.append(entry)
        out["imageOverrider"] = images
    for key, commands in (
        ("commandOverrider", overriders.command_overrider),
        ("argsOverrider", overriders.args_overrider),
    ):
        if commands:
            out[key] = [
                {"containerName": c.container_name, "operator": c.operator}
                | ({"value": list(c.value)} if c.value else {})
                for c in commands
            ]
    for key, items in (
        ("labelsOverrider", overriders.labels_overrider),
        ("annotationsOverrider", overriders.annotations_overrider),
    ):
        if items:
            out[key] = [
                {"operator": item.operator}
                | ({"value": dict(sorted(item.value.items()))} if item.value else {})
                for item in items
            ]
    if overriders.field_overrider:
        fields: list[Any] = []
        for overrider in overriders.field_overrider:
            entry = {"fieldPath": overrider.field_path}
            if overrider.json:
                entry["json"] = _patch_ops(overrider.json)
            if overrider.yaml:
                entry["yaml"] = _patch_ops(overrider.yaml)
            fields.append(entry)
        out["fieldOverrider"] = fields
    return out


_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def applied_json(applied: Iterable[AppliedOverrider]) -> str | None:
    """The annotation value recording `applied`, sorted by policy name; None if empty."""
    items = sorted(applied, key=lambda item: item.policy_name)
    if not items:
        return None
    shadows = [
        {"policyName": item.policy_name, "overriders": overriders_json(item.overriders)}
        for item in items
    ]
    text = json.dumps(shadows, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in _GO_ESCAPES.items():
        text = text.replace(char, escaped)
    return text
