"""Aggregated division: pack the replicas into as few clusters as capacity allows.

Karmada's divideReplicasByAggregation: sort the clusters by capacity (those
already running the workload first, so a scale-up grows them before opening a
new cluster), take the shortest prefix that holds the replicas, and divide over
it by capacity. Only new replicas are packed: a scale-up keeps what runs and
packs the delta, and a scale-down shrinks every cluster in proportion to what
it runs, as dynamic division does. (Karmada's scale-down instead keeps only the
clusters running the most replicas and drops the rest.)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from scheduler.core.division.dynamic import (
    capacity_error,
    divide_by_available,
    kept_previous,
    merge,
)
from scheduler.core.division.static_weight import names_descending, webster
from scheduler.framework.types import BindingInfo, ScoredCluster

__all__ = ["divide_aggregated"]


def _pack(
    replicas: int,
    clusters: Sequence[ScoredCluster],
    *,
    preferred: Collection[str],
    uid: str,
    assigned: int = 0,
) -> dict[str, int]:
    ordered = sorted(clusters, key=lambda c: (c.name not in preferred, -c.available, c.name))
    prefix: list[ScoredCluster] = []
    room = 0
    for cluster in ordered:
        if room >= replicas:
            break
        if cluster.available > 0:
            prefix.append(cluster)
            room += cluster.available
    if room < replicas:
        raise capacity_error(replicas, clusters, assigned=assigned)
    return divide_by_available(replicas, prefix, uid=uid, assigned=assigned)


def divide_aggregated(
    binding: BindingInfo, selected: Sequence[ScoredCluster], *, fresh: bool
) -> dict[str, int]:
    """Divide spec.replicas over as few of `selected` as possible; clusters may get 0.

    Raises:
        ScheduleError: not enough capacity for the replicas to add.
    """
    replicas = binding.spec.replicas
    uid = binding.uid
    kept = {} if fresh else kept_previous(binding, selected)
    assigned = sum(kept.values())
    if assigned == 0:
        return _pack(replicas, selected, preferred=(), uid=uid)
    if assigned == replicas:
        return kept
    if assigned > replicas:
        return webster(replicas, kept, descending=names_descending(uid))
    extra = _pack(replicas - assigned, selected, preferred=kept, uid=uid, assigned=assigned)
    return merge(kept, extra)
