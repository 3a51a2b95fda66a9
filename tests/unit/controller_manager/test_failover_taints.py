"""When a binding must leave a NoExecute-tainted cluster (controller_manager.failover.taints)."""

from __future__ import annotations

import json

import pytest

from controller_manager.failover.taints import (
    APPLIED_PLACEMENT_ANNOTATION,
    DatedTaint,
    eviction_delay,
    no_execute,
    tolerates,
    tolerations_of,
)
from karmada.core.v1 import types_pb2
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2

NOT_READY = "cluster.karmada.io/not-ready"
UNREACHABLE = "cluster.karmada.io/unreachable"
NOW = 1_000_000.0


def taint(key: str, *, value: str = "", effect: str = "NoExecute") -> types_pb2.Taint:
    return types_pb2.Taint(key=key, value=value, effect=effect)


def toleration(
    key: str = "",
    *,
    operator: str = "Exists",
    value: str = "",
    effect: str = "NoExecute",
    seconds: int | None = None,
) -> types_pb2.Toleration:
    result = types_pb2.Toleration(key=key, operator=operator, value=value, effect=effect)
    if seconds is not None:
        result.toleration_seconds = seconds
    return result


@pytest.mark.parametrize(
    ("toleration_", "taint_", "expected"),
    [
        (toleration(NOT_READY), taint(NOT_READY), True),
        (toleration(NOT_READY), taint(UNREACHABLE), False),
        (toleration(NOT_READY, effect="NoSchedule"), taint(NOT_READY), False),
        (toleration(NOT_READY, effect=""), taint(NOT_READY), True),
        (toleration("", effect=""), taint("anything", value="x"), True),
        (toleration("k", operator="Equal", value="a"), taint("k", value="a"), True),
        (toleration("k", operator="Equal", value="a"), taint("k", value="b"), False),
        (toleration("k", operator="", value="a"), taint("k", value="a"), True),
        (toleration("k", operator="Exists"), taint("k", value="b"), True),
        (toleration("k", operator="Bogus"), taint("k"), False),
    ],
    ids=[
        "same-key",
        "other-key",
        "other-effect",
        "any-effect",
        "match-all",
        "equal-value",
        "equal-other-value",
        "default-operator-is-equal",
        "exists-ignores-value",
        "unknown-operator",
    ],
)
def test_tolerates(
    toleration_: types_pb2.Toleration, taint_: types_pb2.Taint, expected: bool
) -> None:
    assert tolerates(toleration_, taint_) is expected


def test_no_execute_keeps_only_no_execute_taints() -> None:
    taints = [taint("a", effect="NoSchedule"), taint("b"), taint("c", effect="PreferNoSchedule")]
    assert [t.key for t in no_execute(taints)] == ["b"]


@pytest.mark.parametrize(
    ("taints", "tolerations", "expected"),
    [
        ([], [toleration(NOT_READY, seconds=10)], None),
        ([(NOT_READY, NOW)], [], 0.0),
        ([(NOT_READY, NOW)], [toleration(UNREACHABLE, seconds=10)], 0.0),
        ([(NOT_READY, NOW - 4)], [toleration(NOT_READY, seconds=10)], 6.0),
        ([(NOT_READY, NOW - 10)], [toleration(NOT_READY, seconds=10)], 0.0),
        ([(NOT_READY, NOW - 60)], [toleration(NOT_READY, seconds=10)], 0.0),
        ([(NOT_READY, NOW)], [toleration(NOT_READY)], None),
        ([(NOT_READY, NOW)], [toleration(NOT_READY, seconds=0)], 0.0),
        ([(NOT_READY, NOW)], [toleration(NOT_READY, seconds=-5)], 0.0),
        (
            [(NOT_READY, NOW - 1), (UNREACHABLE, NOW)],
            [toleration(NOT_READY, seconds=300), toleration(UNREACHABLE, seconds=5)],
            5.0,
        ),
        (
            [(NOT_READY, NOW), ("user", NOW)],
            [toleration(NOT_READY, seconds=300)],
            0.0,
        ),
        (
            [(NOT_READY, NOW)],
            [toleration(NOT_READY), toleration(NOT_READY, seconds=1)],
            None,
        ),
        (
            [(NOT_READY, NOW), (UNREACHABLE, NOW - 2)],
            [toleration("", seconds=30)],
            28.0,
        ),
        (
            [(NOT_READY, NOW), (UNREACHABLE, NOW)],
            [toleration(NOT_READY, seconds=30), toleration(UNREACHABLE)],
            30.0,
        ),
    ],
    ids=[
        "no-taints-never",
        "no-tolerations-now",
        "untolerated-taint-now",
        "remaining-toleration",
        "toleration-just-ran-out",
        "toleration-long-gone",
        "tolerated-forever",
        "zero-seconds-now",
        "negative-seconds-now",
        "shortest-toleration-wins",
        "one-untolerated-taint-is-enough",
        "first-matching-toleration-is-used",
        "one-toleration-for-every-taint-earliest-added",
        "forever-and-limited-taints-limited-wins",
    ],
)
def test_eviction_delay(
    taints: list[tuple[str, float]],
    tolerations: list[types_pb2.Toleration],
    expected: float | None,
) -> None:
    dated = [DatedTaint(taint(key), added) for key, added in taints]
    assert eviction_delay(dated, tolerations, now=NOW) == expected


def _placement(*tolerations: types_pb2.Toleration) -> policy_pb2.Placement:
    return policy_pb2.Placement(cluster_tolerations=list(tolerations))


@pytest.mark.parametrize(
    ("annotation", "expected_seconds"),
    [
        (None, [300]),
        (json.dumps({"clusterTolerations": [{"key": NOT_READY, "tolerationSeconds": "7"}]}), [7]),
        (json.dumps({"clusterTolerations": [], "futureField": 1}), []),
        ("{not json", [300]),
        ("[]", [300]),
    ],
    ids=["no-annotation", "applied", "applied-empty-unknown-field", "unparseable", "not-object"],
)
def test_tolerations_come_from_the_applied_placement(
    annotation: str | None, expected_seconds: list[int]
) -> None:
    annotations = {} if annotation is None else {APPLIED_PLACEMENT_ANNOTATION: annotation}
    spec_placement = _placement(toleration(NOT_READY, seconds=300))
    found = tolerations_of(annotations, spec_placement)
    assert [t.toleration_seconds for t in found] == expected_seconds
