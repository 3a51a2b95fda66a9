"""Validation and defaulting of PropagationPolicies and ClusterPropagationPolicies.

Both kinds share one PropagationSpec; they differ only in scope (a
PropagationPolicy selects templates of its own namespace). Karmada validates
them in its webhooks (pkg/webhook/{,cluster}propagationpolicy,
pkg/util/validation) and its CRD schema, and defaults them in its mutating
webhooks and CRD defaults; this module does the same at write time so the
detector and scheduler only ever see complete, valid policies, each with its
permanent-id label (set on create, kept across updates, as the webhook does). Placement and
failover rules live in their own modules.
"""

from __future__ import annotations

from google.protobuf.message import Message

from apiserver.registry.failover import default_failover, validate_failover
from apiserver.registry.placement import default_placement, validate_placement
from apiserver.registry.selectors import (
    cluster_names,
    default_selector_namespaces,
    resource_selectors,
)
from apiserver.registry.strategy import Strategy
from karmada.machinery import validation as v
from karmada.machinery.scheme import CLUSTER_PROPAGATION_POLICY, PROPAGATION_POLICY
from karmada.machinery.validation import FieldViolation, join_path
from karmada.names import CPP_PERMANENT_ID_LABEL, PP_PERMANENT_ID_LABEL
from karmada.policy.v1alpha1 import cluster_propagation_policy_pb2 as cpp_pb
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pb

PREEMPTION_BEHAVIORS = ("Always", "Never")
CONFLICT_RESOLUTIONS = ("Abort", "Overwrite")
ACTIVATION_PREFERENCES = ("Lazy",)
PRIORITY_CLASS_SOURCES = ("KubePriorityClass",)
DEFAULT_SCHEDULER = "default-scheduler"
POLICY_NAME_MAX_LENGTH = 63
"""Policy names become label values on the templates they claim."""

_Policy = pb.PropagationPolicy | cpp_pb.ClusterPropagationPolicy


def default_spec(spec: pb.PropagationSpec) -> None:
    """Karmada's defaults for a PropagationSpec (CRD defaults and mutating webhook)."""
    if not spec.HasField("priority"):
        spec.priority = 0
    if not spec.preemption:
        spec.preemption = "Never"
    if not spec.conflict_resolution:
        spec.conflict_resolution = "Abort"
    if not spec.scheduler_name:
        spec.scheduler_name = DEFAULT_SCHEDULER
    if any(s.kind == "ServiceImport" for s in spec.resource_selectors):
        spec.propagate_deps = True
    default_placement(spec.placement)
    if spec.HasField("failover"):
        default_failover(spec.failover)


def validate_spec(spec: pb.PropagationSpec, *, namespace: str | None) -> list[FieldViolation]:
    """Validate a PropagationSpec; `namespace` is None for a cluster-scoped policy."""
    out: list[FieldViolation] = []
    if not spec.resource_selectors:
        out.append(
            v.required_value("spec.resourceSelectors", "at least one resource selector is required")
        )
    out += resource_selectors(
        spec.resource_selectors, "spec.resourceSelectors", policy_namespace=namespace
    )
    out += v.one_of(spec.preemption, PREEMPTION_BEHAVIORS, "spec.preemption", required=False)
    if spec.preemption == "Always":
        for i, selector in enumerate(spec.resource_selectors):
            if not selector.name:
                out.append(
                    v.invalid(
                        f"spec.resourceSelectors[{i}].name",
                        "",
                        "name cannot be empty if preemption is Always, the empty name may "
                        "cause unexpected resources preemption",
                    )
                )
    out += v.one_of(
        spec.conflict_resolution, CONFLICT_RESOLUTIONS, "spec.conflictResolution", required=False
    )
    out += v.one_of(
        spec.activation_preference,
        ACTIVATION_PREFERENCES,
        "spec.activationPreference",
        required=False,
    )
    for i, name in enumerate(spec.dependent_overrides):
        at = f"spec.dependentOverrides[{i}]"
        out += v.dns1123_subdomain(name, at) if name else [v.required_value(at)]
    out += validate_placement(spec.placement, "spec.placement")
    if spec.HasField("failover"):
        out += validate_failover(
            spec.failover,
            "spec.failover",
            propagate_deps=spec.propagate_deps,
            propagate_deps_path="spec.propagateDeps",
        )
    if spec.HasField("suspension"):
        out += _suspension(spec.suspension, "spec.suspension")
    if spec.HasField("schedule_priority"):
        out += _schedule_priority(spec.schedule_priority, "spec.schedulePriority")
    return out


