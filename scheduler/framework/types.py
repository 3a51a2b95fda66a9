"""What every scheduling step works on: a parsed cluster snapshot and step results.

Clusters change rarely and bindings are scheduled often, so everything a plugin or
a division algorithm reads from a Cluster (labels, taints, served kinds, free
resources as numbers) is parsed once per Cluster update into a `ClusterInfo`,
never per binding.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import types_pb2
from karmada.member.quantity import QuantityError, parse_quantity
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from karmada.work.v1alpha2 import resource_binding_pb2

__all__ = [
    "MAX_REPLICAS",
    "BindingInfo",
    "ClusterInfo",
    "Code",
    "Result",
    "ScheduleError",
    "ScoredCluster",
]

MAX_REPLICAS = 2**31 - 1
"""What a cluster can hold when nothing limits it (Karmada's math.MaxInt32)."""


class Code(enum.Enum):
    SUCCESS = "Success"
    UNSCHEDULABLE = "Unschedulable"
    ERROR = "Error"


@dataclass(frozen=True, slots=True)
class Result:
    """A filter plugin's verdict on one cluster; `reason` is a short phrase for the
    "0/5 clusters are available: 2 cluster(s) <reason>" message."""

    code: Code = Code.SUCCESS
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.code is Code.SUCCESS


SUCCESS = Result()


class ScheduleError(Exception):
    """The binding cannot be placed now; `reason` is the Scheduled condition's reason."""

    def __init__(self, message: str, *, reason: str = "NoClusterFit") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def _amounts(values: Mapping[str, str]) -> dict[str, Fraction]:
    out: dict[str, Fraction] = {}
    for name, text in values.items():
        try:
            out[name] = parse_quantity(text)
        except QuantityError:
            continue
    return out


@dataclass(slots=True)
class ClusterInfo:
    """One Cluster, parsed for scheduling."""

    cluster: cluster_pb2.Cluster
    name: str
    labels: dict[str, str]
    provider: str
    region: str
    zones: tuple[str, ...]
    taints: tuple[types_pb2.Taint, ...]
    deleting: bool
    ready: bool
    complete_api_enablements: bool
    enabled_kinds: frozenset[tuple[str, str]]
    """(groupVersion, kind) pairs the cluster serves, from status.apiEnablements."""
    has_resource_summary: bool
    free: dict[str, Fraction] = field(default_factory=dict)
    """allocatable - allocated - allocating per resource name (may be negative)."""

    @classmethod
    def from_proto(cls, cluster: cluster_pb2.Cluster) -> ClusterInfo:
        status = cluster.status
        conditions = {c.type: c.status for c in status.conditions}
        zones = tuple(cluster.spec.zones) or ((cluster.spec.zone,) if cluster.spec.zone else ())
        kinds = frozenset(
            (enablement.group_version, resource.kind)
            for enablement in status.api_enablements
            for resource in enablement.resources
        )
        summary = status.resource_summary
        has_summary = status.HasField("resource_summary")
        free: dict[str, Fraction] = {}
        if has_summary:
            allocated = _amounts(summary.allocated)
            allocating = _amounts(summary.allocating)
            for name, total in _amounts(summary.allocatable).items():
                free[name] = (
                    total - allocated.get(name, Fraction(0)) - allocating.get(name, Fraction(0))
                )
        return cls(
            cluster=cluster,
            name=cluster.metadata.name,
            labels=dict(cluster.metadata.labels),
            provider=cluster.spec.provider,
            region=cluster.spec.region,
            zones=zones,
            taints=tuple(cluster.spec.taints),
            deleting=cluster.metadata.HasField("deletion_timestamp"),
            ready=conditions.get("Ready") == "True",
            complete_api_enablements=conditions.get("CompleteAPIEnablements", "True") == "True",
            enabled_kinds=kinds,
            has_resource_summary=has_summary,
            free=free,
        )


@dataclass(slots=True)
class BindingInfo:
    """The parts of a (Cluster)ResourceBinding the algorithm reads.

    `previous` is the current scheduling result (cluster name -> replicas), in the
    order of spec.clusters.
    """

    namespace: str
    name: str
    uid: str
    spec: resource_binding_pb2.ResourceBindingSpec
    status: resource_binding_pb2.ResourceBindingStatus
    previous: dict[str, int] = field(default_factory=dict)
    affinity: policy_pb2.ClusterAffinity | None = None
    """The cluster affinity in force for this attempt: placement.clusterAffinity, or
    the clusterAffinities term being tried, as a ClusterAffinity; None selects all."""
    affinity_name: str = ""
    """The name of the clusterAffinities term being tried ("" without terms)."""

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


@dataclass(slots=True)
class ScoredCluster:
    """A cluster that passed every filter, with its total score and estimated capacity."""

    info: ClusterInfo
    score: int = 0
    available: int = MAX_REPLICAS
    """Replicas of this binding the cluster can still hold (estimator result)."""

    @property
    def name(self) -> str:
        return self.info.name
