"""Which changes concern which bindings: the binding controllers' event mapping, pure.

Bindings must be rendered again when anything that goes into their Works
changes, and only then: Clusters report status every few seconds, templates
get their aggregated status written back, Works get status from members, and
none of that changes a Work's content. These predicates and key mappings
decide, without I/O, so they are table-tested.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from controller_manager.controllers.binding.render import Binding, target_clusters
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import resource_template_pb2
from karmada.member.marks import CRB_NAME_ANNOTATION, RB_NAME_ANNOTATION, RB_NAMESPACE_ANNOTATION
from karmada.names import CPP_PERMANENT_ID_LABEL, PP_PERMANENT_ID_LABEL, binding_name
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb
from karmada.work.v1alpha1 import work_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb

__all__ = [
    "CLUSTER_INDEX",
    "binding_changed",
    "binding_key_of_template",
    "binding_key_of_work",
    "claim_behind",
    "cluster_changed",
    "clusters_of_binding",
    "selectors_may_match",
    "template_changed",
    "work_changed",
]

CLUSTER_INDEX: Final = "binding-controller.cluster"
"""Binding index: every cluster the binding targets or keeps a Work in."""

Template = resource_template_pb2.ResourceTemplate


def binding_key_of_work(work: work_pb2.Work) -> list[str]:
    """The queue key of the binding a Work was rendered from, as its annotations say."""
    annotations = work.metadata.annotations
    if name := annotations.get(RB_NAME_ANNOTATION, ""):
        namespace = annotations.get(RB_NAMESPACE_ANNOTATION, "")
        return [f"{namespace}/{name}"] if namespace else []
    if name := annotations.get(CRB_NAME_ANNOTATION, ""):
        return [name]
    return []


def binding_key_of_template(template: Template) -> str:
    """The queue key of the binding a template gets (``ns/<name>-<kind>`` or ``<name>-<kind>``)."""
    meta = template.metadata
    name = binding_name(meta.name, template.kind)
    return f"{meta.namespace}/{name}" if meta.namespace else name


def clusters_of_binding(binding: Binding) -> list[str]:
    """Every cluster a binding has a Work in, or should have one in."""
    spec = binding.spec
    names = {target.name for target in target_clusters(spec)}
    names.update(task.from_cluster for task in spec.graceful_eviction_tasks)
    return sorted(names)


def selectors_may_match(
    selectors: Iterable[pp_pb.ResourceSelector], resource: rb_pb.ObjectReference
) -> bool:
    """Whether a policy may select the resource: no selectors, or one of its kind and name.

    A superset of the real match that needs no template (label selectors are
    not evaluated): the reconcile decides exactly.
    """
    selectors = list(selectors)
    if not selectors:
        return True
    return any(
        s.api_version == resource.api_version
        and s.kind == resource.kind
        and (not s.namespace or s.namespace == resource.namespace)
        and (not s.name or s.name == resource.name)
        for s in selectors
    )


def binding_changed(old: Binding, new: Binding) -> bool:
    """Spec, labels (the permanent id), finalizers or deletion changed; status does not count."""
    o, n = old.metadata, new.metadata
    return (
        old.spec != new.spec
        or o.labels != n.labels
        or o.HasField("deletion_timestamp") != n.HasField("deletion_timestamp")
        or list(o.finalizers) != list(n.finalizers)
    )


def work_changed(old: work_pb2.Work, new: work_pb2.Work) -> bool:
    """Someone changed what the binding controller writes (status does not count)."""
    o, n = old.metadata, new.metadata
    return (
        o.generation != n.generation
        or o.labels != n.labels
        or o.annotations != n.annotations
        or o.HasField("deletion_timestamp") != n.HasField("deletion_timestamp")
    )


def _cluster_fields(cluster: cluster_pb2.Cluster) -> tuple[Any, ...]:
    spec = cluster.spec
    return (dict(cluster.metadata.labels), spec.provider, spec.region, spec.zone, tuple(spec.zones))


def cluster_changed(old: cluster_pb2.Cluster, new: cluster_pb2.Cluster) -> bool:
    """What override targets read changed: labels, provider, region or zones."""
    return _cluster_fields(old) != _cluster_fields(new)


def template_changed(old: Template, new: Template) -> bool:
    """What a Work is rendered from changed: body, labels, annotations, uid or generation."""
    o, n = old.metadata, new.metadata
    return (
        old.body != new.body
        or o.labels != n.labels
        or o.annotations != n.annotations
        or o.uid != n.uid
        or o.generation != n.generation
    )


_CLAIM_IDS: Final = (PP_PERMANENT_ID_LABEL, CPP_PERMANENT_ID_LABEL)


def claim_behind(template: Template, binding: Binding) -> bool:
    """Whether the template copy lacks the policy claim its binding was written with."""
    labels, claimed = template.metadata.labels, binding.metadata.labels
    return any(claimed.get(label) and labels.get(label) != claimed[label] for label in _CLAIM_IDS)
