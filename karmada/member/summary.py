"""Cluster status summaries computed from a member's nodes, pods and discovery.

Pure functions, so the rules are table-tested without a cluster. They follow
Karmada's cluster status controller (pkg/controllers/status):

* node summary: all nodes, and those whose ``Ready`` condition is ``True``;
* allocatable: the sum of every node's ``status.allocatable``;
* allocated: the requests of pods bound to a node (``spec.nodeName`` set)
  that have not terminated (phase not Succeeded/Failed), plus one ``pods``
  each, since kube-scheduler stops counting terminated pods;
* allocating: the requests of pods not yet bound and not terminated;
* API enablements: each group/version with its resources sorted by name,
  subresources ("pods/status") left out, and the list sorted by groupVersion.

A pod's request is what kube-scheduler reserves (k8s resourcehelper
PodRequests): the sum of its containers, restartable init containers
("sidecars") added on top, the largest one-shot init container if bigger,
plus ``spec.overhead``. A container limit with no request counts as the
request, as API defaulting would have set it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.member.quantity import Format, Quantity, parse_quantity

ResourceAmounts = dict[str, Fraction]

_BINARY_RESOURCES = frozenset({"memory", "ephemeral-storage", "storage"})
_ALWAYS_REPORTED = ("cpu", "memory", "pods")
_TERMINATED = frozenset({"Succeeded", "Failed"})


@dataclass(frozen=True)
class NodeSummary:
    """Node counts, as in Cluster.status.nodeSummary."""

    total: int
    ready: int

    def to_proto(self) -> cluster_pb2.NodeSummary:
        return cluster_pb2.NodeSummary(total_num=self.total, ready_num=self.ready)


@dataclass(frozen=True)
class ResourceSummary:
    """Canonical quantity strings per resource name, as in Cluster.status.resourceSummary."""

    allocatable: dict[str, str] = field(default_factory=dict)
    allocating: dict[str, str] = field(default_factory=dict)
    allocated: dict[str, str] = field(default_factory=dict)

    def to_proto(self) -> cluster_pb2.ResourceSummary:
        return cluster_pb2.ResourceSummary(
            allocatable=self.allocatable, allocating=self.allocating, allocated=self.allocated
        )


@dataclass(frozen=True)
class ApiResource:
    """One resource a member serves: plural name and kind."""

    name: str
    kind: str


@dataclass(frozen=True)
class ApiEnablement:
    """The resources of one group/version, as in Cluster.status.apiEnablements."""

    group_version: str
    resources: tuple[ApiResource, ...]

    def to_proto(self) -> cluster_pb2.ApiEnablement:
        return cluster_pb2.ApiEnablement(
            group_version=self.group_version,
            resources=[cluster_pb2.ApiResource(name=r.name, kind=r.kind) for r in self.resources],
        )

    def to_dict(self) -> dict[str, Any]:
        """The Kubernetes JSON shape: ``{groupVersion, resources: [{name, kind}]}``."""
        return {
            "groupVersion": self.group_version,
            "resources": [{"name": r.name, "kind": r.kind} for r in self.resources],
        }


def resource_format(name: str) -> Format:
    """The format Karmada prints a resource in: bytes in BinarySI, the rest DecimalSI."""
    if name in _BINARY_RESOURCES or name.startswith("hugepages-"):
        return Format.BINARY_SI
    return Format.DECIMAL_SI


def format_amounts(amounts: Mapping[str, Fraction]) -> dict[str, str]:
    """Canonical strings for summed amounts, keyed like the input (sorted)."""
    return {
        name: Quantity(value, resource_format(name)).canonical()
        for name, value in sorted(amounts.items())
    }


def parse_amounts(resources: Mapping[str, Any] | None) -> ResourceAmounts:
    """Parses a ResourceList (``{"cpu": "100m", ...}``); raises QuantityError if malformed."""
    return {name: parse_quantity(str(value)) for name, value in (resources or {}).items()}


def add_amounts(total: ResourceAmounts, more: Mapping[str, Fraction]) -> None:
    """Adds `more` into `total` in place."""
    for name, value in more.items():
        total[name] = total.get(name, Fraction(0)) + value


def _max_amounts(a: Mapping[str, Fraction], b: Mapping[str, Fraction]) -> ResourceAmounts:
    result = dict(a)
    for name, value in b.items():
        result[name] = max(result.get(name, Fraction(0)), value)
    return result


def container_requests(container: Mapping[str, Any]) -> ResourceAmounts:
    """A container's requests, with limits standing in for missing requests."""
    resources = container.get("resources") or {}
    amounts = parse_amounts(resources.get("limits"))
    amounts.update(parse_amounts(resources.get("requests")))
    return amounts


