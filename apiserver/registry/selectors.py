"""Resource selectors, cluster affinities and cluster names, checked in one place.

Propagation and override policies select resource templates with
ResourceSelectors and member clusters with ClusterAffinities; bindings,
suspensions and MultiClusterServices list cluster names. Karmada validates
these the same way wherever they appear (pkg/util/validation), so each kind's
module calls these with its own field path rather than repeating the rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from apiserver.registry.strategy import cluster_name
from karmada.machinery import validation as v
from karmada.machinery.labels import validate_label_selector
from karmada.machinery.validation import FieldViolation, join_path
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pb

FIELD_SELECTOR_KEYS = ("provider", "region", "zone")
FIELD_SELECTOR_OPERATORS = ("In", "NotIn")

AnyAffinity = pb.ClusterAffinity | pb.ClusterAffinityTerm | pb.OverflowClusterAffinity


def cluster_names(names: Iterable[str], path: str) -> list[FieldViolation]:
    """Each entry is required and a valid cluster name; `path` is the list's path."""
    out: list[FieldViolation] = []
    for i, name in enumerate(names):
        out += required_cluster_name(name, join_path(path, i))
    return out


def required_cluster_name(name: str, path: str) -> list[FieldViolation]:
    """One cluster name that must be set."""
    if not name:
        return [v.required_value(path)]
    return cluster_name(name, path)


def resource_selectors(
    selectors: Iterable[pb.ResourceSelector], path: str, *, policy_namespace: str | None
) -> list[FieldViolation]:
    """Validate ResourceSelectors.

    Args:
        selectors: the selectors.
        path: the list's field path, e.g. ``spec.resourceSelectors``.
        policy_namespace: a namespaced policy's namespace, which a selector's
            namespace must equal when set; None for cluster-scoped policies,
            whose selectors may name any namespace.
    """
    out: list[FieldViolation] = []
    for i, selector in enumerate(selectors):
        at = join_path(path, i)
        if not selector.api_version:
            out.append(v.required_value(join_path(at, "apiVersion")))
        if not selector.kind:
            out.append(v.required_value(join_path(at, "kind")))
        if selector.namespace:
            ns_path = join_path(at, "namespace")
            if policy_namespace is not None and selector.namespace != policy_namespace:
                out.append(
                    v.invalid(
                        ns_path,
                        selector.namespace,
                        f"must be empty or the policy's namespace {v.quote(policy_namespace)}",
                    )
                )
            else:
                out += v.dns1123_label(selector.namespace, ns_path)
        if selector.HasField("label_selector"):
            out += validate_label_selector(selector.label_selector, join_path(at, "labelSelector"))
    return out


def default_selector_namespaces(selectors: Iterable[pb.ResourceSelector], namespace: str) -> None:
    """Give selectors without a namespace the policy's, as Karmada's mutating webhooks do."""
    for selector in selectors:
        if not selector.namespace:
            selector.namespace = namespace


def cluster_affinity(affinity: AnyAffinity, path: str) -> list[FieldViolation]:
    """Validate the cluster filter of a ClusterAffinity (or a named term of one)."""
    out: list[FieldViolation] = []
    if affinity.HasField("label_selector"):
        out += validate_label_selector(affinity.label_selector, join_path(path, "labelSelector"))
    if affinity.HasField("field_selector"):
        out += field_selector(affinity.field_selector, join_path(path, "fieldSelector"))
    out += cluster_names(affinity.cluster_names, join_path(path, "clusterNames"))
    out += cluster_names(affinity.exclude, join_path(path, "exclude"))
    return out


def field_selector(selector: pb.FieldSelector, path: str) -> list[FieldViolation]:
    """Cluster field selectors: keys provider/region/zone, operators In/NotIn with values."""
    out: list[FieldViolation] = []
    for i, expr in enumerate(selector.match_expressions):
        at = join_path(path, "matchExpressions", i)
        out += v.one_of(expr.key, FIELD_SELECTOR_KEYS, join_path(at, "key"), required=True)
        out += v.one_of(
            expr.operator, FIELD_SELECTOR_OPERATORS, join_path(at, "operator"), required=True
        )
        if not expr.values:
            out.append(
                v.required_value(
                    join_path(at, "values"), "must be specified when `operator` is 'In' or 'NotIn'"
                )
            )
        for j, value in enumerate(expr.values):
            out += v.label_value(value, join_path(at, "values", j))
    return out
