"""Validation and defaulting of a policy's Placement (where and how to schedule).

The Placement of a PropagationPolicy or ClusterPropagationPolicy is what the
scheduler obeys, so a bad one must be rejected at write time rather than
discovered as a scheduling failure. The rules are Karmada's
(pkg/util/validation ValidatePlacement and the CRD schema), and so are the
defaults its mutating webhook applies (pkg/util/helper: spread-constraint
defaults, Weighted division for Divided, and the not-ready/unreachable
NoExecute tolerations).
"""

from __future__ import annotations

from collections.abc import Iterable

from apiserver.registry.cluster import TAINT_EFFECTS
from apiserver.registry.fields import duplicate, minimum
from apiserver.registry.selectors import cluster_affinity
from karmada.core.v1 import types_pb2
from karmada.machinery import validation as v
from karmada.machinery.validation import FieldViolation, join_path
from karmada.names import NOT_READY_TAINT, UNREACHABLE_TAINT
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pb

SPREAD_FIELDS = ("cluster", "region", "zone", "provider")
REPLICA_SCHEDULING_TYPES = ("Duplicated", "Divided")
DIVISION_PREFERENCES = ("Aggregated", "Weighted")
DYNAMIC_WEIGHTS = ("AvailableReplicas",)
TOLERATION_OPERATORS = ("Equal", "Exists")
AFFINITY_NAME_MAX_LENGTH = 32

DEFAULT_TOLERATION_SECONDS = 300
"""karmada-webhook's --default-{not-ready,unreachable}-toleration-seconds."""


def default_placement(placement: pb.Placement) -> None:
    """Apply Karmada's placement defaults in place."""
    for constraint in placement.spread_constraints:
        if not constraint.spread_by_field and not constraint.spread_by_label:
            constraint.spread_by_field = "cluster"
        if constraint.min_groups == 0:
            constraint.min_groups = 1
    for key in (NOT_READY_TAINT, UNREACHABLE_TAINT):
        default = types_pb2.Toleration(
            key=key,
            operator="Exists",
            effect="NoExecute",
            toleration_seconds=DEFAULT_TOLERATION_SECONDS,
        )
        if not any(_same_toleration(t, default) for t in placement.cluster_tolerations):
            placement.cluster_tolerations.append(default)
    if placement.HasField("replica_scheduling"):
        strategy = placement.replica_scheduling
        if not strategy.replica_scheduling_type:
            strategy.replica_scheduling_type = "Divided"
        if (
            strategy.replica_scheduling_type == "Divided"
            and not strategy.replica_division_preference
        ):
            strategy.replica_division_preference = "Weighted"


def _same_toleration(a: types_pb2.Toleration, b: types_pb2.Toleration) -> bool:
    # corev1 Toleration.MatchToleration: everything but tolerationSeconds.
    return (a.key, a.operator or "Equal", a.value, a.effect) == (
        b.key,
        b.operator or "Equal",
        b.value,
        b.effect,
    )


def validate_placement(placement: pb.Placement, path: str) -> list[FieldViolation]:
    """Validate a Placement at `path` (e.g. ``spec.placement``)."""
    out: list[FieldViolation] = []
    if placement.HasField("cluster_affinity"):
        if placement.cluster_affinities:
            out.append(
                v.forbidden(
                    join_path(path, "clusterAffinities"),
                    "may not be set together with clusterAffinity",
                )
            )
        out += cluster_affinity(placement.cluster_affinity, join_path(path, "clusterAffinity"))
    out += _affinity_terms(placement.cluster_affinities, join_path(path, "clusterAffinities"))
    out += validate_tolerations(
        placement.cluster_tolerations, join_path(path, "clusterTolerations")
    )
    out += _spread_constraints(placement.spread_constraints, join_path(path, "spreadConstraints"))
    if placement.HasField("replica_scheduling"):
        out += _replica_scheduling(
            placement.replica_scheduling, join_path(path, "replicaScheduling")
        )
    return out


def _affinity_terms(terms: Iterable[pb.ClusterAffinityTerm], path: str) -> list[FieldViolation]:
    out: list[FieldViolation] = []
    names: set[str] = set()

    def check_name(name: str, at: str) -> None:
        name_path = join_path(at, "affinityName")
        if not name:
            out.append(v.required_value(name_path))
            return
        if len(name) > AFFINITY_NAME_MAX_LENGTH:
            out.append(v.too_long(name_path, AFFINITY_NAME_MAX_LENGTH))
        out.extend(v.qualified_name(name, name_path))
        if name in names:
            out.append(duplicate(name_path, name))
        names.add(name)

    for i, term in enumerate(terms):
        at = join_path(path, i)
        check_name(term.affinity_name, at)
        out += cluster_affinity(term, at)
        for j, overflow in enumerate(term.overflow_affinities):
            overflow_at = join_path(at, "overflowAffinities", j)
            check_name(overflow.affinity_name, overflow_at)
            out += cluster_affinity(overflow, overflow_at)
    return out


