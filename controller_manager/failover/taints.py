"""When a binding must leave a cluster with NoExecute taints: Karmada's toleration arithmetic.

The cluster controller puts ``cluster.karmada.io/not-ready`` or
``unreachable`` NoExecute taints (stamped with ``timeAdded``) on a cluster
that stops being Ready; users may add their own. A binding placed there
leaves (pkg/controllers/cluster/taint_manager.go, needEviction):

* at once, if some NoExecute taint is not tolerated by any of the
  placement's ``clusterTolerations``;
* otherwise at the earliest ``timeAdded + tolerationSeconds`` over the
  tolerations used (each taint's first matching toleration) and the taints
  they tolerate;
* never, if none of those tolerations has ``tolerationSeconds``.

The tolerations come from the placement the binding was scheduled with (the
``policy.karmada.io/applied-placement`` annotation), as in Karmada; unlike
Karmada, a binding without that annotation (or with one that does not
parse) falls back to ``spec.placement`` instead of failing. Taints without
``timeAdded`` are given one by the caller (Karmada ignores them, which lets
such a taint be tolerated forever).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from google.protobuf import json_format

from karmada.core.v1 import types_pb2
from karmada.names import APPLIED_PLACEMENT_ANNOTATION
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2

__all__ = [
    "APPLIED_PLACEMENT_ANNOTATION",
    "NO_EXECUTE",
    "DatedTaint",
    "eviction_delay",
    "no_execute",
    "taint_identity",
    "tolerates",
    "tolerations_of",
]

log = logging.getLogger(__name__)

NO_EXECUTE = "NoExecute"


@dataclass(frozen=True, slots=True)
class DatedTaint:
    """A NoExecute taint and when it was added (seconds since the epoch)."""

    taint: types_pb2.Taint
    added: float


def taint_identity(taint: types_pb2.Taint) -> tuple[str, str, str]:
    """What tells two taints apart (key, value, effect)."""
    return (taint.key, taint.value, taint.effect)


def no_execute(taints: Sequence[types_pb2.Taint]) -> list[types_pb2.Taint]:
    """The NoExecute taints among `taints` (helper.GetNoExecuteTaints)."""
    return [taint for taint in taints if taint.effect == NO_EXECUTE]


def tolerates(toleration: types_pb2.Toleration, taint: types_pb2.Taint) -> bool:
    """Whether `toleration` tolerates `taint` (corev1 Toleration.ToleratesTaint)."""
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    if toleration.operator == "Exists":
        return True
    return toleration.operator in ("", "Equal") and toleration.value == taint.value


def _used_tolerations(
    taints: Sequence[types_pb2.Taint], tolerations: Sequence[types_pb2.Toleration]
) -> list[types_pb2.Toleration] | None:
    """Each taint's first tolerating toleration; None if some taint has none."""
    used = []
    for taint in taints:
        match = next((t for t in tolerations if tolerates(t, taint)), None)
        if match is None:
            return None
        used.append(match)
    return used


def eviction_delay(
    taints: Sequence[DatedTaint], tolerations: Sequence[types_pb2.Toleration], *, now: float
) -> float | None:
    """Seconds until the binding must leave the cluster: 0 now, None never.

    `taints` are the cluster's NoExecute taints. Negative tolerationSeconds
    count as 0, as in Kubernetes.
    """
    if not taints:
        return None
    used = _used_tolerations([dated.taint for dated in taints], tolerations)
    if used is None:
        return 0.0
    deadlines = [
        dated.added + max(toleration.toleration_seconds, 0)
        for toleration in used
        if toleration.HasField("toleration_seconds")
        for dated in taints
        if tolerates(toleration, dated.taint)
    ]
    if not deadlines:
        return None
    return max(min(deadlines) - now, 0.0)


@functools.lru_cache(maxsize=1024)
def _applied_tolerations(applied: str) -> tuple[types_pb2.Toleration, ...] | None:
    try:
        loaded = json.loads(applied)
        if not isinstance(loaded, dict):
            return None
        placement = json_format.ParseDict(
            loaded, policy_pb2.Placement(), ignore_unknown_fields=True
        )
    except (ValueError, json_format.ParseError, TypeError, AttributeError):
        return None
    return tuple(placement.cluster_tolerations)


def tolerations_of(
    annotations: Mapping[str, str], placement: policy_pb2.Placement
) -> Sequence[types_pb2.Toleration]:
    """The cluster tolerations the binding was scheduled with.

    Read from the applied-placement annotation; `placement` (the binding's
    spec.placement) when the annotation is missing or unreadable.
    """
    applied = annotations.get(APPLIED_PLACEMENT_ANNOTATION)
    if applied:
        tolerations = _applied_tolerations(applied)
        if tolerations is not None:
            return tolerations
        log.warning("Unreadable applied placement; using spec.placement")
    return list(placement.cluster_tolerations)
