"""Replicas of a workload, what each replica needs, and rewriting the count per cluster.

Karmada's native replica interpreters (resourceinterpreter/default/native/
replica.go, revisereplica.go) for Deployment, StatefulSet, Job and Pod, plus
ReplicaSet, which Karmada leaves to customizations although it is the same
shape as a Deployment. The detector records `replicas_of` in the binding so
the scheduler can divide replicas and estimate fit; the binding controller
writes each cluster's share back with `revise_replicas`.

Where Karmada reads an unset ``spec.replicas`` as 0 it can rely on the
member's apiserver having defaulted it; templates here are stored as
written, so an unset count means Kubernetes' default, 1 (likewise a Job's
``parallelism``).

The requirements follow helper.GenerateReplicaRequirements: the pod's
scheduling requests (containers summed, the init-container peak,
sidecars and overhead, as kube-scheduler reserves them) and a node claim
from nodeSelector, tolerations and required node affinity; no requirements
at all when the pod template asks for nothing. Namespace and
priorityClassName are always recorded (Karmada does so behind its
ResourceQuotaEstimate gate).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from controller_manager.interpreter.kinds import (
    DEPLOYMENT,
    JOB,
    POD,
    REPLICA_SET,
    STATEFUL_SET,
    GroupKind,
    InterpretError,
    as_list,
    as_map,
    group_kind,
    maps,
    nested,
)
from karmada.core.v1 import types_pb2
from karmada.member.quantity import QuantityError
from karmada.member.summary import format_amounts, pod_requests
from karmada.work.v1alpha2.resource_binding_pb2 import NodeClaim, ReplicaRequirements

__all__ = ["pod_spec_of", "replicas_of", "revise_replicas"]

# The field holding each kind's replica count.
_REPLICA_FIELD: Final[Mapping[GroupKind, str]] = {
    DEPLOYMENT: "replicas",
    STATEFUL_SET: "replicas",
    REPLICA_SET: "replicas",
    JOB: "parallelism",
}


def pod_spec_of(manifest: Mapping[str, Any]) -> dict[str, Any] | None:
    """The pod spec a workload runs (its own spec for a Pod), or None for other kinds."""
    kind = group_kind(manifest)
    if kind == POD:
        return as_map(manifest.get("spec"))
    if kind in _REPLICA_FIELD:
        return as_map(nested(manifest, "spec", "template", "spec"))
    return None


def replicas_of(manifest: Mapping[str, Any]) -> tuple[int, ReplicaRequirements | None]:
    """The replica count of a workload and what each replica requires.

    Kinds without replicas give ``(0, None)``; a Pod is one replica.

    Raises:
        InterpretError: the count is not a non-negative integer, or a
            resource request is not a valid quantity.
    """
    kind = group_kind(manifest)
    if kind == POD:
        replicas = 1
    elif kind in _REPLICA_FIELD:
        replicas = _count(manifest, _REPLICA_FIELD[kind])
    else:
        return 0, None
    spec = pod_spec_of(manifest) or {}
    namespace = str(nested(manifest, "metadata", "namespace") or "")
    return replicas, _requirements(spec, namespace)


def revise_replicas(manifest: Mapping[str, Any], replicas: int) -> dict[str, Any]:
    """A copy of `manifest` running `replicas` (a Job's parallelism); other kinds unchanged."""
    revised: dict[str, Any] = copy.deepcopy(dict(manifest))
    field = _REPLICA_FIELD.get(group_kind(manifest))
    if field is not None:
        spec = revised.get("spec")
        if not isinstance(spec, dict):
            spec = revised["spec"] = {}
        spec[field] = replicas
    return revised


def _count(manifest: Mapping[str, Any], field: str) -> int:
    value = nested(manifest, "spec", field)
    if value is None:
        return 1
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InterpretError(f"spec.{field} must be a non-negative integer, not {value!r}")
    return value


def _requirements(spec: Mapping[str, Any], namespace: str) -> ReplicaRequirements | None:
    try:
        requests = {name: amount for name, amount in pod_requests(spec).items() if amount > 0}
    except QuantityError as error:
        raise InterpretError(f"invalid resource quantity in the pod template: {error}") from error
    except (AttributeError, TypeError) as error:
        raise InterpretError(f"malformed containers in the pod template: {error}") from error
    claim = _node_claim(spec)
    if claim is None and not requests:
        return None
    requirements = ReplicaRequirements(
        resource_request=format_amounts(requests),
        namespace=namespace,
        priority_class_name=str(spec.get("priorityClassName") or ""),
    )
    if claim is not None:
        requirements.node_claim.CopyFrom(claim)
    return requirements


def _node_claim(spec: Mapping[str, Any]) -> NodeClaim | None:
    node_selector = as_map(spec.get("nodeSelector"))
    tolerations = [as_map(t) for t in as_list(spec.get("tolerations"))]
    affinity = nested(
        spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if not node_selector and not tolerations and not isinstance(affinity, dict):
        return None
    claim = NodeClaim(node_selector={str(k): str(v) for k, v in node_selector.items()})
    for toleration in tolerations:
        item = claim.tolerations.add(
            key=str(toleration.get("key") or ""),
            operator=str(toleration.get("operator") or ""),
            value=str(toleration.get("value") or ""),
            effect=str(toleration.get("effect") or ""),
        )
        seconds = toleration.get("tolerationSeconds")
        if isinstance(seconds, int) and not isinstance(seconds, bool):
            item.toleration_seconds = seconds
    if isinstance(affinity, dict):
        claim.hard_node_affinity.CopyFrom(_node_selector(affinity))
    return claim


def _node_selector(selector: Mapping[str, Any]) -> types_pb2.NodeSelector:
    result = types_pb2.NodeSelector()
    for term in as_list(selector.get("nodeSelectorTerms")):
        added = result.node_selector_terms.add()
        for source, target in (
            (as_map(term).get("matchExpressions"), added.match_expressions),
            (as_map(term).get("matchFields"), added.match_fields),
        ):
            for requirement in maps(source):
                target.add(
                    key=str(requirement.get("key") or ""),
                    operator=str(requirement.get("operator") or ""),
                    values=[str(v) for v in as_list(requirement.get("values"))],
                )
    return result
