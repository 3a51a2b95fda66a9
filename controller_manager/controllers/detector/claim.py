"""Which policy a resource template belongs to: the claim metadata on the template.

A policy claims a template by stamping it, as Karmada's pkg/detector/claim.go
does: the label ``propagationpolicy.karmada.io/permanent-id`` (the policy's own
permanent id, a uuid kept in the same label on the policy) and the annotations
``propagationpolicy.karmada.io/{namespace,name}``; a ClusterPropagationPolicy
uses ``clusterpropagationpolicy.karmada.io/permanent-id`` and
``clusterpropagationpolicy.karmada.io/name``. The label lets the detector find
every template of a policy by selector; the annotations name the policy. The
same metadata goes on the policy's (Cluster)ResourceBinding.

A claim is complete only with both the label and the annotations (Karmada's
propagateResource reads it that way); partial metadata is stale and is
replaced or removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from karmada.meta.v1 import meta_pb2
from karmada.names import (
    CPP_NAME_ANNOTATION,
    CPP_PERMANENT_ID_LABEL,
    PP_NAME_ANNOTATION,
    PP_NAMESPACE_ANNOTATION,
    PP_PERMANENT_ID_LABEL,
)
from karmada.policy.v1alpha1 import cluster_propagation_policy_pb2 as cpp_pb
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb

__all__ = [
    "CLAIM_ANNOTATIONS",
    "CLAIM_LABELS",
    "Claim",
    "Policy",
    "claim_of",
    "clear_claim",
    "has_claim_metadata",
    "is_claimed_by",
    "policy_claim",
    "policy_id",
    "set_claim",
]

Policy = pp_pb.PropagationPolicy | cpp_pb.ClusterPropagationPolicy

CLAIM_LABELS: Final = (PP_PERMANENT_ID_LABEL, CPP_PERMANENT_ID_LABEL)
CLAIM_ANNOTATIONS: Final = (PP_NAMESPACE_ANNOTATION, PP_NAME_ANNOTATION, CPP_NAME_ANNOTATION)


@dataclass(frozen=True, slots=True)
class Claim:
    """A policy's claim: `cluster` for a ClusterPropagationPolicy (namespace then "")."""

    cluster: bool
    namespace: str
    name: str
    permanent_id: str

    def __str__(self) -> str:
        if self.cluster:
            return f"ClusterPropagationPolicy {self.name}"
        return f"PropagationPolicy {self.namespace}/{self.name}"


def policy_id(policy: Policy) -> str:
    """The policy's permanent id ("" until one is assigned)."""
    label = (
        CPP_PERMANENT_ID_LABEL
        if isinstance(policy, cpp_pb.ClusterPropagationPolicy)
        else PP_PERMANENT_ID_LABEL
    )
    return policy.metadata.labels.get(label, "")


def policy_claim(policy: Policy, permanent_id: str) -> Claim:
    """The claim `policy` makes with `permanent_id`."""
    return Claim(
        cluster=isinstance(policy, cpp_pb.ClusterPropagationPolicy),
        namespace=policy.metadata.namespace,
        name=policy.metadata.name,
        permanent_id=permanent_id,
    )


def claim_of(meta: meta_pb2.ObjectMeta) -> Claim | None:
    """The complete claim stamped on an object; a PropagationPolicy's wins over a cluster one's."""
    labels, annotations = meta.labels, meta.annotations
    pp_id = labels.get(PP_PERMANENT_ID_LABEL, "")
    pp_namespace = annotations.get(PP_NAMESPACE_ANNOTATION, "")
    pp_name = annotations.get(PP_NAME_ANNOTATION, "")
    if pp_id and pp_namespace and pp_name:
        return Claim(cluster=False, namespace=pp_namespace, name=pp_name, permanent_id=pp_id)
    cpp_id = labels.get(CPP_PERMANENT_ID_LABEL, "")
    cpp_name = annotations.get(CPP_NAME_ANNOTATION, "")
    if cpp_id and cpp_name:
        return Claim(cluster=True, namespace="", name=cpp_name, permanent_id=cpp_id)
    return None


def has_claim_metadata(meta: meta_pb2.ObjectMeta) -> bool:
    """Whether any claim label or annotation is present, complete or not."""
    return any(key in meta.labels for key in CLAIM_LABELS) or any(
        key in meta.annotations for key in CLAIM_ANNOTATIONS
    )


def is_claimed_by(meta: meta_pb2.ObjectMeta, claim: Claim) -> bool:
    """Whether `meta` carries exactly `claim` and nothing of another policy."""
    expected = meta_pb2.ObjectMeta()
    set_claim(expected, claim)
    for key in CLAIM_LABELS:
        if meta.labels.get(key) != expected.labels.get(key):
            return False
    return all(meta.annotations.get(k) == expected.annotations.get(k) for k in CLAIM_ANNOTATIONS)


def clear_claim(meta: meta_pb2.ObjectMeta) -> None:
    """Removes every claim label and annotation."""
    for key in CLAIM_LABELS:
        meta.labels.pop(key, None)
    for key in CLAIM_ANNOTATIONS:
        meta.annotations.pop(key, None)


def set_claim(meta: meta_pb2.ObjectMeta, claim: Claim) -> None:
    """Stamps `claim`, replacing any other policy's claim metadata."""
    clear_claim(meta)
    if claim.cluster:
        meta.labels[CPP_PERMANENT_ID_LABEL] = claim.permanent_id
        meta.annotations[CPP_NAME_ANNOTATION] = claim.name
    else:
        meta.labels[PP_PERMANENT_ID_LABEL] = claim.permanent_id
        meta.annotations[PP_NAMESPACE_ANNOTATION] = claim.namespace
        meta.annotations[PP_NAME_ANNOTATION] = claim.name
