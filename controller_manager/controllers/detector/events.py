"""How the detector's events become queue keys, and which changes are worth a reconcile.

One queue serves templates (``T|<apiVersion>|<kind>|<ns>/<name>``),
PropagationPolicies (``PP|<ns>/<name>``) and ClusterPropagationPolicies
(``CPP|<name>``). Updates that cannot change a decision are dropped, as
Karmada's event filters do: a template's status (or resourceVersion) alone,
a policy's status, and a binding's parts other controllers own (clusters,
requiredBy, eviction tasks, status).
"""

from __future__ import annotations

import copy
from typing import Final

from controller_manager.controllers.detector.binding import Binding
from controller_manager.controllers.detector.claim import Policy
from karmada.core.v1 import resource_template_pb2
from karmada.names import CPP_PERMANENT_ID_LABEL, PP_PERMANENT_ID_LABEL
from karmada.policy.v1alpha1 import cluster_propagation_policy_pb2 as cpp_pb

__all__ = [
    "CLAIM_INDEX",
    "claim_index_values",
    "detector_view",
    "index_value",
    "key_of_template",
    "policy_changed",
    "policy_key",
    "store_key",
    "template_changed",
    "template_key",
]

ResourceTemplate = resource_template_pb2.ResourceTemplate

CLAIM_INDEX: Final = "resourceDetector.claim"
"""Template index: ``pp:<id>`` / ``cpp:<id>`` of the policy whose claim label it carries."""


def policy_key(policy: Policy) -> str:
    if isinstance(policy, cpp_pb.ClusterPropagationPolicy):
        return f"CPP|{policy.metadata.name}"
    return f"PP|{policy.metadata.namespace}/{policy.metadata.name}"


def template_key(api_version: str, kind: str, namespace: str, name: str) -> str:
    return (
        f"T|{api_version}|{kind}|{namespace}/{name}"
        if namespace
        else f"T|{api_version}|{kind}|{name}"
    )


def key_of_template(template: ResourceTemplate) -> str:
    meta = template.metadata
    return template_key(template.api_version, template.kind, meta.namespace, meta.name)


def store_key(namespace: str, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


def index_value(cluster: bool, permanent_id: str) -> str:
    return f"{'cpp' if cluster else 'pp'}:{permanent_id}"


def claim_index_values(template: ResourceTemplate) -> list[str]:
    labels = template.metadata.labels
    out = []
    if value := labels.get(PP_PERMANENT_ID_LABEL):
        out.append(index_value(False, value))
    if value := labels.get(CPP_PERMANENT_ID_LABEL):
        out.append(index_value(True, value))
    return out


def template_changed(old: ResourceTemplate, new: ResourceTemplate) -> bool:
    """Karmada's SpecificationChanged: status and resourceVersion alone do not count."""
    a, b = old.metadata, new.metadata
    return (
        a.generation != b.generation
        or a.uid != b.uid
        or a.labels != b.labels
        or a.annotations != b.annotations
        or a.HasField("deletion_timestamp") != b.HasField("deletion_timestamp")
    )


def policy_changed(old: Policy, new: Policy) -> bool:
    a, b = old.metadata, new.metadata
    return (
        a.generation != b.generation
        or a.labels != b.labels
        or a.HasField("deletion_timestamp") != b.HasField("deletion_timestamp")
    )


def detector_view(binding: Binding) -> Binding:
    """The part of a binding the detector writes (what other controllers own cleared)."""
    view = copy.deepcopy(binding)
    view.ClearField("status")
    for field in ("clusters", "required_by", "graceful_eviction_tasks", "reschedule_triggered_at"):
        view.spec.ClearField(field)
    view.metadata.resource_version = ""
    view.metadata.generation = 0
    return view
