"""The (Cluster)ResourceBinding a claimed template gets: what the detector owns in it.

As Karmada's BuildResourceBinding / BuildClusterResourceBinding and the
CreateOrUpdate mutation in ApplyPolicy (pkg/detector/detector.go): the
binding is named ``<name>-<kind>`` (lower case), lives in the template's
namespace (a ClusterResourceBinding for a cluster-scoped template; a
namespaced template claimed by a ClusterPropagationPolicy still gets a
ResourceBinding), is owned by the template (controller reference), carries
the policy's claim metadata and its own permanent id, and copies from the
template its identity and replicas and from the policy placement,
propagateDeps, schedulerName, failover, conflictResolution,
preserveResourcesOnDeletion and the dispatching part of suspension.

Everything else belongs to other controllers and is kept as found: the
scheduler's clusters, the dependencies distributor's requiredBy, eviction
tasks, reschedule triggers, suspension.scheduling, other labels and
annotations, finalizers and status. As Karmada's detector, the writer puts
the binding controller's finalizer on new bindings, when this controller
manager runs the binding controller (so a binding deleted while none runs is
not stuck); otherwise the binding controller adds it itself.
"""

from __future__ import annotations

import copy
from typing import Literal

from controller_manager.controllers.detector.claim import Claim, set_claim
from karmada.core.v1 import resource_template_pb2
from karmada.machinery.scheme import CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING
from karmada.member.marks import CRB_PERMANENT_ID_LABEL, RB_PERMANENT_ID_LABEL
from karmada.meta.v1 import meta_pb2
from karmada.names import binding_name
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb

__all__ = [
    "Binding",
    "apply_policy",
    "binding_for",
    "binding_ownership",
    "controller_of",
    "owner_reference",
    "same_apart_from_resource_version",
]

Binding = rb_pb.ResourceBinding | crb_pb.ClusterResourceBinding
ResourceTemplate = resource_template_pb2.ResourceTemplate


def owner_reference(template: ResourceTemplate) -> meta_pb2.OwnerReference:
    """A controller reference to the template (metav1.NewControllerRef)."""
    return meta_pb2.OwnerReference(
        api_version=template.api_version,
        kind=template.kind,
        name=template.metadata.name,
        uid=template.metadata.uid,
        controller=True,
        block_owner_deletion=True,
    )


def controller_of(meta: meta_pb2.ObjectMeta) -> meta_pb2.OwnerReference | None:
    """The object's controller owner reference, if any."""
    return next((ref for ref in meta.owner_references if ref.controller), None)


def binding_for(template: ResourceTemplate) -> Binding:
    """An empty binding of the right kind, name and namespace for `template`."""
    meta = template.metadata
    name = binding_name(meta.name, template.kind)
    if meta.namespace:
        return RESOURCE_BINDING.new(name=name, namespace=meta.namespace)
    return CLUSTER_RESOURCE_BINDING.new(name=name)


def binding_ownership(
    binding: Binding, template: ResourceTemplate
) -> Literal["ours", "stale", "foreign"]:
    """Whose the stored binding of `template`'s name is.

    "stale" is one left by a deleted template of the same name (delete it;
    Karmada waits for the garbage collector, issue #2090); "foreign" one of a
    template of another API group that shares the binding name (leave it).
    """
    resource = binding.spec.resource
    owner = controller_of(binding.metadata)
    if (resource.api_version, resource.kind) != (template.api_version, template.kind) or (
        owner is not None
        and (owner.api_version, owner.kind) != (template.api_version, template.kind)
    ):
        return "foreign"
    if owner is not None and owner.uid != template.metadata.uid:
        return "stale"
    return "ours"


def _merge_suspension(spec: rb_pb.ResourceBindingSpec, policy: pp_pb.PropagationSpec) -> None:
    """util.MergePolicySuspension: dispatching from the policy, scheduling kept."""
    suspension = spec.suspension
    suspension.ClearField("dispatching")
    suspension.ClearField("dispatching_on_clusters")
    if policy.HasField("suspension"):
        if policy.suspension.HasField("dispatching"):
            suspension.dispatching = policy.suspension.dispatching
        if policy.suspension.HasField("dispatching_on_clusters"):
            suspension.dispatching_on_clusters.CopyFrom(policy.suspension.dispatching_on_clusters)
    if not suspension.ListFields():
        spec.ClearField("suspension")


def apply_policy(
    binding: Binding,
    *,
    template: ResourceTemplate,
    policy: pp_pb.PropagationSpec,
    claim: Claim,
    replicas: int,
    requirements: rb_pb.ReplicaRequirements | None,
    new_id: str,
) -> None:
    """Makes `binding` (new, or a copy of the stored one) what `template` under `policy` needs.

    Args:
        binding: mutated in place.
        template: the claimed template, as last read.
        policy: the claiming policy's spec.
        claim: the policy's claim (identity and permanent id).
        replicas: the template's replicas, per the interpreter.
        requirements: per-replica requirements, or None.
        new_id: the binding's permanent id, used only if it has none yet.
    """
    meta = binding.metadata
    id_label = (
        CRB_PERMANENT_ID_LABEL
        if isinstance(binding, crb_pb.ClusterResourceBinding)
        else RB_PERMANENT_ID_LABEL
    )
    if not meta.labels.get(id_label):
        meta.labels[id_label] = new_id
    set_claim(meta, claim)
    del meta.owner_references[:]
    meta.owner_references.append(owner_reference(template))

    spec = binding.spec
    source = template.metadata
    spec.resource.CopyFrom(
        rb_pb.ObjectReference(
            api_version=template.api_version,
            kind=template.kind,
            namespace=source.namespace,
            name=source.name,
            uid=source.uid,
            resource_version=source.resource_version,
        )
    )
    spec.replicas = replicas
    if requirements is None:
        spec.ClearField("replica_requirements")
    else:
        spec.replica_requirements.CopyFrom(requirements)
    spec.propagate_deps = policy.propagate_deps
    spec.scheduler_name = policy.scheduler_name
    # The scheduler only schedules bindings with a placement; a policy's is never absent.
    spec.placement.CopyFrom(policy.placement)
    if policy.HasField("failover"):
        spec.failover.CopyFrom(policy.failover)
    else:
        spec.ClearField("failover")
    spec.conflict_resolution = policy.conflict_resolution
    if policy.HasField("preserve_resources_on_deletion"):
        spec.preserve_resources_on_deletion = policy.preserve_resources_on_deletion
    else:
        spec.ClearField("preserve_resources_on_deletion")
    _merge_suspension(spec, policy)


def same_apart_from_resource_version(a: Binding, b: Binding) -> bool:
    """Whether two bindings differ at most in spec.resource.resourceVersion.

    The template's resourceVersion moves with every status write; recording
    it alone would rewrite the binding (and bump its generation) for nothing.
    """
    if a == b:
        return True
    left, right = copy.deepcopy(a), copy.deepcopy(b)
    left.spec.resource.resource_version = right.spec.resource.resource_version = ""
    return left == right
