"""Status conditions with apimachinery's meta.SetStatusCondition semantics.

Every controller reports through conditions, and they must agree on one rule:
`lastTransitionTime` moves only when `status` flips, so a condition rewritten
with the same status keeps the moment it last changed, and a write that changes
nothing can be skipped.
"""

from __future__ import annotations

import time
from collections.abc import MutableSequence, Sequence

from karmada.meta.v1 import meta_pb2

__all__ = ["find_condition", "is_true", "set_condition"]


def find_condition(
    conditions: Sequence[meta_pb2.Condition], type_: str
) -> meta_pb2.Condition | None:
    for condition in conditions:
        if condition.type == type_:
            return condition
    return None


def is_true(conditions: Sequence[meta_pb2.Condition], type_: str) -> bool:
    condition = find_condition(conditions, type_)
    return condition is not None and condition.status == "True"


def set_condition(
    conditions: MutableSequence[meta_pb2.Condition],
    type_: str,
    status: str,
    reason: str,
    message: str,
    *,
    observed_generation: int = 0,
    now: float | None = None,
) -> bool:
    """Sets condition `type_` in place; True if anything changed."""
    existing = find_condition(conditions, type_)
    if existing is None:
        condition = meta_pb2.Condition(
            type=type_,
            status=status,
            reason=reason,
            message=message,
            observed_generation=observed_generation,
        )
        condition.last_transition_time.FromNanoseconds(
            int((time.time() if now is None else now) * 1e9)
        )
        conditions.append(condition)
        return True
    changed = False
    if existing.status != status:
        existing.status = status
        existing.last_transition_time.FromNanoseconds(
            int((time.time() if now is None else now) * 1e9)
        )
        changed = True
    for field, value in (("reason", reason), ("message", message)):
        if getattr(existing, field) != value:
            setattr(existing, field, value)
            changed = True
    if existing.observed_generation != observed_generation:
        existing.observed_generation = observed_generation
        changed = True
    return changed
