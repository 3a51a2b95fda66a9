"""Spread-constraint parsing and the choice of groups (regions, zones, ...).

Split from `spread` so the per-group rules read on their own: how clusters
are grouped by a field or label, how groups are ranked, and how many are
taken. See `spread` for the overall selection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from karmada.policy.v1alpha1.propagation_policy_pb2 import SpreadConstraint
from scheduler.framework.types import ClusterInfo, ScheduleError, ScoredCluster

__all__ = ["Constraint", "Group", "choose_groups", "parse_constraints", "swap_for_capacity"]

GROUP_FIELDS = ("region", "zone", "provider")
"""Group fields in the order they narrow the candidates (labels come after)."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Constraint:
    """One spread constraint: by `field`, or by the label `label` when field is ""."""

    field: str
    label: str
    min_groups: int
    max_groups: int
    """0 means unlimited."""

    def key(self, cluster: ClusterInfo) -> str | None:
        """The cluster's group under this constraint; None if it lacks the field."""
        if self.label:
            return cluster.labels.get(self.label)
        if self.field == "region":
            return cluster.region or None
        if self.field == "zone":
            return ",".join(sorted(cluster.zones)) or None
        if self.field == "provider":
            return cluster.provider or None
        return cluster.name

    def limit(self, count: int) -> int:
        """`count` capped at maxGroups."""
        return min(count, self.max_groups) if self.max_groups > 0 else count

    @property
    def noun(self) -> str:
        return f'label "{self.label}"' if self.label else self.field

    @property
    def plural(self) -> str:
        return f'values of label "{self.label}"' if self.label else f"{self.field}s"


@dataclass(slots=True)
class Group:
    """The candidate clusters sharing one value of a constraint's field."""

    name: str
    clusters: list[ScoredCluster]
    """In rank order."""
    capacity: int
    """Replicas the group can hold (see `select_clusters` for what counts)."""
    score: int


def parse_constraints(
    constraints: Iterable[SpreadConstraint],
) -> tuple[Constraint | None, list[Constraint]]:
    """The "cluster" constraint (if any) and the group constraints in narrowing order.

    Raises:
        ScheduleError: a constraint names an unknown field or has maxGroups
            below minGroups (both rejected by the apiserver already).
    """
    by_cluster: Constraint | None = None
    fields: dict[str, Constraint] = {}
    labels: list[Constraint] = []
    for spec in constraints:
        constraint = Constraint(
            field="" if spec.spread_by_label else spec.spread_by_field or "cluster",
            label=spec.spread_by_label,
            min_groups=max(spec.min_groups, 1),
            max_groups=max(spec.max_groups, 0),
        )
        if 0 < constraint.max_groups < constraint.min_groups:
            raise ScheduleError(
                f"the spread constraint by {constraint.noun} has maxGroups "
                f"{constraint.max_groups} below its minGroups {constraint.min_groups}",
                reason="SchedulerError",
            )
        if constraint.label:
            labels.append(constraint)
        elif constraint.field == "cluster":
            by_cluster = by_cluster or constraint
        elif constraint.field in GROUP_FIELDS:
            fields.setdefault(constraint.field, constraint)
        else:
            raise ScheduleError(
                f"unsupported spread constraint field {constraint.field!r}: expected "
                '"cluster", "region", "zone" or "provider"',
                reason="SchedulerError",
            )
    return by_cluster, [fields[f] for f in GROUP_FIELDS if f in fields] + labels


def swap_for_capacity(
    chosen: list[T],
    rest: Sequence[T],
    needed: int,
    capacity: Callable[[T], int],
    *,
    fixed: int = 0,
) -> list[T]:
    """Trade the smallest of chosen[fixed:] for the largest of `rest` until `needed` fits.

    Each trade strictly raises the total; trading stops when the total
    suffices or no unchosen item is larger than the smallest swappable chosen
    one. Both lists are in rank order, so among equals the worse-ranked chosen
    item goes first and the better-ranked unchosen one comes in first.
    """
    total = sum(capacity(item) for item in chosen)
    if total >= needed or not rest:
        return chosen
    out = list(chosen)
    swappable = sorted(range(fixed, len(out)), key=lambda i: (capacity(out[i]), -i))
    incoming = sorted(rest, key=lambda item: -capacity(item))
    for i, strong in zip(swappable, incoming, strict=False):
        gain = capacity(strong) - capacity(out[i])
        if total >= needed or gain <= 0:
            break
        out[i] = strong
        total += gain
    return out