def validate_tolerations(
    tolerations: Iterable[types_pb2.Toleration], path: str
) -> list[FieldViolation]:
    """Tolerations, as Kubernetes' ValidateTolerations."""
    out: list[FieldViolation] = []
    for i, toleration in enumerate(tolerations):
        at = join_path(path, i)
        operator_path = join_path(at, "operator")
        if toleration.key:
            out += v.qualified_name(toleration.key, join_path(at, "key"))
        elif toleration.operator != "Exists":
            out.append(
                v.invalid(
                    operator_path,
                    toleration.operator,
                    "operator must be Exists when `key` is empty, which means "
                    '"match all values and all keys"',
                )
            )
        if toleration.operator in ("", "Equal"):
            out += v.label_value(toleration.value, join_path(at, "value"))
        elif toleration.operator == "Exists":
            if toleration.value:
                out.append(
                    v.invalid(
                        operator_path,
                        toleration.operator,
                        "value must be empty when `operator` is 'Exists'",
                    )
                )
        else:
            out.append(v.not_supported(operator_path, toleration.operator, TOLERATION_OPERATORS))
        out += v.one_of(toleration.effect, TAINT_EFFECTS, join_path(at, "effect"), required=False)
        if toleration.HasField("toleration_seconds") and toleration.effect != "NoExecute":
            out.append(
                v.invalid(
                    join_path(at, "effect"),
                    toleration.effect,
                    "effect must be 'NoExecute' when `tolerationSeconds` is set",
                )
            )
    return out


def _spread_constraints(
    constraints: Iterable[pb.SpreadConstraint], path: str
) -> list[FieldViolation]:
    out: list[FieldViolation] = []
    fields: set[str] = set()
    for i, constraint in enumerate(constraints):
        at = join_path(path, i)
        by_field = constraint.spread_by_field
        if by_field and constraint.spread_by_label:
            out.append(
                v.forbidden(
                    join_path(at, "spreadByLabel"), "may not be set together with spreadByField"
                )
            )
        elif not by_field and not constraint.spread_by_label:
            out.append(
                v.required_value(
                    join_path(at, "spreadByField"), "spreadByField or spreadByLabel must be set"
                )
            )
        out += v.one_of(by_field, SPREAD_FIELDS, join_path(at, "spreadByField"), required=False)
        if constraint.spread_by_label:
            out += v.qualified_name(constraint.spread_by_label, join_path(at, "spreadByLabel"))
        out += minimum(constraint.min_groups, 0, join_path(at, "minGroups"))
        out += minimum(constraint.max_groups, 0, join_path(at, "maxGroups"))
        if 0 < constraint.max_groups < constraint.min_groups:
            out.append(
                v.invalid(
                    join_path(at, "maxGroups"),
                    constraint.max_groups,
                    "must be greater than or equal to minGroups",
                )
            )
        if by_field in SPREAD_FIELDS:
            if by_field in fields:
                out.append(duplicate(join_path(at, "spreadByField"), by_field))
            fields.add(by_field)
    if fields and "cluster" not in fields:
        out.append(
            v.required_value(
                path,
                'a "cluster" spread constraint is required when spreading by region, zone '
                "or provider",
            )
        )
    return out


def _replica_scheduling(strategy: pb.ReplicaSchedulingStrategy, path: str) -> list[FieldViolation]:
    out = v.one_of(
        strategy.replica_scheduling_type,
        REPLICA_SCHEDULING_TYPES,
        join_path(path, "replicaSchedulingType"),
        required=False,
    )
    out += v.one_of(
        strategy.replica_division_preference,
        DIVISION_PREFERENCES,
        join_path(path, "replicaDivisionPreference"),
        required=False,
    )
    if not strategy.HasField("weight_preference"):
        return out
    weights_path = join_path(path, "weightPreference")
    if (strategy.replica_scheduling_type, strategy.replica_division_preference) != (
        "Divided",
        "Weighted",
    ):
        out.append(
            v.forbidden(
                weights_path,
                'may only be set when replicaSchedulingType is "Divided" and '
                'replicaDivisionPreference is "Weighted"',
            )
        )
    preference = strategy.weight_preference
    for i, weight in enumerate(preference.static_weight_list):
        at = join_path(weights_path, "staticWeightList", i)
        out += cluster_affinity(weight.target_cluster, join_path(at, "targetCluster"))
        out += minimum(weight.weight, 0, join_path(at, "weight"))
    dynamic_path = join_path(weights_path, "dynamicWeight")
    out += v.one_of(preference.dynamic_weight, DYNAMIC_WEIGHTS, dynamic_path, required=False)
    if preference.dynamic_weight and preference.static_weight_list:
        out.append(v.forbidden(dynamic_path, "may not be set together with staticWeightList"))
    return out
