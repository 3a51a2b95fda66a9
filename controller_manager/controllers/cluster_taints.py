"""The taints the cluster controller keeps on a Cluster, derived from its Ready condition.

Karmada's cluster controller (pkg/controllers/cluster/cluster_controller.go)
taints a cluster so the scheduler keeps new work off it:

* no Ready condition yet (just joined): ``cluster.karmada.io/not-ready:NoSchedule``;
* Ready False: ``not-ready:NoSchedule`` (replacing ``unreachable``);
* Ready Unknown: ``unreachable:NoSchedule`` (replacing ``not-ready``);
* Ready True: neither.

With failover on, Karmada also puts the ``NoExecute`` variants on (same
keys, with ``timeAdded``), which the taint manager acts on: it evicts
bindings that do not tolerate them, after the policy's ``tolerationSeconds``
(the apiserver defaults 300 s tolerations for both keys, as karmada-webhook).
We add the NoExecute taints as soon as Ready leaves True, with no separate
eviction timeout: the status controller's failure threshold already
debounces a flapping cluster, and the toleration decides how long workloads
stay. A cluster that has never reported gets no NoExecute taint, as in
Karmada (there is nothing on it to evict).

Taints match by key and effect (corev1 Taint.MatchTaint); a taint already
present is kept as it is, so ``timeAdded`` records when it first appeared.
Pure: callers pass the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf import timestamp_pb2

from karmada.core.v1 import types_pb2
from karmada.names import NOT_READY_TAINT, UNREACHABLE_TAINT

__all__ = ["CONTROLLED", "NO_EXECUTE", "NO_SCHEDULE", "TaintChange", "reconcile_taints"]

NO_SCHEDULE = "NoSchedule"
NO_EXECUTE = "NoExecute"

CONTROLLED: frozenset[tuple[str, str]] = frozenset(
    (key, effect)
    for key in (NOT_READY_TAINT, UNREACHABLE_TAINT)
    for effect in (NO_SCHEDULE, NO_EXECUTE)
)
"""(key, effect) of every taint this controller adds and removes."""


@dataclass(frozen=True, slots=True)
class TaintChange:
    """Taints to add and remove, as (key, effect) pairs."""

    add: frozenset[tuple[str, str]]
    remove: frozenset[tuple[str, str]]


def wanted(ready: str | None) -> TaintChange:
    """What the Ready status asks for; statuses other than True/False/Unknown change nothing."""
    both = (NO_SCHEDULE, NO_EXECUTE)
    if ready is None:
        return TaintChange(add=frozenset({(NOT_READY_TAINT, NO_SCHEDULE)}), remove=frozenset())
    if ready == "False":
        return TaintChange(
            add=frozenset((NOT_READY_TAINT, e) for e in both),
            remove=frozenset((UNREACHABLE_TAINT, e) for e in both),
        )
    if ready == "Unknown":
        return TaintChange(
            add=frozenset((UNREACHABLE_TAINT, e) for e in both),
            remove=frozenset((NOT_READY_TAINT, e) for e in both),
        )
    if ready == "True":
        return TaintChange(add=frozenset(), remove=CONTROLLED)
    return TaintChange(add=frozenset(), remove=frozenset())


def reconcile_taints(
    taints: Sequence[types_pb2.Taint], *, ready: str | None, now: timestamp_pb2.Timestamp
) -> list[types_pb2.Taint] | None:
    """The cluster's taints (fresh copies) after applying what `ready` asks for; None if no change.

    Other taints (the user's, unschedulable) keep their order; added ones go
    last, NoExecute ones stamped with `now` as timeAdded.
    """
    change = wanted(ready)
    present = {(t.key, t.effect) for t in taints}
    to_add = sorted(change.add - present)
    if not to_add and not (change.remove & present):
        return None
    result = []
    for kept in taints:
        if (kept.key, kept.effect) not in change.remove:
            copy = types_pb2.Taint()
            copy.CopyFrom(kept)
            result.append(copy)
    for key, effect in to_add:
        taint = types_pb2.Taint(key=key, effect=effect)
        if effect == NO_EXECUTE:
            taint.time_added.CopyFrom(now)
        result.append(taint)
    return result
