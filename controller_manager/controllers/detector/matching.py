"""Which policy gets a resource template: selector matching, ranking and preemption.

Karmada's rules (pkg/util/selector.go, pkg/detector/compare.go, policy.go and
preemption.go), as pure functions of a template and the policies in the store:

* A resource selector matches on apiVersion and kind, then namespace when it
  names one, then its name if set (the label selector is then ignored), else
  its label selector if set, else everything of the kind. How it matched is
  its specificity: name > labelSelector > kind only.
* A PropagationPolicy only sees templates of its own namespace; a
  ClusterPropagationPolicy sees every namespace and cluster-scoped templates.
  Policies being deleted match nothing.
* Among PropagationPolicies the higher spec.priority wins, then the higher
  specificity, then the alphabetically lower name; ClusterPropagationPolicies
  rank the same way among themselves, and a PropagationPolicy always beats a
  ClusterPropagationPolicy for an unclaimed template.
* A claimed template stays with its policy while that policy exists (with the
  same permanent id) and still matches, unless a policy with
  ``preemption: Always`` takes it: a PropagationPolicy preempts a
  lower-priority PropagationPolicy or any ClusterPropagationPolicy, a
  ClusterPropagationPolicy only a lower-priority ClusterPropagationPolicy.

Where Karmada is weaker this does better: a claim whose policy stopped
matching is released and re-matched as soon as the template is looked at
(Karmada waits for the policy's own reconcile), and a policy deleted, or
recreated under the same name, while the controller was down is noticed from
its templates' claims (the permanent id no longer matches).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from controller_manager.controllers.detector.claim import (
    Claim,
    Policy,
    claim_of,
    policy_claim,
    policy_id,
)
from karmada.core.v1 import resource_template_pb2
from karmada.machinery.labels import Selector, SelectorError, selector_from_proto
from karmada.machinery.scheme import typed_kind
from karmada.meta.v1 import meta_pb2
from karmada.names import EXECUTION_SPACE_PREFIX
from karmada.policy.v1alpha1 import cluster_propagation_policy_pb2 as cpp_pb
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb

__all__ = [
    "Candidate",
    "Decision",
    "Specificity",
    "can_preempt",
    "candidates",
    "claim_for",
    "decide",
    "explicit_priority",
    "is_skipped_namespace",
    "policy_specificity",
    "selected_kinds",
    "selector_specificity",
    "selector_targets",
    "template_targets",
]

ResourceTemplate = resource_template_pb2.ResourceTemplate

RESERVED_NAMESPACES = frozenset({"karmada-system", "karmada-cluster"})
SKIPPED_NAMESPACE_PREFIX = "kube-"
"""Karmada's default --skipped-propagating-namespaces is ``kube-.*``."""

PREEMPT_ALWAYS = "Always"


class Specificity(enum.IntEnum):
    """How precisely a selector matched (Karmada's ImplicitPriority)."""

    MISMATCH = 0
    MATCH_ALL = 1
    LABEL_SELECTOR = 2
    NAME = 3


def is_skipped_namespace(namespace: str) -> bool:
    """Namespaces whose templates are never propagated: Karmada's own and ``kube-*``."""
    return (
        namespace in RESERVED_NAMESPACES
        or namespace.startswith(EXECUTION_SPACE_PREFIX)
        or namespace.startswith(SKIPPED_NAMESPACE_PREFIX)
    )


@functools.lru_cache(maxsize=4096)
def _selector(serialized: bytes) -> Selector | None:
    try:
        return selector_from_proto(meta_pb2.LabelSelector.FromString(serialized))
    except SelectorError:
        return None  # the apiserver validates policies; an invalid selector matches nothing


def selector_specificity(
    template: ResourceTemplate, selector: pp_pb.ResourceSelector
) -> Specificity:
    """How `selector` matches `template` (MISMATCH if it does not)."""
    meta = template.metadata
    if template.api_version != selector.api_version or template.kind != selector.kind:
        return Specificity.MISMATCH
    if selector.namespace and meta.namespace != selector.namespace:
        return Specificity.MISMATCH
    if selector.name:
        return Specificity.NAME if selector.name == meta.name else Specificity.MISMATCH
    if not selector.HasField("label_selector"):
        return Specificity.MATCH_ALL
    compiled = _selector(selector.label_selector.SerializeToString(deterministic=True))
    if compiled is not None and compiled.matches(meta.labels):
        return Specificity.LABEL_SELECTOR
    return Specificity.MISMATCH


def policy_specificity(template: ResourceTemplate, policy: Policy) -> Specificity:
    """The best specificity among the policy's selectors (MISMATCH if none matches)."""
    if policy.metadata.HasField("deletion_timestamp"):
        return Specificity.MISMATCH
    if isinstance(policy, pp_pb.PropagationPolicy) and (
        policy.metadata.namespace != template.metadata.namespace
    ):
        return Specificity.MISMATCH
    return max(
        (selector_specificity(template, s) for s in policy.spec.resource_selectors),
        default=Specificity.MISMATCH,
    )


