"""Dynamic-weight division: replicas in proportion to each cluster's free capacity.

Karmada's divideReplicasByResource (core/division_algorithm.go). A reschedule
must not move running replicas, so unless the caller asks for a fresh
recompute, the previous result is the starting point: a scale-up divides only
the new replicas, a scale-down shrinks clusters in proportion to what they run.
Capacity numbers come from the estimator, which already counts a cluster's
running replicas as used, so they are never subtracted again here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scheduler.core.division.static_weight import names_descending, webster
from scheduler.framework.types import BindingInfo, ScheduleError, ScoredCluster

__all__ = ["capacity_error", "divide_by_available", "divide_dynamic", "kept_previous", "merge"]

_LISTED = 5
"""Clusters named in a capacity error; more would drown the message."""


def capacity_error(
    needed: int, clusters: Sequence[ScoredCluster], *, assigned: int = 0
) -> ScheduleError:
    """The error for `clusters` holding fewer than `needed` more replicas."""
    total = sum(max(c.available, 0) for c in clusters)
    largest = sorted(clusters, key=lambda c: (-c.available, c.name))[:_LISTED]
    detail = ", ".join(f"{c.name}: {max(c.available, 0)}" for c in largest)
    if len(clusters) > _LISTED:
        detail += ", ..."
    count = f"{len(clusters)} selected cluster(s)"
    if assigned:
        message = (
            f"insufficient capacity to scale up from {assigned} to {assigned + needed} "
            f"replicas: {needed} more are needed but the {count} fit at most {total} more "
            f"({detail})"
        )
    else:
        message = (
            f"insufficient capacity: {needed} replicas are needed but the {count} "
            f"fit at most {total} ({detail})"
        )
    return ScheduleError(message, reason="NoClusterFit")


def divide_by_available(
    replicas: int, clusters: Sequence[ScoredCluster], *, uid: str, assigned: int = 0
) -> dict[str, int]:
    """Split `replicas` by Webster with weights = available replicas.

    No cluster gets more than its available replicas (see `webster`).

    Raises:
        ScheduleError: the clusters hold fewer than `replicas` in total;
            `assigned` (replicas already placed) only shapes the message.
    """
    if sum(max(c.available, 0) for c in clusters) < replicas:
        raise capacity_error(replicas, clusters, assigned=assigned)
    votes = {c.name: c.available for c in clusters}
    return webster(replicas, votes, descending=names_descending(uid))


def kept_previous(binding: BindingInfo, selected: Sequence[ScoredCluster]) -> dict[str, int]:
    """The previous result restricted to clusters still selected, without empty entries."""
    names = {c.name for c in selected}
    return {name: n for name, n in binding.previous.items() if n > 0 and name in names}


def merge(kept: Mapping[str, int], extra: Mapping[str, int]) -> dict[str, int]:
    merged = dict(kept)
    for name, n in extra.items():
        merged[name] = merged.get(name, 0) + n
    return merged


def divide_dynamic(
    binding: BindingInfo, selected: Sequence[ScoredCluster], *, fresh: bool
) -> dict[str, int]:
    """Divide spec.replicas over `selected` by available replicas; clusters may get 0.

    Raises:
        ScheduleError: not enough capacity for the replicas to add.
    """
    replicas = binding.spec.replicas
    uid = binding.uid
    kept = {} if fresh else kept_previous(binding, selected)
    assigned = sum(kept.values())
    if assigned == 0:
        return divide_by_available(replicas, selected, uid=uid)
    if assigned == replicas:
        return kept
    if assigned > replicas:
        return webster(replicas, kept, descending=names_descending(uid))
    extra = divide_by_available(replicas - assigned, selected, uid=uid, assigned=assigned)
    return merge(kept, extra)
