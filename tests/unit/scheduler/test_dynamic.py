"""Tests for dynamic-weight division (weights = available replicas)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from scheduler.core.division.dynamic import divide_dynamic
from scheduler.framework.types import ScheduleError
from tests.unit.scheduler.builders import binding, placement, pool

ODD_UID = "uid-1"
DYNAMIC = placement(dynamic_weight="AvailableReplicas")


@pytest.mark.parametrize(
    ("replicas", "available", "previous", "fresh", "want"),
    [
        pytest.param(8, {"a": 10, "b": 30}, {}, True, {"a": 2, "b": 6}, id="proportional"),
        pytest.param(7, {"a": 5, "b": 1, "c": 1}, {}, True, {"a": 5, "b": 1, "c": 1}, id="full"),
        pytest.param(
            2, {"a": 5, "b": 5, "c": 5}, {}, True, {"a": 1, "b": 1, "c": 0}, id="few replicas"
        ),
        pytest.param(3, {"a": 0, "b": 4}, {}, True, {"b": 3}, id="no room gets nothing"),
        pytest.param(6, {"a": 3, "b": 3}, {"a": 3, "b": 3}, False, {"a": 3, "b": 3}, id="steady"),
        pytest.param(6, {"a": 3, "b": 3}, {"a": 6}, True, {"a": 3, "b": 3}, id="fresh recomputes"),
        pytest.param(
            8, {"a": 2, "b": 2}, {"a": 4}, False, {"a": 6, "b": 2}, id="scale-up divides delta"
        ),
        pytest.param(
            6, {"a": 1, "b": 1}, {"a": 6, "b": 3}, False, {"a": 4, "b": 2}, id="scale-down"
        ),
        pytest.param(
            6,
            {"a": 1, "b": 1},
            {"a": 6, "b": 3, "gone": 3},
            False,
            {"a": 4, "b": 2},
            id="scale-down ignores unselected",
        ),
        pytest.param(
            6,
            {"a": 10, "b": 10},
            {"a": 2, "gone": 4},
            False,
            {"a": 4, "b": 2},
            id="lost cluster's replicas are re-placed",
        ),
        pytest.param(4, {"a": 2, "b": 2}, {"gone": 4}, False, {"a": 2, "b": 2}, id="nothing kept"),
    ],
)
def test_divide_dynamic(
    replicas: int,
    available: Mapping[str, int],
    previous: Mapping[str, int],
    fresh: bool,
    want: dict[str, int],
) -> None:
    b = binding(replicas=replicas, placement=DYNAMIC, previous=previous)
    result = divide_dynamic(b, pool(available), fresh=fresh)
    assert {name: n for name, n in result.items() if n} == {n: r for n, r in want.items() if r}
    assert sum(result.values()) == replicas


@pytest.mark.parametrize(("uid", "want"), [("", {"a": 1}), (ODD_UID, {"b": 1})])
def test_divide_dynamic_ties_by_uid(uid: str, want: dict[str, int]) -> None:
    b = binding(replicas=1, placement=DYNAMIC, uid=uid)
    result = divide_dynamic(b, pool({"a": 5, "b": 5}), fresh=True)
    assert {name: n for name, n in result.items() if n} == want


@pytest.mark.parametrize(
    ("replicas", "available", "previous", "fresh", "message"),
    [
        pytest.param(
            5,
            {"a": 1, "b": 2, "c": 0},
            {},
            True,
            "insufficient capacity: 5 replicas are needed but the 3 selected cluster(s) fit "
            "at most 3 (b: 2, a: 1, c: 0)",
            id="fresh",
        ),
        pytest.param(
            10,
            {"a": 1, "b": 2},
            {"a": 4},
            False,
            "insufficient capacity to scale up from 4 to 10 replicas: 6 more are needed but "
            "the 2 selected cluster(s) fit at most 3 more (b: 2, a: 1)",
            id="scale-up",
        ),
        pytest.param(
            7,
            {f"c{i}": 1 for i in range(6)},
            {},
            True,
            "insufficient capacity: 7 replicas are needed but the 6 selected cluster(s) fit "
            "at most 6 (c0: 1, c1: 1, c2: 1, c3: 1, c4: 1, ...)",
            id="long list elided",
        ),
    ],
)
def test_divide_dynamic_capacity_short(
    replicas: int,
    available: Mapping[str, int],
    previous: Mapping[str, int],
    fresh: bool,
    message: str,
) -> None:
    b = binding(replicas=replicas, placement=DYNAMIC, previous=previous)
    with pytest.raises(ScheduleError) as caught:
        divide_dynamic(b, pool(available), fresh=fresh)
    assert caught.value.reason == "NoClusterFit"
    assert caught.value.message == message


def test_scale_up_never_exceeds_available_for_new_replicas() -> None:
    b = binding(replicas=12, placement=DYNAMIC, previous={"a": 2, "b": 2})
    result = divide_dynamic(b, pool({"a": 1, "b": 7}), fresh=False)
    assert result == {"a": 3, "b": 9}
