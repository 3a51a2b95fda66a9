"""Validation and defaulting of a policy's failover behaviour.

Failover settings decide when Karmada evicts an application from a cluster
and how the old copy is removed, so mistakes here lose workloads. The rules
follow Karmada's ValidateApplicationFailover and the CRD schema: purge modes
are enums (the deprecated Immediately/Graciously are still accepted), a grace
period only makes sense for a graceful purge, and application failover needs
propagateDeps so dependencies move with the application. Defaults are the
CRD's (tolerationSeconds 300, purgeMode Gracefully) plus the webhook's
gracePeriodSeconds of 600 for graceful purges.
"""

from __future__ import annotations

from apiserver.registry.fields import minimum
from karmada.machinery import validation as v
from karmada.machinery.validation import FieldViolation, join_path
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pb

APPLICATION_PURGE_MODES = ("Directly", "Gracefully", "Never", "Immediately", "Graciously")
CLUSTER_PURGE_MODES = ("Directly", "Gracefully")
GRACEFUL_PURGE_MODES = ("Gracefully", "Graciously")
DEFAULT_TOLERATION_SECONDS = 300
DEFAULT_GRACE_PERIOD_SECONDS = 600


def default_failover(failover: pb.FailoverBehavior) -> None:
    """Fill failover defaults in place."""
    if failover.HasField("application"):
        app = failover.application
        if not app.decision_conditions.HasField("toleration_seconds"):
            app.decision_conditions.toleration_seconds = DEFAULT_TOLERATION_SECONDS
        if not app.purge_mode:
            app.purge_mode = "Gracefully"
        if app.purge_mode in GRACEFUL_PURGE_MODES and not app.HasField("grace_period_seconds"):
            app.grace_period_seconds = DEFAULT_GRACE_PERIOD_SECONDS
    if failover.HasField("cluster") and not failover.cluster.purge_mode:
        failover.cluster.purge_mode = "Gracefully"


def validate_failover(
    failover: pb.FailoverBehavior, path: str, *, propagate_deps: bool, propagate_deps_path: str
) -> list[FieldViolation]:
    """Validate a FailoverBehavior at `path` (e.g. ``spec.failover``)."""
    out: list[FieldViolation] = []
    if failover.HasField("application"):
        if not propagate_deps:
            out.append(
                FieldViolation(
                    propagate_deps_path,
                    "Invalid value: false: application failover is set, propagateDeps must be true",
                )
            )
        out += _application(failover.application, join_path(path, "application"))
    if failover.HasField("cluster"):
        at = join_path(path, "cluster")
        out += v.one_of(
            failover.cluster.purge_mode,
            CLUSTER_PURGE_MODES,
            join_path(at, "purgeMode"),
            required=False,
        )
        if failover.cluster.HasField("state_preservation"):
            out += _state_preservation(
                failover.cluster.state_preservation, join_path(at, "statePreservation")
            )
    return out


def _application(app: pb.ApplicationFailoverBehavior, path: str) -> list[FieldViolation]:
    conditions = app.decision_conditions
    out = minimum(
        conditions.toleration_seconds, 0, join_path(path, "decisionConditions", "tolerationSeconds")
    )
    out += v.one_of(
        app.purge_mode, APPLICATION_PURGE_MODES, join_path(path, "purgeMode"), required=False
    )
    if app.HasField("grace_period_seconds"):
        grace_path = join_path(path, "gracePeriodSeconds")
        if app.purge_mode not in GRACEFUL_PURGE_MODES:
            out.append(v.forbidden(grace_path, 'may only be set when purgeMode is "Gracefully"'))
        elif app.grace_period_seconds <= 0:
            out.append(v.invalid(grace_path, app.grace_period_seconds, "must be greater than 0"))
    if app.HasField("state_preservation"):
        out += _state_preservation(app.state_preservation, join_path(path, "statePreservation"))
    return out


def _state_preservation(preservation: pb.StatePreservation, path: str) -> list[FieldViolation]:
    rules_path = join_path(path, "rules")
    out = v.required(preservation.rules, rules_path)
    for i, rule in enumerate(preservation.rules):
        at = join_path(rules_path, i)
        alias_path = join_path(at, "aliasLabelName")
        if not rule.alias_label_name:
            out.append(v.required_value(alias_path))
        else:
            out += v.qualified_name(rule.alias_label_name, alias_path)
        out += v.required(rule.json_path, join_path(at, "jsonPath"))
    return out
