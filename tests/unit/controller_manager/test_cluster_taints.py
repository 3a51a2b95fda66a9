"""Cluster taints from Ready: NoSchedule for the scheduler, NoExecute for the taint manager."""

from __future__ import annotations

import pytest
from google.protobuf import timestamp_pb2

from controller_manager.controllers.cluster_taints import reconcile_taints
from karmada.core.v1 import types_pb2
from karmada.names import NOT_READY_TAINT, UNREACHABLE_TAINT, UNSCHEDULABLE_TAINT

NOW = timestamp_pb2.Timestamp(seconds=1_000)
EARLIER = timestamp_pb2.Timestamp(seconds=500)

NR_S = (NOT_READY_TAINT, "NoSchedule")
NR_X = (NOT_READY_TAINT, "NoExecute")
UR_S = (UNREACHABLE_TAINT, "NoSchedule")
UR_X = (UNREACHABLE_TAINT, "NoExecute")
USER = ("example.com/dedicated", "NoSchedule")
CORDON = (UNSCHEDULABLE_TAINT, "NoSchedule")


def taints(*pairs: tuple[str, str]) -> list[types_pb2.Taint]:
    return [types_pb2.Taint(key=key, effect=effect) for key, effect in pairs]


def pairs(result: list[types_pb2.Taint] | None) -> list[tuple[str, str]] | None:
    return None if result is None else [(t.key, t.effect) for t in result]


@pytest.mark.parametrize(
    ("before", "ready", "after"),
    [
        # Just joined, no Ready yet: keep the scheduler away, nothing to evict.
        ((), None, [NR_S]),
        ((NR_S,), None, None),
        ((UR_S,), None, [UR_S, NR_S]),
        # Not ready: not-ready both effects, unreachable removed.
        ((), "False", [NR_X, NR_S]),
        ((UR_S, UR_X), "False", [NR_X, NR_S]),
        ((NR_S, NR_X), "False", None),
        # Unreachable: the mirror image.
        ((NR_S, NR_X), "Unknown", [UR_X, UR_S]),
        ((UR_S, UR_X), "Unknown", None),
        # Ready: every controlled taint goes, others stay in order.
        ((USER, NR_S, CORDON, NR_X, UR_S, UR_X), "True", [USER, CORDON]),
        ((USER,), "True", None),
        ((), "True", None),
        # Not a condition status: change nothing.
        ((NR_S,), "Maybe", None),
        # The user's taints survive every transition.
        ((USER, CORDON), "False", [USER, CORDON, NR_X, NR_S]),
    ],
)
def test_reconcile_taints(
    before: tuple[tuple[str, str], ...], ready: str | None, after: list[tuple[str, str]] | None
) -> None:
    assert pairs(reconcile_taints(taints(*before), ready=ready, now=NOW)) == after


def test_no_execute_taints_are_stamped_and_keep_their_time() -> None:
    result = reconcile_taints([], ready="Unknown", now=NOW)
    assert result is not None
    stamps = {(t.key, t.effect): t.time_added.seconds for t in result}
    assert stamps == {UR_X: 1_000, UR_S: 0}
    assert not next(t for t in result if t.effect == "NoSchedule").HasField("time_added")

    existing = types_pb2.Taint(key=UNREACHABLE_TAINT, effect="NoExecute")
    existing.time_added.CopyFrom(EARLIER)
    again = reconcile_taints([existing], ready="Unknown", now=NOW)
    assert again is not None
    assert {(t.key, t.effect): t.time_added.seconds for t in again}[UR_X] == 500


def test_result_is_a_copy() -> None:
    original = taints(USER, NR_S)
    result = reconcile_taints(original, ready="True", now=NOW)
    assert result is not None
    result[0].value = "changed"
    assert original[0].value == ""
