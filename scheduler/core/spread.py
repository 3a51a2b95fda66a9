"""Cluster selection under spread constraints: which feasible clusters get the binding.

Karmada (core/spreadconstraint) implements spreading by cluster and by region;
we spread by region, zone, provider and by label alike, with one simple rule
set that every group field shares (the grouping and group choice live in
`spread_groups`):

1. Clusters are ranked by score, then available replicas, then name.
2. Clusters lacking a field (or label) some constraint spreads by are left
   out, as Karmada's SpreadConstraint filter does.
3. Group constraints apply in the order region, zone, provider, then labels
   in placement order. Each chooses groups among the clusters the previous
   ones left, keeping at least one group that still covers every group chosen
   before it, and narrows the candidates to its groups.
4. The result starts with the best cluster of every chosen group (one cluster
   may serve several constraints), then the best remaining clusters, up to
   the "cluster" constraint's maxGroups.
5. For Divided placements with replicas, the group choice prefers the fewest
   groups that hold the replicas, and clusters are swapped for bigger ones
   when the ranked ones are too small; a shortage left after that is the
   division step's to report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from karmada.policy.v1alpha1.propagation_policy_pb2 import Placement
from scheduler.core.spread_groups import (
    Constraint,
    Group,
    choose_groups,
    parse_constraints,
    swap_for_capacity,
)
from scheduler.framework.types import ScheduleError, ScoredCluster

__all__ = ["rank", "select_clusters"]

Capacity = Callable[[ScoredCluster], int]


def _available(cluster: ScoredCluster) -> int:
    return max(cluster.available, 0)


def _capacity(previous: Mapping[str, int]) -> Capacity:
    def capacity(cluster: ScoredCluster) -> int:
        return max(cluster.available, 0) + previous.get(cluster.name, 0)

    return capacity


def rank(cluster: ScoredCluster) -> tuple[int, int, str]:
    """Sort key: best first (score desc, available desc, name asc)."""
    return (-cluster.score, -cluster.available, cluster.name)


def _by_cluster(
    ordered: list[ScoredCluster],
    constraint: Constraint,
    replicas: int,
    capacity: Capacity | None,
) -> list[ScoredCluster]:
    if len(ordered) < constraint.min_groups:
        raise ScheduleError(
            f"only {len(ordered)} cluster(s) are feasible but the spread constraint "
            f"requires at least {constraint.min_groups}",
            reason="NoClusterFit",
        )
    take = constraint.limit(len(ordered))
    chosen = ordered[:take]
    if capacity is not None:
        chosen = swap_for_capacity(chosen, ordered[take:], replicas, capacity)
    return sorted(chosen, key=rank)


def _seeds(
    final: list[ScoredCluster], applied: list[tuple[Constraint, list[Group]]]
) -> list[ScoredCluster]:
    """The best cluster of every chosen group, sharing clusters across constraints."""
    seeds: list[ScoredCluster] = []
    for constraint, groups in applied:
        best: dict[str | None, ScoredCluster] = {}
        for cluster in final:
            best.setdefault(constraint.key(cluster.info), cluster)
        covered = {constraint.key(seed.info) for seed in seeds}
        seeds += [best[g.name] for g in groups if g.name not in covered]
    return seeds


def _by_groups(
    ordered: list[ScoredCluster],
    constraints: list[Constraint],
    cluster_constraint: Constraint | None,
    replicas: int,
    capacity: Capacity | None,
) -> list[ScoredCluster]:
    candidates = [c for c in ordered if all(k.key(c.info) is not None for k in constraints)]
    applied: list[tuple[Constraint, list[Group]]] = []
    for constraint in constraints:
        groups = choose_groups(
            candidates,
            constraint,
            applied,
            cluster_constraint=cluster_constraint,
            replicas=replicas,
            divided=capacity is not None,
            capacity=capacity or _available,
        )
        applied.append((constraint, groups))
        names = {group.name for group in groups}
        candidates = [c for c in candidates if constraint.key(c.info) in names]
    seeds = _seeds(candidates, applied)
    limit = (
        len(candidates) if cluster_constraint is None else cluster_constraint.limit(len(candidates))
    )
    if len(seeds) > limit:
        raise ScheduleError(
            f"the spread constraints need at least {len(seeds)} clusters (one per chosen "
            f"group) but the spread constraint by cluster allows at most {limit}",
            reason="NoClusterFit",
        )
    seeded = {c.name for c in seeds}
    rest = [c for c in candidates if c.name not in seeded]
    chosen = seeds + rest[: limit - len(seeds)]
    if capacity is not None:
        chosen = swap_for_capacity(
            chosen, rest[limit - len(seeds) :], replicas, capacity, fixed=len(seeds)
        )
    if cluster_constraint is not None and len(chosen) < cluster_constraint.min_groups:
        last = constraints[-1]
        raise ScheduleError(
            f"only {len(chosen)} feasible cluster(s) are in the chosen "
            f"{last.plural} but the spread constraint by cluster requires at least "
            f"{cluster_constraint.min_groups}",
            reason="NoClusterFit",
        )
    return sorted(chosen, key=rank)


def select_clusters(
    candidates: Sequence[ScoredCluster],
    placement: Placement,
    replicas: int,
    *,
    divided_by_capacity: bool,
    previous: Mapping[str, int] | None = None,
) -> list[ScoredCluster]:
    """The clusters to divide `replicas` over, best first.

    `divided_by_capacity` is true for Divided placements with replicas > 0:
    then the selection also tries to hold `replicas` in total. A cluster's
    capacity for that is its available replicas plus what it already runs
    of this binding (`previous`, cluster name -> replicas; pass the binding's
    previous result unless rescheduling from scratch), because the estimator
    counts running replicas as used, as Karmada's spread selection does.

    Raises:
        ScheduleError: the constraints cannot be met by the candidates, or
            name an unknown field.
    """
    ordered = sorted(candidates, key=rank)
    cluster_constraint, group_constraints = parse_constraints(placement.spread_constraints)
    capacity = _capacity(previous or {}) if divided_by_capacity else None
    if group_constraints:
        return _by_groups(ordered, group_constraints, cluster_constraint, replicas, capacity)
    if cluster_constraint is not None:
        return _by_cluster(ordered, cluster_constraint, replicas, capacity)
    return ordered
