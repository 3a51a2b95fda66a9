"""Tests for replica assignment: strategy dispatch and the shape of the result."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from karmada.policy.v1alpha1.propagation_policy_pb2 import Placement
from scheduler.core.division.assign import assign_replicas
from scheduler.framework.types import ScheduleError
from tests.unit.scheduler.builders import binding, placement, pool, static_weight

EQUAL = {"c": 10, "a": 10, "b": 10}


@pytest.mark.parametrize(
    ("replicas", "policy", "available", "want"),
    [
        pytest.param(0, placement(), EQUAL, [("c", 0), ("a", 0), ("b", 0)], id="no replicas"),
        pytest.param(0, None, {}, [], id="no replicas nowhere"),
        pytest.param(3, None, EQUAL, [("a", 3), ("b", 3), ("c", 3)], id="unset means duplicated"),
        pytest.param(
            3,
            placement(scheduling_type="Duplicated"),
            {"b": 0, "a": 1},
            [("a", 3), ("b", 3)],
            id="duplicated ignores capacity",
        ),
        pytest.param(9, placement(), EQUAL, [("a", 3), ("b", 3), ("c", 3)], id="no weights: equal"),
        pytest.param(2, placement(), EQUAL, [("a", 1), ("b", 1)], id="zero-replica dropped"),
        pytest.param(
            9,
            placement(static_weights=[static_weight(1, "a"), static_weight(2, "b")]),
            EQUAL,
            [("a", 3), ("b", 6)],
            id="static 1:2",
        ),
        pytest.param(
            9,
            placement(static_weights=[static_weight(1, "a"), static_weight(3, "b")]),
            EQUAL,
            [("a", 2), ("b", 7)],
            id="static 1:3",
        ),
        pytest.param(
            9,
            placement(static_weights=[static_weight(0, "a")]),
            EQUAL,
            [("a", 3), ("b", 3), ("c", 3)],
            id="all weights 0",
        ),
        pytest.param(
            4,
            placement(dynamic_weight="AvailableReplicas"),
            {"a": 1, "b": 3},
            [("a", 1), ("b", 3)],
            id="dynamic",
        ),
        pytest.param(
            4,
            placement(dynamic_weight="AvailableReplicas", static_weights=[static_weight(5, "a")]),
            {"a": 1, "b": 3},
            [("a", 1), ("b", 3)],
            id="dynamic wins over static",
        ),
        pytest.param(
            4, placement(division="Aggregated"), {"a": 1, "b": 3, "c": 5}, [("c", 4)], id="agg"
        ),
        pytest.param(
            4,
            placement(division=""),
            {"b": 1, "a": 1},
            [("a", 2), ("b", 2)],
            id="empty preference means weighted",
        ),
    ],
)
def test_assign_replicas(
    replicas: int,
    policy: Placement | None,
    available: Mapping[str, int],
    want: list[tuple[str, int]],
) -> None:
    b = binding(replicas=replicas, placement=policy)
    result = assign_replicas(b, pool(available), fresh=False)
    assert [(t.name, t.replicas) for t in result] == want


def test_static_weights_ignore_previous_result() -> None:
    b = binding(replicas=4, placement=placement(), previous={"a": 4})
    result = assign_replicas(b, pool({"a": 1, "b": 1}), fresh=False)
    assert [(t.name, t.replicas) for t in result] == [("a", 2), ("b", 2)]


def test_fresh_is_passed_to_dynamic_division() -> None:
    b = binding(
        replicas=4, placement=placement(dynamic_weight="AvailableReplicas"), previous={"a": 4}
    )
    kept = assign_replicas(b, pool({"a": 2, "b": 2}), fresh=False)
    fresh = assign_replicas(b, pool({"a": 2, "b": 2}), fresh=True)
    assert [(t.name, t.replicas) for t in kept] == [("a", 4)]
    assert [(t.name, t.replicas) for t in fresh] == [("a", 2), ("b", 2)]


@pytest.mark.parametrize(
    ("replicas", "policy", "available", "reason", "message"),
    [
        pytest.param(
            3,
            placement(),
            {},
            "NoClusterFit",
            "no cluster is selected to place 3 replicas",
            id="nothing selected",
        ),
        pytest.param(
            3,
            placement(division="Balanced"),
            {"a": 3},
            "SchedulerError",
            "unsupported replicaDivisionPreference 'Balanced': expected \"Aggregated\" or "
            '"Weighted"',
            id="unknown preference",
        ),
        pytest.param(
            3,
            placement(dynamic_weight="Load"),
            {"a": 3},
            "SchedulerError",
            "unsupported dynamicWeight 'Load': expected \"AvailableReplicas\"",
            id="unknown dynamic weight",
        ),
        pytest.param(
            5,
            placement(division="Aggregated"),
            {"a": 3},
            "NoClusterFit",
            "insufficient capacity: 5 replicas are needed but the 1 selected cluster(s) fit "
            "at most 3 (a: 3)",
            id="capacity short",
        ),
    ],
)
def test_assign_replicas_errors(
    replicas: int,
    policy: Placement,
    available: Mapping[str, int],
    reason: str,
    message: str,
) -> None:
    with pytest.raises(ScheduleError) as caught:
        assign_replicas(binding(replicas=replicas, placement=policy), pool(available), fresh=True)
    assert (caught.value.reason, caught.value.message) == (reason, message)