def _suspension(suspension: pb.Suspension, path: str) -> list[FieldViolation]:
    clusters_path = join_path(path, "dispatchingOnClusters", "clusterNames")
    names = suspension.dispatching_on_clusters.cluster_names
    out = cluster_names(names, clusters_path)
    if suspension.dispatching and names:
        out.append(v.forbidden(clusters_path, "may not be set when dispatching is true"))
    return out


def _schedule_priority(priority: pb.SchedulePriority, path: str) -> list[FieldViolation]:
    out = v.one_of(
        priority.priority_class_source,
        PRIORITY_CLASS_SOURCES,
        join_path(path, "priorityClassSource"),
        required=True,
    )
    name_path = join_path(path, "priorityClassName")
    if not priority.priority_class_name:
        out.append(v.required_value(name_path))
    else:
        out += v.dns1123_subdomain(priority.priority_class_name, name_path)
    return out


def policy_name(value: str, path: str) -> list[FieldViolation]:
    """A DNS-1123 subdomain short enough to be a label value (Karmada's webhook rule)."""
    out = v.dns1123_subdomain(value, path)
    if POLICY_NAME_MAX_LENGTH < len(value) <= v.DNS1123_SUBDOMAIN_MAX_LENGTH:
        out.append(
            v.invalid(path, value, f"must be no more than {POLICY_NAME_MAX_LENGTH} characters")
        )
    return out


def _policy(obj: Message) -> _Policy:
    assert isinstance(obj, pb.PropagationPolicy | cpp_pb.ClusterPropagationPolicy)
    return obj


def _default(obj: Message) -> None:
    policy = _policy(obj)
    if isinstance(policy, pb.PropagationPolicy):
        default_selector_namespaces(policy.spec.resource_selectors, policy.metadata.namespace)
    default_spec(policy.spec)


def _validate(obj: Message) -> list[FieldViolation]:
    policy = _policy(obj)
    namespace = policy.metadata.namespace if isinstance(policy, pb.PropagationPolicy) else None
    return validate_spec(policy.spec, namespace=namespace)


def _validate_update(new: Message, old: Message) -> list[FieldViolation]:
    new_spec, old_spec = _policy(new).spec, _policy(old).spec
    # A policy stored before defaulting existed has no schedulerName: it meant the default.
    if new_spec.scheduler_name != (old_spec.scheduler_name or DEFAULT_SCHEDULER):
        return [v.invalid("spec.schedulerName", new_spec.scheduler_name, "field is immutable")]
    return []


STRATEGY = Strategy(
    kind=PROPAGATION_POLICY,  # type: ignore[arg-type]
    validate_spec=_validate,
    validate_update=_validate_update,
    defaulter=_default,
    name_rule=policy_name,
    permanent_id_label=PP_PERMANENT_ID_LABEL,
)
CLUSTER_STRATEGY = Strategy(
    kind=CLUSTER_PROPAGATION_POLICY,  # type: ignore[arg-type]
    validate_spec=_validate,
    validate_update=_validate_update,
    defaulter=_default,
    name_rule=policy_name,
    permanent_id_label=CPP_PERMANENT_ID_LABEL,
)
STRATEGIES = (STRATEGY, CLUSTER_STRATEGY)