def pod_requests(spec: Mapping[str, Any]) -> ResourceAmounts:
    """What the scheduler reserves for a pod with this spec (without the ``pods`` count)."""
    requests: ResourceAmounts = {}
    for container in spec.get("containers") or ():
        add_amounts(requests, container_requests(container))
    sidecars: ResourceAmounts = {}
    init_peak: ResourceAmounts = {}
    for container in spec.get("initContainers") or ():
        own = container_requests(container)
        if container.get("restartPolicy") == "Always":
            add_amounts(requests, own)
            add_amounts(sidecars, own)
            during = dict(sidecars)
        else:
            during = dict(own)
            add_amounts(during, sidecars)
        init_peak = _max_amounts(init_peak, during)
    requests = _max_amounts(requests, init_peak)
    add_amounts(requests, parse_amounts(spec.get("overhead")))
    return requests


def node_ready(node: Mapping[str, Any]) -> bool:
    """Whether the node's Ready condition is True."""
    for condition in (node.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready":
            return bool(condition.get("status") == "True")
    return False


def node_summary(nodes: Iterable[Mapping[str, Any]]) -> NodeSummary:
    """Counts all nodes and the Ready ones."""
    total = ready = 0
    for node in nodes:
        total += 1
        ready += node_ready(node)
    return NodeSummary(total=total, ready=ready)


def resource_summary(
    nodes: Iterable[Mapping[str, Any]], pods: Iterable[Mapping[str, Any]]
) -> ResourceSummary:
    """Allocatable from nodes; allocated and allocating from pod requests."""
    allocatable: ResourceAmounts = {}
    for node in nodes:
        add_amounts(allocatable, parse_amounts((node.get("status") or {}).get("allocatable")))
    allocated: ResourceAmounts = {name: Fraction(0) for name in _ALWAYS_REPORTED}
    allocating: ResourceAmounts = {name: Fraction(0) for name in _ALWAYS_REPORTED}
    for pod in pods:
        if (pod.get("status") or {}).get("phase") in _TERMINATED:
            continue
        spec = pod.get("spec") or {}
        target = allocated if spec.get("nodeName") else allocating
        add_amounts(target, pod_requests(spec))
        target["pods"] += 1
    return ResourceSummary(
        allocatable=format_amounts(allocatable),
        allocating=format_amounts(allocating),
        allocated=format_amounts(allocated),
    )


def api_enablements(resource_lists: Iterable[Mapping[str, Any]]) -> list[ApiEnablement]:
    """Turns discovery APIResourceLists into sorted API enablements."""
    result = []
    for resource_list in resource_lists:
        resources = sorted(
            (
                ApiResource(name=str(r["name"]), kind=str(r.get("kind", "")))
                for r in resource_list.get("resources") or ()
                if "/" not in str(r.get("name", "/"))
            ),
            key=lambda r: r.name,
        )
        result.append(
            ApiEnablement(
                group_version=str(resource_list["groupVersion"]), resources=tuple(resources)
            )
        )
    return sorted(result, key=lambda e: e.group_version)
