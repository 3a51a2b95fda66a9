"""Cluster affinity matching over Cluster objects, for every controller-manager component.

Override rules pick their clusters with a ClusterAffinity (``targetCluster``),
and other controllers (failover, dependencies) need the same test; the
scheduler has its own matcher, but components may not import each other, so
this is the controller manager's shared one. The criteria are ANDed, as
Karmada's ``util.ClusterMatches``:

* ``exclude``: listed clusters never match.
* ``cluster_names``: when non-empty, the cluster's name must be listed.
* ``label_selector``: must match the cluster's labels; unset or empty matches
  every cluster, an invalid one matches none.
* ``field_selector``: keys "provider" and "region" are tested like labels
  whose value is the field (an empty field being absent); "zone" follows
  Karmada's ``matchZones`` over the cluster's zones (spec.zones, or the
  deprecated spec.zone): In needs a non-empty zone list inside the values,
  NotIn no zone among them, Exists some zone, DoesNotExist none. Other keys
  are absent fields. An unknown operator, In / NotIn without values, or Exists
  / DoesNotExist with values matches nothing, as Karmada fails to build that
  selector. An empty field selector matches every cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import types_pb2
from karmada.machinery.labels import SelectorError, selector_from_proto
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2

__all__ = ["AffinityMessage", "cluster_matches", "zones_of"]

AffinityMessage: TypeAlias = (
    policy_pb2.ClusterAffinity | policy_pb2.ClusterAffinityTerm | policy_pb2.OverflowClusterAffinity
)


def zones_of(cluster: cluster_pb2.Cluster) -> tuple[str, ...]:
    """The zones a cluster spans: spec.zones, else the deprecated spec.zone."""
    spec = cluster.spec
    return tuple(spec.zones) or ((spec.zone,) if spec.zone else ())


def _well_formed(requirement: types_pb2.NodeSelectorRequirement) -> bool:
    if requirement.operator in ("In", "NotIn"):
        return bool(requirement.values)
    if requirement.operator in ("Exists", "DoesNotExist"):
        return not requirement.values
    return False


def _field_matches(requirement: types_pb2.NodeSelectorRequirement, value: str) -> bool:
    values = requirement.values
    match requirement.operator:
        case "In":
            return value != "" and value in values
        case "NotIn":
            return value == "" or value not in values
        case "Exists":
            return value != ""
        case _:
            return value == ""


def _zones_match(requirement: types_pb2.NodeSelectorRequirement, zones: Sequence[str]) -> bool:
    values = requirement.values
    match requirement.operator:
        case "In":
            return bool(zones) and all(zone in values for zone in zones)
        case "NotIn":
            return not any(zone in values for zone in zones)
        case "Exists":
            return bool(zones)
        case _:
            return not zones


def _fields_match(affinity: AffinityMessage, cluster: cluster_pb2.Cluster) -> bool:
    fields = {"provider": cluster.spec.provider, "region": cluster.spec.region}
    for requirement in affinity.field_selector.match_expressions:
        if not _well_formed(requirement):
            return False
        if requirement.key == "zone":
            if not _zones_match(requirement, zones_of(cluster)):
                return False
        elif not _field_matches(requirement, fields.get(requirement.key, "")):
            return False
    return True


def cluster_matches(affinity: AffinityMessage, cluster: cluster_pb2.Cluster) -> bool:
    """Whether `cluster` satisfies `affinity` (see the module docstring for the rules)."""
    name = cluster.metadata.name
    if name in affinity.exclude:
        return False
    if affinity.cluster_names and name not in affinity.cluster_names:
        return False
    try:
        selector = selector_from_proto(affinity.label_selector)
    except SelectorError:
        return False
    if not selector.matches(cluster.metadata.labels):
        return False
    return _fields_match(affinity, cluster)
