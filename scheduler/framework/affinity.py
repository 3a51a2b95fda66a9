"""Cluster affinity matching, shared by the ClusterAffinity plugin and static weights.

A ClusterAffinity (and its look-alikes ClusterAffinityTerm and
OverflowClusterAffinity) selects clusters with criteria that are ANDed, as
Karmada's ``util.ClusterMatches``:

* ``exclude``: listed clusters never match, whatever else says.
* ``cluster_names``: when non-empty, the cluster's name must be listed.
* ``label_selector``: must match the cluster's labels; unset or empty matches
  all, and a selector that fails validation matches nothing.
* ``field_selector``: each requirement must hold; keys are "provider",
  "region" and "zone".

  - provider and region behave like labels whose value is the field, an empty
    field being absent: In needs the field set and listed, NotIn passes when
    it is unset or unlisted, Exists / DoesNotExist test presence.
  - zone follows Karmada's ``matchZones``, because a cluster may span several
    zones (spec.zones; a cluster with only the deprecated spec.zone counts as
    spanning that one zone, where Karmada would see no zones): In needs a
    non-empty zone list lying entirely inside the values, NotIn needs no zone
    among the values, Exists needs a zone, DoesNotExist none.
  - any other key is an absent field. An unknown operator, In / NotIn without
    values, or Exists / DoesNotExist with values matches nothing (Karmada fails
    to build that selector and treats every cluster as unmatched).

Parsing a label selector (~20 µs) costs more than matching it against a
hundred clusters, so `compile_affinity` parses each distinct affinity once. The
cache is keyed by the message type and its deterministic serialization (~0.4
µs to compute): that stays right if a message is mutated later, and lets every
binding of one policy share a compiled affinity. Loops over clusters should
compile once and call `CompiledAffinity.matches`; `matches_affinity` is the
one-shot convenience.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, NamedTuple, TypeAlias

from karmada.machinery.labels import Selector, SelectorError, selector_from_proto
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from scheduler.framework.types import ClusterInfo

__all__ = [
    "AffinityMessage",
    "CompiledAffinity",
    "StaticWeights",
    "compile_affinity",
    "matches_affinity",
    "static_weights",
]

AffinityMessage: TypeAlias = (
    policy_pb2.ClusterAffinity | policy_pb2.ClusterAffinityTerm | policy_pb2.OverflowClusterAffinity
)

_IN: Final = "In"
_NOT_IN: Final = "NotIn"
_EXISTS: Final = "Exists"
_DOES_NOT_EXIST: Final = "DoesNotExist"
_ZONE: Final = "zone"
_FIELD_ATTRIBUTES: Final = {"provider": "provider", "region": "region"}
_CACHE_SIZE: Final = 4096


class _Requirement(NamedTuple):
    attribute: str
    """The ClusterInfo attribute holding the field; "" for keys that name no field."""
    operator: str
    values: frozenset[str]


def _valid(operator: str, values: frozenset[str]) -> bool:
    if operator in (_IN, _NOT_IN):
        return bool(values)
    if operator in (_EXISTS, _DOES_NOT_EXIST):
        return not values
    return False


def _field_matches(requirement: _Requirement, cluster: ClusterInfo) -> bool:
    value: str = getattr(cluster, requirement.attribute) if requirement.attribute else ""
    match requirement.operator:
        case "In":
            return value != "" and value in requirement.values
        case "NotIn":
            return value == "" or value not in requirement.values
        case "Exists":
            return value != ""
        case _:
            return value == ""


def _zones_match(requirement: _Requirement, zones: tuple[str, ...]) -> bool:
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


@dataclass(frozen=True, slots=True)
class CompiledAffinity:
    """A parsed cluster affinity; `matches` does no parsing or allocation."""

    valid: bool
    """False if the label or field selector is invalid: nothing matches."""
    names: frozenset[str] | None
    """cluster_names, or None when empty (any name)."""
    exclude: frozenset[str]
    selector: Selector | None
    """The label selector, or None when it selects everything."""
    fields: tuple[_Requirement, ...]
    zones: tuple[_Requirement, ...]

    def matches(self, cluster: ClusterInfo) -> bool:
        if not self.valid:
            return False
        name = cluster.name
        if name in self.exclude:
            return False
        if self.names is not None and name not in self.names:
            return False
        if self.selector is not None and not self.selector.matches(cluster.labels):
            return False
        for requirement in self.fields:
            if not _field_matches(requirement, cluster):
                return False
        zones = cluster.zones
        return not self.zones or all(_zones_match(r, zones) for r in self.zones)


def _compile(affinity: AffinityMessage) -> CompiledAffinity:
    valid = True
    selector: Selector | None = None
    try:
        parsed = selector_from_proto(affinity.label_selector)
    except SelectorError:
        valid = False
    else:
        selector = None if parsed.empty else parsed
    fields: list[_Requirement] = []
    zones: list[_Requirement] = []
    for expression in affinity.field_selector.match_expressions:
        values = frozenset(expression.values)
        valid = valid and _valid(expression.operator, values)
        if expression.key == _ZONE:
            zones.append(_Requirement("", expression.operator, values))
        else:
            attribute = _FIELD_ATTRIBUTES.get(expression.key, "")
            fields.append(_Requirement(attribute, expression.operator, values))
    return CompiledAffinity(
        valid=valid,
        names=frozenset(affinity.cluster_names) or None,
        exclude=frozenset(affinity.exclude),
        selector=selector,
        fields=tuple(fields),
        zones=tuple(zones),
    )


_cache: dict[tuple[type, bytes], CompiledAffinity] = {}


def compile_affinity(affinity: AffinityMessage) -> CompiledAffinity:
    """The compiled form of `affinity`, parsed once per distinct content."""
    key = (type(affinity), affinity.SerializeToString(deterministic=True))
    compiled = _cache.get(key)
    if compiled is None:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        compiled = _cache[key] = _compile(affinity)
    return compiled


def matches_affinity(affinity: AffinityMessage, cluster: ClusterInfo) -> bool:
    """Whether `cluster` satisfies `affinity` (see the module docstring for the rules)."""
    return compile_affinity(affinity).matches(cluster)


@dataclass(frozen=True, slots=True)
class StaticWeights:
    """A compiled ``staticWeightList``: each rule's target affinity and weight."""

    rules: tuple[tuple[CompiledAffinity, int], ...] = ()

    def weight(self, cluster: ClusterInfo) -> int:
        """The largest weight among the rules whose target matches `cluster`; 0 if none does."""
        best = 0
        for target, weight in self.rules:
            if weight > best and target.matches(cluster):
                best = weight
        return best


def static_weights(rules: Iterable[policy_pb2.StaticClusterWeight]) -> StaticWeights:
    """Compiles a placement's ``replica_scheduling.weight_preference.static_weight_list``."""
    return StaticWeights(tuple((compile_affinity(r.target_cluster), r.weight) for r in rules))