def _group(
    candidates: Sequence[ScoredCluster],
    constraint: Constraint,
    per_group: int,
    capacity: Callable[[ScoredCluster], int],
) -> list[Group]:
    members: dict[str, list[ScoredCluster]] = {}
    for cluster in candidates:
        key = constraint.key(cluster.info)
        if key is not None:
            members.setdefault(key, []).append(cluster)
    groups = [
        Group(
            name=name,
            clusters=clusters,
            capacity=sum(capacity(c) for c in clusters),
            score=sum(c.score for c in clusters[:per_group]),
        )
        for name, clusters in members.items()
    ]
    return sorted(groups, key=lambda g: (-g.score, -g.capacity, g.name))


def _covering(
    candidates: Sequence[ScoredCluster],
    constraint: Constraint,
    applied: Sequence[tuple[Constraint, list[Group]]],
    ranked: list[Group],
) -> list[Group]:
    """Groups that keep a cluster of every group chosen before: for each earlier group
    not yet kept, the best-ranked group sharing a cluster with it."""
    chosen: list[Group] = []
    names: set[str] = set()
    for earlier, earlier_groups in applied:
        touches: dict[str | None, set[str | None]] = {}
        for cluster in candidates:
            touches.setdefault(earlier.key(cluster.info), set()).add(constraint.key(cluster.info))
        for earlier_group in earlier_groups:
            reachable = touches.get(earlier_group.name, set())
            if reachable & names:
                continue
            # Every candidate has every group field, so `reachable` is never empty.
            best = next(g for g in ranked if g.name in reachable)
            chosen.append(best)
            names.add(best.name)
    return chosen


def choose_groups(
    candidates: Sequence[ScoredCluster],
    constraint: Constraint,
    applied: Sequence[tuple[Constraint, list[Group]]],
    *,
    cluster_constraint: Constraint | None,
    replicas: int,
    divided: bool,
    capacity: Callable[[ScoredCluster], int],
) -> list[Group]:
    """The groups of `constraint` to place the binding in.

    Groups rank by the summed score of their best clusters (as many as each
    group would have to contribute to meet the cluster constraint's
    minGroups), then total capacity, then name. Groups covering the
    groups of earlier constraints (`applied`) come first. Duplicated
    placements take up to maxGroups groups; divided ones the fewest (at least
    minGroups) that hold `replicas` and enough clusters, trading small groups
    for bigger ones if even maxGroups groups fall short.

    Raises:
        ScheduleError: too few groups, or constraints that contradict each other.
    """
    cluster_min = cluster_constraint.min_groups if cluster_constraint is not None else 1
    per_group = max(1, -(-cluster_min // constraint.min_groups))
    ranked = _group(candidates, constraint, per_group, capacity)
    if len(ranked) < constraint.min_groups:
        raise ScheduleError(
            f"only {len(ranked)} {constraint.plural} have feasible clusters but the spread "
            f"constraint by {constraint.noun} requires at least {constraint.min_groups}",
            reason="NoClusterFit",
        )
    upper = constraint.limit(len(ranked))
    if cluster_constraint is not None:
        upper = cluster_constraint.limit(upper)
    if upper < constraint.min_groups:
        raise ScheduleError(
            f"the spread constraint by {constraint.noun} requires at least "
            f"{constraint.min_groups} {constraint.plural} but the spread constraint by "
            f"cluster allows at most {upper} clusters",
            reason="NoClusterFit",
        )
    chosen = _covering(candidates, constraint, applied, ranked)
    if len(chosen) > upper:
        raise ScheduleError(
            f"keeping every group chosen by the earlier spread constraints needs "
            f"{len(chosen)} {constraint.plural} but at most {upper} are allowed",
            reason="NoClusterFit",
        )
    mandatory = len(chosen)
    taken = {g.name for g in chosen}
    rest = [g for g in ranked if g.name not in taken]
    if not divided:
        return chosen + rest[: upper - mandatory]
    room = sum(g.capacity for g in chosen)
    clusters = sum(len(g.clusters) for g in chosen)
    added = 0
    for group in rest:
        enough = room >= replicas and clusters >= cluster_min
        if len(chosen) >= upper or (len(chosen) >= constraint.min_groups and enough):
            break
        chosen.append(group)
        room += group.capacity
        clusters += len(group.clusters)
        added += 1
    return swap_for_capacity(chosen, rest[added:], replicas, lambda g: g.capacity, fixed=mandatory)
