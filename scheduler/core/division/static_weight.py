"""Static-weight division and the Webster (Sainte-Laguë) method it is built on.

Karmada (since v1.16, pkg/util/helper/webstermethod.go) hands out replicas one
at a time, each to the cluster with the largest w / (2s + 1), where s is what
the cluster has so far. Done literally that costs a heap operation per
replica; `webster` first gives out, in one pass, every replica whose priority
is certainly above the last one handed out, and runs the heap only for the
at most n replicas left, so 10,000 replicas cost about as much as 100.
Priorities are compared as floats where that is provably exact, and by
cross-multiplication otherwise, so the result is always exact.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping

from karmada.policy.v1alpha1.propagation_policy_pb2 import ClusterPreferences
from scheduler.framework.affinity import static_weights as compile_weights
from scheduler.framework.types import ClusterInfo

__all__ = [
    "divide_by_static_weight",
    "fnv32a",
    "names_descending",
    "static_weights",
    "webster",
]

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


def fnv32a(text: str) -> int:
    """The 32-bit FNV-1a hash of the UTF-8 bytes of `text` (Go's hash/fnv New32a)."""
    value = _FNV_OFFSET
    for byte in text.encode():
        value = ((value ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return value


def names_descending(uid: str) -> bool:
    """Whether Webster ties between equal clusters go to the later name, for this uid.

    Alternating by uid keeps many small workloads from all piling their odd
    replica onto the alphabetically first cluster.
    """
    return bool(uid) and fnv32a(uid) % 2 == 1


_FLOAT_EXACT = 2**52
"""Below this bound on votes * (2 * seats + 1), float priorities order exactly."""


class _Party:
    """A heap entry compared exactly, by cross-multiplication (the slow, general path)."""

    __slots__ = ("descending", "name", "seats", "votes")

    def __init__(self, name: str, votes: int, seats: int, descending: bool) -> None:
        self.name = name
        self.votes = votes
        self.seats = seats
        self.descending = descending

    def __lt__(self, other: _Party) -> bool:
        """Whether self gets the next seat before `other` (heapq pops the smallest)."""
        mine = self.votes * (2 * other.seats + 1)
        theirs = other.votes * (2 * self.seats + 1)
        if mine != theirs:
            return mine > theirs
        if self.seats != other.seats:
            return self.seats < other.seats
        return self.name > other.name if self.descending else self.name < other.name


def _hand_out_exact(
    count: int, parties: list[tuple[str, int]], result: dict[str, int], descending: bool
) -> None:
    heap = [_Party(name, v, result[name], descending) for name, v in parties]
    heapq.heapify(heap)
    for _ in range(count):
        top = heap[0]
        top.seats += 1
        heapq.heapreplace(heap, top)
    result.update((party.name, party.seats) for party in heap)


def _hand_out_float(
    count: int, parties: list[tuple[str, int]], result: dict[str, int], descending: bool
) -> None:
    # Correctly rounded division is monotone, and while votes * (2s + 1) < 2**52 two
    # different priorities are more than one float spacing apart, so float keys
    # order (and tie) exactly like the fractions, and tuples compare in C.
    names = sorted(name for name, _ in parties)
    tie = {name: (-i if descending else i) for i, name in enumerate(names)}
    heap = [(-v / (2 * result[name] + 1), result[name], tie[name], name, v) for name, v in parties]
    heapq.heapify(heap)
    for _ in range(count):
        _, seats, order, name, v = heap[0]
        seats += 1
        heapq.heapreplace(heap, (-v / (2 * seats + 1), seats, order, name, v))
    result.update((name, seats) for _, seats, _, name, _ in heap)


def webster(seats: int, votes: Mapping[str, int], *, descending: bool = False) -> dict[str, int]:
    """Apportion `seats` by the Webster method; parties with no votes get nothing.

    Equal priorities go to the party with fewer seats, then to the lower name
    (the higher one if `descending`). If `seats` <= sum(votes) with integer
    votes, no party gets more seats than votes: a party at its vote count has
    priority < 1/2, one below it > 1/2.
    """
    parties = [(name, v) for name, v in votes.items() if v > 0]
    result = dict.fromkeys((name for name, _ in parties), 0)
    if seats <= 0 or not parties:
        return result
    total = sum(v for _, v in parties)
    span = 2 * seats - len(parties)
    if span > 0:
        # With threshold t = total/span, the seats of priority v/(2k+1) > t number at
        # most `seats` and at least `seats - n`; all of them precede every other seat,
        # so granting them up front leaves the heap exactly where the sequential
        # process would be. Party v has one such seat per odd m with m*total < v*span.
        for name, v in parties:
            result[name] = ((v * span - 1) // total + 1) // 2
    left = seats - sum(result.values())
    if max(v for _, v in parties) * (2 * seats + 1) < _FLOAT_EXACT:
        _hand_out_float(left, parties, result, descending)
    else:
        _hand_out_exact(left, parties, result, descending)
    return result


def static_weights(
    preference: ClusterPreferences | None, clusters: Iterable[ClusterInfo]
) -> dict[str, int]:
    """Each cluster's weight: the largest weight among the rules that match it.

    Clusters no rule weighs above 0 are left out; if that leaves none, or
    there are no rules, every cluster weighs 1.
    """
    clusters = list(clusters)
    if preference is None or not preference.static_weight_list:
        return dict.fromkeys((c.name for c in clusters), 1)
    rules = compile_weights(preference.static_weight_list)
    weights: dict[str, int] = {}
    for cluster in clusters:
        weight = rules.weight(cluster)
        if weight > 0:
            weights[cluster.name] = weight
    if not weights:
        return dict.fromkeys((c.name for c in clusters), 1)
    return weights


def divide_by_static_weight(
    replicas: int,
    preference: ClusterPreferences | None,
    clusters: Iterable[ClusterInfo],
    *,
    uid: str,
) -> dict[str, int]:
    """Split `replicas` over `clusters` by static weight; clusters may get 0."""
    return webster(replicas, static_weights(preference, clusters), descending=names_descending(uid))
