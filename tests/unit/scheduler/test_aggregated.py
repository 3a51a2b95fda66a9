"""Tests for aggregated division (as few clusters as capacity allows)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from scheduler.core.division.aggregated import divide_aggregated
from scheduler.framework.types import ScheduleError
from tests.unit.scheduler.builders import binding, placement, pool

AGGREGATED = placement(division="Aggregated")


@pytest.mark.parametrize(
    ("replicas", "available", "previous", "fresh", "want"),
    [
        pytest.param(5, {"a": 3, "b": 10, "c": 4}, {}, True, {"b": 5}, id="largest fits alone"),
        pytest.param(
            14, {"a": 3, "b": 10, "c": 4}, {}, True, {"b": 10, "c": 4}, id="shortest prefix"
        ),
        pytest.param(4, {"b": 5, "a": 5}, {}, True, {"a": 4}, id="equal capacity by name"),
        pytest.param(3, {"a": 0, "b": 0, "c": 3}, {}, True, {"c": 3}, id="skips full clusters"),
        pytest.param(5, {"a": 5}, {"a": 5}, False, {"a": 5}, id="steady"),
        pytest.param(4, {"a": 2, "b": 10}, {"a": 2}, False, {"a": 4}, id="prefers previously used"),
        pytest.param(4, {"a": 2, "b": 10}, {"a": 2}, True, {"b": 4}, id="fresh ignores previous"),
        pytest.param(
            8,
            {"a": 2, "b": 10, "c": 3},
            {"a": 2},
            False,
            {"a": 3, "b": 5},
            id="scale-up overflows to the largest",
        ),
        pytest.param(
            7,
            {"a": 1, "b": 1, "c": 1},
            {"a": 6, "b": 3, "c": 1},
            False,
            {"a": 4, "b": 2, "c": 1},
            id="scale-down in proportion, keeping every cluster",
        ),
        pytest.param(
            4,
            {"a": 1, "b": 1},
            {"a": 3, "b": 3},
            False,
            {"a": 2, "b": 2},
            id="scale-down ties by name",
        ),
        pytest.param(
            3, {"a": 1, "b": 9}, {"gone": 3}, False, {"b": 3}, id="previous clusters all gone"
        ),
    ],
)
def test_divide_aggregated(
    replicas: int,
    available: Mapping[str, int],
    previous: Mapping[str, int],
    fresh: bool,
    want: dict[str, int],
) -> None:
    b = binding(replicas=replicas, placement=AGGREGATED, previous=previous)
    result = divide_aggregated(b, pool(available), fresh=fresh)
    assert {name: n for name, n in result.items() if n} == want


@pytest.mark.parametrize(
    ("replicas", "available", "previous", "message"),
    [
        pytest.param(
            20,
            {"a": 3, "b": 10, "c": 4},
            {},
            "insufficient capacity: 20 replicas are needed but the 3 selected cluster(s) fit "
            "at most 17 (b: 10, c: 4, a: 3)",
            id="fresh",
        ),
        pytest.param(
            9,
            {"a": 1, "b": 2},
            {"a": 5},
            "insufficient capacity to scale up from 5 to 9 replicas: 4 more are needed but "
            "the 2 selected cluster(s) fit at most 3 more (b: 2, a: 1)",
            id="scale-up",
        ),
    ],
)
def test_divide_aggregated_capacity_short(
    replicas: int, available: Mapping[str, int], previous: Mapping[str, int], message: str
) -> None:
    b = binding(replicas=replicas, placement=AGGREGATED, previous=previous)
    with pytest.raises(ScheduleError) as caught:
        divide_aggregated(b, pool(available), fresh=False)
    assert caught.value.reason == "NoClusterFit"
    assert caught.value.message == message
