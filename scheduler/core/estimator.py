"""How many replicas of a binding a cluster can still hold, from its resource summary.

This is Karmada's general estimator (pkg/estimator/client/general.go): the
cluster's free pod slots bound the answer, and each requested resource bounds
it further by free / request. It runs for every feasible cluster of every
binding, so the binding's requests are parsed once (`parse_requests`) and the
per-cluster step (`available_for`) is integer arithmetic on the exact
fractions the ClusterInfo already holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from karmada.member.quantity import QuantityError, parse_quantity
from karmada.work.v1alpha2.resource_binding_pb2 import ReplicaRequirements
from scheduler.framework.types import MAX_REPLICAS, ClusterInfo

__all__ = ["available_for", "available_replicas", "parse_requests"]

PODS = "pods"


def parse_requests(requirements: ReplicaRequirements | None) -> dict[str, Fraction]:
    """The positive per-replica requests of a binding, by resource name.

    Requests that are zero, negative or not a valid quantity constrain
    nothing and are left out (the apiserver rejects invalid ones anyway).
    """
    if requirements is None:
        return {}
    requests: dict[str, Fraction] = {}
    for name, text in requirements.resource_request.items():
        try:
            amount = parse_quantity(text)
        except QuantityError:
            continue
        if amount > 0:
            requests[name] = amount
    return requests


def available_for(cluster: ClusterInfo, requests: Mapping[str, Fraction]) -> int:
    """Replicas with these per-replica `requests` that fit in `cluster`, in [0, MAX_REPLICAS].

    A cluster without a resource summary holds nothing; one whose summary has
    no "pods" entry is unbounded by pod count; a requested resource the cluster
    does not report leaves no room.
    """
    if not cluster.has_resource_summary:
        return 0
    free = cluster.free
    pods = free.get(PODS)
    bound = MAX_REPLICAS if pods is None else min(MAX_REPLICAS, pods.numerator // pods.denominator)
    if bound <= 0:
        return 0
    for name, request in requests.items():
        have = free.get(name)
        if have is None or have.numerator <= 0:
            return 0
        # floor(have / request) on numerators and denominators, without building a Fraction.
        fits = (have.numerator * request.denominator) // (have.denominator * request.numerator)
        if fits < bound:
            bound = fits
            if bound == 0:
                return 0
    return bound


def available_replicas(cluster: ClusterInfo, requirements: ReplicaRequirements | None) -> int:
    """Replicas of a binding with these requirements that fit in `cluster`.

    Convenience for one cluster; to estimate many clusters for one binding,
    call `parse_requests` once and `available_for` per cluster.
    """
    return available_for(cluster, parse_requests(requirements))
