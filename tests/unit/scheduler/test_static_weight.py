"""Tests for the Webster method and static-weight division (Karmada v1.16+)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from fractions import Fraction

import pytest

from karmada.policy.v1alpha1.propagation_policy_pb2 import (
    ClusterPreferences,
)
from scheduler.core.division.static_weight import (
    divide_by_static_weight,
    fnv32a,
    names_descending,
    static_weights,
    webster,
)
from tests.unit.scheduler.builders import cluster, static_weight

EVEN_UID = "uid-2"
ODD_UID = "uid-1"


def sequential_webster(seats: int, votes: Mapping[str, int], descending: bool) -> dict[str, int]:
    """The textbook process: one seat at a time to the largest v/(2s+1)."""
    result = {name: 0 for name, v in votes.items() if v > 0}
    names = sorted(result, reverse=descending)
    for _ in range(seats):
        # min() keeps the first of equal keys, so `names` order breaks the last tie.
        best = min(names, key=lambda n: (-Fraction(votes[n], 2 * result[n] + 1), result[n]))
        result[best] += 1
    return result


@pytest.mark.parametrize(
    ("text", "want"),
    [("", 0x811C9DC5), ("a", 0xE40C292C), ("foobar", 0xBF9CF968)],
)
def test_fnv32a_known_vectors(text: str, want: int) -> None:
    assert fnv32a(text) == want


@pytest.mark.parametrize(
    ("uid", "want"), [("", False), (EVEN_UID, False), (ODD_UID, True), ("a", False), ("b", True)]
)
def test_names_descending_by_uid_parity(uid: str, want: bool) -> None:
    assert names_descending(uid) is want


@pytest.mark.parametrize(
    ("seats", "votes", "descending", "want"),
    [
        pytest.param(9, {"a": 1, "b": 2}, False, {"a": 3, "b": 6}, id="9 at 1:2"),
        pytest.param(9, {"a": 1, "b": 3}, False, {"a": 2, "b": 7}, id="9 at 1:3"),
        pytest.param(0, {"a": 1, "b": 3}, False, {"a": 0, "b": 0}, id="no seats"),
        pytest.param(3, {"a": 0, "b": 0}, False, {}, id="no votes"),
        pytest.param(5, {"a": 0, "b": 1}, False, {"b": 5}, id="zero votes get nothing"),
        pytest.param(2, {"a": 1, "b": 1, "c": 1}, False, {"a": 1, "b": 1, "c": 0}, id="tie asc"),
        pytest.param(2, {"a": 1, "b": 1, "c": 1}, True, {"a": 0, "b": 1, "c": 1}, id="tie desc"),
        pytest.param(4, {"a": 3, "b": 1}, False, {"a": 3, "b": 1}, id="3:1 exact"),
        pytest.param(
            10000, {"a": 1, "b": 1, "c": 2}, False, {"a": 2500, "b": 2500, "c": 5000}, id="large"
        ),
        pytest.param(7, {"a": 2**31 - 1, "b": 2**31 - 1}, True, {"a": 3, "b": 4}, id="huge votes"),
        pytest.param(
            1, {"a": 2**53, "b": 2**53 + 1}, False, {"a": 0, "b": 1}, id="beyond float precision"
        ),
    ],
)
def test_webster(seats: int, votes: dict[str, int], descending: bool, want: dict[str, int]) -> None:
    assert webster(seats, votes, descending=descending) == want


def test_webster_ties_prefer_fewer_seats() -> None:
    # After a:1 b:0, a's next priority 3/3 equals b's 1/1; b has fewer seats.
    assert webster(2, {"a": 3, "b": 1}) == {"a": 1, "b": 1}
    assert webster(2, {"a": 3, "b": 1}, descending=True) == {"a": 1, "b": 1}


@pytest.mark.parametrize("seed", range(40))
def test_webster_matches_sequential_process(seed: int) -> None:
    rng = random.Random(seed)
    votes = {f"c{i}": rng.choice([0, 1, 1, 2, 3, 5, 7, 10, 64]) for i in range(rng.randint(1, 9))}
    seats = rng.choice([1, 2, 5, 9, 17, 40, 101])
    descending = seed % 2 == 1
    assert webster(seats, votes, descending=descending) == sequential_webster(
        seats, votes, descending
    )


@pytest.mark.parametrize("seed", range(10))
def test_webster_matches_sequential_process_with_huge_votes(seed: int) -> None:
    rng = random.Random(seed)
    votes = {f"c{i}": rng.randint(2**45, 2**47) for i in range(rng.randint(2, 6))}
    seats = rng.choice([3, 11, 60])
    assert webster(seats, votes) == sequential_webster(seats, votes, False)


@pytest.mark.parametrize(
    ("seats", "votes"),
    [(10, {"a": 3, "b": 3, "c": 4}), (7, {"a": 1, "b": 1, "c": 5}), (6, {"a": 5, "b": 1})],
)
def test_webster_never_exceeds_votes_when_they_suffice(seats: int, votes: dict[str, int]) -> None:
    result = webster(seats, votes)
    assert sum(result.values()) == seats
    assert all(result[n] <= votes[n] for n in result)


CLUSTERS = [
    cluster("a", region="eu"),
    cluster("b", region="eu"),
    cluster("c", region="us"),
]


@pytest.mark.parametrize(
    ("preference", "want"),
    [
        pytest.param(None, {"a": 1, "b": 1, "c": 1}, id="no preference"),
        pytest.param(ClusterPreferences(), {"a": 1, "b": 1, "c": 1}, id="empty list"),
        pytest.param(
            ClusterPreferences(static_weight_list=[static_weight(0, "a"), static_weight(0, "b")]),
            {"a": 1, "b": 1, "c": 1},
            id="all weights 0",
        ),
        pytest.param(
            ClusterPreferences(static_weight_list=[static_weight(2, "a"), static_weight(1, "c")]),
            {"a": 2, "c": 1},
            id="unmatched dropped",
        ),
        pytest.param(
            ClusterPreferences(
                static_weight_list=[static_weight(1, region="eu"), static_weight(3, "b")]
            ),
            {"a": 1, "b": 3},
            id="max of matching rules",
        ),
    ],
)
def test_static_weights(preference: ClusterPreferences | None, want: dict[str, int]) -> None:
    assert static_weights(preference, CLUSTERS) == want


@pytest.mark.parametrize(
    ("uid", "want"),
    [
        pytest.param("", {"a": 1, "b": 1, "c": 0}, id="empty uid ascending"),
        pytest.param(EVEN_UID, {"a": 1, "b": 1, "c": 0}, id="even uid ascending"),
        pytest.param(ODD_UID, {"a": 0, "b": 1, "c": 1}, id="odd uid descending"),
    ],
)
def test_divide_ties_by_uid_parity(uid: str, want: dict[str, int]) -> None:
    assert divide_by_static_weight(2, None, CLUSTERS, uid=uid) == want
