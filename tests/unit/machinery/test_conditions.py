"""Conditions keep their transition time unless the status flips."""

from __future__ import annotations

import pytest

from karmada.machinery.conditions import find_condition, is_true, set_condition
from karmada.meta.v1 import meta_pb2


def _ready(
    status: str, reason: str = "R", message: str = "m", generation: int = 1
) -> meta_pb2.Condition:
    condition = meta_pb2.Condition(
        type="Ready", status=status, reason=reason, message=message, observed_generation=generation
    )
    condition.last_transition_time.FromSeconds(100)
    return condition


@pytest.mark.parametrize(
    ("before", "status", "reason", "message", "generation", "changed", "transition"),
    [
        (None, "True", "R", "m", 1, True, 200),
        (_ready("True"), "True", "R", "m", 1, False, 100),
        (_ready("True"), "True", "Other", "m", 1, True, 100),
        (_ready("True"), "True", "R", "new message", 1, True, 100),
        (_ready("True"), "True", "R", "m", 2, True, 100),
        (_ready("True"), "False", "R", "m", 1, True, 200),
    ],
    ids=["added", "same", "reason", "message", "generation", "flipped"],
)
def test_set_condition(  # noqa: PLR0917
    before: meta_pb2.Condition | None,
    status: str,
    reason: str,
    message: str,
    generation: int,
    changed: bool,
    transition: int,
) -> None:
    conditions = [meta_pb2.Condition(type="Other", status="True")]
    if before is not None:
        conditions.append(before)
    assert (
        set_condition(
            conditions, "Ready", status, reason, message, observed_generation=generation, now=200.0
        )
        is changed
    )
    ready = find_condition(conditions, "Ready")
    assert ready is not None
    assert (ready.status, ready.reason, ready.message, ready.observed_generation) == (
        status,
        reason,
        message,
        generation,
    )
    assert ready.last_transition_time.seconds == transition
    assert len(conditions) == 2
    assert is_true(conditions, "Ready") is (status == "True")
    assert not is_true(conditions, "Missing")