def explicit_priority(policy: Policy) -> int:
    """spec.priority, 0 when unset."""
    return policy.spec.priority if policy.spec.HasField("priority") else 0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A policy that matches a template, with what ranks it."""

    policy: Policy
    priority: int
    specificity: Specificity

    @property
    def cluster(self) -> bool:
        return isinstance(self.policy, cpp_pb.ClusterPropagationPolicy)

    @property
    def rank(self) -> tuple[int, int, str]:
        return (-self.priority, -int(self.specificity), self.policy.metadata.name)

    def is_claimer(self, claim: Claim) -> bool:
        meta = self.policy.metadata
        return (
            self.cluster == claim.cluster
            and meta.name == claim.name
            and (claim.cluster or meta.namespace == claim.namespace)
            and policy_id(self.policy) == claim.permanent_id
        )


def _ranked(template: ResourceTemplate, policies: Iterable[Policy]) -> list[Candidate]:
    found = []
    for policy in policies:
        specificity = policy_specificity(template, policy)
        if specificity != Specificity.MISMATCH:
            found.append(Candidate(policy, explicit_priority(policy), specificity))
    return sorted(found, key=lambda c: c.rank)


def candidates(
    template: ResourceTemplate,
    propagation_policies: Iterable[pp_pb.PropagationPolicy],
    cluster_policies: Iterable[cpp_pb.ClusterPropagationPolicy],
) -> list[Candidate]:
    """Every matching policy, best first: PropagationPolicies, then cluster ones."""
    namespaced = _ranked(template, propagation_policies) if template.metadata.namespace else []
    return namespaced + _ranked(template, cluster_policies)


def can_preempt(candidate: Candidate, claimer: Candidate) -> bool:
    """Whether `candidate` may take a template `claimer` holds (preemption: Always)."""
    if candidate.policy.spec.preemption != PREEMPT_ALWAYS:
        return False
    if candidate.cluster != claimer.cluster:
        return not candidate.cluster  # a PropagationPolicy always preempts a cluster one
    return candidate.priority > claimer.priority


@dataclass(frozen=True, slots=True)
class Decision:
    """The policy a template should belong to now.

    Attributes:
        policy: the policy, or None when nothing matches.
        preempted: the claim `policy` takes over by preemption, if any.
        released: a stale claim on the template (its policy is gone, was
            recreated with another permanent id, or no longer matches).
    """

    policy: Policy | None
    preempted: Claim | None = None
    released: Claim | None = None


def decide(
    template: ResourceTemplate,
    propagation_policies: Iterable[pp_pb.PropagationPolicy],
    cluster_policies: Iterable[cpp_pb.ClusterPropagationPolicy],
) -> Decision:
    """Which policy `template` belongs to, given its claim and the policies that exist."""
    ranked = candidates(template, propagation_policies, cluster_policies)
    claim = claim_of(template.metadata)
    if claim is None:
        return Decision(ranked[0].policy if ranked else None)
    claimer = next((c for c in ranked if c.is_claimer(claim)), None)
    if claimer is None:
        return Decision(ranked[0].policy if ranked else None, released=claim)
    for candidate in ranked:
        if candidate is claimer:
            break
        if can_preempt(candidate, claimer):
            return Decision(candidate.policy, preempted=claim)
    return Decision(claimer.policy)


def claim_for(policy: Policy) -> Claim:
    """The claim `policy` makes (its permanent id must be set)."""
    return policy_claim(policy, policy_id(policy))


def selected_kinds(policy: Policy) -> set[tuple[str, str]]:
    """(apiVersion, kind) of the template kinds the policy's selectors name.

    Typed kinds (Clusters, policies, bindings, Works, Namespaces ...) are not
    resource templates and are never propagated by policies here.
    """
    return {
        (s.api_version, s.kind)
        for s in policy.spec.resource_selectors
        if s.api_version and s.kind and typed_kind(s.api_version, s.kind) is None
    }


def _target(namespace: str, api_version: str, kind: str, name: str) -> str:
    return f"{namespace}|{api_version}|{kind}|{name}"


def selector_targets(policy: Policy) -> list[str]:
    """Index values of a policy: what each selector can match, name or any ("").

    A PropagationPolicy's values carry its namespace, a cluster policy's do
    not. A template's `template_targets` meet every policy that may match it,
    so matching looks at those instead of every policy in the namespace.
    """
    namespace = policy.metadata.namespace if isinstance(policy, pp_pb.PropagationPolicy) else ""
    return sorted(
        {_target(namespace, s.api_version, s.kind, s.name) for s in policy.spec.resource_selectors}
    )


def template_targets(template: ResourceTemplate, *, cluster: bool) -> list[str]:
    """The index values under which the policies that may match `template` are found."""
    namespace = "" if cluster else template.metadata.namespace
    api_version, kind = template.api_version, template.kind
    return [
        _target(namespace, api_version, kind, template.metadata.name),
        _target(namespace, api_version, kind, ""),
    ]
